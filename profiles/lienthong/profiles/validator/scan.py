"""Reading an inner table document (XML1 ... XML15) without building an element tree.

lxml parses a 1.7 KB table in about 15 µs on the reference machine, and turning its elements into
dicts costs as much again (a Python proxy per element). The tables are flat: a root, maybe a list
of records, and records of ``<FIELD>text</FIELD>``. :func:`scan_table` reads that shape with
regular expressions run in C and returns what the lxml path returns (records as dicts of stripped
text, in document order), checking each record's fields with :mod:`.grammar` on the way.

It accepts a strict subset of XML 1.0: UTF-8, an optional standard declaration, no DOCTYPE,
comments, processing instructions, CDATA, attributes or character references, the predefined
entities only, values without surrounding white space or CR, records under the table's list and
record tags (:func:`lienthong.profiles.tables.table_info`). For anything else it returns None and
the caller parses with lxml, which also says what is wrong. The tests hold the two readers to the
same answer on the corpus and on fuzzed documents.

When the C extension is built, the document is first read by the compiled record scanner
(:mod:`.native`), which reads the same subset (or less) in one pass and checks the field rules
itself; only the records it is not sure of are read here with the grammar, and a document it is
not sure of entirely. The answer is the same either way (``tests/profiles/test_cscan.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, NamedTuple, cast

from lienthong.profiles.tables import table_info
from lienthong.profiles.validator import native
from lienthong.profiles.validator.fields import check_fields, plan
from lienthong.profiles.validator.grammar import (
    NAME,
    STRIPPED_END,
    STRIPPED_START,
    TEXT_OR_ENTITY,
    WS,
    RecordGrammar,
    record_grammar,
    unescape,
)

if TYPE_CHECKING:
    from lienthong.profiles.validator._cscan import TableSpec

_HEAD = (
    "\ufeff?"
    r"(?:<\?xml[ \t\r\n]++version=(?P<q1>[\"'])1\.0(?P=q1)"
    r"(?:[ \t\r\n]++encoding=(?P<q2>[\"'])(?:utf|UTF)-8(?P=q2))?"
    r"(?:[ \t\r\n]++standalone=(?P<q3>[\"'])(?:yes|no)(?P=q3))?"
    r"[ \t\r\n]*+\?>)?"
    f"{WS}*+"
)
_RECORD = re.compile(
    f"(?:{WS}*+<(?>(?P<f>{NAME})(?:>{STRIPPED_START}{TEXT_OR_ENTITY}*+{STRIPPED_END}</(?P=f)|{WS}*+/))>)*+"
    f"{WS}*+"
)
"""Any fields with well-formed values: which fields and values is the grammar's business."""
_PAIR = re.compile(f"<({NAME})(?:>([^<]*+)</\\1|{WS}*+/)>")
_BLANK = " \t\r\n"


@dataclass(frozen=True, slots=True)
class _Shape:
    head: re.Pattern[str]
    """Declaration, root and list opening tags."""
    record_open: str
    record_close: str
    tail: re.Pattern[str]
    """What follows the last record (or the single record's fields)."""


@cache
def _shape(kind: str) -> _Shape:
    info = table_info()[kind]
    if info.list_tag:
        return _Shape(
            re.compile(f"{_HEAD}<{info.root}>{WS}*+<{info.list_tag}>{WS}*+"),
            f"<{info.record_tag}>",
            f"</{info.record_tag}>",
            re.compile(f"{WS}*+</{info.list_tag}>{WS}*+</{info.root}>{WS}*+"),
        )
    return _Shape(re.compile(f"{_HEAD}<{info.root}>"), "", f"</{info.root}>", re.compile(f"{WS}*+"))


class Note(NamedTuple):
    """What the scanner saw of one record."""

    body: str | bytes
    """The record's XML text, between its tags (UTF-8 bytes from the compiled scanner, which
    decodes it only when asked: it is read again only to judge another version)."""
    version: str
    """The version whose field rules it was checked against."""
    passed: bool
    """Whether it kept them all (so the plan's detailed check would find nothing)."""

    @property
    def text(self) -> str:
        """The record's XML text, between its tags."""
        return self.body if isinstance(self.body, str) else self.body.decode("utf-8")


Scanned = tuple[list[dict[str, str]], list[Note]]


def scan_table(kind: str, data: bytes, version: str) -> Scanned | None:
    """The records of an inner document of table ``kind``, each checked against the field rules of
    ``version``; None when the document is outside the subset read here (use lxml instead).

    With the compiled scanner (:mod:`.native`) the document is read in C and only the records it
    is not sure of are read here; without it, or for a document it is not sure of, all in Python.
    Either way the answer is the same."""
    if native.COMPILED:
        spec = _SPECS.get(version, _NO_SPECS).get(kind)
        scanned = native.scan(spec or _spec(kind, version), data)
        if scanned is not None:
            rows, notes = scanned
            return _finish(kind, version, rows, notes) if None in rows else scanned  # type: ignore[return-value]
    return _scan_python(kind, data, version)


_SPECS: dict[str, dict[str, TableSpec]] = {}
"""Version -> table -> its compiled field rules (two plain lookups: a cache keyed by the pair
built and compared a tuple per table read)."""
_NO_SPECS: dict[str, TableSpec] = {}


def _spec(kind: str, version: str) -> TableSpec:
    spec = _SPECS.setdefault(version, {}).get(kind)
    if spec is None:
        spec = _SPECS[version][kind] = native.table_spec(kind, version, Note)
    return spec


def _finish(
    kind: str, version: str, rows: list[dict[str, str] | None], notes: list[object]
) -> Scanned | None:
    """The compiled scanner's answer with the records it left (None, and their text) read by the
    well-formedness pattern and held to the plan's field checks (``passed`` when they find
    nothing: what the grammar would vouch for, and more). The records it leaves are rare, mostly
    ones with a value it doubts: compiling the table's grammar for them cost a run's first such
    record more than a thousand records' checks (36 ms for XML1, most of an audit's warm-up)."""
    for at, row in enumerate(rows):
        if row is None:
            body = notes[at]
            assert isinstance(body, str)
            read = _read_plain(body, version)
            if read is None:
                return None
            record, _ = read
            found: list[tuple[str, str, str, str, int]] = []
            check_fields(plan(kind, version), record, at + 1, found)
            rows[at], notes[at] = record, Note(body, version, not found)
    return cast("list[dict[str, str]]", rows), cast("list[Note]", notes)


def _read(grammar: RecordGrammar, body: str, version: str) -> tuple[dict[str, str], Note] | None:
    """One record's text read by the grammar (and by the well-formedness pattern when it does not
    keep the field rules); None when it is not a record of the subset."""
    record = grammar.read(body)
    if record is not None:
        return record, Note(body, version, True)
    return _read_plain(body, version)


def _read_plain(body: str, version: str) -> tuple[dict[str, str], Note] | None:
    """One record's text read by the well-formedness pattern, its fields left to the plan's
    checks; None when it is not a record of the subset."""
    if _RECORD.fullmatch(body) is None:
        return None
    return {tag: unescape(value) for tag, value in _PAIR.findall(body)}, Note(body, version, False)


def _scan_python(kind: str, data: bytes, version: str) -> Scanned | None:
    """:func:`scan_table` in Python."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    shape = _shape(kind)
    head = shape.head.match(text)
    if head is None:
        return None
    close = shape.record_close
    if shape.record_open:
        chunks = text[head.end() :].split(shape.record_open)
        if chunks[0]:  # white space after the list tag was taken by the head
            return None
        last = len(chunks) - 1
        if last == 0:
            return None  # no record: the parser reads an empty list
        bodies = []
        for at, chunk in enumerate(chunks[1:], start=1):
            end = chunk.find(close)
            if end < 0:
                return None
            rest = chunk[end + len(close) :]
            if at == last:
                if shape.tail.fullmatch(rest) is None:
                    return None
            elif rest.strip(_BLANK):
                return None
            bodies.append(chunk[:end])
    else:
        end = text.rfind(close)
        if end < head.end() or shape.tail.fullmatch(text, end + len(close)) is None:
            return None
        bodies = [text[head.end() : end]]
    grammar = record_grammar(kind, version)
    rows = []
    notes: list[Note] = []
    for body in bodies:
        read = _read(grammar, body, version)
        if read is None:
            return None
        rows.append(read[0])
        notes.append(read[1])
    return rows, notes
