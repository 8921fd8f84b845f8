"""The fast strict base64 decoder gives the standard library's answer: the same bytes for what
``base64.b64decode(validate=True)`` accepts, a refusal for everything it refuses."""

from __future__ import annotations

import base64
import binascii
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from lienthong.profiles.base64_strict import b64decode_strict


def _reference(data: str | bytes) -> bytes | None:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None


def _fast(data: str | bytes) -> bytes | None:
    try:
        return b64decode_strict(data)
    except (binascii.Error, ValueError):
        return None


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=64))
def test_encoded_bytes_decode_to_themselves(payload: bytes) -> None:
    encoded = base64.b64encode(payload)
    assert b64decode_strict(encoded) == payload
    assert b64decode_strict(encoded.decode("ascii")) == payload


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="ABCDQRabcz0189+/=-_ \n\r\t.é", max_size=40))
def test_any_text_gets_the_reference_answer(text: str) -> None:
    assert _fast(text) == _reference(text)
    if text.isascii():
        assert _fast(text.encode("ascii")) == _reference(text.encode("ascii"))


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=40))
def test_any_bytes_get_the_reference_answer(data: bytes) -> None:
    assert _fast(data) == _reference(data)


def test_mutations_of_a_long_payload_get_the_reference_answer() -> None:
    """Long inputs take pybase64's SIMD loop; a mutation anywhere in them must still be judged alike."""
    rng = random.Random(7)
    encoded = base64.b64encode(rng.randbytes(13_000))
    assert b64decode_strict(encoded) == base64.b64decode(encoded)
    for _ in range(400):
        at = rng.randrange(len(encoded))
        mutated = encoded[:at] + bytes([rng.choice(b"A/+=\n -_.\x00\xff")]) + encoded[at + 1 :]
        cut = mutated[: rng.randrange(len(mutated) + 1)] if rng.random() < 0.3 else mutated
        assert _fast(cut) == _reference(cut)
