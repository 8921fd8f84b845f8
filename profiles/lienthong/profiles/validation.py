"""Validation of XML 130 check-ins and dossiers against the catalogue.

Every problem is a :class:`Violation` naming the table, record, field, value, rule and the
requirement it breaks, so the gateway, the conformance checks and ``lienthong validate`` all
report the same thing in the same words. Dossiers are judged against one profile version
(``qd130``, ``qd4750``, ``qd3176``): the one the caller declares, or with ``version="auto"`` the one
the dossier implies (:mod:`lienthong.profiles.versions`); :attr:`Dossier.version` says which.

On the hot path the envelope (:mod:`.validator.envelope`) and the inner tables
(:mod:`.validator.scan`) are read without an element tree, the fields checked by the compiled record
scanner (a C extension, :mod:`.validator.native`) or by patterns compiled once per (version, table)
(:mod:`.validator.grammar`); whatever those readers do not accept goes through lxml and the plans
(:mod:`.validator.fields`), which say what is wrong. Violation objects are
only built for problems.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Context, getcontext, localcontext, setcontext
from typing import cast

from lxml import etree

from lienthong.profiles import xml130
from lienthong.profiles.base64_strict import b64decode_strict
from lienthong.profiles.codelists import codelist
from lienthong.profiles.tables import DEFAULT_VERSION, table_info
from lienthong.profiles.tables import tables as version_tables
from lienthong.profiles.validator.dossier_rules import COUNTS, DOSSIER_RULES, NEEDS
from lienthong.profiles.validator.encoding import encoding_problem
from lienthong.profiles.validator.envelope import LARGEST, scan_envelope, signature_end
from lienthong.profiles.validator.fields import check_fields, plan
from lienthong.profiles.validator.formats import MONEY_CONTEXT
from lienthong.profiles.validator.grammar import record_grammar
from lienthong.profiles.validator.limits import (
    MAX_FILEHOSO,
    MAX_RECORDS,
    MAX_TAGS,
    SMALLEST_TAG,
    count_over,
    too_many,
)
from lienthong.profiles.validator.record_rules import RECORD_RULES
from lienthong.profiles.validator.scan import Note, Scanned, scan_table
from lienthong.profiles.versions import (
    AUTO,
    check_version,
    implied_checkin_version,
    implied_dossier_version,
)

Record = Mapping[str, str]

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_PLAIN_CONTENT = re.compile(rb"[A-Za-z0-9+/= \t\r\n]*")
"""What the envelope readers may leave unread in a FILEHOSO of an unknown kind: text that cannot
make the document ill-formed (``]]>``, a reference, markup or a byte that is not UTF-8 can)."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule, located precisely."""

    requirement: str
    table: str
    field: str
    value: str
    rule: str
    record: int = 1
    consequence_of: str = ""
    """Set on a finding that follows from another one (``"ENV-03 XML1"``: the requirement and
    table of the cause, e.g. an XML1 that could not be read): one root cause counts as one
    error, its follow-ons are shown as its consequences."""

    def message(self) -> str:
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        text = (
            f"{self.table} record {self.record}, field {self.field} = {shown!r}: "
            f"{self.rule} [{self.requirement}]"
        )
        return f"{text} (consequence of {self.consequence_of})" if self.consequence_of else text


def root_causes(violations: Iterable[Violation]) -> list[Violation]:
    """The violations that are not consequences of another: the errors to count."""
    return [v for v in violations if not v.consequence_of]


@dataclass(slots=True, init=False)
class Dossier:
    """A parsed GIAMDINHHS envelope: its facility and the records of each table."""

    facility: str
    ngaylap: str
    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    version: str = DEFAULT_VERSION
    """The profile version the dossier was judged against."""

    def __init__(
        self,
        facility: str,
        ngaylap: str,
        tables: dict[str, list[dict[str, str]]] | None = None,
        version: str = DEFAULT_VERSION,
    ) -> None:
        # Written out (init=False): mypyc compiles a hand-written __init__, while the one that
        # dataclasses generates runs interpreted (hatch_build.COMPILED).
        self.facility = facility
        self.ngaylap = ngaylap
        self.tables = {} if tables is None else tables
        self.version = version

    @property
    def ma_lk(self) -> str:
        records = self.tables.get("XML1") or [{}]
        return records[0].get("MA_LK", "")


def _child(parent: etree._Element, tag: str) -> etree._Element | None:
    """``parent.find(tag)`` for a plain tag (the first such child), without ElementPath."""
    return next(parent.iterchildren(tag), None)


def _text(node: etree._Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


def not_utf8(data: bytes, *, what: str, requirement: str) -> list[Violation]:
    """The violation of a document that is not UTF-8 by its first bytes (a UTF-16 byte order
    mark, another encoding declared: :mod:`.validator.encoding`), or none."""
    problem = encoding_problem(data)
    if problem is None:
        return []
    return [Violation(requirement, what, "(document)", problem[0], problem[1])]


def parse_xml(data: bytes, *, what: str, requirement: str) -> tuple[etree._Element | None, list[Violation]]:
    """Parse UTF-8 XML bytes, or explain why they are not UTF-8 XML."""
    refused = not_utf8(data, what=what, requirement=requirement)
    if refused:
        return None, refused
    try:
        return etree.fromstring(data, _PARSER), []
    except etree.XMLSyntaxError as exc:
        return None, [
            Violation(
                requirement,
                what,
                "(document)",
                data[:40].decode("utf-8", "replace"),
                f"is not well-formed UTF-8 XML: {exc.msg}",
            )
        ]


def parse_document(data: bytes) -> etree._Element | None:
    """``data`` parsed as the validator parses it, or None when it is not well-formed XML.

    Give it as ``root`` to :func:`validate_dossier` or :func:`validate_checkin` when another reader
    (the gateway's signature check) needs the same tree: the document is then parsed once. The
    validators only read the tree."""
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return None


_COUNTED_FROM = min(
    (MAX_TAGS + 1) * SMALLEST_TAG,
    (MAX_RECORDS + 1)
    * (
        1
        + min(len(xml130.CHECKIN_RECORD), *(len(t.record_tag) for t in table_info().values() if t.record_tag))
    ),
)
"""The shortest check-in or inner table that :func:`.validator.limits.count_over` counts for a
limit (records of any record tag, or tags): a shorter one is over none, without a call."""


def document_limit(data: bytes, kind: str) -> Violation | None:
    """The first limit of :mod:`.validator.limits` the whole document ``data`` (``checkin`` or
    ``dossier``) is over, or None; checked before it is parsed (the gateway checks it before its
    own parse for the signature)."""
    if kind == "checkin":
        if len(data) < _COUNTED_FROM:
            return None
        record = xml130.CHECKIN_RECORD
        records = count_over(data, b"<" + record.encode(), MAX_RECORDS)
        if records is not None:
            rule = too_many(records, record, MAX_RECORDS, "MAX_RECORDS")
            return Violation("XML0-01", "XML0", record, str(records), rule)
        return _tag_limit(data, "XML0", "XML0-01")
    files = count_over(data, b"<FILEHOSO", MAX_FILEHOSO)
    if files is not None:
        return _too_many_files(files)
    return _tag_limit(data, "GIAMDINHHS", "ENV-01")


def _tag_limit(data: bytes, what: str, requirement: str) -> Violation | None:
    """A violation of ``requirement`` when ``data`` holds more than :data:`MAX_TAGS` tags (counted
    only in documents long enough to hold that many, so most are not counted)."""
    tags = count_over(data, b"<", MAX_TAGS, SMALLEST_TAG)
    if tags is None:
        return None
    return Violation(requirement, what, "(document)", str(tags), too_many(tags, "tags", MAX_TAGS, "MAX_TAGS"))


def _too_many_files(found: int) -> Violation:
    return Violation(
        "ENV-01",
        "GIAMDINHHS",
        "FILEHOSO",
        str(found),
        too_many(found, "FILEHOSO", MAX_FILEHOSO, "MAX_FILEHOSO"),
    )


def _table_limit(kind: str, inner: bytes) -> Violation | None:
    """The first limit an inner table is over (records of its record tag, then tags), or None."""
    if len(inner) < _COUNTED_FROM:
        return None
    spec = table_info().get(kind)
    if spec is not None and spec.record_tag:
        records = count_over(inner, b"<" + spec.record_tag.encode(), MAX_RECORDS)
        if records is not None:
            rule = too_many(records, spec.record_tag, MAX_RECORDS, "MAX_RECORDS")
            return Violation("ENV-03", kind, spec.record_tag, str(records), rule)
    return _tag_limit(inner, kind, "ENV-03")


def _b64decode(content: str) -> bytes:
    """``base64.b64decode(content, validate=True)``, SIMD-fast (:mod:`.base64_strict`; the
    equivalence tests hold it to the standard library's answer)."""
    return b64decode_strict(content)


def _records(parent: etree._Element) -> dict[str, str]:
    return {child.tag: (child.text or "").strip() for child in parent if isinstance(child.tag, str)}


# ---------------------------------------------------------------------------------------------
# Check-in (XML0)


def parse_checkin(
    data: bytes, *, root: etree._Element | None = None
) -> tuple[list[dict[str, str]], list[Violation]]:
    """Records of a check-in file (structure rule XML0-01); ``root``: see :func:`parse_document`."""
    over = document_limit(data, "checkin")
    if over is not None:
        return [], [over]
    if root is not None and (refused := not_utf8(data, what="XML0", requirement="XML0-01")):
        return [], refused
    root, problems = (root, []) if root is not None else parse_xml(data, what="XML0", requirement="XML0-01")
    if root is None:
        return [], problems
    if root.tag != xml130.CHECKIN_ROOT:
        return [], [
            Violation(
                "XML0-01", "XML0", "(root)", str(root.tag), f"root element must be {xml130.CHECKIN_ROOT}"
            )
        ]
    rows = root.findall(f"{xml130.CHECKIN_LIST}/{xml130.CHECKIN_RECORD}")
    if not rows:
        problems.append(
            Violation(
                "XML0-01", "XML0", xml130.CHECKIN_LIST, "", f"must hold at least one {xml130.CHECKIN_RECORD}"
            )
        )
    if root.find(xml130.SIGNATURE_TAG) is None:
        problems.append(
            Violation(
                "XML0-01",
                "XML0",
                xml130.SIGNATURE_TAG,
                "",
                f"the file must end with a {xml130.SIGNATURE_TAG} element",
            )
        )
    return [_records(row) for row in rows], problems


_CHECKIN_LIST_CLOSE = f"</{xml130.CHECKIN_LIST}>".encode()
_CHECKIN_SIGNATURE = re.compile(rb"[ \t\r\n]*+<" + xml130.SIGNATURE_TAG.encode())
_CHECKIN_END = re.compile(rb"[ \t\r\n]*+</" + xml130.CHECKIN_ROOT.encode() + rb">[ \t\r\n]*+")


def _scan_checkin(data: bytes, version: str) -> Scanned | None:
    """The records of a check-in read by the record scanner (:func:`.validator.scan.scan_table`,
    the XML0 table checked against ``version``'s field rules), or None when the document is outside
    the subset it reads (then lxml parses it, which also says what is wrong).

    The subset: the scanner's XML0 document (root, one list, at least one record) with the
    signature element as the root's last child right after the list, read as the envelope's
    (:func:`.validator.envelope.signature_end`: empty, or a subtree that parses on its own). The
    document without that element is the table the scanner reads; with it, the document is
    well-formed exactly when lxml parses it, and lxml's walk (:func:`parse_checkin`) finds the
    same records, the root, the records and the signature, so no structure rule is broken."""
    if len(data) > LARGEST:
        return None
    close = data.rfind(_CHECKIN_LIST_CLOSE)
    if close < 0:
        return None
    opened = _CHECKIN_SIGNATURE.match(data, close + len(_CHECKIN_LIST_CLOSE))
    if opened is None:
        return None
    end = signature_end(data, opened.end())
    if end is None or _CHECKIN_END.fullmatch(data, end) is None:
        return None
    start = opened.end() - len(xml130.SIGNATURE_TAG) - 1
    return scan_table("XML0", data[:start] + data[end:], version)


def validate_checkin(
    data: bytes, version: str = DEFAULT_VERSION, *, root: etree._Element | None = None, fast: bool = True
) -> tuple[list[dict[str, str]], list[Violation]]:
    """Parse and fully validate a check-in file against ``version`` (or ``"auto"``); ``root``: ``data``
    already parsed by :func:`parse_document`.

    As for dossiers, the records are read by the record scanner where it can (:func:`_scan_checkin`)
    and a record it found keeping every field rule skips the plan; ``fast=False`` (and a given
    ``root``) takes the lxml path and the plan for every record: the answer is the same
    (``tests/profiles/test_validator_equivalence.py``)."""
    auto = check_version(version) == AUTO
    over = document_limit(data, "checkin") if fast and root is None else None
    scanned = None
    if fast and root is None and over is None:
        scanned = _scan_checkin(data, DEFAULT_VERSION if auto else version)
    notes: Sequence[Note] | None = None
    if scanned is None:
        records, problems = parse_checkin(data, root=root)
    else:
        records, notes = scanned
        problems = []
    judged = implied_checkin_version(records) if auto else version
    found: list[tuple[str, str, str, str, int]] = []
    saved = _enter_money()
    try:
        _judge_records("XML0", records, notes, judged, found)
    finally:
        setcontext(saved)
    if found:
        problems += [Violation(req, "XML0", name, value, text, at) for req, name, value, text, at in found]
    for index, record in enumerate(records, start=1):
        if record.get("STT", "") != (COUNTS[index] if index < len(COUNTS) else str(index)):
            problems.append(
                Violation(
                    "STT-01",
                    "XML0",
                    "STT",
                    record.get("STT", ""),
                    f"must be {index}: STT counts from 1 in the file",
                    index,
                )
            )
            break
    return records, problems


# ---------------------------------------------------------------------------------------------
# Dossier envelope (GIAMDINHHS)


Notes = dict[str, list[Note | None]]
"""Per table, per record: what the scanner saw (None: the table was read by lxml)."""


def parse_dossier(data: bytes) -> tuple[Dossier | None, list[Violation]]:
    """Unwrap the envelope and decode every FILEHOSO (rules ENV-01 to ENV-04)."""
    dossier, problems, _ = _parse_dossier(data, None)
    return dossier, problems


def _parse_dossier(
    data: bytes, scan: str | None, root: etree._Element | None = None, well_formed: bool = False
) -> tuple[Dossier | None, list[Violation], Notes]:
    """:func:`parse_dossier`; with ``scan`` (a version) the envelope and the inner documents are
    read by the scanners where they can be, the records checked against that version's field
    rules. A ``root`` already parsed by the caller (the gateway, for the signature) is walked
    instead of scanning the envelope again; ``well_formed``: see :func:`validate_dossier`."""
    over = _tag_limit(data, "GIAMDINHHS", "ENV-01")
    if over is not None:
        return None, [over], {}
    if scan is not None and root is None:
        scanned = _parse_scanned(data, scan, well_formed)
        if scanned is not None:
            return scanned
    notes: Notes = {}
    files = count_over(data, b"<FILEHOSO", MAX_FILEHOSO)
    if files is not None:
        return None, [_too_many_files(files)], notes
    if root is not None and (refused := not_utf8(data, what="GIAMDINHHS", requirement="ENV-01")):
        return None, refused, notes
    root, problems = (
        (root, []) if root is not None else parse_xml(data, what="GIAMDINHHS", requirement="ENV-01")
    )
    if root is None:
        return None, problems, notes
    if root.tag != xml130.ENVELOPE_ROOT:
        return (
            None,
            [
                Violation(
                    "ENV-01",
                    "GIAMDINHHS",
                    "(root)",
                    str(root.tag),
                    f"root element must be {xml130.ENVELOPE_ROOT}",
                )
            ],
            notes,
        )
    unit, info = _child(root, "THONGTINDONVI"), _child(root, "THONGTINHOSO")
    facility_node = _child(unit, "MACSKCB") if unit is not None else None
    parts = {
        "THONGTINDONVI/MACSKCB": facility_node,
        "THONGTINHOSO/NGAYLAP": _child(info, "NGAYLAP") if info is not None else None,
        "THONGTINHOSO/SOLUONGHOSO": _child(info, "SOLUONGHOSO") if info is not None else None,
        "THONGTINHOSO/DANHSACHHOSO": _child(info, "DANHSACHHOSO") if info is not None else None,
        xml130.SIGNATURE_TAG: _child(root, xml130.SIGNATURE_TAG),
    }
    for path, node in parts.items():
        if node is None:
            problems.append(Violation("ENV-01", "GIAMDINHHS", path, "", "element is missing"))
    if problems:
        return None, problems, notes
    dossier = Dossier(_text(facility_node), _text(parts["THONGTINHOSO/NGAYLAP"]))
    listing = parts["THONGTINHOSO/DANHSACHHOSO"]
    assert listing is not None
    hosos = list(listing.iterchildren("HOSO"))
    declared = _text(parts["THONGTINHOSO/SOLUONGHOSO"])
    if len(hosos) != 1:
        problems.append(
            Violation(
                "ENV-04",
                "GIAMDINHHS",
                "DANHSACHHOSO/HOSO",
                str(len(hosos)),
                "a file must carry exactly one HOSO (one KCB record)",
            )
        )
    if declared != str(len(hosos)):
        problems.append(_declared_count(declared, len(hosos)))
    allowed = codelist("LOAIHOSO")
    for hoso in hosos[:1]:
        for index, filehoso in enumerate(hoso.iterchildren("FILEHOSO"), start=1):
            kind = _text(_child(filehoso, "LOAIHOSO"))
            if kind not in allowed:
                problems.append(_unknown_kind(kind, index, allowed))
                continue
            content = _text(_child(filehoso, "NOIDUNGFILE"))
            try:
                inner = _b64decode(content) if scan is not None else base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError):
                problems.append(
                    Violation("ENV-03", kind, "NOIDUNGFILE", content, "is not valid base64", record=index)
                )
                continue
            _read_table(kind, inner, scan, dossier, problems, notes, _defined(scan) if scan else frozenset())
    _require_xml1(dossier, problems)
    return dossier, problems, notes


def _parse_scanned(
    data: bytes, scan: str, well_formed: bool = False
) -> tuple[Dossier | None, list[Violation], Notes] | None:
    """:func:`_parse_dossier` for an envelope :func:`.validator.envelope.scan_envelope` reads and
    whose contents are strict base64; None for any other (the lxml walk then answers)."""
    envelope = scan_envelope(data, well_formed=well_formed)
    if envelope is None:
        return None
    if len(envelope.files) > MAX_FILEHOSO:
        return None, [_too_many_files(len(envelope.files))], {}
    allowed = codelist("LOAIHOSO")
    defined = _defined(scan)
    problems: list[Violation] = []
    notes: Notes = {}
    dossier = Dossier(envelope.facility, envelope.ngaylap)
    if envelope.declared != "1":
        problems.append(_declared_count(envelope.declared, 1))
    # One pass: a content that is not decoded (so not vouched for) sends the whole document to
    # lxml, and what was read before it is dropped with the rest.
    for index, (kind, content) in enumerate(envelope.files, start=1):
        if kind not in allowed:
            if _PLAIN_CONTENT.fullmatch(content) is None:
                return None
            problems.append(_unknown_kind(kind, index, allowed))
            continue
        try:
            inner = b64decode_strict(content)
        except (binascii.Error, ValueError):
            return None
        _read_table(kind, inner, scan, dossier, problems, notes, defined)
    _require_xml1(dossier, problems)
    return dossier, problems, notes


def _unknown_kind(kind: str, index: int, allowed: Iterable[str]) -> Violation:
    return Violation(
        "ENV-02",
        "GIAMDINHHS",
        "LOAIHOSO",
        kind,
        f"FILEHOSO {index}: must be one of {', '.join(allowed)}",
        record=index,
    )


def _declared_count(declared: str, count: int) -> Violation:
    return Violation(
        "ENV-04", "GIAMDINHHS", "SOLUONGHOSO", declared, f"must equal the number of HOSO ({count})"
    )


def _read_table(
    kind: str,
    inner: bytes,
    scan: str | None,
    dossier: Dossier,
    problems: list[Violation],
    notes: Notes,
    defined: frozenset[str] = frozenset(),
) -> None:
    """Add the records of one decoded inner document to ``dossier`` (by the scanner where it can
    read them, else by lxml, which also reports what is wrong); ``defined``: the tables of
    ``scan``, which the scanner reads."""
    if len(inner) >= _COUNTED_FROM:
        over = _table_limit(kind, inner)
        if over is not None:
            problems.append(over)
            return
    # A table the version lacks is read by lxml: the table rules then report it (TAG-01).
    scanned = scan_table(kind, inner, scan) if scan is not None and kind in defined else None
    if scanned is not None:
        if kind in dossier.tables:  # a second FILEHOSO of the kind
            dossier.tables[kind].extend(scanned[0])
            notes[kind].extend(scanned[1])
        else:  # the scanner's fresh lists, taken as they are
            dossier.tables[kind] = scanned[0]
            notes[kind] = cast("list[Note | None]", scanned[1])
        return
    table_root, inner_problems = parse_xml(inner, what=kind, requirement="ENV-03")
    problems += inner_problems
    if table_root is None:
        return
    spec = table_info()[kind]
    if table_root.tag != spec.root:
        problems.append(
            Violation(
                "ENV-03",
                kind,
                "(root)",
                str(table_root.tag),
                f"root element of {kind} must be {spec.root}",
            )
        )
        return
    if spec.list_tag:
        listing_node = _child(table_root, spec.list_tag)
        rows = [] if listing_node is None else [row for row in listing_node if isinstance(row.tag, str)]
    else:
        rows = [table_root]
    dossier.tables.setdefault(kind, []).extend(_records(row) for row in rows)
    notes.setdefault(kind, []).extend([None] * len(rows))


def _require_xml1(dossier: Dossier, problems: list[Violation]) -> None:
    if "XML1" not in dossier.tables and not any(p.requirement in {"ENV-02", "ENV-03"} for p in problems):
        problems.append(Violation("ENV-01", "GIAMDINHHS", "FILEHOSO", "", "a HOSO must include its XML1"))


def validate_dossier(
    data: bytes,
    version: str = DEFAULT_VERSION,
    *,
    fast: bool = True,
    root: etree._Element | None = None,
    well_formed: bool = False,
) -> tuple[Dossier | None, list[Violation]]:
    """Parse the envelope and validate every table and the cross-table rules against ``version``
    (``qd130``, ``qd4750``, ``qd3176``, or ``"auto"`` for the version the dossier implies).

    ``fast=False`` takes the detailed path only (lxml for every table, every field through the
    plan): the answer is the same, which the equivalence tests check; it exists for them and for
    the benchmark. ``root``: ``data`` already parsed by :func:`parse_document`. ``well_formed``:
    the caller has established that ``data`` is well-formed XML (the gateway, when
    :func:`.signature.canonical_verifies` took it), so the envelope reader skips its own parse
    of the signature element; the answer is the same."""
    scan = None
    if fast:
        scan = DEFAULT_VERSION if check_version(version) == AUTO else version
    dossier, problems, notes = _parse_dossier(data, scan, root, well_formed)
    if dossier is None:
        return None, problems
    problems += _validate_tables(dossier.tables, version, dossier, notes if fast else None)
    if problems:
        problems = _mark_consequences(problems)
    xml1 = dossier.tables.get("XML1") or []
    if xml1 and dossier.facility != xml1[0].get("MA_CSKCB", ""):
        problems.append(
            Violation(
                "ENV-05",
                "GIAMDINHHS",
                "MACSKCB",
                dossier.facility,
                f"must equal MA_CSKCB of XML1 ({xml1[0].get('MA_CSKCB', '')})",
            )
        )
    return dossier, problems


def _mark_consequences(problems: list[Violation]) -> list[Violation]:
    """``problems`` with each cross-table finding that reads a table which could not be read
    (ENV-03: bad base64, not UTF-8 XML, a wrong root) marked as a consequence of that cause
    (:data:`.validator.dossier_rules.NEEDS` says which tables each finding reads)."""
    unread: dict[str, Violation] = {}
    for v in problems:
        if v.requirement == "ENV-03":
            unread.setdefault(v.table, v)
    if not unread:
        return problems
    marked = []
    for v in problems:
        cause = next((unread[t] for t in NEEDS.get(v.requirement, ()) if t in unread), None)
        if cause is not None and not v.consequence_of:
            v = replace(v, consequence_of=f"{cause.requirement} {cause.table}")
        marked.append(v)
    return marked


def validate_tables(
    tables: dict[str, list[dict[str, str]]], version: str = DEFAULT_VERSION, *, dossier: Dossier | None = None
) -> list[Violation]:
    """Field, record and cross-table rules over already-parsed tables (LOAIHOSO -> records)."""
    return _validate_tables(tables, version, dossier, None)


# The record and dossier rules run in MONEY_CONTEXT, where every amount the fields allow is exact.
# Their arithmetic can still fail on numbers far beyond their fields' sizes (hundreds of digits):
# such a rule then reports nothing (ArithmeticError below), the field check having reported the
# value (never a traceback for a sender's mistake).


_MONEY = threading.local()


def _enter_money() -> Context:
    """Make this thread's own copy of MONEY_CONTEXT the decimal context; the one it replaces, to
    be restored with ``setcontext``. Like ``localcontext(MONEY_CONTEXT)``, which copies the
    context on every call (twice the cost, asked twice a dossier): the copy made once per thread
    only gathers flags, which nothing reads, and its settings and traps never change."""
    saved = getcontext()
    money = getattr(_MONEY, "context", None)
    if money is None:
        money = _MONEY.context = MONEY_CONTEXT.copy()
    setcontext(money)
    return saved


def _validate_tables(
    tables: dict[str, list[dict[str, str]]], version: str, dossier: Dossier | None, notes: Notes | None
) -> list[Violation]:
    saved = _enter_money()
    try:
        return _judge_tables(tables, version, dossier, notes)
    finally:
        setcontext(saved)


def _judge_tables(
    tables: dict[str, list[dict[str, str]]], version: str, dossier: Dossier | None, notes: Notes | None
) -> list[Violation]:
    judged = implied_dossier_version(tables) if check_version(version) == AUTO else version
    if dossier is not None:
        dossier.version = judged
    problems: list[Violation] = []
    defined = _defined(judged)
    for kind, records in tables.items():
        if kind not in defined:
            problems.append(
                Violation("TAG-01", kind, "(table)", "", f"{kind} is not a table of the {judged} profile")
            )
            continue
        found_here: list[tuple[str, str, str, str, int]] = []
        _judge_records(kind, records, notes.get(kind) if notes is not None else None, judged, found_here)
        if found_here:
            problems += [Violation(r, kind, n, v, t, i) for r, n, v, t, i in found_here]
    found: list[tuple[str, str, str, str, str, int]] = []
    for dossier_rule in DOSSIER_RULES:
        try:
            dossier_rule(tables, judged, found)
        except ArithmeticError:  # see the note above _validate_tables
            continue
    problems += [
        Violation(req, kind, name, value, text, index) for req, kind, name, value, text, index in found
    ]
    return problems


def _judge_records(
    kind: str,
    records: list[dict[str, str]],
    notes: Sequence[Note | None] | None,
    version: str,
    found: list[tuple[str, str, str, str, int]],
) -> None:
    """Append what the records of table ``kind`` break: the field rules of ``version`` (for a
    record the scanner did not find keeping them all: its ``notes``, None when read by lxml),
    then the table's record rules, record by record (in MONEY_CONTEXT: see above)."""
    rules = RECORD_RULES.get(kind, ())
    for index, record in enumerate(records, start=1):
        note = notes[index - 1] if notes is not None else None
        # A record the scanner found keeping every field rule needs no plan: it would add nothing.
        if note is None or not (
            note.passed if note.version == version else _fields_pass(kind, version, note)
        ):
            check_fields(plan(kind, version), record, index, found)
        for record_rule in rules:
            try:
                record_rule(record, index, found)
            except ArithmeticError:  # see the note above _validate_tables
                continue


_DEFINED: dict[str, frozenset[str]] = {}


def _defined(version: str) -> frozenset[str]:
    """The tables of ``version`` (:func:`.tables.has_table` as a set, made once per version)."""
    defined = _DEFINED.get(version)
    if defined is None:
        defined = _DEFINED[version] = frozenset(version_tables(version))
    return defined


def _fields_pass(kind: str, version: str, note: Note) -> bool:
    """Whether the record of ``note`` keeps every field rule of ``version``."""
    if note.version == version:
        return note.passed
    return record_grammar(kind, version).read(note.text) is not None


# ---------------------------------------------------------------------------------------------
# Records


def validate_record(
    kind: str, record: Record, index: int = 1, version: str = DEFAULT_VERSION, *, fields: bool = True
) -> list[Violation]:
    """Field rules of the profile table, then the table's own cross-field rules (``fields=False``:
    the record is known to keep every field rule, which are then not checked again)."""
    found: list[tuple[str, str, str, str, int]] = []
    row = record if isinstance(record, dict) else dict(record)
    if fields:
        check_fields(plan(kind, version), row, index, found)
    with localcontext(MONEY_CONTEXT):
        for record_rule in RECORD_RULES.get(kind, ()):
            try:
                record_rule(row, index, found)
            except ArithmeticError:  # see the note above _validate_tables
                continue
    return [Violation(req, kind, name, value, text, at) for req, name, value, text, at in found]
