"""An audit's result held to a generated corpus's ground truth (``truth.json`` of the audit corpus):
seeded problems found on their rule, facility and episode, nothing at the clean facilities,
nothing on an episode nothing was seeded on, every facility with problems ranked below every
clean one. The CI test and ``lienthong bench audit`` both judge with it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class TruthVerdict:
    seeded: int = 0
    missed: list[tuple[str, str, str]] = field(default_factory=list)
    """(facility, requirement, MA_LK) seeded and not reported."""
    at_clean: list[Mapping[str, Any]] = field(default_factory=list)
    """Findings at facilities nothing was seeded at."""
    stray: list[Mapping[str, Any]] = field(default_factory=list)
    """Findings at problem facilities on episodes nothing was seeded on."""
    misranked: list[str] = field(default_factory=list)
    """Facilities with problems ranked above a clean one."""

    @property
    def holds(self) -> bool:
        return not (self.missed or self.at_clean or self.stray or self.misranked)

    def summary(self) -> str:
        return (
            f"{self.seeded} seeded problems, {len(self.missed)} missed, {len(self.at_clean)} findings at "
            f"clean facilities, {len(self.stray)} on unseeded episodes, {len(self.misranked)} facilities "
            "with problems ranked above a clean one"
        )


def judge_against_truth(
    truth: Mapping[str, Any],
    result: Mapping[str, Any],
    findings: Iterable[Mapping[str, Any]],
    *,
    folder: bool = False,
) -> TruthVerdict:
    """``result`` and its ``findings`` (rows of findings.csv) against ``truth``; ``folder``: the
    source was a folder, which shows only the problems marked ``in_folder``."""
    verdict = TruthVerdict()
    seeded = {
        (code, p["requirement"], p["ma_lk"])
        for code, row in truth["facilities"].items()
        for p in row["problems"]
        if p["in_folder"] or not folder
    }
    verdict.seeded = len(seeded)
    clean = {code for code, row in truth["facilities"].items() if row["clean"]}
    episodes = {(code, ma_lk) for code, _, ma_lk in seeded}
    found = set()
    for f in findings:
        found.add((f["facility"], f["requirement"], f["ma_lk"]))
        if f["facility"] in clean:
            verdict.at_clean.append(f)
        elif (f["facility"], f["ma_lk"]) not in episodes:
            verdict.stray.append(f)
    verdict.missed = sorted(seeded - found)
    ranks = {row["facility"]: row["rank"] for row in result["facilities"]}
    worst_clean = max((ranks[c] for c in clean if c in ranks), default=0)
    verdict.misranked = sorted({code for code, _, _ in seeded if ranks.get(code, 0) <= worst_clean})
    return verdict
