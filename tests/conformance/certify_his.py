"""A little vendor HIS for the certification tests, written from the regulation, not from the
simulated hospital: it reads the accounts file, takes a token (POST /api/token/take, the password
as upper-case MD5), and sends check-ins (loaiHoSo 0) and dossiers (loaiHoSo 130) with the headers
accessToken, tokenId and passwordHash (CV 1245; QĐ 130 Đ3 k1). Its records are the profile's valid
sample records (``profiles.samples``) carrying its own patients' identities and its own MA_CSKCB;
they are written with the project's table writer and signed with the project's signer."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import httpx

from lienthong.profiles.patients import Patient
from lienthong.profiles.samples import sample_tables
from lienthong.simulators.pki import SigningKey, sign_document
from lienthong.simulators.xml130 import checkin_xml, envelope, table_xml

Tables = dict[str, list[dict[str, str]]]
CHECKIN_FIELDS = (
    "MA_LK",
    "STT",
    "MA_BN",
    "HO_TEN",
    "SO_CCCD",
    "NGAY_SINH",
    "GIOI_TINH",
    "MA_THE_BHYT",
    "MA_DKBD",
    "MA_DOITUONG_KCB",
    "NGAY_VAO",
    "MA_LOAI_KCB",
    "MA_CSKCB",
    "GT_THE_TU",
    "GT_THE_DEN",
)


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


def episode(
    seed: int,
    patient: Patient,
    ma_lk: str,
    facility: str,
    *,
    kind: str = "01",
    referral: bool = False,
    appointment: bool = False,
    version: str = "qd3176",
) -> Tables:
    """A valid visit of ``patient`` at ``facility`` (the sample's money and codes, the patient's
    identity and card as the card register gives them)."""
    tables = sample_tables(seed, version=version, kind=kind, referral=referral, appointment=appointment)
    identity = {
        "MA_LK": ma_lk,
        "MA_BN": f"BN{patient.cccd[-8:]}",
        "HO_TEN": patient.name,
        "SO_CCCD": patient.cccd,
        "NGAY_SINH": patient.ngay_sinh,
        "GIOI_TINH": patient.sex,
        "MA_THE_BHYT": patient.bhyt,
        "MA_DKBD": patient.ma_dkbd,
        "GT_THE_TU": f"{patient.gt_the_tu:%Y%m%d}" if patient.gt_the_tu else "",
        "GT_THE_DEN": f"{patient.gt_the_den:%Y%m%d}" if patient.gt_the_den else "",
        "MA_CSKCB": facility,
    }
    for records in tables.values():
        for record in records:
            for name, value in identity.items():
                if name in record:
                    record[name] = value
    return tables


def checkin_record(tables: Tables, *, admission: bool = False) -> dict[str, str]:
    """The check-in at the first cost, or (``admission``) the second one, at the first cost in the
    treating ward (QĐ 4750 Đ2 k2)."""
    summary = tables["XML1"][0]
    record = {name: summary.get(name, "") for name in CHECKIN_FIELDS}
    record |= {"STT": "1", "MA_DICH_VU": "02.1896", "TEN_DICH_VU": "Khám Nội", "NGAY_YL": summary["NGAY_VAO"]}
    record["MA_LOAI_KCB"] = record["MA_LOAI_KCB"].zfill(2)  # a code string in XML0 (QĐ 130's XML1: a number)
    if admission:
        admitted = summary["NGAY_VAO_NOI_TRU"]
        record |= {"NGAY_VAO_NOI_TRU": admitted, "LY_DO_VNT": summary["LY_DO_VNT"], "NGAY_YL": admitted}
    return record


class VendorHIS:
    def __init__(self, base_url: str, accounts: Path, facility: str) -> None:
        data = json.loads(accounts.read_text(encoding="utf-8"))
        account = next(a for a in data["facilities"] if a["facility"] == facility)
        self.account = account
        self.key = SigningKey(Path(account["key"]).read_bytes(), Path(account["cert"]).read_bytes())
        self.client = httpx.Client(base_url=base_url, timeout=10)
        self.session: dict[str, str] = {}

    def login(self) -> None:
        answer = self.client.post(
            "/api/token/take",
            data={"username": self.account["username"], "password": md5_upper(self.account["password"])},
        ).json()
        assert answer["maKetQua"] == "200", answer
        self.session = answer["APIKey"]

    @property
    def headers(self) -> dict[str, str]:
        return {
            "accessToken": self.session["access_token"],
            "tokenId": self.session["id_token"],
            "passwordHash": md5_upper(self.account["password"]),
        }

    def checkin_bytes(self, tables: Tables, *, admission: bool = False) -> bytes:
        return sign_document(checkin_xml([checkin_record(tables, admission=admission)]), self.key)

    def dossier_bytes(self, tables: Tables) -> bytes:
        documents = {kind: table_xml(kind, records) for kind, records in tables.items() if records}
        facility = self.account["facility"]
        return sign_document(envelope(facility, tables["XML1"][0]["NGAY_RA"][:8], documents), self.key)

    def send(self, kind: str, document: bytes, *, loai_ho_so: str | None = None) -> dict[str, Any]:
        path = "/api/qd130/checkInKcbQd3176" if kind == "checkin" else "/api/qd130/guiHoSoXmlQD3176"
        facility = self.account["facility"]
        body = {
            "username": self.account["username"],
            "loaiHoSo": loai_ho_so if loai_ho_so is not None else ("0" if kind == "checkin" else "130"),
            "maTinh": facility[:2],
            "maCSKCB": facility,
            "fileHSBase64": base64.b64encode(document).decode("ascii"),
        }
        answer: dict[str, Any] = self.client.post(path, headers=self.headers, json=body).json()
        return answer

    def feedback(self, **query: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.client.get(
            "/api/lienthong/ketQuaHoSo", headers=self.headers, params=query
        ).json()
        return answer

    def close(self) -> None:
        self.client.close()
