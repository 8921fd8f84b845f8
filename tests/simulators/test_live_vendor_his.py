"""A vendor HIS talks to the simulated gateway over real HTTP, exactly as to the BHXH training
gateway: only the documented endpoints and fields (CV 1245/BHXH-CNTT, §1.3 of the reference).

The network runs as one process per node on 127.0.0.1; the client is plain httpx, not the app.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lienthong.simulators.facilities import facilities, facility_keys
from lienthong.simulators.network import NetworkConfig
from lienthong.simulators.population import citizen
from lienthong.simulators.serve import NodeProcesses, spawn_network
from lienthong.simulators.visits import visit_for
from tests.simulators.gateway.support import checkin_bytes, dossier_bytes, free_port_block, md5_upper

pytestmark = pytest.mark.live
SEED = 21


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcesses]:
    data = tmp_path_factory.mktemp("network")
    with spawn_network(
        NetworkConfig(seed=SEED, population=80, data_dir=data), port=free_port_block(3)
    ) as nodes:
        yield nodes


def test_a_vendor_his_checks_in_sends_a_dossier_and_looks_up_the_card(served: NodeProcesses) -> None:
    site = facilities(SEED, 3)[0]
    key = facility_keys([site], Path(served.spec.data_dir) / "keys")[site.code]
    person = citizen(SEED, 9)
    visit = visit_for(person, site, seed=SEED, number=1, arrived=served.spec.clock().now())
    with httpx.Client(base_url=served.urls["bhxh"], timeout=10) as his:
        token = his.post(
            "/api/token/take", data={"username": site.username, "password": md5_upper(site.password)}
        ).json()
        assert token["maKetQua"] == "200", token
        api_key = token["APIKey"]
        assert set(api_key) >= {"access_token", "id_token", "token_type", "username", "expires_in"}
        headers = {
            "accessToken": api_key["access_token"],
            "tokenId": api_key["id_token"],
            "passwordHash": md5_upper(site.password),
        }
        common = {"username": site.username, "maTinh": site.province, "maCSKCB": site.code}
        checkin = his.post(
            "/api/qd130/checkInKcbQd3176",
            headers=headers,
            data={
                **common,
                "loaiHoSo": "0",
                "fileHSBase64": base64.b64encode(checkin_bytes(visit, key)).decode(),
            },
        )
        dossier = his.post(
            "/api/qd130/guiHoSoXmlQD3176",
            headers=headers,
            json={
                **common,
                "loaiHoSo": "130",
                "fileHSBase64": base64.b64encode(dossier_bytes(visit, key)).decode(),
            },
        )
        for answer in (checkin.json(), dossier.json()):
            assert answer["maKetQua"] == "200", answer
            assert answer["maGiaoDich"]
            assert len(answer["thoiGianTiepNhan"]) == 14
            assert answer["thongDiep"]
        tampered = dossier_bytes(visit, key).replace(b"<NGAYLAP>", b"<NGAYLAP>1", 1)
        bad = his.post(
            "/api/qd130/guiHoSoXmlQD3176",
            headers=headers,
            json={**common, "loaiHoSo": "130", "fileHSBase64": base64.b64encode(tampered).decode()},
        ).json()
        assert bad["maKetQua"] == "125", bad
        name, cccd = site.staff
        lookup = his.post(
            "/api/egw/KQNhanLichSuKCB2024",
            params={
                "token": api_key["access_token"],
                "id_token": api_key["id_token"],
                "username": site.username,
                "password": md5_upper(site.password),
            },
            json={
                "maThe": person.bhyt,
                "hoTen": person.name,
                "ngaySinh": person.dob.strftime("%d/%m/%Y"),
                "hoTenCb": name,
                "cccdCb": cccd,
            },
        ).json()
        assert lookup["maKetQua"] in {"000", "010", "003", "121", "122", "124", "110", "120", "123", "100"}
        assert lookup["maThe"] == person.bhyt
        assert [v["maHoSo"] for v in lookup["dsLichSuKCB2018"]] == [visit.ma_lk]
        state = ""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and state != "delivered":  # forwarded through C06 to the MoH store
            feedback = his.get(
                "/api/lienthong/ketQuaHoSo",
                headers=headers,
                params={"maGiaoDich": dossier.json()["maGiaoDich"]},
            ).json()
            state = feedback["dsKetQua"][0]["trangThai"]
            time.sleep(0.1)
        assert state == "delivered"
