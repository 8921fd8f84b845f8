"""A submission's document read by the file validator into a :class:`Received`: the one way the
audit (``audit/reading.py``) and a sender's journaled traffic (:func:`from_sent`, for the
certification verdict) are read.

The per-file rules are the validator's (``profiles.validate_dossier`` / ``validate_checkin``): the
judge adds none of its own. The document is dropped once read; only its records go on.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta, timezone

from lienthong.conformance.context import Sent
from lienthong.conformance.traffic.episodes import Received
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
    further back is validated again (memory stays flat, whatever the number of submissions).

    Exact and cheap: the answers are found by the document's kind, version and length, and one
    is taken only when its bytes equal the document's (a comparison that stops at the first
    differing byte); a key cut out of the document, or a hash of it, cost more on every document
    than the rare repeats save. The answer is the validator's, shared by the submissions that
    repeat it; the violations are copied (a request's own, ENV-05, is added to them)."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._answers: dict[tuple[str, str, int], list[tuple[bytes, Validated]]] = {}
        self._order: deque[tuple[tuple[str, str, int], tuple[bytes, Validated]]] = deque()
        self.hits = 0
        """Documents answered from what is held."""
        self.misses = 0
        """Documents validated (counted here: the compiled module calls the validator directly, so
        a test cannot count the calls by replacing it)."""

    def __len__(self) -> int:
        return len(self._order)

    def validate(self, kind: str, document: bytes, version: str) -> Validated:
        key = kind, version, len(document)
        same_length = self._answers.get(key)
        if same_length is not None:
            for known, answer in same_length:
                if known == document:
                    self.hits += 1
                    tables, violations, named = answer
                    return tables, list(violations), named
        self.misses += 1
        answer = _validate(kind, document, version)
        entry = (document, answer)
        if same_length is None:
            self._answers[key] = [entry]
        else:
            same_length.append(entry)
        order = self._order
        order.append((key, entry))
        if len(order) > self.size:
            old_key, old = order.popleft()  # the oldest
            bucket = self._answers[old_key]
            bucket.remove(old)
            if not bucket:
                del self._answers[old_key]
        tables, violations, named = answer
        return tables, list(violations), named


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
