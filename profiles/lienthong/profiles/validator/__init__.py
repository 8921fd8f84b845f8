"""The XML 130 validator's parts: field checks compiled per (version, table), record rules,
dossier rules and the rule registry that maps each rule to its requirement ID.

The public entry points live in :mod:`lienthong.profiles.validation`.
"""

from __future__ import annotations
