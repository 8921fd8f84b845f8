"""A certification scenario's steps judged on a session's episodes: each step is matched to the
first unclaimed episode of its patient with the shape the step asks for (MA_LOAI_KCB, referral,
appointment, emergency, endpoint profile); the step's outcome is that episode's verdict, and a
step with no such episode yet is *awaited* (pending)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lienthong.profiles.scenarios import Scenario, Step

REFERRAL_DISCHARGES = frozenset({"2", "5"})
EMERGENCY = "2"


@dataclass
class StepResult:
    step: Step
    outcome: str
    ma_lk: str = ""
    note: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "step": self.step.id,
            "title": self.step.title,
            "patient": self.step.patient,
            "outcome": self.outcome,
            "ma_lk": self.ma_lk,
            "note": self.note,
            "findings": self.findings,
        }


def shape_of(summary: dict[str, str], profile: str) -> dict[str, str]:
    """What of an episode's counted XML1 a step's shape is matched on."""
    return {
        "SO_CCCD": summary.get("SO_CCCD", ""),
        "MA_LOAI_KCB": summary.get("MA_LOAI_KCB", "").zfill(2),  # QĐ 130 wrote it as a number
        "referral": "1" if summary.get("MA_LOAI_RV", "") in REFERRAL_DISCHARGES else "",
        "appointment": "1" if summary.get("NGAY_TAI_KHAM", "") else "",
        "emergency": "1" if summary.get("MA_DOITUONG_KCB", "") == EMERGENCY else "",
        "profile": profile,
    }


def matches(step: Step, shape: dict[str, str]) -> bool:
    visit = step.visit
    return (
        shape.get("SO_CCCD") == step.patient
        and shape.get("MA_LOAI_KCB") == visit.kind
        and bool(shape.get("referral")) == visit.referral
        and bool(shape.get("appointment")) == visit.appointment
        and bool(shape.get("emergency")) == visit.emergency
        and shape.get("profile") == visit.profile
        and (not visit.replacement or bool(shape.get("replaced")))
    )


def _awaited(step: Step) -> str:
    visit = step.visit
    parts = [f"MA_LOAI_KCB {visit.kind}", f"the {visit.profile} endpoints"]
    parts += ["a referral (MA_LOAI_RV 2 or 5, XML13)"] if visit.referral else []
    parts += ["an appointment (NGAY_TAI_KHAM, XML14)"] if visit.appointment else []
    parts += ["an emergency (MA_DOITUONG_KCB 2)"] if visit.emergency else []
    parts += ["a replacement dossier (a second accepted version, changed)"] if visit.replacement else []
    return f"awaited: a dossier of patient {step.patient} with " + ", ".join(parts)


def judge_steps(scenario: Scenario, episodes: list[Any]) -> list[StepResult]:
    """``episodes``: the verdict's :class:`EpisodeVerdict` list (each with ``shape`` and
    ``as_dict``), in order of their first submission."""
    claimed: set[tuple[str, str]] = set()
    out = []
    for step in scenario.steps:
        found = next(
            (
                e
                for e in episodes
                if (e.facility, e.ma_lk) not in claimed and e.shape and matches(step, e.shape)
            ),
            None,
        )
        if found is None:
            # An episode of the step's shape that failed (e.g. every dossier refused, so no
            # replacement was ever accepted) fails the step rather than leaving it awaited.
            failed = next(
                (
                    e
                    for e in episodes
                    if (e.facility, e.ma_lk) not in claimed
                    and e.shape
                    and e.outcome == "fail"
                    and matches(step, {**e.shape, "replaced": "1"})
                ),
                None,
            )
            if failed is None:
                out.append(StepResult(step, "pending", note=_awaited(step)))
                continue
            found = failed
        claimed.add((found.facility, found.ma_lk))
        found.step = step.id
        findings = [f | {"step": step.id} for f in found.as_dict()["findings"]]
        out.append(StepResult(step, found.outcome, found.ma_lk, found.note, findings))
    return out
