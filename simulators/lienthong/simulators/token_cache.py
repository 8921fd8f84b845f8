"""Verified bearer tokens, cached: checking the HS256 signature is the costly part of a read, and
expiry is decided afresh on every call against the simulation clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")
Decoded = tuple[T, int] | None
"""The token's meaning and its expiry (Unix seconds), or None for a token that does not verify."""


class VerifiedTokens(Generic[T]):
    def __init__(self, decode: Callable[[str, str], Decoded[T]], *, limit: int = 50_000) -> None:
        self._decode = decode
        self._limit = limit
        self._seen: dict[tuple[str, str], Decoded[T]] = {}

    def get(self, secret: str, token: str, *, now: datetime, accept_expired: bool = False) -> T | None:
        """What a valid, unexpired token stands for, or None."""
        if not token or token.count(".") != 2:
            return None
        key = (secret, token)
        if key in self._seen:
            found = self._seen[key]
        else:
            found = self._decode(secret, token)
            if len(self._seen) >= self._limit:
                self._seen.clear()
            self._seen[key] = found
        if found is None or (not accept_expired and found[1] <= now.timestamp()):
            return None
        return found[0]
