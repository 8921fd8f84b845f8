"""The gateway takes UTF-8 only (ENV-01, XML0-01) and counts one root cause as one error."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pytest

from lienthong.simulators.network import Network, NetworkConfig, build_network
from lienthong.simulators.pki import sign_document
from lienthong.simulators.xml130 import envelope, table_xml
from tests.simulators.gateway.support import checkin_bytes, dossier_bytes, vendor


@pytest.fixture
def network() -> Iterator[Network]:
    built = build_network(NetworkConfig(seed=17, population=20))
    yield built
    asyncio.run(built.aclose())


def _utf16(document: bytes) -> bytes:
    return document.decode("utf-8").replace('encoding="utf-8"', 'encoding="UTF-16"').encode("utf-16")


def _send_all(network: Network, documents: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
    async def go() -> list[dict[str, Any]]:
        his = vendor(network)
        await his.login()
        return [(await his.send(kind, document)).json() for kind, document in documents]

    return asyncio.run(go())


def test_a_signed_utf16_dossier_or_checkin_is_refused_naming_the_encoding(network: Network) -> None:
    visit = network.visit(2)
    key = network.keys[network.facilities[0].code]
    signed_dossier, signed_checkin = dossier_bytes(visit, key), checkin_bytes(visit, key)
    checked_in, good, dossier, checkin = _send_all(
        network,
        [
            ("checkin", signed_checkin),  # the check-in comes first (XML0-06)
            ("dossier", signed_dossier),
            ("dossier", _utf16(signed_dossier)),
            ("checkin", _utf16(signed_checkin)),
        ],
    )
    assert checked_in["maKetQua"] == "200", checked_in
    assert good["maKetQua"] == "200", good
    assert dossier["maKetQua"] == "400", dossier
    assert "[ENV-01]" in dossier["thongDiep"]
    assert "UTF-16" in dossier["thongDiep"]
    assert checkin["maKetQua"] == "400", checkin
    assert "[XML0-01]" in checkin["thongDiep"]
    assert "UTF-8" in checkin["thongDiep"]


def test_bad_base64_in_xml1_is_one_error_and_its_consequences(network: Network) -> None:
    visit = network.visit(4)
    key = network.keys[network.facilities[0].code]
    unsigned = envelope(
        visit.facility.code,
        visit.summary["NGAY_RA"][:8],
        {kind: table_xml(kind, records) for kind, records in visit.tables.items()},
    )
    broken = re.sub(rb"(<LOAIHOSO>XML1</LOAIHOSO>\s*<NOIDUNGFILE>)", rb"\1!!", unsigned, count=1)

    async def go() -> tuple[dict[str, Any], dict[str, Any]]:
        his = vendor(network)
        await his.login()
        answer = (await his.send("dossier", sign_document(broken, key))).json()
        return answer, await his.feedback(maGiaoDich=answer["maGiaoDich"])

    answer, feedback = asyncio.run(go())
    assert answer["maKetQua"] == "400", answer
    message = answer["thongDiep"]
    assert re.search(r"1 error\(s\) and \d+ consequence\(s\)", message), message
    assert "(consequence of ENV-03 XML1)" in message
    [result] = feedback["dsKetQua"]
    causes = [e for e in result["dsLoi"] if not e["loi"].endswith("(consequence of ENV-03 XML1)")]
    assert [(e["maQuyTac"], e["bang"]) for e in causes] == [("ENV-03", "XML1")]
    assert len(result["dsLoi"]) > 1
