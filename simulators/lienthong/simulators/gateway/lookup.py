"""Card and visit-history lookup, ``POST /api/egw/KQNhanLichSuKCB2024`` [V] S-API1923.

Query ``token``, ``id_token``, ``username``, ``password`` (MD5); JSON body ``maThe``, ``hoTen``,
``ngaySinh`` (dd/MM/yyyy, or yyyy for people whose card shows only the year), ``hoTenCb``,
``cccdCb``. The answer is always HTTP 200 with ``maKetQua`` (codes in ``cards.RESULTS``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import Engine, insert, select

from lienthong.simulators.clock import vn_now, vn_stamp
from lienthong.simulators.faults import BhxhFault
from lienthong.simulators.gateway.cards import RESULTS, Card, CardRegister, folded
from lienthong.simulators.gateway.config import GatewayConfig
from lienthong.simulators.gateway.schema import episodes, lookups, staff
from lienthong.simulators.gateway.sessions import Session, current_session

CARD_CODE = re.compile(r"[A-Z]{2}[1-5][0-9]{12}")
_BIRTH = re.compile(r"(\d{2}/\d{2}/\d{4}|\d{4})")
LOOKUP_FIELDS = ("maThe", "hoTen", "ngaySinh", "hoTenCb", "cccdCb")


def _dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _answer(code: str, note: str = "", **fields: Any) -> dict[str, Any]:
    return {"maKetQua": code, "ghiChu": note or RESULTS[code], **fields}


def _format_problem(body: dict[str, str]) -> str:
    missing = [name for name in LOOKUP_FIELDS if not body.get(name)]
    if missing:
        return f"missing {', '.join(missing)}"
    if not CARD_CODE.fullmatch(body["maThe"]):
        return f"maThe {body['maThe']!r} is not 2 letters, a benefit digit 1-5 and 12 digits"
    if not _BIRTH.fullmatch(body["ngaySinh"]):
        return f"ngaySinh {body['ngaySinh']!r} is not dd/MM/yyyy (or yyyy)"
    if not re.fullmatch(r"\d{12}", body["cccdCb"]):
        return f"cccdCb {body['cccdCb']!r} is not a 12-digit CCCD"
    return ""


def lookup(
    engine: Engine,
    config: GatewayConfig,
    register: CardRegister,
    query: dict[str, str],
    body: dict[str, str],
    faults: frozenset[str],
) -> dict[str, Any]:
    """The answer to one lookup, logged for the card's later lookups (dsLichSuKT2018)."""
    now = config.clock.now()
    session = current_session(
        engine,
        query.get("token", ""),
        query.get("id_token", ""),
        now=now,
        accept_expired=BhxhFault.ACCEPTS_EXPIRED_TOKEN in faults,
    )
    if (
        session is None
        or session.username != query.get("username")
        or query.get("password", "").upper() != session.password_md5
    ) and BhxhFault.LOOKUP_SKIPS_TOKEN not in faults:
        return _answer("401", "token, id_token, username and password (MD5) must name a live session")
    problem = _format_problem(body)
    if problem and problem.startswith("maThe") and "answers_051" in config.variants:
        return _answer("051", f"{RESULTS['051']}: {problem}")
    if problem:
        return _answer("205", f"{RESULTS['205']}: {problem}")
    answer = _judge(engine, config, register, session, body, faults)
    with engine.begin() as db:
        db.execute(
            insert(lookups).values(
                ma_the=body["maThe"],
                username=session.username if session else query.get("username", ""),
                at=now,
                code=answer["maKetQua"],
                message=answer["ghiChu"],
            )
        )
    return answer


def _judge(
    engine: Engine,
    config: GatewayConfig,
    register: CardRegister,
    session: Session | None,
    body: dict[str, str],
    faults: frozenset[str],
) -> dict[str, Any]:
    with engine.connect() as db:
        name = db.execute(
            select(staff.c.name).where(
                staff.c.facility == (session.facility if session else staff.c.facility),
                staff.c.cccd == body["cccdCb"],
            )
        ).scalar()
    if name is None:
        return _answer("054")
    if folded(name) != folded(body["hoTenCb"]):
        return _answer("055")
    code, card = register.match(body["maThe"])
    if card is None or code:
        return _answer(code)
    if BhxhFault.LOOKUP_ALWAYS_VALID in faults:  # neither the identity nor the card's status is checked
        return _answer("000", **_card_fields(card), **_histories(engine, card, body["maThe"], faults))
    holder = card.holder
    if folded(holder.name) != folded(body["hoTen"]):
        return _answer("061" if folded(holder.name)[:1] == folded(body["hoTen"])[:1] else "060")
    if body["ngaySinh"] not in (_dmy(holder.dob), str(holder.dob.year)):
        return _answer("070")
    today = vn_now(config.clock).date()
    status = card.status(today)
    if status == "010" and BhxhFault.LOOKUP_IGNORES_EXPIRY in faults:
        status = "000"
    if BhxhFault.LOOKUP_OTHER_PATIENT in faults:
        card = register.other_than(card)
    return _answer(status, **_card_fields(card), **_histories(engine, card, body["maThe"], faults))


def _card_fields(card: Card) -> dict[str, Any]:
    holder, renewed = card.holder, card.new_card
    return {
        "maThe": card.code,
        "hoTen": holder.name,
        "ngaySinh": _dmy(holder.dob),
        "gioiTinh": "Nam" if holder.sex == 1 else "Nữ",
        "diaChi": holder.address,
        "maDKBD": holder.ma_dkbd,
        "cqBHXH": f"BHXH tỉnh {card.code[3:5]}",
        "gtTheTu": _dmy(card.valid_from),
        "gtTheDen": _dmy(card.valid_to),
        "maKV": "",
        "ngayDu5Nam": "",
        "maSoBHXH": holder.bhxh,
        "maTheCu": card.code if renewed else "",
        "maTheMoi": renewed[0] if renewed else "",
        "gtTheTuMoi": _dmy(renewed[1]) if renewed else "",
        "gtTheDenMoi": _dmy(renewed[2]) if renewed else "",
        "maDKBDMoi": holder.ma_dkbd if renewed else "",
        "tenDKBDMoi": "",
    }


def _histories(
    engine: Engine, card: Card, asked: str, faults: frozenset[str] = frozenset()
) -> dict[str, Any]:
    chosen = select(episodes.c.ma_lk, episodes.c.facility, episodes.c.summary, episodes.c.versions)
    if BhxhFault.HISTORY_ALL_PATIENTS not in faults:
        chosen = chosen.where(episodes.c.ma_the == card.code)
    with engine.connect() as db:
        visits = db.execute(chosen.order_by(episodes.c.id.desc()).limit(50)).all()
        checks = db.execute(
            select(lookups).where(lookups.c.ma_the == asked).order_by(lookups.c.id.desc()).limit(20)
        ).all()
    history = []
    if BhxhFault.HISTORY_DROPS_VISITS in faults:
        visits = []
    elif BhxhFault.HISTORY_DUPLICATES in faults:
        visits = [visit for visit in visits for _ in range(visit.versions or 1)]
    for visit in visits:
        summary = orjson.loads(visit.summary)
        history.append(
            {
                "maHoSo": visit.ma_lk,
                "maCSKCB": visit.facility,
                "ngayVao": summary.get("NGAY_VAO", ""),
                "ngayRa": summary.get("NGAY_RA", ""),
                "tenBenh": summary.get("CHAN_DOAN_RV", ""),
                "tinhTrang": summary.get("MA_LOAI_RV", ""),
                "kqDieuTri": summary.get("KET_QUA_DTRI", ""),
                "lyDoVV": summary.get("LY_DO_VV", ""),
                **{f"TEMP{n}": "" for n in range(1, 6)},
            }
        )
    return {
        "dsLichSuKCB2018": history,
        "dsLichSuKT2018": [
            {
                "userKT": row.username,
                "thoiGianKT": vn_stamp(_aware(row.at), "%Y%m%d%H%M"),
                "thongBao": row.message,
                "maLoi": row.code,
            }
            for row in checks
        ],
    }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
