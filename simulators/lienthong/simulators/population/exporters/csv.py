"""CSV exporter: ``citizens.csv`` (columns of :data:`batch.CSV_COLUMNS`), ``visits.csv`` and
``immunisations.csv``. UTF-8, LF line ends, addresses quoted (they hold commas)."""

from __future__ import annotations

from lienthong.simulators.population import care, citizens_csv, immunisation
from lienthong.simulators.population.batch import CSV_COLUMNS, CitizenBatch
from lienthong.simulators.population.citizens import from_batch

VISIT_COLUMNS = (
    "ma_lk",
    "index",
    "cccd",
    "facility",
    "facility_level",
    "ma_loai_kcb",
    "ma_doituong_kcb",
    "arrived",
    "left",
    "icd10",
    "ket_qua_dtri",
    "t_tongchi_bv",
    "t_bhtt",
    "t_bncct",
    "labs",
    "referred_to",
    "referred_from",
    "appointment",
)
IMMUNISATION_COLUMNS = ("index", "cccd", "vaccine", "antigen", "dose", "date", "facility")


class CsvExporter:
    name = "csv"

    def header(self) -> dict[str, bytes]:
        return {
            "citizens.csv": (",".join(CSV_COLUMNS) + "\n").encode(),
            "visits.csv": (",".join(VISIT_COLUMNS) + "\n").encode(),
            "immunisations.csv": (",".join(IMMUNISATION_COLUMNS) + "\n").encode(),
        }

    def render(self, seed: int, start: int, count: int) -> dict[str, bytes]:
        batch = CitizenBatch(seed, start, count)
        return {"citizens.csv": citizens_csv.render(batch), **self.care(batch)}

    def care(self, batch: CitizenBatch) -> dict[str, bytes]:
        """visits.csv and immunisations.csv rows of a batch."""
        from lienthong.simulators.population.dossier import totals

        visit_lines, shot_lines = [], []
        for person in from_batch(batch):
            for v in care.visits(person):
                money = totals(v)
                visit_lines.append(
                    ",".join(
                        (
                            v.ma_lk,
                            str(person.index),
                            person.cccd,
                            v.facility.code,
                            str(v.facility.level),
                            v.kind,
                            v.category,
                            f"{v.arrived:%Y-%m-%dT%H:%M}",
                            f"{v.left:%Y-%m-%dT%H:%M}",
                            v.diagnosis.icd10,
                            str(v.outcome),
                            money["T_TONGCHI_BV"],
                            money["T_BHTT"],
                            money["T_BNCCT"],
                            str(len(v.labs)),
                            v.referral.to if v.referral else "",
                            v.referred_by,
                            v.appointment.isoformat() if v.appointment else "",
                        )
                    )
                )
            for shot in immunisation.immunisations(person):
                shot_lines.append(
                    ",".join(
                        (
                            str(person.index),
                            person.cccd,
                            shot.vaccine.code,
                            shot.vaccine.antigen,
                            str(shot.dose),
                            shot.day.isoformat(),
                            shot.facility,
                        )
                    )
                )
        return {
            "visits.csv": "".join(line + "\n" for line in visit_lines).encode(),
            "immunisations.csv": "".join(line + "\n" for line in shot_lines).encode(),
        }


class CitizensCsvExporter(CsvExporter):
    """Only ``citizens.csv`` (the fast path measured by ``lienthong bench generate``)."""

    name = "citizens-csv"

    def header(self) -> dict[str, bytes]:
        return {"citizens.csv": super().header()["citizens.csv"]}

    def render(self, seed: int, start: int, count: int) -> dict[str, bytes]:
        return {"citizens.csv": citizens_csv.render(CitizenBatch(seed, start, count))}
