"""Validating XML 130 files and directories: what ``lienthong validate`` runs.

A file is a check-in when its root is CHI_TIEU_TRANG_THAI_KCB and a dossier otherwise. Directories
are walked for ``*.xml`` files. Across files, one rule needs the whole corpus (KEY-01: one MA_LK is
one patient at one facility).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lienthong.profiles import xml130
from lienthong.profiles.validation import Violation, validate_checkin, validate_dossier
from lienthong.profiles.versions import AUTO, check_version

_SNIFF = xml130.CHECKIN_ROOT.encode()


@dataclass
class FileReport:
    path: str
    kind: str
    """``dossier``, ``checkin`` or ``unreadable``."""
    version: str
    violations: list[Violation] = field(default_factory=list)
    ma_lk: str = ""
    facility: str = ""
    patient: str = ""


class PathProblem(ValueError):
    """A path the user gave that cannot be validated (missing, not a file or directory)."""


def xml_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The files named, and the ``*.xml`` files under the directories named, in sorted order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() == ".xml" and p.is_file())
        elif path.is_file():
            yield path
        else:
            raise PathProblem(f"{raw}: no such file or directory")


def validate_bytes(data: bytes, path: str = "<bytes>", version: str = AUTO) -> FileReport:
    """Validate one check-in or dossier document."""
    if _SNIFF in data[:400]:
        records, problems = validate_checkin(data, version)
        from lienthong.profiles.versions import implied_checkin_version

        judged = implied_checkin_version(records) if version == AUTO else version
        first = records[0] if records else {}
        return FileReport(
            path,
            "checkin",
            judged,
            problems,
            first.get("MA_LK", ""),
            first.get("MA_CSKCB", ""),
            first.get("MA_BN", ""),
        )
    dossier, problems = validate_dossier(data, version)
    if dossier is None:
        return FileReport(path, "dossier", "" if version == AUTO else version, problems)
    summary = (dossier.tables.get("XML1") or [{}])[0]
    return FileReport(
        path, "dossier", dossier.version, problems, dossier.ma_lk, dossier.facility, summary.get("MA_BN", "")
    )


def validate_files(paths: Iterable[str | Path], version: str = AUTO) -> Iterator[FileReport]:
    """Validate every file under ``paths``; unreadable files are reported, not raised."""
    check_version(version)
    for path in xml_files(paths):
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield FileReport(
                str(path),
                "unreadable",
                "",
                [Violation("ENV-01", "(file)", "(file)", str(path), f"cannot be read: {exc.strerror}")],
            )
            continue
        yield validate_bytes(data, str(path), version)


def episode_key_conflicts(reports: Iterable[FileReport]) -> list[tuple[FileReport, Violation]]:
    """KEY-01 across a corpus: dossiers of one facility sharing an MA_LK name one patient."""
    seen: dict[tuple[str, str], FileReport] = {}
    out = []
    for report in reports:
        if report.kind != "dossier" or not report.ma_lk:
            continue
        key = (report.facility, report.ma_lk)
        first = seen.setdefault(key, report)
        if first is not report and first.patient != report.patient:
            out.append(
                (
                    report,
                    Violation(
                        "KEY-01",
                        "XML1",
                        "MA_LK",
                        report.ma_lk,
                        f"is also the MA_LK of {first.path} for patient {first.patient}; one MA_LK is one "
                        f"episode of one patient (this file has {report.patient})",
                    ),
                )
            )
    return out
