"""Transcripts: every request a session's gateway received and what it answered, in full, as the
certification verdict judges them and as a certification bundle keeps them.

One :class:`Transcript` per journaled submission: the request's fields (endpoint, username,
maCSKCB, loaiHoSo, ``fileHSBase64`` exactly as sent), the immediate answer (maKetQua, maGiaoDich,
thoiGianTiepNhan, thongDiep) and, for an accepted dossier, what became of its forward (C06's
outcome and why). The verdict reads nothing else, so a bundle re-judges to the same verdict.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

VN = timezone(timedelta(hours=7))


@dataclass(frozen=True, slots=True)
class Transcript:
    seq: int
    """The gateway's journal id (order of receipt)."""
    endpoint: str
    kind: str
    """``checkin`` or ``dossier``."""
    profile: str
    username: str
    ma_cskcb: str
    loai_ho_so: str
    payload: str
    """``fileHSBase64`` exactly as sent."""
    received_at: str
    """ISO time with its offset (the session clock)."""
    result_code: str
    transaction_id: str
    message: str
    forward: str = ""
    """``pending``, ``delivered``, ``identity_rejected``, ``failed`` or empty (not forwarded)."""
    forward_reason: str = ""
    """For ``identity_rejected``: C06's answer and the fields, as JSON."""

    @property
    def received(self) -> datetime:
        moment = datetime.fromisoformat(self.received_at)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    @property
    def received_local(self) -> datetime:
        """Naive Vietnam local time, like the times inside the XML."""
        return self.received.astimezone(VN).replace(tzinfo=None)

    @property
    def accepted(self) -> bool:
        return self.result_code == "200"

    def document(self) -> bytes | None:
        try:
            return base64.b64decode(self.payload.encode("ascii"), validate=True)
        except (ValueError, UnicodeEncodeError):
            return None

    def answer(self) -> dict[str, str]:
        """The immediate answer as the HIS received it."""
        return {
            "maKetQua": self.result_code,
            "maGiaoDich": self.transaction_id,
            "thoiGianTiepNhan": f"{self.received.astimezone(VN):%Y%m%d%H%M%S}",
            "thongDiep": self.message,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "request": {
                "endpoint": self.endpoint,
                "kind": self.kind,
                "profile": self.profile,
                "username": self.username,
                "maCSKCB": self.ma_cskcb,
                "loaiHoSo": self.loai_ho_so,
                "fileHSBase64": self.payload,
            },
            "received_at": self.received_at,
            "answer": self.answer(),
            "forward": {"status": self.forward, "reason": self.forward_reason},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        request, answer, forward = data["request"], data["answer"], data.get("forward") or {}
        return cls(
            int(data["seq"]),
            str(request["endpoint"]),
            str(request["kind"]),
            str(request["profile"]),
            str(request.get("username", "")),
            str(request.get("maCSKCB", "")),
            str(request.get("loaiHoSo", "")),
            str(request.get("fileHSBase64", "")),
            str(data["received_at"]),
            str(answer.get("maKetQua", "")),
            str(answer.get("maGiaoDich", "")),
            str(answer.get("thongDiep", "")),
            str(forward.get("status", "") or ""),
            str(forward.get("reason", "") or ""),
        )
