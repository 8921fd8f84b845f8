"""The regulation as data: requirement catalogue, field tables, code lists, identifier rules.

``lienthong.profiles`` depends on nothing else in lienthong; the generator, the simulators, the
checks, the reports and the docs all read it.
"""

from __future__ import annotations

from lienthong.profiles.catalogue import Requirement, requirement, requirements
from lienthong.profiles.codelists import codelist
from lienthong.profiles.tables import FieldSpec, TableSpec, table
from lienthong.profiles.validation import Dossier, Violation, validate_checkin, validate_dossier

__all__ = [
    "Dossier",
    "FieldSpec",
    "Requirement",
    "TableSpec",
    "Violation",
    "codelist",
    "requirement",
    "requirements",
    "table",
    "validate_checkin",
    "validate_dossier",
]
