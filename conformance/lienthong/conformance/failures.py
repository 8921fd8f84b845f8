"""How a check reports something other than a pass."""

from __future__ import annotations


class CheckFailed(AssertionError):
    """The system under test broke the requirement; the message says how, with field and value."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.details = details or []


class Skipped(Exception):
    """A precondition was not met (e.g. no signing key for a real gateway); nothing was learned."""


class Omitted(Exception):
    """The check does not apply to what is under test."""


class CheckWarned(AssertionError):
    """A SHOULD (or an [I]-only expectation) was not met: shown as a warning, never a failure."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.details = details or []
