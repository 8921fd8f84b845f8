"""Which validator rule verifies which requirement.

Every rule is registered with the requirement IDs whose violations it emits. The registry feeds the
coverage matrix (requirement -> rule) and tells test-data generators which requirement IDs the
validator can detect. A generator's mutation tag *is* the requirement ID: a record that breaks
exactly one rule is tagged with the ID the validator reports for it, so both sides agree by
construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    scope: str
    """``field`` (per-field plan), ``record`` (one record), ``dossier`` (across tables) or
    ``envelope``."""
    requirements: tuple[str, ...]
    doc: str


RULES: dict[str, Rule] = {}


def register(name: str, scope: str, requirements: tuple[str, ...], doc: str) -> None:
    if name in RULES:
        raise ValueError(f"validator rule {name} registered twice")
    RULES[name] = Rule(name, scope, requirements, doc)


def rule(scope: str, *requirements: str) -> Callable[[F], F]:
    """Decorator: register a rule function under its name with the requirements it verifies."""

    def wrap(fn: F) -> F:
        doc = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        register(getattr(fn, "__name__", repr(fn)), scope, requirements, doc)
        return fn

    return wrap


def rules_by_requirement() -> dict[str, list[str]]:
    """Requirement ID -> names of the validator rules that emit it."""
    # Importing the rule modules registers their rules.
    from lienthong.profiles.validator import dossier_rules, record_rules  # noqa: F401

    out: dict[str, list[str]] = {}
    for r in RULES.values():
        for req in r.requirements:
            out.setdefault(req, []).append(r.name)
    return out


# Field rules come from the field tables, not from functions: register them here.
register(
    "envelope_structure",
    "envelope",
    ("ENV-01", "ENV-02", "ENV-03", "ENV-04", "ENV-05"),
    "GIAMDINHHS envelope, LOAIHOSO, base64 and inner roots, one HOSO per file",
)
register("checkin_structure", "envelope", ("XML0-01",), "check-in root, list, records, CHUKYDONVI")
register(
    "field_size_and_type",
    "field",
    ("XML0-02", *(f"XML{n}-01" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15))),
    "type and maximum size of every field of the profile table",
)
register(
    "field_required",
    "field",
    ("XML0-03", *(f"XML{n}-02" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15))),
    "fields marked required in the profile table",
)
register("field_tag_known", "field", ("TAG-01",), "every tag is a field of the table in the judged version")
register(
    "field_format",
    "field",
    (
        "FMT-01",
        "FMT-02",
        "FMT-03",
        "ID-CCCD-01",
        "ID-BHYT-01",
        "ID-CSKCB-01",
        "ID-BHXH-01",
        "ID-GPHN-01",
        "XML1-05",
        "ICD-01",
        "XML3-08",
    ),
    "per-field formats: times, dates, decimals, identifiers, ICD-10, GOI_VTYT",
)
register("field_codelist", "field", ("CODE-01",), "coded fields take values from their code lists")
