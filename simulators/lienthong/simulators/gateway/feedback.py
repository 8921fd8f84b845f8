"""Field-level feedback a facility fetches later: ``GET /api/lienthong/ketQuaHoSo``.

The real portal shows "Kết quả gửi hồ sơ XML" per record and per field, searchable 60 days back
(CV 1245 §II; TT 48 Đ7 k3 c), but publishes no API for it: this one is lienthong-defined. It takes
the same session headers as the submission endpoints (``accessToken``, ``tokenId``,
``passwordHash``) and one of the query parameters ``maGiaoDich``, ``maLK``, or ``tuNgay`` (with
optional ``denNgay``, both ``yyyyMMdd``, Vietnam dates, at most 60 days apart). A facility sees only
its own submissions. Each result: ``maGiaoDich``, ``maLK``, ``loai`` (checkin/dossier),
``thoiGianTiepNhan``, ``maKetQua``, ``thongDiep``, ``trangThai`` (``rejected``, ``accepted``,
``pending``, ``delivered``, ``identity_rejected``, ``failed``) and ``dsLoi`` (``bang``, ``banGhi``,
``truong``, ``giaTri``, ``loi``, ``maQuyTac``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Engine, select

from lienthong.simulators.clock import VN_TZ, vn_stamp
from lienthong.simulators.faults import BhxhFault
from lienthong.simulators.gateway.config import GatewayConfig
from lienthong.simulators.gateway.schema import outbox, submissions
from lienthong.simulators.gateway.sessions import current_session

FEEDBACK_PATH = "/api/lienthong/ketQuaHoSo"
WINDOW = timedelta(days=60)
_LIMIT = 500


def _day(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%d").replace(tzinfo=VN_TZ)


def feedback(
    engine: Engine,
    config: GatewayConfig,
    headers: dict[str, str],
    query: dict[str, str],
    faults: frozenset[str],
) -> dict[str, Any]:
    now = config.clock.now()
    session = current_session(
        engine,
        headers.get("accesstoken", ""),
        headers.get("tokenid", ""),
        now=now,
        accept_expired=BhxhFault.ACCEPTS_EXPIRED_TOKEN in faults,
    )
    if session is None or headers.get("passwordhash", "").upper() != session.password_md5:
        return {
            "maKetQua": "401",
            "thongDiep": "Chưa xác thực (unauthenticated): accessToken, tokenId "
            "and passwordHash must name a live session",
            "dsKetQua": [],
        }
    select_rows = (
        select(submissions, outbox.c.status.label("forward"))
        .outerjoin(outbox, outbox.c.submission_id == submissions.c.id)
        .order_by(submissions.c.id)
        .limit(_LIMIT)
    )
    if BhxhFault.FEEDBACK_ANY_FACILITY not in faults:
        select_rows = select_rows.where(submissions.c.session_facility == session.facility)
    if query.get("maGiaoDich"):
        select_rows = select_rows.where(submissions.c.transaction_id == query["maGiaoDich"])
    elif query.get("maLK"):
        select_rows = select_rows.where(submissions.c.ma_lk == query["maLK"])
    elif query.get("tuNgay"):
        try:
            start = _day(query["tuNgay"])
            end = _day(query["denNgay"]) + timedelta(days=1) if query.get("denNgay") else now
        except ValueError:
            return {"maKetQua": "400", "thongDiep": "tuNgay/denNgay must be yyyyMMdd", "dsKetQua": []}
        if end - start > WINDOW + timedelta(days=1):
            return {"maKetQua": "400", "thongDiep": "at most 60 days can be searched at once", "dsKetQua": []}
        select_rows = select_rows.where(
            submissions.c.received_at >= start.astimezone(UTC),
            submissions.c.received_at < end.astimezone(UTC),
        )
    else:
        return {"maKetQua": "400", "thongDiep": "give maGiaoDich, maLK or tuNgay", "dsKetQua": []}
    with engine.connect() as db:
        rows = db.execute(select_rows).all()
    return {
        "maKetQua": "200",
        "thongDiep": f"{len(rows)} kết quả (results)",
        "dsKetQua": [_result(row) for row in rows],
    }


def _result(row: Any) -> dict[str, Any]:
    flagged = row.result_code == "200" and row.errors not in ("", "[]", None)  # accepted, flagged later
    state = "rejected" if row.result_code != "200" or flagged else (row.forward or "accepted")
    return {
        "maGiaoDich": row.transaction_id,
        "maLK": row.ma_lk,
        "loai": row.kind,
        "thoiGianTiepNhan": vn_stamp(
            row.received_at if row.received_at.tzinfo else row.received_at.replace(tzinfo=UTC)
        ),
        "maKetQua": row.result_code,
        "thongDiep": row.message,
        "trangThai": state,
        "dsLoi": [
            {
                "bang": e["table"],
                "banGhi": e["record"],
                "truong": e["field"],
                "giaTri": e["value"],
                "loi": e["rule"],
                "maQuyTac": e["requirement"],
            }
            for e in orjson.loads(row.errors or "[]")
        ],
    }
