"""The field plans (:mod:`.fields`) compiled into regular expressions over a record's XML text.

:func:`record_grammar` turns the plan of one table of one profile version into a pattern that
matches the text between a record's tags (``<MA_LK>..</MA_LK> <STT>1</STT> ...``) when every
field rule of the plan holds: the tag is a field of the table, the value is within its maximum
size, has its format (dates are checked against the calendar, leap years included), is a code of
its list, and a required field is not empty. It is generated from the plan, never written by hand,
and the regular-expression engine runs it in C, in any order of the fields.
:meth:`RecordGrammar.read` also learns the field orders of accepted records and compiles each
into a positional pattern that checks and captures the values in one match.

It is one-sided: what it accepts, :func:`.fields.check_fields` accepts (the equivalence tests
hold it to that); what it refuses goes through ``check_fields``, which says why. Two things stay
in Python, on the record's dict: the required fields being present
(:attr:`RecordGrammar.required`), and the formats whose rule is a lookup in a large list (ICD-10),
which run the plan's own memoised checker (:attr:`RecordGrammar.post_checks`). A value with
surrounding white space or CR, an unknown format or a character reference simply goes to the
detailed path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import compress, groupby, repeat
from operator import is_not

from lienthong.profiles.codelists import birth_provinces
from lienthong.profiles.identifiers import BENEFIT_DIGITS, BHYT_GROUPS, bhyt_province_codes
from lienthong.profiles.validator.fields import FieldPlan, plan
from lienthong.profiles.validator.formats import Checker

_INVALID = r"<>&\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff"
"""Never in a value read here: markup, the characters XML 1.0 forbids, and CR (which an XML parser
turns into LF: a value holding one goes to the parser)."""
TEXT = f"[^{_INVALID}]"
"""A character of a text value."""
ENTITY = "&(?:lt|gt|amp|quot|apos);"
"""The predefined entities; other references (``&#10;``) go to the XML parser."""
TEXT_OR_ENTITY = f"(?:{TEXT}|{ENTITY})"
STRIPPED_START = r"(?!\s)"
STRIPPED_END = r"(?<!\s)"
r"""No white space at either end of a value (``\s`` and ``str.strip()`` share CPython's table)."""
WS = "[ \t\r\n]"
NAME = "[A-Z_][A-Z0-9_]*+"
"""The field tags of the tables (upper-case ASCII; the profiles are checked against it)."""

_D8 = (
    "(?:[0-9]{4}(?:(?:0[1-9]|1[0-2])(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])(?:29|30)"
    "|(?:0[13578]|1[02])31)"
    "|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[048]|[2468][048]|[13579][26])00)0229)"
)
"""A calendar date yyyymmdd (Gregorian leap years, as :func:`.formats.valid_date8`)."""
_HM = "(?:[01][0-9]|2[0-3])[0-5][0-9]"
_LICENCE_ITEM = r"(?:GPHN\.(?:HD|TX|CG)\.[0-9A-Za-z/._()\-]+|(?!GPHN\.)[0-9A-Za-z][0-9A-Za-z/._()\-]*+)"


def _alternatives(words: Iterable[str]) -> str:
    """A pattern matching exactly ``words``, factored as a trie (the engine then tries one branch
    per character instead of every word)."""
    return _trie([(re.escape(w), "") for w in sorted(set(words))]) if words else "(?!)"


def _trie(items: list[tuple[str, str]]) -> str:
    """Pattern for ``key + tail`` over ``(key, tail)`` pairs whose keys are escaped literals."""
    ends = [tail for key, tail in items if not key]
    alts = []
    chars = []
    for head, group in groupby(sorted(i for i in items if i[0]), key=lambda i: _first(i[0])):
        rest = _trie([(key[len(head) :], tail) for key, tail in group])
        if rest:
            alts.append(head + rest)
        else:
            chars.append(head)
    if len(chars) > 1:
        alts.append("[" + "".join(c if c[0] == "\\" or c not in "^-]" else "\\" + c for c in chars) + "]")
    else:
        alts += chars
    alts += ends  # the longer keys first: a code list's "1" must not end the match of "10"
    if not alts:
        return ""
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


def _first(escaped: str) -> str:
    return escaped[:2] if escaped[0] == "\\" else escaped[0]


def _decimal(places: int | None, max_length: int) -> str:
    """A number with at most ``places`` decimals (any when None) and ``max_length`` characters.

    Where both are bounded the length is counted by the digits: a sign, then either at most
    ``max_length - 1 - places`` whole digits with the decimals, or whole digits alone. A longer
    number that still fits (many whole digits and a fraction) goes to the detailed check."""
    fraction = "" if places == 0 else "(?:\\.[0-9]++)?" if places is None else f"(?:\\.[0-9]{{1,{places}}})?"
    if max_length >= _UNLIMITED:
        return f"-?[0-9]++{fraction}"
    if places is None:
        return f"(?=[^<]{{0,{max_length}}}<)-?[0-9]++{fraction}"

    def unsigned(length: int) -> str:
        if length < 1:
            return "(?!)"
        whole = length - 1 - places if places else 0
        short = f"[0-9]{{1,{whole}}}+{fraction}|" if whole >= 1 else ""
        return f"(?:{short}[0-9]{{1,{length}}}+)"

    return f"(?:-{unsigned(max_length - 1)}|{unsigned(max_length)})"


@cache
def _formats() -> dict[str, tuple[str, int | None]]:
    """Format name -> (pattern accepting only values its checker accepts, longest match or None).

    Digits are ASCII ``[0-9]`` where the checkers say ``\\d`` (which also takes other scripts'
    digits): stricter, so still one-sided. The decimal formats are built per field
    (:func:`_decimal`); icd10 and icd10list are a lookup in 12,000 codes, checked after the match
    (:attr:`RecordGrammar.post_checks`)."""
    provinces = sorted(c for c in bhyt_province_codes() if re.fullmatch("[0-9]{2}", c))
    facility = "(?:" + _alternatives(c for c in provinces if re.fullmatch("[0-9A-Z]{2}", c)) + ")[0-9A-Z]{3}"
    card = (
        "(?:[0-9]{10}|"
        + _alternatives(g for g in BHYT_GROUPS if re.fullmatch("[A-Z]{2}", g))
        + _alternatives(b for b in BENEFIT_DIGITS if re.fullmatch("[0-9]", b))
        + _alternatives(provinces)
        + "[0-9]{10})"
    )
    birth = _alternatives(c for c in birth_provinces() if re.fullmatch("[0-9]{3}", c))
    licence = f"{_LICENCE_ITEM}(?:;{_LICENCE_ITEM})*+"
    return {
        "datetime12": (f"{_D8}{_HM}", 12),
        "birth12": (f"(?:[0-9]{{4}}0000|{_D8}){_HM}", 12),
        "datetime12or8": (f"{_D8}(?:{_HM})?", 12),
        "date8": (_D8, 8),
        "date8list": (f"{_D8}(?:;{_D8})*+", None),
        "cccd": (f"(?:[0-9]{{9}}|[A-Z][0-9]{{7}}|{birth}[0-9]{{9}})", 12),
        "bhyt": (card, 15),
        "bhytlist": (f"{card}(?:;{card})*+", None),
        "facility": (facility, 5),
        "facilitylist": (f"{facility}(?:;{facility})*+", None),
        "bhxh10": ("[0-9]{10}", 10),
        "licence": (licence, None),
        "licence_or_cccd": (f"(?:[0-9]{{12}}|{licence})", None),
        "nationality": ("[0-9]{3}", 3),
        "goi_vtyt": ("G[1-9][0-9]{0,2}", 4),
    }


def format_pattern(name: str) -> str | None:
    """The pattern of format ``name`` (no length bound), accepting only values its checker
    accepts; None for the formats without one."""
    known = _formats().get(name)
    return known[0] if known is not None else None


_PLACES = {"integer": 0, "decimal": None, "decimal2": 2, "decimal3": 3}
_UNLIMITED = 1 << 20


def _xml_safe(code: str) -> bool:
    return re.fullmatch(f"{STRIPPED_START}{TEXT}+{STRIPPED_END}", code) is not None


def accepted_codes(fp: FieldPlan) -> list[str]:
    """The codes of a coded field that a value may be as written in a record: non-empty, within the
    field's size, plain text (no markup, no surrounding white space) and passing the plan's whole
    check (a format the field adds to its list)."""
    assert fp.codes is not None
    return [
        c
        for c in fp.codes
        if c and len(c) <= fp.max_length and _xml_safe(c) and (fp.check is None or fp.check(c) is None)
    ]


def value_pattern(fp: FieldPlan, *, entities: bool = False) -> tuple[str, bool]:
    """The pattern of one non-empty value of a field, and whether the plan's checker must still
    run on the value (a format without a pattern)."""
    if fp.codes is not None:
        return _alternatives(accepted_codes(fp)), False
    if fp.format in _PLACES:
        return _decimal(_PLACES[fp.format], fp.max_length), False
    known = _formats().get(fp.format) if fp.format else None
    if known is not None:
        pattern, longest = known
        if fp.max_length < _UNLIMITED and (longest is None or longest > fp.max_length):
            pattern = f"(?=[^<]{{0,{fp.max_length}}}<){pattern}"
        return pattern, False
    char = TEXT_OR_ENTITY if entities else TEXT
    count = "+" if fp.max_length >= _UNLIMITED else f"{{1,{fp.max_length}}}+"
    return f"{STRIPPED_START}{char}{count}{STRIPPED_END}", fp.check is not None


def _field(fp: FieldPlan, required: bool, entities: bool) -> str:
    value, _ = value_pattern(fp, entities=entities)
    return value if required else f"(?:{value})?"


@dataclass(frozen=True, slots=True)
class _Sequence:
    tags: tuple[str, ...]
    pattern: re.Pattern[str]
    """Each field optional, in this order; a present value must pass its rules."""
    posts: tuple[tuple[int, Checker], ...]


@dataclass(slots=True)
class RecordGrammar:
    """The field rules of one table in one version, compiled (see the module docstring)."""

    kind: str
    version: str
    pattern: re.Pattern[str]
    """Matches a record's text whose every field passes the plan, fields in any order."""
    entity_pattern: re.Pattern[str]
    """The same, for text holding the predefined entities (``&amp;`` ...)."""
    required: frozenset[str]
    post_checks: tuple[tuple[str, Checker], ...]
    """(field, checker) still to run on non-empty values."""
    sequences: list[_Sequence]
    """Field orders learnt from accepted records (merged while they agree: a sender writes its
    fields in one order, some of them optional), each compiled to a positional pattern that checks
    and captures in one match."""

    def read(self, text: str) -> dict[str, str] | None:
        """The record (tag -> value) when ``text`` holds only fields that pass every field rule;
        None otherwise (the text may still be a well-formed record with errors)."""
        if "&" in text:
            return self._general(text, self.entity_pattern, learn=False)
        for sequence in self.sequences:
            matched = sequence.pattern.fullmatch(text)
            if matched is None:
                continue
            values = matched.groups()
            for index, check in sequence.posts:
                value = values[index]
                if value and check(value) is not None:
                    return None
            pairs = zip(sequence.tags, values, strict=True)
            record = dict(compress(pairs, map(is_not, values, repeat(None))) if None in values else pairs)
            return record if record.keys() >= self.required else None
        return self._general(text, self.pattern, learn=True)

    def _general(self, text: str, pattern: re.Pattern[str], *, learn: bool) -> dict[str, str] | None:
        if pattern.fullmatch(text) is None:
            return None
        pairs = _PAIR.findall(text)
        record = dict(pairs) if learn else {tag: unescape(value) for tag, value in pairs}
        if not record.keys() >= self.required:
            return None
        for name, check in self.post_checks:
            value = record.get(name)
            if value and check(value) is not None:
                return None
        if learn and len(record) == len(pairs) and "/>" not in text:
            self._learn(tuple(tag for tag, _ in pairs))
        return record

    def _learn(self, tags: tuple[str, ...]) -> None:
        for at, sequence in enumerate(self.sequences):
            merged = _merge(sequence.tags, tags)
            if merged is not None:
                self.sequences[at] = self._sequence(merged)
                return
        if len(self.sequences) < _SEQUENCES:
            self.sequences.append(self._sequence(tags))

    def _sequence(self, tags: tuple[str, ...]) -> _Sequence:
        p = plan(self.kind, self.version)
        required = set(p.required)
        parts = [
            f"(?:{WS}*+<{tag}>({_field(p.fields[tag], tag in required, False)})</{tag}>)?" for tag in tags
        ]
        posts = dict(self.post_checks)
        return _Sequence(
            tags,
            re.compile("".join(parts) + f"{WS}*+"),
            tuple((i, posts[tag]) for i, tag in enumerate(tags) if tag in posts),
        )


def _merge(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...] | None:
    """The fields of ``a`` and ``b`` in one order that keeps both orders, or None if they
    disagree."""
    if a == b:
        return a
    in_a, in_b = set(a), set(b)
    out: list[str] = []
    i = j = 0
    while i < len(a) or j < len(b):
        if i < len(a) and j < len(b) and a[i] == b[j]:
            out.append(a[i])
            i += 1
            j += 1
        elif i < len(a) and a[i] not in in_b:
            out.append(a[i])
            i += 1
        elif j < len(b) and b[j] not in in_a:
            out.append(b[j])
            j += 1
        else:
            return None
    return tuple(out)


_SEQUENCES = 8
"""Field orders kept per table and version; records in yet other orders take the general
pattern."""
_PAIR = re.compile(f"<({NAME})(?:>([^<]*+)</\\1|{WS}*+/)>")
"""A field and its value (empty for ``<X/>``), in text a record pattern accepted."""


def unescape(value: str) -> str:
    """The text of a value read with the predefined entities (the only references read here)."""
    if "&" not in value:
        return value
    return (
        value.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _record(kind: str, version: str, entities: bool) -> str:
    p = plan(kind, version)
    required = set(p.required)
    items: list[tuple[str, str]] = []
    for name, fp in p.fields.items():
        if not re.fullmatch(NAME, name):
            raise ValueError(f"{version} {kind}.{name}: tag outside {NAME}")
        value = _field(fp, name in required, entities)
        # An optional field may also be empty as <X/> or <X />.
        tail = f">{value}</{name}" if name in required else f"(?:>{value}</{name}|{WS}*+/)"
        items.append((name, tail))
    return f"(?:{WS}*+<(?>{_trie(items)})>)*+{WS}*+"


@cache
def record_grammar(kind: str, version: str) -> RecordGrammar:
    """The compiled field rules of table ``kind`` in ``version`` (built on first use)."""
    p = plan(kind, version)
    posts = tuple(
        (name, fp.check) for name, fp in p.fields.items() if fp.check is not None and value_pattern(fp)[1]
    )
    return RecordGrammar(
        kind=kind,
        version=version,
        pattern=re.compile(_record(kind, version, entities=False)),
        entity_pattern=re.compile(_record(kind, version, entities=True)),
        required=frozenset(p.required),
        post_checks=posts,
        sequences=[],
    )
