"""XML 130 exporter: per visit, a check-in file (XML0) and a dossier (GIAMDINHHS envelope).

Records come from :mod:`~lienthong.simulators.population.dossier`; serialisation is the simulators'
own :mod:`lienthong.simulators.xml130` (one serialiser in the project). Field order follows the
profile's table for ``version``. Files: ``xml130/<MA_CSKCB>/<MA_LK>.xml`` and
``xml130/<MA_CSKCB>/<MA_LK>.checkin.xml``. Unsigned: the hospital simulator signs what it sends.
"""

from __future__ import annotations

from lienthong.profiles.tables import DEFAULT_VERSION, table
from lienthong.simulators import xml130
from lienthong.simulators.population import care, dossier
from lienthong.simulators.population.batch import CitizenBatch
from lienthong.simulators.population.citizens import from_batch


def _fields(kind: str, version: str) -> tuple[str, ...] | None:
    try:
        return table(kind, version).names
    except (KeyError, FileNotFoundError):
        return None


def checkin_bytes(visit: care.Visit, version: str = DEFAULT_VERSION) -> bytes:
    return xml130.checkin_xml([dossier.checkin(visit)], _fields("XML0", version))


def dossier_bytes(
    visit: care.Visit,
    version: str = DEFAULT_VERSION,
    tables: dict[str, list[dossier.Record]] | None = None,
) -> bytes:
    """The GIAMDINHHS envelope of one visit (``tables`` overrides the records, for faults)."""
    records = tables if tables is not None else dossier.tables(visit)
    documents = {kind: xml130.table_xml(kind, rows, _fields(kind, version)) for kind, rows in records.items()}
    return xml130.envelope(visit.facility.code, dossier.stamp(visit.left), documents)


class Xml130Exporter:
    name = "xml130"

    def __init__(self, version: str = DEFAULT_VERSION) -> None:
        self.version = version

    def header(self) -> dict[str, bytes]:
        return {}

    def render(self, seed: int, start: int, count: int) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for person in from_batch(CitizenBatch(seed, start, count)):
            for visit in care.visits(person):
                folder = f"xml130/{visit.facility.code}/{visit.ma_lk}"
                out[f"{folder}.checkin.xml"] = checkin_bytes(visit, self.version)
                out[f"{folder}.xml"] = dossier_bytes(visit, self.version)
        return out
