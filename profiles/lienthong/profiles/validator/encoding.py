"""Only UTF-8: the encoding rule of every XML 130 document (QĐ 130/QĐ-BYT Đ1; ENV-01, ENV-03).

lxml reads whatever encoding a document announces (a UTF-16 byte order mark, an
``encoding="windows-1258"`` declaration) and the element tree no longer shows it, so a UTF-16
dossier used to be judged valid. :func:`encoding_problem` looks at the first bytes only (a
constant cost, whatever the size) before any parse. The scanners of the fast paths read UTF-8
with at most a ``utf-8`` declaration and leave everything else to the parse that asks here, so
the paths give the same answer.

The UTF-8 byte order mark (EF BB BF) is accepted without a warning: XML 1.0 (§4.3.3, Appendix F)
lets a UTF-8 entity begin with it, the regulation names the encoding, not the bytes before the
first tag, and the document is UTF-8 either way (``docs/profiles.md``, "Encoding").
"""

from __future__ import annotations

import re

UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = {b"\xff\xfe": "UTF-16 little-endian", b"\xfe\xff": "UTF-16 big-endian"}
_UTF32_BOMS = {b"\xff\xfe\x00\x00": "UTF-32 little-endian", b"\x00\x00\xfe\xff": "UTF-32 big-endian"}
_DECLARED = re.compile(rb"""<\?xml\b[^>]*?[ \t\r\n]encoding[ \t\r\n]*=[ \t\r\n]*(["'])([^"'>]*)\1""")
_HEAD = 256
"""How far the declaration is looked for: it is the document's first item, and short."""
RULE = "QĐ 130/QĐ-BYT Đ1 requires UTF-8: save the file as UTF-8 (without another encoding declared)"


def encoding_problem(data: bytes) -> tuple[str, str] | None:
    """(shown value, rule text) when ``data`` is not a UTF-8 XML document by its first bytes,
    else None. Invalid UTF-8 bytes further on are left to the parser, which refuses them."""
    start = data[:4]
    for marks in (_UTF32_BOMS, _UTF16_BOMS):
        for mark, name in marks.items():
            if start.startswith(mark):
                return _hex(start), f"is encoded in {name} (byte order mark {_hex(mark)}); {RULE}"
    if b"\x00" in start:
        return _hex(start), f"is encoded in UTF-16 or UTF-32 (NUL bytes among its first bytes); {RULE}"
    body = data[3:_HEAD] if data.startswith(UTF8_BOM) else data[:_HEAD]
    if body.startswith(b"<?xml"):
        declared = _DECLARED.match(body)
        if declared is not None and declared.group(2).lower() != b"utf-8":
            name = declared.group(2).decode("ascii", "replace")
            return declared.group(0).decode("ascii", "replace"), f"declares encoding {name!r}; {RULE}"
    return None


def _hex(data: bytes) -> str:
    return " ".join(f"{byte:02X}" for byte in data)
