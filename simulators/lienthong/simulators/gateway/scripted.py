"""One-shot gateway behaviours of a certification scenario's steps (``profiles.scenarios``
``GATEWAY_BEHAVIOURS``): the session's gateway answers the first dossier of a step's patient that
it would accept otherwise than with a plain acceptance, once, so the verdict can judge how the
HIS recovers.

- ``refuse_first_dossier``: refused (maKetQua 422, nothing journaled as received but the refusal),
  the thongDiep naming the step; the HIS is to resend it, corrected, under the same MA_LK.
- ``withhold_first_answer``: accepted and journaled, then the answer is withheld for
  ``GatewayConfig.withhold_seconds`` (past the HIS's timeout); the HIS is to resend it under the
  same MA_LK.

Each behaviour applies once per session, to the MA_LK it first met; the answer carries
:func:`lienthong.profiles.scenarios.scripted_mark`, which the journal keeps, so the verdict reads
from the transcripts which submission it was applied to.
"""

from __future__ import annotations

from dataclasses import dataclass

from lienthong.profiles.scenarios import Scenario, scripted_mark
from lienthong.profiles.validation import Violation

REFUSE, WITHHOLD = "refuse_first_dossier", "withhold_first_answer"


@dataclass
class ScriptedAnswer:
    """A step's one-shot behaviour, armed for the step's patient (SO_CCCD)."""

    step: str
    behaviour: str
    cccd: str
    guardian_name: str = ""
    """For a guardian step: the HO_TEN a child's dossier with an empty SO_CCCD carries."""
    ma_lk: str = ""
    """The MA_LK it was applied to ('' while armed)."""


def armed(scenario: Scenario) -> list[ScriptedAnswer]:
    """The one-shot behaviours of ``scenario``'s steps, for a session's ``GatewayConfig.scripted``."""
    names = {p.cccd: p.name for p in scenario.patients}
    return [
        ScriptedAnswer(s.id, s.gateway, s.patient, names.get(s.patient, "") if s.visit.guardian else "")
        for s in scenario.steps
        if s.gateway
    ]


def _patients_dossier(item: ScriptedAnswer, summary: dict[str, str]) -> bool:
    cccd = summary.get("SO_CCCD", "")
    if cccd:
        return cccd == item.cccd
    return bool(item.guardian_name) and summary.get("HO_TEN", "").casefold() == item.guardian_name.casefold()


def apply_scripted(
    scripted: list[ScriptedAnswer], ma_lk: str, summary: dict[str, str]
) -> tuple[str, str, list[Violation]]:
    """For a dossier the gateway would accept: the behaviour to apply (``''`` for none), the
    thongDiep to answer and, for a refusal, the errors its feedback lists. Marks the behaviour
    spent (the check and the marking run without an ``await`` between them)."""
    for item in scripted:
        if item.ma_lk or not _patients_dossier(item, summary):
            continue
        item.ma_lk = ma_lk
        mark = scripted_mark(item.step)
        if item.behaviour == REFUSE:
            rule = (
                "refused on purpose by the certification scenario: nothing is wrong with this "
                "dossier; resend it, corrected, under the same MA_LK"
            )
            return (
                REFUSE,
                f"Từ chối (rejected): lỗi cố ý của kịch bản chứng nhận (deliberate error): bảng XML1, "
                f"trường MA_LK = {ma_lk!r}: {rule} {mark}",
                [Violation("API-06", "XML1", "MA_LK", ma_lk, f"{rule} {mark}")],
            )
        return (
            WITHHOLD,
            f"Tiếp nhận thành công (accepted); answer withheld on purpose past the HIS's timeout {mark}",
            [],
        )
    return "", "", []
