"""The fuzz properties of the validator's and the signature's byte readers, at depth (on demand:
``tox -e slow``).

The default tier draws a few hundred hypothesis examples per property, and a rare case can wait
many CI runs to be drawn (an unknown FILEHOSO holding ``]]>`` did). These draw tens of thousands
of seeded edits, next to the markup where the readers decide, with both scanners.
"""

from __future__ import annotations

import random

import pytest
from lxml import etree

from lienthong.profiles import signature, xml130
from lienthong.profiles.samples import sample_tables
from lienthong.profiles.validation import parse_document, validate_dossier
from lienthong.profiles.validator import native
from tests.profiles.conftest import dossier_bytes
from tests.profiles.test_validator_equivalence import _same, _signed_sample, edit_near_markup
from tests.simulators.gateway.test_signature_equivalence import _parts_by_parsing

pytestmark = pytest.mark.slow

ROUNDS = 100_000


def _edits(rng: random.Random) -> list[tuple[int, int, int]]:
    return [
        (rng.randrange(10_001), rng.randrange(-3, 4), rng.randrange(10_001))
        for _ in range(rng.randrange(1, 4))
    ]


@pytest.mark.usefixtures("scanner")
def test_fuzzed_envelopes_agree_at_depth() -> None:
    """As ``test_fuzzed_envelopes_agree``: the fast readers and lxml give the same answer."""
    originals = [
        _signed_sample(),
        dossier_bytes(sample_tables(4, kind="01")),
        dossier_bytes(sample_tables(9)),
    ]
    rng = random.Random(20261123)
    for _ in range(ROUNDS):
        _same(edit_near_markup(rng.choice(originals), _edits(rng)), "qd3176")


@pytest.mark.skipif(not native.AVAILABLE, reason="the compiled scanner is not built")
def test_the_byte_reader_of_signed_documents_at_depth() -> None:
    """As ``test_what_the_byte_reader_takes_is_well_formed_and_its_own_canonical_form``: whatever
    ``canonical_spans`` takes (with a signature element that parses on its own) lxml parses, C14N
    writes back byte for byte outside the signature, the validator reads alike from bytes (told
    the document is well-formed or not), and the signature's parts read from its bytes are those
    of its C14N."""
    signed = _signed_sample()
    rng = random.Random(1123)
    taken = 0
    for _ in range(ROUNDS):
        data = edit_near_markup(signed, _edits(rng))
        spans = native.canonical_spans(data, xml130.SIGNATURE_TAG, signature._SIG_OPEN, signature._SIG_CLOSE)
        if spans is None:
            continue
        root_start, root_end, sig_start, sig_end = spans
        element = data[sig_start:sig_end]
        assert signature._signature_parts(element) == _parts_by_parsing(element), element
        try:
            etree.fromstring(element, signature._PARSER)
        except etree.XMLSyntaxError:
            continue
        taken += 1
        root = parse_document(data)
        assert root is not None, data
        canonical = etree.tostring(root, method="c14n")
        at = canonical.find(b"<ds:Signature")
        end = canonical.find(b"</ds:Signature>") + len(b"</ds:Signature>")
        assert canonical[:at] == data[root_start:sig_start], data
        assert canonical[end:] == data[sig_end:root_end], data
        from_bytes, from_tree = validate_dossier(data, "qd3176"), validate_dossier(data, "qd3176", root=root)
        assert [v.message() for v in from_bytes[1]] == [v.message() for v in from_tree[1]]
        assert validate_dossier(data, "qd3176", well_formed=True) == from_bytes
    assert taken > 100  # the property was exercised
