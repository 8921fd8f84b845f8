"""The card register of a certification session (the vendor's patients file) and the rules a
visit's card is judged by against it: CARD-01 (the card sent is the register's card: code,
validity, registered facility) and CARD-02 (the card is valid on the visit dates).

A card may be a ``;``-list (a new card issued during the stay): each card is judged on its own and
the visit dates against the union of their periods. A card the register does not hold at all is
only a warning (a temporary card for a newborn is looked up on the portal, not in the file);
children under 6 may carry a guardian's identifiers, so a card held by another person is only a
warning for them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from lienthong.conformance.traffic.findings import Finding
from lienthong.profiles.patients import Patient

IDENTITY = "TRAFFIC-04"
CHILD_UNDER = 6
"""Children under 6 may be sent with a guardian's identifiers (no card or ID of their own)."""


def _day(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8])) if len(text) >= 8 else None
    except ValueError:
        return None


def age_at_visit(record: dict[str, str]) -> int | None:
    """Completed years between NGAY_SINH and NGAY_VAO, when both are dates."""
    born, came = _day(record.get("NGAY_SINH", "")), _day(record.get("NGAY_VAO", ""))
    if born is None or came is None:
        return None
    return came.year - born.year - ((came.month, came.day) < (born.month, born.day))


def is_young_child(record: dict[str, str]) -> bool:
    age = age_at_visit(record)
    return age is not None and age < CHILD_UNDER


@dataclass(frozen=True, slots=True)
class CardIssue:
    """A CARD finding before it is placed in an episode; ``firm`` False makes it a warning."""

    requirement: str
    field: str
    value: str
    message: str
    firm: bool = True


class CardRegister:
    """The patients file's cards, by card code and by BHXH number (the code's last 10 digits)."""

    def __init__(self, patients: Iterable[Patient]) -> None:
        self.by_code: dict[str, Patient] = {}
        self.by_number: dict[str, Patient] = {}
        self.by_cccd: dict[str, Patient] = {}
        for patient in patients:
            self.by_cccd.setdefault(patient.cccd, patient)
            if patient.bhyt:
                self.by_code.setdefault(patient.bhyt, patient)
                self.by_number.setdefault(patient.bhyt[-10:], patient)

    def issues(self, record: dict[str, str]) -> list[CardIssue]:
        """What is wrong with the card of one XML0 or XML1 record (none for a visit without one)."""
        codes = [c.strip() for c in record.get("MA_THE_BHYT", "").split(";")]
        if not any(codes):
            return []
        froms = record.get("GT_THE_TU", "").split(";")
        tos = record.get("GT_THE_DEN", "").split(";")
        dkbds = record.get("MA_DKBD", "").split(";")
        child = is_young_child(record)
        out: list[CardIssue] = []
        periods: list[tuple[date, date]] = []
        for n, code in enumerate(codes):
            if not code:
                continue
            sent_from = froms[n].strip() if n < len(froms) else ""
            sent_to = tos[n].strip() if n < len(tos) else ""
            sent_dkbd = dkbds[n].strip() if n < len(dkbds) else ""
            holder = self.by_code.get(code)
            if holder is None:
                other = self.by_number.get(code[-10:])
                if other is not None and (len(code) != 15 or len(other.bhyt) != 15):
                    holder = other  # the BHXH number alone (new-format cards, ID-BHYT-01) names it
                elif other is not None:
                    out.append(
                        CardIssue(
                            "CARD-01",
                            "MA_THE_BHYT",
                            code,
                            f"the card register's card for BHXH number {code[-10:]} is {other.bhyt}, "
                            f"not {code}",
                        )
                    )
                    holder = other
                else:
                    out.append(
                        CardIssue(
                            "CARD-01",
                            "MA_THE_BHYT",
                            code,
                            "this card is not on the session's card register (the patients file); "
                            "a temporary card is looked up on the portal",
                            firm=False,
                        )
                    )
            if holder is not None:
                out += _against_register(holder, record, code, sent_from, sent_to, sent_dkbd, child)
                if holder.gt_the_tu and holder.gt_the_den:
                    periods.append((holder.gt_the_tu, holder.gt_the_den))
                    continue
            start, end = _day(sent_from), _day(sent_to)
            if start and end:
                periods.append((start, end))
        out += _validity(record, periods)
        return out


def _against_register(
    holder: Patient,
    record: dict[str, str],
    code: str,
    sent_from: str,
    sent_to: str,
    sent_dkbd: str,
    child: bool,
) -> Iterator[CardIssue]:
    cccd = record.get("SO_CCCD", "")
    if cccd and holder.cccd != cccd:
        yield CardIssue(
            "CARD-01",
            "MA_THE_BHYT",
            code,
            f"on the card register this card is {holder.name}'s (SO_CCCD {holder.cccd}), "
            f"not SO_CCCD {cccd}'s",
            firm=not child,
        )
    for name, sent, kept in (
        ("GT_THE_TU", sent_from, holder.gt_the_tu),
        ("GT_THE_DEN", sent_to, holder.gt_the_den),
    ):
        if kept is not None and sent and sent != f"{kept:%Y%m%d}":
            yield CardIssue(
                "CARD-01", name, sent, f"the card register gives {name} {kept:%Y%m%d} for card {code}"
            )
    if holder.ma_dkbd and sent_dkbd and sent_dkbd != holder.ma_dkbd:
        yield CardIssue(
            "CARD-01",
            "MA_DKBD",
            sent_dkbd,
            f"the card register gives MA_DKBD {holder.ma_dkbd} for card {code}",
        )


def _validity(record: dict[str, str], periods: list[tuple[date, date]]) -> list[CardIssue]:
    if not periods:
        return []
    first = min(start for start, _ in periods)
    last = max(end for _, end in periods)
    out: dict[str, CardIssue] = {}
    for name in ("NGAY_VAO", "NGAY_RA"):
        day = _day(record.get(name, ""))
        if day is None or any(start <= day <= end for start, end in periods):
            continue
        field = "GT_THE_TU" if day < first else "GT_THE_DEN"
        value = f"{first:%Y%m%d}" if field == "GT_THE_TU" else f"{last:%Y%m%d}"
        out.setdefault(
            field,
            CardIssue(
                "CARD-02",
                field,
                value,
                f"{name} {record.get(name, '')} is outside the card's validity {first:%Y%m%d}-{last:%Y%m%d}",
            ),
        )
    return list(out.values())


def identity_issues(register: CardRegister, record: dict[str, str]) -> list[CardIssue]:
    """A check-in's identity against the patients file (check-ins are not sent to C06, so this is
    what stands for C06's answer on them): TRAFFIC-04, a warning for a child under 6 (a guardian's
    identifiers) and nothing for an empty SO_CCCD (force majeure)."""
    cccd = record.get("SO_CCCD", "")
    if not cccd:
        return []
    firm = not is_young_child(record)
    patient = register.by_cccd.get(cccd)
    if patient is None:
        return [
            CardIssue(
                IDENTITY,
                "SO_CCCD",
                cccd,
                "no patient of the session's patients file has this SO_CCCD (C06 would not know the citizen)",
                firm,
            )
        ]
    out = []
    if (
        " ".join(unicodedata.normalize("NFC", record.get("HO_TEN", "")).casefold().split())
        != patient.name_key
    ):
        out.append(
            CardIssue(
                IDENTITY,
                "HO_TEN",
                record.get("HO_TEN", ""),
                f"the patients file names SO_CCCD {cccd} {patient.name}",
                firm,
            )
        )
    if record.get("NGAY_SINH", "")[:8] != f"{patient.dob:%Y%m%d}":
        out.append(
            CardIssue(
                IDENTITY,
                "NGAY_SINH",
                record.get("NGAY_SINH", ""),
                f"the patients file gives SO_CCCD {cccd} the birth date {patient.dob:%Y%m%d}",
                firm,
            )
        )
    if record.get("GIOI_TINH", "") != patient.sex:
        out.append(
            CardIssue(
                IDENTITY,
                "GIOI_TINH",
                record.get("GIOI_TINH", ""),
                f"the patients file gives SO_CCCD {cccd} GIOI_TINH {patient.sex}",
                firm,
            )
        )
    return out


def card_findings(
    register: CardRegister, record: dict[str, str], table: str, facility: str, ma_lk: str, seq: int
) -> list[tuple[Finding, bool]]:
    """The card issues of one record as findings, each with whether it is firm (else a warning)."""
    return [
        (Finding(i.requirement, facility, ma_lk, table, 1, i.field, i.value, i.message, seq), i.firm)
        for i in [*register.issues(record), *(identity_issues(register, record) if table == "XML0" else [])]
    ]
