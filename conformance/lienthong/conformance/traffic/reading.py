"""A submission's document read by the file validator into a :class:`Received`: the one way the
audit (``audit/reading.py``) and a sender's journaled traffic (:func:`from_sent`, for the
certification verdict) are read.

The per-file rules are the validator's (``profiles.validate_dossier`` / ``validate_checkin``): the
judge adds none of its own. The document is dropped once read; only its records go on.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from lienthong.conformance.context import Sent
from lienthong.conformance.traffic.episodes import Received
from lienthong.profiles import validate_checkin, validate_dossier
from lienthong.profiles.tables import VERSIONS
from lienthong.profiles.validation import Violation

_VN = timezone(timedelta(hours=7))


def read(
    seq: int,
    kind: str,
    received_at: datetime,
    document: bytes | None,
    *,
    facility: str = "",
    profile: str = "auto",
    accepted: bool = True,
    identity: str | None = None,
    delivered_at: datetime | None = None,
) -> Received:
    """``document`` (None: its payload was not base64) validated into a :class:`Received`;
    ``facility`` is the request's maCSKCB ("" when there was no request: a file)."""
    version = profile if profile in VERSIONS else "auto"
    tables: dict[str, list[dict[str, str]]] = {}
    named = facility
    if document is None:
        where = "XML0" if kind == "checkin" else "GIAMDINHHS"
        violations = [Violation("ENV-03", where, "fileHSBase64", "", "is not valid base64")]
    elif kind == "checkin":
        records, violations = validate_checkin(document, version)
        tables = {"XML0": records[:1]} if records else {}
        if not named and records:
            named = records[0].get("MA_CSKCB", "")
    else:
        dossier, violations = validate_dossier(document, version)
        if dossier is not None:
            tables = dossier.tables
            named = named or dossier.facility
            if facility and dossier.facility != facility:
                violations.append(
                    Violation(
                        "ENV-05",
                        "GIAMDINHHS",
                        "MACSKCB",
                        dossier.facility,
                        f"must equal the request's maCSKCB ({facility})",
                    )
                )
    return Received(
        seq,
        kind,
        named or "(unknown)",
        received_at,
        tables,
        violations,
        accepted=accepted,
        identity=identity,
        delivered_at=delivered_at,
    )


def from_sent(sent: Sent) -> Received:
    """A submission of a :class:`~lienthong.conformance.context.SenderContext` (the journal as
    ``fetch_sent`` reads it) for the judge; times as naive Vietnam local time."""
    moment = datetime.fromisoformat(sent.received_at)
    if moment.tzinfo is not None:
        moment = moment.astimezone(_VN).replace(tzinfo=None)
    return read(
        sent.id,
        sent.kind,
        moment,
        sent.document,
        facility=sent.ma_cskcb,
        profile=sent.profile,
        accepted=sent.result_code == "200",
    )
