"""The check registry: checks are plain functions registered with the requirements they verify.

A check's name is its ID in CLI flags, reports and docs. Every check names the fault of the
simulator that proves it can fail (``fault="actor:name"``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lienthong.profiles.catalogue import requirement

DIRECTIONS = ("server", "sender", "chain")


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    func: Callable[..., Any]
    verifies: tuple[str, ...]
    actor: str
    """The actor under test: bhxh, c06, moh, hospital, or chain (several at once)."""
    direction: str
    fault: str
    """``actor:fault`` that makes this check fail."""
    module: str
    opt_in: str = ""
    """The command-line flag (e.g. ``wait-token-expiry``) without which the check is out of scope."""

    @property
    def title(self) -> str:
        doc = (self.func.__doc__ or self.name).strip()
        return doc.splitlines()[0].rstrip(".")


_REGISTRY: dict[str, Check] = {}


class DuplicateCheck(ValueError):
    """Two modules registered a check under the same name."""


def check(
    *,
    verifies: list[str],
    actor: str,
    direction: str,
    fault: str,
    name: str | None = None,
    opt_in: str = "",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a check; requirement IDs and the direction are validated at import time."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    for req_id in verifies:
        requirement(req_id)  # raises with a "did you mean" on a typo

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        key = name or func.__name__
        existing = _REGISTRY.get(key)
        if existing is not None and existing.module != func.__module__:
            raise DuplicateCheck(f"check {key!r} is registered by {existing.module} and {func.__module__}")
        _REGISTRY[key] = Check(key, func, tuple(verifies), actor, direction, fault, func.__module__, opt_in)
        return func

    return register


def registered() -> dict[str, Check]:
    """Every registered check, by name (importing the built-in check modules first)."""
    import lienthong.conformance.checks  # noqa: F401  (registers on import)

    return dict(_REGISTRY)


def checks_by_requirement() -> dict[str, list[str]]:
    """Requirement ID -> names of the checks that verify it."""
    out: dict[str, list[str]] = {}
    for item in registered().values():
        for req_id in item.verifies:
            out.setdefault(req_id, []).append(item.name)
    return out
