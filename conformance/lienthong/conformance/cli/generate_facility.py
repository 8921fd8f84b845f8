"""``lienthong generate --facility CODE [--sign]``: visits at a demo facility, as files a vendor can
send to ``lienthong simulate`` with curl and see accepted.

The facility is one ``simulate`` gives a gateway account to; the patients are citizens
``0 .. population-1`` of the same seed (C06 and the card register know them); each visit is the
simulated hospital's (:func:`lienthong.simulators.visits.visits_at`), serialised by the hospital's
own functions; ``--sign`` signs with the facility's key in ``simulate``'s ``--data-dir``/keys (made
there when the network has not run yet, and reused by it when it starts).

Files, under ``OUT/<CODE>/``: ``<MA_LK>.checkin.xml`` (none for an emergency visit, which needs
no check-in: QĐ 130 Đ3 k1), ``<MA_LK>.xml`` (the dossier), and ``visits.csv``, one row per visit
(MA_LK, patient, card, whether emergency, the two file names) in sending order. A citizen who
died before the day makes no visit.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path

from lienthong.conformance.cli._console import console, fail
from lienthong.conformance.cli._demo import demo_facilities, keys_dir
from lienthong.conformance.cli.sign import write_atomically
from lienthong.profiles.i18n import _
from lienthong.simulators.clock import VN_TZ
from lienthong.simulators.facilities import facility_keys
from lienthong.simulators.hospital import checkin_of, dossier_of
from lienthong.simulators.pki import sign_document
from lienthong.simulators.visits import visits_at

FACILITY_VISITS = 10
"""Visits written by default with ``--facility``."""
_FORMAT = "xml130"


def write_facility_visits(
    out: Path,
    *,
    facility: str | None,
    seed: int,
    count: int,
    start: int,
    fmt: str | None,
    sign: bool,
    data_dir: Path,
    population: int,
    day: str | None,
) -> None:
    """Check the options, then write the visits (see the module's docstring); ``count`` and
    ``seed`` are checked by the caller, as for the population."""
    sites = {site.code: site for site in demo_facilities(seed)}
    if facility is None:
        fail(
            _(
                "--sign needs --facility: the population's own facilities have no account on the "
                "simulated gateway, so nothing would verify their signatures"
            ),
            hint=_("add --facility with one of {facilities}").format(facilities=", ".join(sites)),
        )
    if facility not in sites:
        fail(
            _("--facility {value!r} has no demo account on lienthong simulate (seed {seed})").format(
                value=facility, seed=seed
            ),
            hint=_("choose one of {facilities}").format(facilities=", ".join(sites)),
        )
    if fmt not in (None, _FORMAT):
        fail(
            _("--format {value!r} does not go with --facility").format(value=fmt),
            hint=_("leave --format out, or give {format}").format(format=_FORMAT),
        )
    if population < 1:
        fail(_("--population must be at least 1 (got {value})").format(value=population))
    if start < 0 or start + count > population:
        fail(
            _(
                "citizens {first} to {last} are not all among the {population} that C06 "
                "of lienthong simulate knows (--population {population})"
            ).format(first=start, last=start + count - 1, population=population),
            hint=_("lower --start or --count, or raise --population here and in lienthong simulate"),
        )
    when = _day(day)
    if out.exists() and not out.is_dir():
        fail(_("--out {path} exists and is not a directory").format(path=out))
    site = sites[facility]
    key = facility_keys([site], keys_dir(data_dir))[site.code] if sign else None
    folder = out / site.code
    index = io.StringIO()
    rows = csv.writer(index, lineterminator="\n")
    rows.writerow(
        ["MA_LK", "SO_CCCD", "HO_TEN", "MA_THE_BHYT", "NGAY_SINH", "emergency", "checkin", "dossier"]
    )
    written = visits = 0
    try:
        for visit in visits_at(site, seed=seed, start=start, count=count, day=when):
            documents = {f"{visit.ma_lk}.xml": dossier_of(visit, site.code)}
            if not visit.emergency:
                documents[f"{visit.ma_lk}.checkin.xml"] = checkin_of(visit)
            for name, document in documents.items():
                write_atomically(folder / name, sign_document(document, key) if key else document)
                written += 1
            person = visit.citizen
            visits += 1
            rows.writerow(
                [
                    visit.ma_lk,
                    person.cccd,
                    person.name,
                    person.bhyt,
                    person.dob.strftime("%d/%m/%Y"),
                    "yes" if visit.emergency else "no",
                    "" if visit.emergency else f"{visit.ma_lk}.checkin.xml",
                    f"{visit.ma_lk}.xml",
                ]
            )
        write_atomically(folder / "visits.csv", index.getvalue().encode("utf-8"))
    except OSError as exc:
        fail(f"could not write {exc.filename or folder}: {exc.strerror or exc}", code=1)
    how = f"signed with {keys_dir(data_dir) / (site.code + '.key.pem')}" if sign else "unsigned"
    console.print(
        f"wrote {visits} visits at {site.code} ({written} files, {how}) to {folder}; "
        + (f"{count - visits} citizens who died earlier skipped; " if visits < count else "")
        + f"list: {folder / 'visits.csv'}",
        soft_wrap=True,
    )
    if sign:
        console.print(
            f"lienthong simulate --data-dir {data_dir} --seed {seed} --population {population} accepts them",
            soft_wrap=True,
        )


def _day(text: str | None) -> date:
    if text is None:
        return datetime.now(VN_TZ).date() - timedelta(days=1)
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(
            _("--day {value!r} is not a date written YYYY-MM-DD").format(value=text),
            hint=_("e.g. --day 2025-03-10"),
        )
