"""The MoH store's state: verified visits, immunisations and patients, with a per-patient cache of
FHIR resources (immutable between writes, so reads never rebuild them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import insert, select, update

from lienthong.simulators.faults import MohFault
from lienthong.simulators.moh import fhir, fhir_more
from lienthong.simulators.moh.access import AccessLog
from lienthong.simulators.moh.config import MoHConfig
from lienthong.simulators.moh.schema import immunisations, metadata, patients, visits
from lienthong.simulators.population import Citizen
from lienthong.simulators.store import open_database

Tables = dict[str, list[dict[str, str]]]


@dataclass(frozen=True, slots=True)
class Entry:
    resource: fhir.Resource
    visible_at: float
    """Unix seconds from which citizens see it (VNeID visibility delay)."""
    restricted: bool = False


@dataclass(frozen=True, slots=True)
class View:
    patient: fhir.Resource | None
    entries: tuple[Entry, ...]
    moments: tuple[float, ...] = ()
    """The distinct visibility times, sorted: how many have passed says what a citizen sees."""
    encoded: dict[tuple[object, ...], bytes] = field(default_factory=dict)
    """Answers already encoded, by (operation, base URL, audience, visibility stage)."""


def aware(moment: datetime, like: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=like.tzinfo)


def _received(text: str, now: datetime) -> str:
    """The gateway's receipt time as an aware ISO time (naive times are UTC), or as given."""
    try:
        return aware(datetime.fromisoformat(text), now).isoformat()
    except ValueError:
        return text


def _tables(visit: dict[str, Any]) -> Tables:
    summary = visit.get("summary")
    if not isinstance(summary, dict):
        raise ValueError("summary: must be the XML1 record as an object")
    given = visit.get("tables")
    if not isinstance(given, dict):
        given = {}
    out: Tables = {
        str(k): [dict(r) for r in v if isinstance(r, dict)] for k, v in given.items() if isinstance(v, list)
    }
    out["XML1"] = [summary]
    if "XML4" not in out and isinstance(visit.get("labs"), list):
        out["XML4"] = [dict(r) for r in visit["labs"] if isinstance(r, dict)]
    return {kind: [{str(k): str(v) for k, v in r.items()} for r in rows] for kind, rows in out.items()}


class MoHStore:
    def __init__(self, config: MoHConfig) -> None:
        self.config = config
        self.engine = open_database(config.database_url, metadata)
        self.log = AccessLog(self.engine, config.clock, config.log_batch)
        self._views: dict[str, View] = {}

    def store_visit(self, visit: dict[str, Any]) -> bool:
        """Insert or replace one verified visit; True when it was new. The visit carries the XML1
        ``summary`` and either ``tables`` (every table of the dossier) or ``labs`` (XML4)."""
        tables = _tables(visit)
        summary = tables["XML1"][0]
        now = self.config.clock.now()
        delay = self.config.visibility_delay
        if MohFault.LATE_VISIBILITY in self.config.faults:
            delay += timedelta(hours=25)
        referral = (tables.get("XML13") or [{}])[0]
        facility, ma_lk, cccd = (
            str(visit.get("facility", "")),
            str(visit.get("ma_lk", "")),
            summary.get("SO_CCCD", ""),
        )
        limits = {
            "facility": (facility, 5),
            "ma_lk": (ma_lk, 100),
            "summary.SO_CCCD": (cccd, 20),
            "transaction_id": (str(visit.get("transaction_id", "")), 40),
            "received_at": (str(visit.get("received_at", "")), 40),
        }
        for name, (value, most) in limits.items():
            if len(value) > most or (not value and name in {"facility", "ma_lk", "summary.SO_CCCD"}):
                raise ValueError(f"{name}: must be given, at most {most} characters")
        row = {
            "facility": facility,
            "ma_lk": ma_lk,
            "cccd": cccd,
            "transaction_id": limits["transaction_id"][0],
            "received_at": limits["received_at"][0],
            "stored_at": now,
            "visible_at": now + delay,
            "referred_to": referral.get("MA_CSKCB_DEN", "")[:5],
            "document": orjson.dumps({"tables": tables}).decode(),
        }
        self._views.pop(cccd, None)
        with self.engine.begin() as db:
            existing = db.execute(
                select(visits.c.id).where(
                    visits.c.facility == row["facility"], visits.c.ma_lk == row["ma_lk"]
                )
            ).first()
            if existing is None:
                db.execute(insert(visits).values(**row, versions=1))
                return True
            db.execute(
                update(visits).where(visits.c.id == existing.id).values(**row, versions=visits.c.versions + 1)
            )
        return False

    def visit_status(self, facility: str, ma_lk: str) -> dict[str, Any] | None:
        with self.engine.connect() as db:
            row = db.execute(
                select(visits).where(visits.c.facility == facility, visits.c.ma_lk == ma_lk)
            ).first()
        if row is None:
            return None
        now = self.config.clock.now()
        return {
            "facility": row.facility,
            "ma_lk": row.ma_lk,
            "received_at": _received(row.received_at, now),
            "stored_at": aware(row.stored_at, now).isoformat(),
            "visible_at": aware(row.visible_at, now).isoformat(),
            "versions": row.versions,
        }

    def load_population(self, people: Iterable[Citizen]) -> int:
        """Keep the immunisation history of the children among ``people`` (the NIIS feed); the
        number of doses added."""
        from lienthong.simulators.population.immunisation import immunisations as doses_of

        people_rows, dose_rows = [], []
        for person in people:
            doses = doses_of(person)
            if not doses:
                continue
            people_rows.append(
                {
                    "cccd": person.cccd,
                    "name": person.name,
                    "dob": person.dob.isoformat(),
                    "sex": str(person.sex),
                }
            )
            dose_rows += [
                {
                    "cccd": person.cccd,
                    "vaccine": d.vaccine.code,
                    "name": d.vaccine.name,
                    "cvx": d.vaccine.cvx,
                    "dose": d.dose,
                    "day": d.day.isoformat(),
                    "facility": d.facility[:5],
                }
                for d in doses
            ]
        with self.engine.begin() as db:
            known = {r.cccd for r in db.execute(select(patients.c.cccd))}
            fresh = [r for r in people_rows if r["cccd"] not in known]
            if fresh:
                db.execute(insert(patients), fresh)
            new_doses = [r for r in dose_rows if r["cccd"] not in known]
            if new_doses:
                db.execute(insert(immunisations), new_doses)
        for row in fresh:
            self._views.pop(row["cccd"], None)
        return len(new_doses)

    def register_facility(
        self,
        code: str,
        secret: str,
        *,
        gln: str = "",
        cert_pem: bytes = b"",
        scopes: tuple[str, ...] | None = None,
    ) -> None:
        """A facility client (``client_id`` = its code) for tokens, reads and the KSK push."""
        from lienthong.simulators.moh.clients import FACILITY_SCOPES, register_client
        from lienthong.simulators.population.facilities import gln as facility_gln

        register_client(
            self.engine,
            code,
            secret,
            facility=code,
            scopes=scopes or FACILITY_SCOPES,
            gln=gln or facility_gln(code),
            cert_pem=cert_pem,
        )

    def view(self, cccd: str) -> View:
        """Every resource of a patient's book, built once and kept until the next write."""
        found = self._views.get(cccd)
        if found is None:
            found = self._views[cccd] = self._build(cccd)
        return found

    def _build(self, cccd: str) -> View:
        with self.engine.connect() as db:
            rows = db.execute(select(visits).where(visits.c.cccd == cccd).order_by(visits.c.id)).all()
            person = db.execute(select(patients).where(patients.c.cccd == cccd)).first()
            doses = db.execute(
                select(immunisations)
                .where(immunisations.c.cccd == cccd)
                .order_by(immunisations.c.day, immunisations.c.id)
            ).all()
        entries: list[Entry] = []
        patient = fhir.patient(cccd, person.name, person.dob, person.sex) if person else None
        now = self.config.clock.now()
        for row in rows:
            tables: Tables = orjson.loads(row.document)["tables"]
            summary = tables["XML1"][0]
            if patient is None:
                patient = fhir.patient(
                    cccd,
                    summary.get("HO_TEN", ""),
                    summary.get("NGAY_SINH", ""),
                    summary.get("GIOI_TINH", ""),
                )
            at = aware(row.visible_at, now).timestamp()
            shown = fhir.visit_resources(cccd, row.id, summary, tables.get("XML4", []))
            shown += [fhir.referral(cccd, row.id, r) for r in tables.get("XML13", [])[:1]]
            shown += [fhir.appointment(cccd, row.id, r) for r in tables.get("XML14", [])[:1]]
            shown.append(fhir_more.document(cccd, row.id, summary))
            entries += [Entry(resource, at) for resource in shown]
            entries += [
                Entry(fhir.hiv_record(cccd, row.id, r), at, restricted=True)
                for r in tables.get("XML6", [])[:1]
            ]
        entries += [
            Entry(
                fhir_more.immunization(cccd, d.id, d.vaccine, d.name, d.cvx, d.dose, d.day, d.facility), 0.0
            )
            for d in doses
        ]
        return View(patient, tuple(entries), tuple(sorted({e.visible_at for e in entries})))

    def has_data(self, cccd: str) -> bool:
        return self.view(cccd).patient is not None
