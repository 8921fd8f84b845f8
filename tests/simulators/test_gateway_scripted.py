"""A certification scenario's one-shot gateway answers (``gateway.scripted``): applied to the
first dossier of the step's patient the gateway would accept, once, marked in the answer; other
patients' dossiers and the later ones of the same MA_LK are answered as usual."""

from __future__ import annotations

from lienthong.profiles.scenarios import scenario, scripted_step
from lienthong.simulators.gateway.scripted import REFUSE, WITHHOLD, ScriptedAnswer, apply_scripted, armed


def test_the_refusal_applies_once_to_the_steps_patient_only() -> None:
    items = [ScriptedAnswer("correction", REFUSE, "079080001001")]
    assert apply_scripted(items, "LK-OTHER", {"SO_CCCD": "079185002002"}) == ("", "", [])
    behaviour, message, errors = apply_scripted(items, "LK-1", {"SO_CCCD": "079080001001"})
    assert behaviour == REFUSE
    assert scripted_step(message) == "correction"
    assert [(e.requirement, e.field, e.value) for e in errors] == [("API-06", "MA_LK", "LK-1")]
    assert items[0].ma_lk == "LK-1"
    assert apply_scripted(items, "LK-1", {"SO_CCCD": "079080001001"}) == ("", "", [])


def test_a_guardian_step_matches_a_childs_dossier_by_the_guardians_name() -> None:
    items = [ScriptedAnswer("newborn", WITHHOLD, "079185002002", "Trần Thị Hoa")]
    assert apply_scripted(items, "LK-X", {"SO_CCCD": "", "HO_TEN": "Nguyễn Văn Bình"})[0] == ""
    assert apply_scripted(items, "LK-B", {"SO_CCCD": "", "HO_TEN": "TRẦN THỊ HOA"})[0] == WITHHOLD


def test_only_steps_naming_a_behaviour_are_armed() -> None:
    assert armed(scenario("outpatient-visit")) == []
    assert [a.behaviour for a in armed(scenario("correction-after-error"))] == [REFUSE]
    assert scripted_step("Tiếp nhận thành công (accepted)") == ""
