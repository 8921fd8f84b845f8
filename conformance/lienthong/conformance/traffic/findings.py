"""One broken rule, located in the traffic: requirement, facility, episode, table, record, field."""

from __future__ import annotations

from dataclasses import dataclass

from lienthong.profiles.validation import Violation


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule broken by a facility's submissions, traceable to the record that broke it."""

    requirement: str
    facility: str
    ma_lk: str
    table: str
    record: int
    field: str
    value: str
    message: str
    """What is wrong, in the validator's words for a per-file rule."""
    submission: int = 0
    """The submission (journal id, or file number) the finding was read from."""

    @classmethod
    def of(cls, violation: Violation, facility: str, ma_lk: str, submission: int) -> Finding:
        """A per-file violation of the validator as a finding of the episode ``ma_lk``."""
        return cls(
            violation.requirement,
            facility,
            ma_lk,
            violation.table,
            violation.record,
            violation.field,
            violation.value[:200],
            violation.rule,
            submission,
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "requirement": self.requirement,
            "facility": self.facility,
            "ma_lk": self.ma_lk,
            "table": self.table,
            "record": self.record,
            "field": self.field,
            "value": self.value,
            "message": self.message,
            "submission": self.submission,
        }
