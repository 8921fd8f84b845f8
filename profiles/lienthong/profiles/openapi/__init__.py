"""The OpenAPI 3.0.3 documents of the simulated nodes, kept as data (spec first, DESIGN 9).

``bhxh.json`` describes the BHXH gateway's real API (CV 1245/BHXH-CNTT) and lienthong's journal API;
``c06.json`` lienthong's reference API for C06 (C06 publishes none); ``moh.json`` the MoH store's FHIR
R4 sharing API, client-credentials tokens, consents, access log and the KSK data-sync push.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import orjson

NODES = ("bhxh", "c06", "moh")


class UnknownNode(KeyError):
    """No OpenAPI document is shipped for that node."""


@cache
def openapi_bytes(node: str) -> bytes:
    """The document of ``node`` as shipped (UTF-8 JSON)."""
    if node not in NODES:
        raise UnknownNode(f"no OpenAPI document for node {node!r}; known: {', '.join(NODES)}")
    return files("lienthong.profiles.openapi").joinpath(f"{node}.json").read_bytes()


def openapi_document(node: str) -> dict[str, Any]:
    """A fresh parsed copy of the document of ``node``."""
    document: dict[str, Any] = orjson.loads(openapi_bytes(node))
    return document


__all__ = ["NODES", "UnknownNode", "openapi_bytes", "openapi_document"]
