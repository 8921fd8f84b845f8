"""A stored submission read by the file validator into what the traffic judge folds in.

The per-file rules are the validator's (``profiles.validate_dossier`` / ``validate_checkin``): the
audit adds none of its own. The document is dropped once read; only its records go on.
"""

from __future__ import annotations

from lienthong.conformance.audit.sources import Raw
from lienthong.conformance.traffic import Received
from lienthong.profiles import validate_checkin, validate_dossier
from lienthong.profiles.tables import VERSIONS
from lienthong.profiles.validation import Violation


def received(raw: Raw) -> Received:
    """``raw`` validated: its records, violations and facility."""
    version = raw.profile if raw.profile in VERSIONS else "auto"
    tables: dict[str, list[dict[str, str]]] = {}
    facility = raw.facility
    if raw.document is None:
        where = "XML0" if raw.kind == "checkin" else "GIAMDINHHS"
        violations = [Violation("ENV-03", where, "fileHSBase64", "", "is not valid base64")]
    elif raw.kind == "checkin":
        records, violations = validate_checkin(raw.document, version)
        tables = {"XML0": records[:1]} if records else {}
        if not facility and records:
            facility = records[0].get("MA_CSKCB", "")
    else:
        dossier, violations = validate_dossier(raw.document, version)
        if dossier is not None:
            tables = dossier.tables
            facility = facility or dossier.facility
            if raw.facility and dossier.facility != raw.facility:
                violations.append(
                    Violation(
                        "ENV-05",
                        "GIAMDINHHS",
                        "MACSKCB",
                        dossier.facility,
                        f"must equal the request's maCSKCB ({raw.facility})",
                    )
                )
    return Received(
        raw.seq,
        raw.kind,
        facility or "(unknown)",
        raw.received_at,
        tables,
        violations,
        accepted=raw.accepted,
        identity=raw.identity,
        delivered_at=raw.delivered_at,
    )
