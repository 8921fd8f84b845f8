"""Card and visit-history lookup (KQNhanLichSuKCB2024): every result code from the population."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from lienthong.simulators.clock import VN_TZ
from lienthong.simulators.gateway.cards import RESULTS, Card
from lienthong.simulators.network import Network, NetworkConfig, build_network
from lienthong.simulators.population import Citizen, citizens
from tests.simulators.gateway.support import dossier_bytes, vendor

POPULATION = 3000
TODAY = datetime(2026, 3, 1, 9, 0, tzinfo=VN_TZ)
TODAY_DATE = TODAY.date()


@pytest.fixture(scope="module")
def network() -> Iterator[Network]:
    built = build_network(NetworkConfig(seed=5, population=POPULATION, start=TODAY))
    yield built
    asyncio.run(built.aclose())


def _body(person: Citizen, network: Network, **changes: str) -> dict[str, str]:
    name, cccd = network.facilities[0].staff
    body = {
        "maThe": person.bhyt,
        "hoTen": person.name,
        "ngaySinh": person.dob.strftime("%d/%m/%Y"),
        "hoTenCb": name,
        "cccdCb": cccd,
    }
    return body | changes


def _ask(network: Network, body: dict[str, str], *, login: bool = True) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        his = vendor(network)
        if login:
            await his.login()
        return await his.lookup(body)

    return asyncio.run(go())


def _holder(network: Network, wanted: Callable[[Card], bool]) -> Citizen:
    cards = network.gateway.cards
    for person in _people():
        card = cards.by_number(person.bhxh)
        if card is not None and wanted(card):
            return person
    pytest.fail("no citizen in the test population has such a card")


@functools.cache
def _people() -> list[Citizen]:
    return list(citizens(5, 0, POPULATION))


def _status(code: str, today: date = TODAY_DATE) -> Callable[[Card], bool]:
    return lambda card: card.status(today) == code


def test_a_valid_card_answers_000_with_the_card_fields(network: Network) -> None:
    person = _holder(network, _status("000"))
    answer = _ask(network, _body(person, network))
    assert answer["maKetQua"] == "000", answer
    assert (answer["maThe"], answer["hoTen"], answer["maSoBHXH"]) == (person.bhyt, person.name, person.bhxh)
    assert answer["ngaySinh"] == person.dob.strftime("%d/%m/%Y")
    assert answer["dsLichSuKCB2018"] == []
    assert answer["dsLichSuKT2018"] == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"maThe": "XX"}, "205"),
        ({"ngaySinh": "1990-01-01"}, "205"),
        ({"cccdCb": "12"}, "205"),
        ({"cccdCb": "001099000000"}, "054"),
        ({"hoTenCb": "Người Khác"}, "055"),
        ({"hoTen": "Zzz Không Đúng"}, "060"),
        ({"ngaySinh": "01/01/1800"}, "070"),
    ],
)
def test_request_problems_get_their_codes(network: Network, change: dict[str, str], code: str) -> None:
    person = _holder(network, _status("000"))
    answer = _ask(network, _body(person, network, **change))
    assert answer["maKetQua"] == code, answer
    assert answer["ghiChu"].startswith(RESULTS[code])


def test_a_name_wrong_but_for_its_first_letter_answers_061(network: Network) -> None:
    person = _holder(network, _status("000"))
    answer = _ask(network, _body(person, network, hoTen=person.name[0] + "xyz"))
    assert answer["maKetQua"] == "061"


def test_card_code_mistakes_are_told_apart(network: Network) -> None:
    person = _holder(network, _status("000"))
    code = person.bhyt
    other_province = f"{(int(code[3:5]) % 90) + 1:02d}"
    cases = {
        "050": code[:5] + "9999999999",
        "052": code[:3] + other_province + code[5:],
        "053": code[:2] + str(int(code[2]) % 5 + 1) + code[3:],
        "051": ("XB" if code[:2] != "XB" else "XC") + code[2:],
    }
    for expected, card in cases.items():
        assert _ask(network, _body(person, network, maThe=card))["maKetQua"] == expected, card


def test_without_a_live_session_the_answer_is_401(network: Network) -> None:
    person = _holder(network, _status("000"))
    assert _ask(network, _body(person, network), login=False)["maKetQua"] == "401"


@pytest.mark.parametrize("code", ["010", "124", "121", "122", "110", "120", "123", "100", "003", "001"])
def test_card_statuses_come_from_the_population(network: Network, code: str) -> None:
    person = _holder(network, _status(code))
    answer = _ask(network, _body(person, network))
    assert answer["maKetQua"] == code, answer
    if code == "003":
        assert answer["maTheMoi"]
        assert answer["maTheMoi"] != answer["maThe"]


def test_an_old_card_before_the_new_one_takes_over_answers_004(network: Network) -> None:
    person = _holder(network, lambda card: card.new_card is not None)
    card = network.gateway.cards.by_number(person.bhxh)
    assert card is not None
    assert card.new_card is not None
    day = card.new_card[1] - timedelta(days=10)
    assert card.status(day) == "004"


def test_a_child_whose_card_is_not_issued_yet_answers_130() -> None:
    child = next(
        p
        for p in _people()
        if p.bhyt.startswith("TE") and p.card_from and not p.death and not p.moved_on and not Card(p).special
    )
    assert child.card_from is not None
    assert Card(child).status(child.card_from - timedelta(days=1)) == "130"
    assert Card(child).status(child.card_from) == "000"


def test_visit_history_and_earlier_lookups_are_listed(network: Network) -> None:
    person = network.citizen(7)

    async def go() -> dict[str, Any]:
        his = vendor(network)
        await his.login()
        visit = network.visit(7)
        await his.check_in(network.keys[his.facility.code], visit)
        sent = await his.send("dossier", dossier_bytes(visit, network.keys[his.facility.code]))
        assert sent.json()["maKetQua"] == "200", sent.json()
        await his.lookup(_body(person, network))
        return await his.lookup(_body(person, network))

    answer = asyncio.run(go())
    assert [v["maCSKCB"] for v in answer["dsLichSuKCB2018"]] == [network.facilities[0].code]
    history = answer["dsLichSuKCB2018"][0]
    assert history["ngayVao"]
    assert history["tenBenh"]
    assert len(history["ngayRa"]) == 12
    assert answer["dsLichSuKT2018"]
    assert answer["dsLichSuKT2018"][0]["userKT"] == network.facilities[0].username


def test_the_other_patient_fault_answers_with_someone_elses_card(network: Network) -> None:
    person = _holder(network, _status("000"))
    network.gateway.config.faults = frozenset({"lookup_other_patient"})
    try:
        answer = _ask(network, _body(person, network))
    finally:
        network.gateway.config.faults = frozenset()
    assert answer["maKetQua"] == "000"
    assert answer["maThe"] != person.bhyt
