"""Episodes (valid traffic for a gateway) and the mutations the generated server checks send."""

from __future__ import annotations

import pytest

from lienthong.profiles import mutations, validate_checkin, validate_dossier
from lienthong.profiles.catalogue import gateway_duties, requirements
from lienthong.profiles.samples import VARIANTS, checkins_of, episode
from lienthong.simulators.xml130 import checkin_xml, envelope, table_xml

HOLDER = {
    "HO_TEN": "Nguyễn Thị Hoa",
    "SO_CCCD": "079190000123",
    "NGAY_SINH": "199001150000",
    "GIOI_TINH": "2",
    "MA_THE_BHYT": "DN4791234567890",
}


def _dossier(tables: dict[str, list[dict[str, str]]]) -> bytes:
    return envelope(
        "79001", tables["XML1"][0]["NGAY_RA"][:8], {k: table_xml(k, r) for k, r in tables.items()}
    )


def _episode(variant: int, number: int = 0) -> dict[str, list[dict[str, str]]]:
    return episode(
        number, facility="79001", ma_lk=f"LK79001V{variant}", ended="20261205", holder=HOLDER, variant=variant
    )


@pytest.mark.parametrize("variant", range(len(VARIANTS)))
def test_every_shape_is_valid_with_its_check_ins(variant: int) -> None:
    tables = _episode(variant)
    assert tables["XML1"][0]["NGAY_RA"].startswith("20261205")
    assert {r["MA_LK"] for rs in tables.values() for r in rs if "MA_LK" in r} == {f"LK79001V{variant}"}
    _, problems = validate_dossier(_dossier(tables), "qd3176")
    assert problems == [], [p.message() for p in problems]
    checkins = checkins_of(tables)
    assert len(checkins) == (2 if tables["XML1"][0].get("NGAY_VAO_NOI_TRU") else 1)
    for record in checkins:
        assert validate_checkin(checkin_xml([record]), "qd3176")[1] == []


def test_an_emergency_has_no_check_in() -> None:
    tables = _episode(0)
    tables["XML1"][0]["MA_DOITUONG_KCB"] = "2"
    assert checkins_of(tables) == []


@pytest.mark.parametrize("req_id", sorted(mutations.MUTATIONS))
def test_record_mutations_break_exactly_their_rule_on_some_shape(req_id: str) -> None:
    if req_id in mutations.UNSENDABLE:
        pytest.skip(mutations.UNSENDABLE[req_id])
    broke = set()
    for variant in range(len(VARIANTS)):
        broken = mutations.apply(_episode(variant), req_id)
        if broken is not None:
            broke = {p.requirement for p in validate_dossier(_dossier(broken), "qd3176")[1]}
            if broke == {req_id}:
                return
    pytest.fail(f"no shape is broken in exactly {req_id} (last: {sorted(broke)})")


@pytest.mark.parametrize("req_id", sorted(mutations.DOSSIER_MUTATIONS))
def test_envelope_mutations_break_exactly_their_rule(req_id: str) -> None:
    document = mutations.DOSSIER_MUTATIONS[req_id](_dossier(_episode(0)))
    assert {p.requirement for p in validate_dossier(document, "qd3176")[1]} == {req_id}


@pytest.mark.parametrize(
    "req_id", sorted([*mutations.CHECKIN_MUTATIONS, *mutations.CHECKIN_DOCUMENT_MUTATIONS])
)
def test_check_in_mutations_break_exactly_their_rule(req_id: str) -> None:
    record = checkins_of(_episode(0))[0]
    if req_id in mutations.CHECKIN_MUTATIONS:
        broken = mutations.apply_checkin(record, req_id)
        assert broken is not None
        document = checkin_xml([broken])
    else:
        document = mutations.CHECKIN_DOCUMENT_MUTATIONS[req_id](checkin_xml([record]))
    assert {p.requirement for p in validate_checkin(document, "qd3176")[1]} == {req_id}


def test_every_gateway_duty_is_sent_or_explained() -> None:
    enforced = set(mutations.enforced_rules())
    for req in (*gateway_duties("refuse"), *gateway_duties("flag")):
        breakable = req.id in mutations.mutated_requirements() or req.id == mutations.NO_CHECKIN
        assert req.id in enforced or req.id in mutations.UNSENDABLE or not breakable, req.id
    assert all(r in requirements() for r in enforced)
