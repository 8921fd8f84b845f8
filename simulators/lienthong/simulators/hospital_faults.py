"""How a faulty hospital breaks the rules: each hospital fault is a named way to break one rule
of the one mutation catalogue, ``profiles.mutations`` (its ``VARIANTS`` for records, its envelope
mutations for documents); the rest are handled by the hospital client itself.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from lienthong.profiles import mutations, xml130
from lienthong.profiles.mutations import apply as apply_mutation
from lienthong.profiles.samples import sample_tables
from lienthong.simulators.visits import Visit

RecordMutation = Callable[[Visit], None]
DocumentMutation = Callable[[bytes], bytes]


def _on_visit(variant: mutations.Variant) -> RecordMutation:
    """A catalogue variant applied to a visit's own records (its check-in as XML0)."""

    def mutate(visit: Visit) -> None:
        variant.apply({"XML0": [visit.checkin], **visit.tables})

    return mutate


RECORD_MUTATIONS: dict[str, RecordMutation] = {name: _on_visit(v) for name, v in mutations.VARIANTS.items()}
"""Hospital fault -> how it breaks the visit's records (``profiles.mutations.VARIANTS``)."""
DOSSIER_MUTATIONS: dict[str, DocumentMutation] = {
    name: mutations.DOSSIER_MUTATIONS[req] for name, req in mutations.DOCUMENT_VARIANTS.items()
}
CHECKIN_MUTATIONS: dict[str, DocumentMutation] = {
    name: mutations.CHECKIN_DOCUMENT_MUTATIONS[req]
    for name, req in mutations.CHECKIN_DOCUMENT_VARIANTS.items()
}
# Handled by the client: wrong_loaihoso_param, no_checkin, unsigned, tampered_after_signing.
CLIENT_FAULTS = frozenset({"wrong_loaihoso_param", "no_checkin", "unsigned", "tampered_after_signing"})


def apply_document(document: bytes, changes: list[DocumentMutation]) -> bytes:
    for change in changes:
        document = change(document)
    return document


def tamper(document: bytes) -> bytes:
    """Change one value after signing (the NGAYLAP of the envelope, or a check-in's STT)."""
    for old, new in ((b"<NGAYLAP>", b"<NGAYLAP>1"), (b"<STT>1<", b"<STT>2<")):
        if old in document:
            return document.replace(old, new, 1)
    return document + b" "


def encode(document: bytes) -> str:
    return base64.b64encode(document).decode("ascii")


__all__ = ["CHECKIN_MUTATIONS", "CLIENT_FAULTS", "DOSSIER_MUTATIONS", "RECORD_MUTATIONS", "xml130"]


def broken_sample(req_id: str, facility: str, number: int) -> dict[str, list[dict[str, str]]]:
    """A sample dossier of ``facility`` that breaks exactly ``req_id`` (``profiles.mutations``).

    Tries sample variants (examination, inpatient, referral, appointment) until the mutation
    applies; ``number`` keeps MA_LK distinct between sends.
    """
    variants: list[dict[str, Any]] = [
        {},
        {"referral": True},
        {"appointment": True},
        {"kind": "03"},
        {"kind": "03", "referral": True, "appointment": True},
    ]
    for seed in range(number * 50, number * 50 + 50):
        for options in variants:
            tables = sample_tables(seed, **options)
            for records in tables.values():
                for record in records:
                    if "MA_LK" in record:
                        record["MA_LK"] = f"LT{facility}{number:06d}{seed:06d}"
                    if "MA_CSKCB" in record:
                        record["MA_CSKCB"] = facility
            broken = apply_mutation(tables, req_id)
            if broken is not None:
                return broken
    raise LookupError(f"no sample dossier can be made to break {req_id}")
