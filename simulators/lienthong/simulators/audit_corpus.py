"""A generated audit corpus: many facilities sending the population's visits (the fleet's
arrivals, ``fleet_visits``), some of them with known, seeded problems, and the ground truth written
alongside so that an audit is judged against what was seeded, not only by the validator.

Most problems are ones no per-file rule sees: a late dossier, a check-in without its dossier, the
same visit under two MA_LK, a second visit of one person contradicting the first, an identity C06
does not verify, a late or missing check-in, a visit on VNeID after 24 h; one is a per-file rule
broken by the profile's own mutation (``profiles.mutations``), refused by the gateway and never
fixed. Clean facilities include what must *not* be reported: emergencies without a check-in, a
refused dossier fixed under the same MA_LK, a replacement dossier.

The corpus is a gateway database (the journal tables of ``gateway/schema.py``, written by the
gateway's own ``journal.write_entries``) and optionally a folder of the same XML files, each
file's modification time its receipt time (a folder carries neither C06's answer nor the
forwarding time: problems only a database shows are marked so in the truth). Documents are not
signed (the audit does not judge signatures; the gateway did on receipt).
"""

from __future__ import annotations

import base64
import json
import multiprocessing
import os
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from lienthong.profiles.mutations import apply
from lienthong.simulators.clock import VN_TZ
from lienthong.simulators.fleet_visits import Arrivals, as_sent, retimed
from lienthong.simulators.gateway.journal import Entry, write_entries
from lienthong.simulators.gateway.schema import metadata
from lienthong.simulators.population import care
from lienthong.simulators.population.facilities import Facility, facilities
from lienthong.simulators.store import open_database
from lienthong.simulators.visits import Visit
from lienthong.simulators.xml130 import checkin_xml, envelope, table_xml

PROBLEMS: dict[str, tuple[str, bool]] = {
    "late_dossier": ("TIME-01", True),
    "checkin_without_dossier": ("TRAFFIC-01", True),
    "duplicate_visit": ("TRAFFIC-02", True),
    "contradiction": ("TRAFFIC-03", True),
    "unverified_identity": ("TRAFFIC-04", False),
    "no_checkin": ("XML0-06", True),
    "late_checkin": ("XML0-06", True),
    "late_vneid": ("MOH-03", False),
    "broken_required_field": ("XML1-02", True),
    "broken_code": ("CODE-01", True),
}
"""Seeded problem -> (the requirement the audit must report, whether a folder shows it too)."""
START = datetime(2026, 1, 5, 7, 0)
"""The corpus's first arrival (naive Vietnam local time)."""


@dataclass(frozen=True)
class CorpusConfig:
    seed: int = 7
    facilities: int = 12
    visits: int = 30
    """Visits per facility."""
    problem_share: float = 0.5
    """Share of facilities given seeded problems."""
    problems_per_facility: int = 2
    days: int = 90
    """Span of the arrivals: orphan check-ins are seeded in the first third, so they are overdue."""
    population: int = 2000


@dataclass
class _Sent:
    """One submission of the corpus."""

    kind: str
    facility: str
    received: datetime
    document: bytes
    ma_lk: str
    accepted: bool = True
    identity: str = "delivered"
    forwarded_after: timedelta = timedelta(minutes=5)
    violations: str = "[]"


@dataclass
class Truth:
    seed: int
    facilities: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, code: str, problem: str, ma_lk: str) -> None:
        requirement, in_folder = PROBLEMS[problem]
        self.facilities[code]["problems"].append(
            {"problem": problem, "requirement": requirement, "ma_lk": ma_lk, "in_folder": in_folder}
        )


def _sites(config: CorpusConfig) -> list[Facility]:
    national = facilities()
    step = max(1, len(national) // max(1, config.facilities))
    chosen = [national[(i * step) % len(national)] for i in range(config.facilities)]
    if len({f.code for f in chosen}) != len(chosen):
        raise ValueError(f"audit corpus: at most {len(national)} facilities")
    return chosen


def _checkin(visit: Visit) -> bytes:
    return checkin_xml([visit.checkin])


def _dossier(visit: Visit, tables: dict[str, list[dict[str, str]]] | None = None) -> bytes:
    tables = tables if tables is not None else visit.tables
    return envelope(
        visit.facility.code,
        visit.summary["NGAY_RA"][:8],
        {kind: table_xml(kind, records) for kind, records in tables.items()},
    )


def _set(visit: Visit, name: str, value: str) -> None:
    """``name`` = ``value`` in the check-in and every table record that carries the field."""
    if name in visit.checkin:
        visit.checkin[name] = value
    for records in visit.tables.values():
        for record in records:
            if name in record:
                record[name] = value


def _at(stamp: str) -> datetime:
    return datetime.strptime(stamp[:12], "%Y%m%d%H%M")


def _normal(visit: Visit, rng: random.Random) -> list[_Sent]:
    code = visit.facility.code
    first_cost = _at(visit.checkin["NGAY_YL"])
    end = _at(visit.summary["NGAY_RA"])
    return [
        _Sent(
            "checkin", code, first_cost + timedelta(minutes=rng.randint(1, 20)), _checkin(visit), visit.ma_lk
        ),
        _Sent("dossier", code, end + timedelta(minutes=rng.randint(5, 120)), _dossier(visit), visit.ma_lk),
    ]


def _seeded(problem: str, visit: Visit, rng: random.Random) -> list[_Sent]:
    """The submissions of a visit with ``problem`` (the visit's own and, for some, a second one)."""
    sent = _normal(visit, rng)
    checkin, dossier = sent
    end = _at(visit.summary["NGAY_RA"])
    if problem == "late_dossier":
        dossier.received = end + timedelta(days=16)
    elif problem == "checkin_without_dossier":
        return [checkin]
    elif problem == "no_checkin":
        return [dossier]
    elif problem == "late_checkin":
        checkin.received = _at(visit.checkin["NGAY_YL"]) + timedelta(hours=6)
    elif problem == "late_vneid":
        dossier.forwarded_after = timedelta(hours=30)
    elif problem == "unverified_identity":
        _set(visit, "HO_TEN", visit.summary["HO_TEN"] + " Văn")
        sent = _normal(visit, rng)
        sent[1].identity = "identity_rejected"
    elif problem in {"broken_required_field", "broken_code"}:
        requirement = PROBLEMS[problem][0]
        broken = apply(visit.tables, requirement)
        if broken is None:
            raise LookupError(f"the visit cannot break {requirement}")
        dossier.document = _dossier(visit, broken)
        dossier.accepted = False
        dossier.violations = json.dumps([{"requirement": requirement}])
    return sent


def _second(problem: str, care_visit: care.Visit, site: Facility, number: int, rng: random.Random) -> Visit:
    """The second visit of a duplicate (same arrival, new MA_LK) or a contradiction (a later visit
    of the same person, its birth day changed within the same year: the ID number stays valid)."""
    if problem == "duplicate_visit":
        again = retimed(care_visit, site.code, care_visit.arrived, number)
        return as_sent(again, site)
    later = retimed(care_visit, site.code, care_visit.arrived + timedelta(days=20), number)
    visit = as_sent(later, site)
    birth = visit.summary["NGAY_SINH"]
    day = int(birth[6:8])
    _set(visit, "NGAY_SINH", f"{birth[:6]}{(day % 27) + 1:02d}{birth[8:]}")
    return visit


def _emergency(visit: Visit) -> None:
    _set(visit, "MA_DOITUONG_KCB", "2")


@dataclass(frozen=True)
class _Plan:
    """One facility's part of the corpus: where, and which problems (none: a clean facility)."""

    config: CorpusConfig
    site: Facility
    problems: tuple[str, ...]
    seeded: bool


def _plans(config: CorpusConfig) -> list[_Plan]:
    rng = random.Random(f"lienthong-audit-corpus:{config.seed}")
    sites = _sites(config)
    problem_sites = sorted(rng.sample(range(len(sites)), round(len(sites) * config.problem_share)))
    names = list(PROBLEMS)
    per = config.problems_per_facility
    plans = []
    for index, site in enumerate(sites):
        seeded = index in problem_sites
        order = problem_sites.index(index) if seeded else 0
        problems = tuple(names[(order * per + k) % len(names)] for k in range(per)) if seeded else ()
        plans.append(_Plan(config, site, problems, seeded))
    return plans


def facility_part(plan: _Plan) -> tuple[str, list[_Sent], dict[str, Any]]:
    """One facility's submissions (in receipt order) and its row of the ground truth; depends only
    on the plan, so facilities can be made in any process."""
    config, site, seeded = plan.config, plan.site, plan.seeded
    rng = random.Random(f"lienthong-audit-corpus:{config.seed}:{site.code}")
    arrivals = Arrivals(config.seed, site.code, config.population, 1.0)
    truth = Truth(config.seed)
    truth.facilities[site.code] = {
        "name": site.name,
        "province": site.province,
        "clean": not seeded,
        "problems": [],
    }
    problems = list(plan.problems)
    out: list[_Sent] = []
    start = START.replace(tzinfo=VN_TZ)
    gap = timedelta(days=config.days) / max(1, config.visits)
    number = 0
    for slot in range(config.visits):
        number += 1
        arrived = start + gap * slot + timedelta(minutes=rng.randint(0, 600))
        care_visit = arrivals.visit(arrived, number)
        visit = as_sent(care_visit, site)
        problem = problems[slot] if slot < len(problems) else None
        if problem is None:
            if not seeded and slot == len(problems) + 1:  # an emergency: no check-in is due
                _emergency(visit)
                out.append(_normal(visit, rng)[1])
                continue
            sent = _normal(visit, rng)
            if not seeded and slot == len(problems) + 2:  # refused, then fixed under the same MA_LK
                broken = apply(visit.tables, "XML1-02")
                if broken is not None:
                    refused = replace(sent[1], document=_dossier(visit, broken), accepted=False)
                    sent[1].received += timedelta(minutes=30)
                    sent.insert(1, refused)
            if not seeded and slot == len(problems) + 3:  # a replacement two days later
                sent.append(replace(sent[1], received=sent[1].received + timedelta(days=2)))
            out.extend(sent)
            continue
        try:
            sent = _seeded(problem, visit, rng)
        except LookupError:  # this visit cannot carry the per-file break: try the next visit
            problems.insert(slot + 1, problem)
            out.extend(_normal(visit, rng))
            continue
        out.extend(sent)
        truth.add(site.code, problem, visit.ma_lk)
        if problem in {"duplicate_visit", "contradiction"}:
            number += 1
            second = _second(problem, care_visit, site, number, rng)
            more = _normal(second, rng)
            if problem == "duplicate_visit":
                for item in more:
                    item.received += timedelta(hours=1)
                # the copy is the one sent second: its dossier after the first's, whatever the draws
                more[-1].received = max(more[-1].received, sent[-1].received + timedelta(minutes=30))
            else:
                more[1].identity = "identity_rejected"
            out.extend(more)
            truth.facilities[site.code]["problems"][-1]["ma_lk"] = second.ma_lk
    out.sort(key=lambda s: (s.received, s.kind != "checkin", s.ma_lk))
    return site.code, out, truth.facilities[site.code]


def parts(config: CorpusConfig, workers: int = 1) -> Iterator[tuple[str, list[_Sent], dict[str, Any]]]:
    """Every facility's part, in the facilities' order (``workers`` processes make them; the bytes
    do not depend on how many)."""
    plans = _plans(config)
    if workers <= 1:
        yield from map(facility_part, plans)
        return
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        yield from pool.imap(facility_part, plans)


def generate(config: CorpusConfig) -> tuple[list[_Sent], Truth]:
    """Every submission of a (small) corpus, facility after facility, and its ground truth: the
    journal order :func:`write_corpus` writes."""
    truth = Truth(config.seed)
    out: list[_Sent] = []
    for code, sent, row in parts(config):
        truth.facilities[code] = row
        out.extend(sent)
    return out, truth


def _entry(sent: _Sent, number: int) -> Entry:
    received = sent.received.replace(tzinfo=VN_TZ).astimezone(UTC)
    payload = base64.b64encode(sent.document)
    checkin = sent.kind == "checkin"
    code = "200" if sent.accepted else "422"
    entry = Entry(
        {
            "transaction_id": f"GD{number:020d}",
            "endpoint": "/api/qd130/checkInKcbQd3176" if checkin else "/api/qd130/guiHoSoXmlQD3176",
            "kind": sent.kind,
            "profile": "qd3176",
            "username": f"{sent.facility}_portal",
            "session_facility": sent.facility,
            "ma_cskcb": sent.facility,
            "loai_ho_so": "0" if checkin else "130",
            "ma_lk": sent.ma_lk,
            "result_code": code,
            "message": "Thành công" if sent.accepted else "Hồ sơ không hợp lệ",
            "received_at": received,
            "payload": payload,
            "signature_ok": None,
            "errors": sent.violations if not sent.accepted else "[]",
        }
    )
    if sent.accepted and not checkin:
        entry.episode = {"facility": sent.facility, "ma_lk": sent.ma_lk, "ma_the": "", "summary": "{}"}
        done = received + sent.forwarded_after
        entry.forward = {
            "status": sent.identity,
            "attempts": 1,
            "next_attempt_at": received,
            "last_error": "",
            "done_at": done,
            "faults": "",
        }
    return entry


def write_database(sent: list[_Sent], path: Path) -> Path:
    """The corpus as a gateway's SQLite journal (a new file)."""
    if path.exists():
        path.unlink()
    write_journal(sent, f"sqlite:///{path}")
    return path


def write_journal(sent: list[_Sent], url: str) -> None:
    """The corpus into the journal tables of the gateway database at ``url`` (SQLite or PostgreSQL)."""
    engine = open_database(url, metadata)
    try:
        _journal(engine, sent, 0)
    finally:
        engine.dispose()


def _journal(engine: Engine, sent: list[_Sent], first: int) -> None:
    for start in range(0, len(sent), 500):
        batch = sent[start : start + 500]
        with engine.begin() as db:
            write_entries(db, [_entry(s, first + start + i) for i, s in enumerate(batch)])


def _files(sent: list[_Sent], folder: Path, first: int) -> None:
    for number, item in enumerate(sent, start=first + 1):
        place = folder / item.facility
        place.mkdir(exist_ok=True)
        path = place / f"{number:08d}-{item.kind}.xml"
        path.write_bytes(item.document)
        stamp = item.received.replace(tzinfo=VN_TZ).timestamp()
        os.utime(path, (stamp, stamp))


def write_folder(sent: list[_Sent], folder: Path) -> Path:
    """The corpus as XML files, one folder per facility, each file's mtime its receipt time (an
    earlier corpus's files in ``folder`` are removed first)."""
    _fresh(folder)
    _files(sent, folder, 0)
    return folder


def _fresh(folder: Path) -> None:
    if folder.is_dir():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def write_truth(truth: Truth, path: Path, config: CorpusConfig) -> Path:
    path.write_text(
        json.dumps(
            {"config": config.__dict__, "problems": PROBLEMS, "facilities": truth.facilities},
            ensure_ascii=False,
            indent=2,
            default=str,
        ),
        encoding="utf-8",
    )
    return path


def write_register(truth: Truth, path: Path) -> Path:
    """The facility register CSV (``facility,name,province,level``) of the corpus."""
    lines = ["facility,name,province,level"]
    for code, row in truth.facilities.items():
        name = row["name"].replace('"', "'")
        lines.append(f'{code},"{name}",{row["province"]},')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_corpus(
    config: CorpusConfig, out: Path, *, folder: bool = True, workers: int = 1
) -> dict[str, Path]:
    """The corpus under ``out``: ``gateway.db``, ``xml/`` (when ``folder``), ``truth.json``,
    ``facilities.csv``; written facility by facility, so memory holds one facility's documents."""
    out.mkdir(parents=True, exist_ok=True)
    database = out / "gateway.db"
    if database.exists():
        database.unlink()
    if folder:
        _fresh(out / "xml")
    truth = Truth(config.seed)
    engine = open_database(f"sqlite:///{database}", metadata)
    written = 0
    try:
        for code, sent, row in parts(config, workers):
            truth.facilities[code] = row
            _journal(engine, sent, written)
            if folder:
                _files(sent, out / "xml", written)
            written += len(sent)
    finally:
        engine.dispose()
    paths = {
        "database": database,
        "truth": write_truth(truth, out / "truth.json", config),
        "register": write_register(truth, out / "facilities.csv"),
    }
    if folder:
        paths["folder"] = out / "xml"
    return paths
