"""Stub of the compiled record scanner (``_cscan.c``; see :mod:`.native`)."""

from collections.abc import Callable, Mapping, Sequence

INTERFACE: int
"""Checked by native.py: a build of another interface is not used."""

FREE: int
CODES: int
NUMBER: int
DATE8: int
DATETIME12: int
BIRTH12: int
DATETIME12OR8: int
DATE8LIST: int
CHECK: int
CENTS_EXACT: int
"""0 when built without 128-bit integers: the cents functions then always answer None."""

Field = tuple[
    str,
    int,
    bool,
    int,
    int,
    frozenset[str] | None,
    Callable[[str], object] | None,
    Mapping[str, object] | None,
    Callable[[str], object] | None,
]
"""(tag, max_length, required, kind, places, accepted codes, checker, the checker's memo, pattern)."""

class TableSpec:
    def __init__(
        self,
        root: str,
        list_tag: str,
        record_tag: str,
        version: str,
        note_type: type[tuple[str | bytes, str, bool]],
        fields: Sequence[Field],
    ) -> None: ...

def scan(spec: TableSpec, data: bytes, /) -> tuple[list[dict[str, str] | None], list[object]] | None: ...
def envelope(
    data: bytes, root: str, signature: str, largest: int, /
) -> tuple[str, str, str, list[tuple[str, bytes]], int, int] | None: ...
def cents(text: str, /) -> int | None: ...
def product_cents(factors: tuple[str, ...], hundreds: int, /) -> int | None: ...
def sum_cents(records: list[dict[str, str]], field: str, /) -> int | None: ...
def canonical_spans(
    data: bytes, holder: str, sig_open: bytes, sig_close: bytes, /
) -> tuple[int, int, int, int] | None: ...
