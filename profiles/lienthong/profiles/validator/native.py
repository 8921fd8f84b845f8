"""The compiled record scanner (the C extension ``_cscan``) and the switch that turns it off.

:func:`.scan.scan_table` reads an inner table document with ``_cscan.scan`` when the extension
is built: one pass in C over the document's UTF-8 bytes (only the values it keeps, and the text
of a record it declines, go through the strict UTF-8 decoder) that checks the document's shape
(the subset :mod:`.scan` documents), splits the records, reads each field and checks it against the rules of
:func:`table_spec`, compiled at first use per (table, version) from the same field plans
(:func:`.fields.plan`) as :mod:`.grammar`: the tag is a field of the table, the value has no
surrounding white space (``str.isspace``), no character the scanner leaves to the parser, at most
``max_length`` characters, and its format: numbers with their decimals, dates against the
calendar, code lists (the codes the plan's checker accepts), and for the other formats (cccd, BHYT
cards, facilities, licences, ICD-10, ...) the plan's own memoised checker, its memo read in C
before it is called (for a person's identifiers, the grammar's pattern of the format first);
required fields present and non-empty. :func:`.envelope.scan_envelope` likewise reads the
GIAMDINHHS envelope with ``_cscan.envelope`` first.

The extension also does the amount rules' arithmetic in whole cents (:func:`cents`,
:func:`product_cents`, :func:`sum_cents`, exact integer arithmetic on plain decimal texts): a rule
that finds its amounts equal there needs no ``Decimal``; any other answer (not equal, not a plain
number, too many digits) is None or unequal and the rule's ``Decimal`` arithmetic decides and writes
the message.

It is one-sided, like the grammar: a record it accepts has exactly the dict the Python scanner
builds and keeps every field rule (the plan would find nothing); a record it is not sure of
(entities, repeated or unknown tags, a rule broken, ...) comes back as its text and
:mod:`.scan` reads it with the grammar; a document it is not sure of comes back as None and
:mod:`.scan` reads it in Python. The answers of the validator do not depend on the extension.

Without a C compiler the wheel builds without the extension and everything runs in Python.
``LIENTHONG_PURE_PYTHON=1`` (read at import) or ``COMPILED = False`` (tests) switches it off.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING

from lienthong.profiles.tables import table_info
from lienthong.profiles.validator.fields import FieldPlan, plan
from lienthong.profiles.validator.formats import memo_of
from lienthong.profiles.validator.grammar import accepted_codes, format_pattern

if TYPE_CHECKING:
    from lienthong.profiles.validator._cscan import Field, TableSpec


def _load() -> ModuleType | None:
    if os.environ.get("LIENTHONG_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from lienthong.profiles.validator import _cscan
    except ImportError:
        return None
    # A build left from older sources (an in-place .so) is ignored rather than half used.
    return _cscan if getattr(_cscan, "INTERFACE", None) == _INTERFACE else None


_INTERFACE = 4
"""``CSCAN_INTERFACE`` of ``_cscan.c``."""


_cscan = _load()
AVAILABLE = _cscan is not None
"""Whether the extension was built and imported."""
COMPILED = AVAILABLE
"""Whether :func:`.scan.scan_table` uses it (tests set this to compare both implementations)."""

_NUMBERS = {"integer": 0, "decimal": -1, "decimal2": 2, "decimal3": 3}
_DATES = {"date8", "datetime12", "birth12", "datetime12or8", "date8list"}
_PATTERN_FIRST = {"cccd", "bhyt", "bhytlist", "bhxh10"}
"""Formats of a person's identifiers: their values rarely repeat, so the checker's memo rarely
hits (3-7 µs a miss); the grammar's one-sided pattern of the format (~0.5 µs) is tried first.
The scanner calls the pattern's ``fullmatch``, then looks the value up in the checker's memo
(:func:`.formats.memo_of`), and only then calls the checker: no Python frame for a value the
pattern or the memo vouches for."""


def _field(fp: FieldPlan, required: bool) -> Field:
    """(tag, max_length, required, kind, places, codes, checker, memo, pattern) of one field for
    ``TableSpec``. The tag is interned: it is the record dict's key, and the rules look their
    fields up by literals, which are interned (an equal but distinct key costs a string
    comparison per lookup)."""
    assert _cscan is not None
    name = sys.intern(fp.name)
    if fp.codes is not None:
        # The grammar's codes (a code with markup or surrounding blanks could not be read here anyway).
        codes = frozenset(accepted_codes(fp))
        return (name, fp.max_length, required, _cscan.CODES, 0, codes, None, None, None)
    if fp.format in _NUMBERS:
        return (name, fp.max_length, required, _cscan.NUMBER, _NUMBERS[fp.format], None, None, None, None)
    if fp.format in _DATES:
        kind = getattr(_cscan, fp.format.upper())
        return (name, fp.max_length, required, kind, 0, None, None, None, None)
    if fp.check is not None:
        pattern = format_pattern(fp.format) if fp.format in _PATTERN_FIRST else None
        fullmatch = re.compile(pattern).fullmatch if pattern is not None else None
        memo = memo_of(fp.check)
        return (name, fp.max_length, required, _cscan.CHECK, 0, None, fp.check, memo, fullmatch)
    return (name, fp.max_length, required, _cscan.FREE, 0, None, None, None, None)


def table_spec(kind: str, version: str, note_type: type[tuple[str | bytes, str, bool]]) -> TableSpec:
    """The field rules of table ``kind`` in ``version`` compiled for :func:`scan` (records it
    accepts come back as ``note_type(body, version, True)``, the body as UTF-8 bytes)."""
    assert _cscan is not None
    p = plan(kind, version)
    info = table_info()[kind]
    required = set(p.required)
    fields = [_field(fp, name in required) for name, fp in p.fields.items()]
    spec: TableSpec = _cscan.TableSpec(info.root, info.list_tag, info.record_tag, version, note_type, fields)
    return spec


def _not_built(spec: TableSpec, data: bytes) -> ScanResult:
    raise RuntimeError("the compiled record scanner is not built")


ScanResult = tuple[list[dict[str, str] | None], list[object]] | None
"""(rows, notes): an accepted record has its dict and Note, a record the scanner is not sure of
None and its text; None for a document it is not sure of."""
scan: Callable[[TableSpec, bytes], ScanResult] = _cscan.scan if _cscan is not None else _not_built
"""``_cscan.scan(spec, data)`` itself (no Python frame in between)."""

EnvelopeResult = tuple[str, str, str, list[tuple[str, bytes]], int, int] | None
"""(facility, ngaylap, declared, files, start, end): ``data[start:end]`` is the signature element,
which must parse on its own (start -1: an empty one); None when not sure."""


def _no_envelope(data: bytes, root: str, signature: str, largest: int) -> EnvelopeResult:
    raise RuntimeError("the compiled record scanner is not built")


envelope: Callable[[bytes, str, str, int], EnvelopeResult] = (
    _cscan.envelope if _cscan is not None else _no_envelope
)
"""``_cscan.envelope(data, root, signature, largest)``: :func:`.envelope.scan_envelope`'s shape read
in C."""


def _never(*args: object) -> int | None:
    return None


cents: Callable[[str], int | None] = _cscan.cents if _cscan is not None else _never
"""``_cscan.cents(text)``: the amount ``text`` (``-?[0-9]+(\\.[0-9]+)?``) in whole cents; None when it
is not written so, is not a whole number of cents or is beyond 64 bits."""
product_cents: Callable[[tuple[str, ...], int], int | None] = (
    _cscan.product_cents if _cscan is not None else _never
)
"""``_cscan.product_cents(factors, hundreds)``: round(product of the amounts / 100**hundreds, 2),
half away from zero (``ROUND_HALF_UP``), in whole cents; None when a factor is not a plain number or
the product needs more than 128 bits."""
sum_cents: Callable[[list[dict[str, str]], str], int | None] = (
    _cscan.sum_cents if _cscan is not None else _never
)
"""``_cscan.sum_cents(records, field)``: the sum of ``field``'s :func:`cents` over the records; None
when one of them has none."""

Spans = tuple[int, int, int, int] | None


def _no_spans(data: bytes, holder: str, sig_open: bytes, sig_close: bytes) -> Spans:
    return None


canonical_spans: Callable[[bytes, str, bytes, bytes], Spans] = (
    _cscan.canonical_spans if _cscan is not None else _no_spans
)
"""``_cscan.canonical_spans(data, holder, sig_open, sig_close)``: (root_start, root_end, sig_start,
sig_end) when ``data`` is in the subset whose document element is its own canonical form
(``_cscan_c14n.h``), with one signature element, the child of the first ``holder``, written from
``sig_open`` to the first ``sig_close``; None otherwise (and always without the extension)."""
