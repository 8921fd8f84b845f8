"""A certification scenario's steps judged on a session's episodes: each step is matched to the
first unclaimed episode of its patient with the shape the step asks for (MA_LOAI_KCB, referral,
appointment, emergency, endpoint profile, a young child sent with its guardian's identifiers); the
step's outcome is that episode's verdict, and a step with no such episode yet is *awaited*
(pending).

A step that names a one-shot gateway behaviour (``profiles.scenarios.GATEWAY_BEHAVIOURS``) is
judged on how the HIS recovered from it, read from the submission the gateway's answer marks
(:func:`lienthong.profiles.scenarios.scripted_step`):

- ``refuse_first_dossier`` passes only when a dossier of the refused MA_LK was accepted after the
  refusal; a resend under another MA_LK fails (TRAFFIC-02: one visit, two MA_LK), and so does no
  accepted resend once the session is settled (TRAFFIC-01: the checked-in visit has no dossier).
- ``withhold_first_answer`` passes when the same MA_LK was sent again after the withheld answer and
  no other episode of the patient followed (one episode, one counted version); a resend under
  another MA_LK fails (TRAFFIC-02), and so does no resend at all once settled (TRAFFIC-01: the HIS
  never learnt its dossier was received and holds no maGiaoDich for it, CV 1245).

Settled: the session stopped, or :data:`RETRY_GRACE` passed since the marked submission; until
then a missing resend is awaited.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from lienthong.conformance.traffic.card_register import is_young_child
from lienthong.conformance.traffic.findings import Finding
from lienthong.profiles.scenarios import Scenario, Step

REFERRAL_DISCHARGES = frozenset({"2", "5"})
EMERGENCY = "2"
RETRY_GRACE = timedelta(minutes=10)
"""How long after a refused or withheld answer a running session still awaits the HIS's resend."""
_WORST = {"fail": 0, "pending": 1, "waived": 2, "warn": 3, "pass": 4}

Settled = Callable[[str], bool]
"""Whether a missing resend after the submission received at this ISO time is now a failure."""
AsFinding = Callable[[Finding], dict[str, Any]]
"""A step's own failing finding as the verdict writes findings."""


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


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def shape_of(summary: dict[str, str], profile: str) -> dict[str, str]:
    """What of an episode's counted XML1 a step's shape is matched on."""
    return {
        "SO_CCCD": summary.get("SO_CCCD", ""),
        "HO_TEN": _name_key(summary.get("HO_TEN", "")),
        "child": "1" if is_young_child(summary) else "",
        "MA_LOAI_KCB": summary.get("MA_LOAI_KCB", "").zfill(2),  # QĐ 130 wrote it as a number
        "NGAY_VAO": summary.get("NGAY_VAO", ""),
        "referral": "1" if summary.get("MA_LOAI_RV", "") in REFERRAL_DISCHARGES else "",
        "appointment": "1" if summary.get("NGAY_TAI_KHAM", "") else "",
        "emergency": "1" if summary.get("MA_DOITUONG_KCB", "") == EMERGENCY else "",
        "profile": profile,
    }


def _whose(step: Step, shape: dict[str, str], guardian: str) -> bool:
    """Whether the episode is the step patient's: theirs, or (a guardian step) a young child's
    sent with their identifiers (their SO_CCCD, or none and their name)."""
    if not step.visit.guardian:
        return shape.get("SO_CCCD") == step.patient and not shape.get("child")
    cccd = shape.get("SO_CCCD", "")
    return bool(shape.get("child")) and (
        cccd == step.patient or (not cccd and bool(guardian) and shape.get("HO_TEN") == guardian)
    )


def matches(step: Step, shape: dict[str, str], guardian: str = "", *, partial: bool = False) -> bool:
    """``guardian``: the step patient's name key (for a guardian step); ``partial``: whatever a
    failing episode may not have reached yet (the replacement) is not asked for."""
    visit = step.visit
    return (
        _whose(step, shape, guardian)
        and shape.get("MA_LOAI_KCB") == visit.kind
        and bool(shape.get("referral")) == visit.referral
        and bool(shape.get("appointment")) == visit.appointment
        and bool(shape.get("emergency")) == visit.emergency
        and shape.get("profile") == visit.profile
        and (partial or not visit.replacement or bool(shape.get("replaced")))
    )


def _awaited(step: Step) -> str:
    visit = step.visit
    parts = [f"MA_LOAI_KCB {visit.kind}", f"the {visit.profile} endpoints"]
    parts += ["a referral (MA_LOAI_RV 2 or 5, XML13)"] if visit.referral else []
    parts += ["an appointment (NGAY_TAI_KHAM, XML14)"] if visit.appointment else []
    parts += ["an emergency (MA_DOITUONG_KCB 2)"] if visit.emergency else []
    parts += ["a replacement dossier (a second accepted version, changed)"] if visit.replacement else []
    whose = (
        f"a child under 6 sent with the identifiers of patient {step.patient} (HO_TEN the "
        "guardian's name, SO_CCCD empty or the guardian's)"
        if visit.guardian
        else f"patient {step.patient}"
    )
    ahead = {
        "refuse_first_dossier": "; the gateway will refuse it once on purpose",
        "withhold_first_answer": "; the gateway will withhold its answer once on purpose",
    }.get(step.gateway, "")
    return f"awaited: a dossier of {whose} with " + ", ".join(parts) + ahead


def judge_steps(
    scenario: Scenario,
    episodes: list[Any],
    settled: Settled = lambda _: True,
    as_finding: AsFinding = lambda f: dict(f.as_dict(), outcome="fail"),
) -> list[StepResult]:
    """``episodes``: the verdict's :class:`EpisodeVerdict` list (each with ``shape``,
    ``submissions`` and ``as_dict``), in order of their first submission."""
    names = {p.cccd: p.name_key for p in scenario.patients}
    claimed: set[tuple[str, str]] = set()
    out = []
    for step in scenario.steps:
        guardian = names.get(step.patient, "")
        if step.gateway:
            out.append(_judge_scripted(step, episodes, claimed, guardian, settled, as_finding))
            continue
        found = next(
            (
                e
                for e in episodes
                if (e.facility, e.ma_lk) not in claimed and e.shape and matches(step, e.shape, guardian)
            ),
            None,
        )
        if found is None:  # an episode of the step that failed before it took the whole shape
            found = next(
                (
                    e
                    for e in episodes
                    if (e.facility, e.ma_lk) not in claimed
                    and e.outcome == "fail"
                    and e.shape
                    and matches(step, e.shape, guardian, partial=True)
                ),
                None,
            )
        if found is None:
            out.append(StepResult(step, "pending", note=_awaited(step)))
            continue
        out.append(_claim(step, found, claimed))
    return out


def _claim(step: Step, found: Any, claimed: set[tuple[str, str]]) -> StepResult:
    claimed.add((found.facility, found.ma_lk))
    found.step = step.id
    findings = [f | {"step": step.id} for f in found.as_dict()["findings"]]
    return StepResult(step, found.outcome, found.ma_lk, found.note, findings)


def _same_visit(one: dict[str, str], other: dict[str, str]) -> bool:
    """The same visit (TRAFFIC-02): the same arrival time and visit type."""
    return bool(one.get("NGAY_VAO")) and all(
        one.get(name) == other.get(name) for name in ("NGAY_VAO", "MA_LOAI_KCB")
    )


def _judge_scripted(
    step: Step,
    episodes: list[Any],
    claimed: set[tuple[str, str]],
    guardian: str,
    settled: Settled,
    as_finding: AsFinding,
) -> StepResult:
    hit = next(((e, s) for e in episodes for s in e.submissions if s.get("scripted") == step.id), None)
    if hit is None:
        return StepResult(step, "pending", note=_awaited(step))
    episode, marked = hit
    seq = int(marked["submission"])
    refused = step.gateway == "refuse_first_dossier"
    later = [s for s in episode.submissions if s["kind"] == "dossier" and int(s["submission"]) > seq]
    resent = [s for s in later if s["maKetQua"] == "200"] if refused else later
    duplicates = [
        e
        for e in episodes
        if e is not episode
        and (e.facility, e.ma_lk) not in claimed
        and e.shape
        and _whose(step, e.shape, guardian)
        and _same_visit(e.shape, episode.shape)
        and min(int(s["submission"]) for s in e.submissions) > seq
    ]
    what = "refused on purpose" if refused else "whose answer was withheld on purpose"
    result = (
        _claim(step, episode, claimed)
        if episode.shape
        else StepResult(step, "pass", episode.ma_lk, episode.note)
    )
    claimed.add((episode.facility, episode.ma_lk))
    episode.step = step.id
    own: list[Finding] = []
    for dup in duplicates:
        claimed.add((dup.facility, dup.ma_lk))
        dup.step = step.id
        own.append(
            Finding(
                "TRAFFIC-02",
                dup.facility,
                dup.ma_lk,
                "XML1",
                1,
                "MA_LK",
                dup.ma_lk,
                f"the dossier of MA_LK {episode.ma_lk} ({what}, submission {seq}) was sent again as a "
                f"new episode under MA_LK {dup.ma_lk}: one visit under two MA_LK; resend it under "
                f"{episode.ma_lk}",
                min(int(s["submission"]) for s in dup.submissions),
            )
        )
    if not resent and not duplicates:
        if not settled(str(marked["received_at"])):
            result.outcome, result.note = (
                "pending",
                (f"awaited: a resend of MA_LK {episode.ma_lk} (submission {seq}, {what})"),
            )
            return result
        own.append(
            Finding(
                "TRAFFIC-01",
                episode.facility,
                episode.ma_lk,
                "XML1",
                1,
                "MA_LK",
                episode.ma_lk,
                (
                    f"the dossier was refused on purpose (submission {seq}) and no corrected resend "
                    "of this MA_LK was accepted: the checked-in visit has no dossier"
                    if refused
                    else f"the answer to the dossier (submission {seq}) was withheld past the HIS's "
                    "timeout and the HIS never resent it: it holds no maGiaoDich for the visit and "
                    "cannot know it was received (CV 1245: maGiaoDich kept for reconciliation)"
                ),
                seq,
            )
        )
    if own:
        result.findings += [as_finding(f) | {"step": step.id} for f in own]
        result.outcome = min(result.outcome, "fail", key=_WORST.__getitem__)
    return result
