"""``base64.b64decode(data, validate=True)``, about forty times faster on the gateway's 13 KB files.

pybase64 (SIMD) decodes what it accepts in strict mode; anything it refuses goes to the standard
library, so every refusal and its error are the standard library's. The equivalence tests hold
pybase64 to accepting no more than ``validate=True`` does, and to the same bytes.
"""

from __future__ import annotations

import base64
import binascii

import pybase64


def b64decode_strict(data: str | bytes) -> bytes:
    """``base64.b64decode(data, validate=True)``."""
    try:
        return pybase64.b64decode(data, None, True)  # validate=True: by position, half the call's cost
    except (binascii.Error, ValueError, TypeError):
        return base64.b64decode(data, validate=True)
