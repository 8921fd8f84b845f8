"""From the judged episodes and their findings to the audit's result: per facility, per month,
per province, the six-monthly report table, the league table and the worst records per rule.

The result is one plain JSON-ready mapping (``schema/audit-result.schema.json`` describes it);
every output (JSON, CSV, the QĐ 2733 table, HTML, the dashboard) is written from it.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from lienthong.conformance.audit.dimensions import DIMENSIONS, SOURCE, WEIGHTS, dimension
from lienthong.conformance.audit.scoring import overall, points_per_episode, rate, sub_scores
from lienthong.conformance.traffic import Episode, Finding, TrafficJudge
from lienthong.profiles.catalogue import UnknownRequirement, requirement
from lienthong.profiles.monitoring import OTHER, VISIT_TYPES, deadlines, visit_type, visit_type_rows

SCHEMA_ID = "https://lienthong.example/schema/audit-result/1"
WORST = 20
"""Records kept per facility and rule (and for the whole audit per rule) as examples."""
IMPLIED = {"XML13": "referral", "XML14": "appointment", "XML4": "labs_billed"}
"""The table a dossier's XML1/XML3 implies -> the Version attribute that says so."""


@dataclass(frozen=True, slots=True)
class Place:
    """A facility's name, province and level (from the register, else the code)."""

    name: str = ""
    province: str = ""
    level: str = ""


class RegisterProblem(Exception):
    """A facility register the audit cannot read."""


def read_register(path: Path) -> dict[str, Place]:
    """``facility,name,province,level`` rows (UTF-8 CSV with a header) by facility code."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"facility", "name", "province"} - set(reader.fieldnames or ())
            if missing:
                raise RegisterProblem(
                    f"{path}: the header must name facility,name,province,level; "
                    f"missing {', '.join(sorted(missing))} (found {', '.join(reader.fieldnames or [])})"
                )
            return {
                row["facility"].strip(): Place(
                    row.get("name", "").strip(), row.get("province", "").strip(), row.get("level", "").strip()
                )
                for row in reader
                if row.get("facility", "").strip()
            }
    except (OSError, UnicodeDecodeError) as exc:
        raise RegisterProblem(f"cannot read the facility register {path}: {exc}") from None


def province_of(code: str) -> str:
    """The province a facility code names: its first two digits (MA_CSKCB begins with the province
    code, lienthong's reading [I])."""
    return code[:2] if code[:2].isdigit() else ""


@dataclass
class _Tally:
    """Counts of one facility, or of one month of it."""

    episodes: int = 0
    sent: int = 0
    lost: dict[str, set[str]] = field(default_factory=lambda: {d: set() for d in DIMENSIONS})

    def scores(self) -> dict[str, float | None]:
        return sub_scores(self.episodes, {d: len(v) for d, v in self.lost.items()})


@dataclass
class _Facility:
    code: str
    total: _Tally = field(default_factory=_Tally)
    months: defaultdict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    by_type: Counter[tuple[str, str, bool, str]] = field(default_factory=Counter)
    """(half-year, visit type, BHYT, "visits" | "sent") -> count."""
    implied: Counter[tuple[str, str]] = field(default_factory=Counter)
    timely: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    rule_episodes: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    worst: defaultdict[str, list[dict[str, object]]] = field(default_factory=lambda: defaultdict(list))


def half_year(month: str) -> str:
    """``2026-03`` -> ``2026-H1``: the six-monthly report's period."""
    return f"{month[:4]}-H{1 if month[5:7] <= '06' else 2}" if len(month) >= 7 else ""


def _title(req: str) -> str:
    try:
        return requirement(req).title
    except UnknownRequirement:
        return req


def build_result(
    judge: TrafficJudge,
    *,
    sources: list[str],
    register: Mapping[str, Place] | None = None,
    as_of: datetime | None = None,
    on_finding: Callable[[Finding], None] | None = None,
) -> dict[str, Any]:
    """The audit result of everything ``judge`` has seen (``on_finding`` sees every finding, for the
    full findings file)."""
    register = register or {}
    now = as_of or judge.latest_received
    facilities: dict[str, _Facility] = {}

    def of(code: str) -> _Facility:
        if code not in facilities:
            facilities[code] = _Facility(code)
        return facilities[code]

    for episode in judge.episodes.values():
        _count_episode(of(episode.facility), episode)
    rule_totals: Counter[str] = Counter()
    rule_facilities: defaultdict[str, set[str]] = defaultdict(set)
    worst_overall: defaultdict[str, list[dict[str, object]]] = defaultdict(list)
    for finding in judge.findings(now):
        if on_finding is not None:
            on_finding(finding)
        fac = of(finding.facility)
        found = judge.episodes.get((finding.facility, finding.ma_lk))
        month = found.month if found is not None else ""
        dim = dimension(finding.requirement)
        fac.total.lost[dim].add(finding.ma_lk)
        fac.months[month].lost[dim].add(finding.ma_lk)
        fac.rules[finding.requirement] += 1
        fac.rule_episodes[finding.requirement].add(finding.ma_lk)
        record = {**finding.as_dict(), "month": month}
        if len(fac.worst[finding.requirement]) < WORST:
            fac.worst[finding.requirement].append(record)
        if len(worst_overall[finding.requirement]) < WORST:
            worst_overall[finding.requirement].append(record)
        rule_totals[finding.requirement] += 1
        rule_facilities[finding.requirement].add(finding.facility)
    for code in register:
        of(code)
    rows = [_facility_row(fac, register.get(fac.code, Place())) for fac in facilities.values()]
    rows.sort(key=lambda r: (r["_rank_key"] is None, -(r["_rank_key"] or 0.0), r["facility"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
        del row["_rank_key"]
    return {
        "$schema": SCHEMA_ID,
        "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "as_of": now.isoformat(timespec="minutes") if now else None,
        "sources": sources,
        "submissions": judge.submissions,
        "episodes": len(judge.episodes),
        "method": _method(),
        "facilities": rows,
        "provinces": _provinces(rows),
        "report_2733": [line for row in rows for line in row.pop("_report")],
        "rules": {
            req: {
                "title": _title(req),
                "dimension": dimension(req),
                "findings": rule_totals[req],
                "facilities": len(rule_facilities[req]),
                "worst": worst_overall[req],
            }
            for req in sorted(rule_totals)
        },
    }


def _count_episode(fac: _Facility, episode: Episode) -> None:
    month = episode.month
    for tally in (fac.total, fac.months[month]):
        tally.episodes += 1
        tally.sent += episode.sent
    kind = visit_type(episode.ma_loai_kcb)
    period = half_year(month)
    fac.by_type[(period, kind, episode.bhyt, "visits")] += 1
    if episode.sent:
        fac.by_type[(period, kind, episode.bhyt, "sent")] += 1
    latest = episode.latest
    if latest is not None and episode.sent:
        for table, attribute in IMPLIED.items():
            if getattr(latest, attribute):
                fac.implied[(table, "implied")] += 1
                fac.implied[(table, "sent")] += table in latest.tables
    if not episode.emergency and (episode.sent or episode.checkin_at is not None):
        fac.timely["checkin"] += 1
    if episode.sent:
        fac.timely["dossier"] += 1
    if latest is not None and latest.delivered_at is not None:
        fac.timely["vneid"] += 1


def _facility_row(fac: _Facility, place: Place) -> dict[str, Any]:
    total = fac.total
    lost = {d: len(v) for d, v in total.lost.items()}
    late = {
        "checkin": len(fac.rule_episodes.get("XML0-06", ())),
        "dossier": len(fac.rule_episodes.get("TIME-01", ())),
        "vneid": len(fac.rule_episodes.get("MOH-03", ())),
    }
    per = points_per_episode(total.episodes)
    report = []
    periods = sorted({key[0] for key in fac.by_type})
    for period in periods:
        for kind in (*VISIT_TYPES, OTHER):
            counts = {
                f"{'bhyt' if bhyt else 'non_bhyt'}_{what}": fac.by_type[(period, kind, bhyt, what)]
                for bhyt in (True, False)
                for what in ("visits", "sent")
            }
            if kind == OTHER and not any(counts.values()):
                continue
            report.append({"facility": fac.code, "period": period, "visit_type": kind, **counts})
    return {
        "facility": fac.code,
        "name": place.name,
        "province": place.province or province_of(fac.code),
        "level": place.level,
        **total.scores(),
        "_rank_key": overall(total.episodes, lost),
        "episodes": total.episodes,
        "sent": total.sent,
        "interconnection": rate(total.sent, total.episodes),
        "by_type": [
            {
                "visit_type": kind,
                **{
                    f"{'bhyt' if bhyt else 'non_bhyt'}_{what}": sum(
                        n for (_, k, b, w), n in fac.by_type.items() if k == kind and b == bhyt and w == what
                    )
                    for bhyt in (True, False)
                    for what in ("visits", "sent")
                },
            }
            for kind in (*VISIT_TYPES, OTHER)
        ],
        "implied": {
            table: {"implied": fac.implied[(table, "implied")], "sent": fac.implied[(table, "sent")]}
            for table in IMPLIED
        },
        "timeliness": {
            what: {
                "judged": fac.timely[what],
                "late": late[what],
                "on_time": rate(fac.timely[what] - late[what], fac.timely[what]),
            }
            for what in ("checkin", "dossier", "vneid")
        },
        "lost": {
            d: {
                "episodes": lost[d],
                "points": round(per * lost[d], 2),
                "rules": {r: len(fac.rule_episodes[r]) for r in sorted(fac.rules) if dimension(r) == d},
            }
            for d in DIMENSIONS
        },
        "rules": dict(sorted(fac.rules.items())),
        "months": [
            {"month": month, "episodes": t.episodes, "sent": t.sent, **t.scores()}
            for month, t in sorted(fac.months.items())
            if month
        ],
        "worst": {r: fac.worst[r] for r in sorted(fac.worst)},
        "_report": report,
    }


def _provinces(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    grouped: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["province"]].append(row)
    out = []
    for province, members in grouped.items():
        episodes = sum(m["episodes"] for m in members)
        weighted = [m for m in members if m["score"] is not None]
        score = (
            round(sum(m["score"] * m["episodes"] for m in weighted) / episodes, 2)
            if episodes and weighted
            else None
        )
        out.append(
            {
                "province": province,
                "facilities": len(members),
                "episodes": episodes,
                "sent": sum(m["sent"] for m in members),
                "interconnection": rate(sum(m["sent"] for m in members), episodes),
                "score": score,
            }
        )
    out.sort(key=lambda p: (p["score"] is None, -(p["score"] or 0.0), p["province"]))
    return out


def _method() -> dict[str, Any]:
    return {
        "dimensions": {d: {"weight": WEIGHTS[d]} for d in DIMENSIONS},
        "weights_mark": "I",
        "dimension_source": SOURCE,
        "score_formula": "score_d = 100 × (E − L_d) / E; score = Σ weight_d × score_d (docs/audit.md)",
        "visit_types": {
            code: {"visit_type": row.visit_type, "source": row.source, "mark": row.mark}
            for code, row in sorted(visit_type_rows().items())
        },
        "deadlines": {
            name: {
                "requirement": d.requirement,
                "limit": d.limit,
                "unit": d.unit,
                "source": d.source,
                "mark": d.mark,
            }
            for name, d in deadlines().items()
        },
    }
