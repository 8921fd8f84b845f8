"""A submission's document read by the file validator into a :class:`Received`: the one way the
audit (``audit/reading.py``) and a sender's journaled traffic (:func:`from_sent`, for the
certification verdict) are read.

The per-file rules are the validator's (``profiles.validate_dossier`` / ``validate_checkin``): the
judge adds none of its own. The document is dropped once read; only its records go on.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta, timezone

from lienthong.conformance.context import Sent
from lienthong.conformance.traffic.episodes import Received, kept
from lienthong.profiles import validate_checkin, validate_dossier
from lienthong.profiles.tables import VERSIONS
from lienthong.profiles.validation import Violation

_VN = timezone(timedelta(hours=7))


Validated = tuple[dict[str, list[dict[str, str]]], list[Violation], str | None]
"""What the file validator says of a document: its tables, violations and the facility it names
(None when no dossier or no check-in record could be read)."""


def _validate(kind: str, document: bytes, version: str) -> Validated:
    if kind == "checkin":
        records, violations = validate_checkin(document, version)
        if not records:
            return {}, violations, None
        return {"XML0": records[:1]}, violations, records[0].get("MA_CSKCB", "")
    dossier, violations = validate_dossier(document, version)
    if dossier is None:
        return {}, violations, None
    return dossier.tables, violations, dossier.facility


class RecentDocuments:
    """The validator's answers on the last ``size`` distinct documents, so that the same bytes
    received again soon after (a sender's retry, a resubmission) are not validated twice; a repeat
    further back is validated again (holding more documents cost more, in memory traffic, than
    the rare repeats save).

    Exact: a document is looked up by a cheap key (its length, its first 640 bytes, which hold a
    check-in's MA_LK and patient and the start of a dossier's XML1, and 48 of its middle bytes,
    in the base64 of a dossier's tables: hashing every document whole cost more than the rare
    repeats save) and taken only when its bytes equal the stored ones; bounded: the oldest
    answer goes when a new one comes (memory stays flat, whatever the number of submissions). Of
    the tables only what the judge reads is kept (:func:`.episodes.kept`), shared between the
    submissions; the violations are copied."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._answers: OrderedDict[tuple[str, str, int, bytes, bytes], tuple[bytes, Validated]] = (
            OrderedDict()
        )
        self.hits = 0

    @staticmethod
    def key(kind: str, document: bytes, version: str) -> tuple[str, str, int, bytes, bytes]:
        middle = len(document) // 2
        return kind, version, len(document), document[:640], document[middle : middle + 48]

    def validate(self, kind: str, document: bytes, version: str) -> Validated:
        key = self.key(kind, document, version)
        known = self._answers.get(key)
        if known is not None and known[0] == document:
            self.hits += 1
            tables, violations, named = known[1]
            return tables, list(violations), named
        answer = _validate(kind, document, version)
        answers = self._answers
        if known is None and len(answers) >= self.size:
            answers.popitem(last=False)  # the oldest
        answers[key] = (document, (kept(answer[0]), list(answer[1]), answer[2]))
        return answer


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
    recent: RecentDocuments | None = None,
) -> Received:
    """``document`` (None: its payload was not base64) validated into a :class:`Received`;
    ``facility`` is the request's maCSKCB ("" when there was no request: a file); ``recent``:
    answers to reuse for documents seen before."""
    version = profile if profile in VERSIONS else "auto"
    tables: dict[str, list[dict[str, str]]] = {}
    named = facility
    if document is None:
        where = "XML0" if kind == "checkin" else "GIAMDINHHS"
        violations = [Violation("ENV-03", where, "fileHSBase64", "", "is not valid base64")]
    else:
        if recent is not None:
            tables, violations, inside = recent.validate(kind, document, version)
        else:
            tables, violations, inside = _validate(kind, document, version)
        named = named or inside or ""
        if kind != "checkin" and inside is not None and facility and inside != facility:
            violations.append(
                Violation(
                    "ENV-05",
                    "GIAMDINHHS",
                    "MACSKCB",
                    inside,
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
