"""How much one document may make the validator (and so the gateway) do: a bound on the work and
memory per document, whatever its bytes, with a refusal that names the bound.

Without them a 29 MB body of 300,000 empty FILEHOSO cost the gateway 565 MB of memory in lxml.
Each limit is far above what a real dossier holds and low enough that the element tree of a
document at the limit stays in tens of megabytes. They are lienthong's, not the regulation's: a
document over one is refused under the structural rule of its container (ENV-01 for the envelope,
ENV-03 for an inner table, XML0-01 for a check-in), with a message that says it is this limit.

Counting costs a pass over the bytes, so it is done only where it can find something: ``n``
non-overlapping occurrences of a needle take at least ``n * len(needle)`` bytes, so a document
shorter than that is not counted (most are); the envelope scanner's own list of FILEHOSO gives
their number for free on the fast path.
"""

from __future__ import annotations

MAX_FILEHOSO = 32
"""FILEHOSO in one dossier. A dossier carries one FILEHOSO per table it has (XML1 to XML15, at most
15 in QĐ 3176); twice that leaves room for a sender who splits a table, and bounds the rest."""
MAX_RECORDS = 20_000
"""Records in one table (or check-in). A long inpatient stay lists a few thousand drugs or services
(XML2, XML3); twenty thousand is several times the largest dossier seen."""
MAX_TAGS = 500_000
"""Markup (``<``) in one document: about 250,000 elements, an lxml tree of well under 100 MB. A
real table of 3,000 services with 30 fields is 180,000 tags."""
SMALLEST_TAG = 3
"""Bytes of the shortest tag, ``<a>``: a document shorter than ``MAX_TAGS * SMALLEST_TAG`` cannot
pass :data:`MAX_TAGS`."""


def count_over(data: bytes, needle: bytes, limit: int, smallest: int = 0) -> int | None:
    """The number of ``needle`` in ``data`` when it is above ``limit``, else None. Each occurrence
    takes at least ``smallest`` bytes (``len(needle)`` by default); shorter data is not counted."""
    if len(data) < (limit + 1) * max(smallest, len(needle)):
        return None
    found = data.count(needle)
    return found if found > limit else None


def too_many(found: int, what: str, limit: int, name: str) -> str:
    """The rule text of a document over a limit (``name`` is the constant, for the reader)."""
    return (
        f"holds {found} {what}, more than the {limit} lienthong reads in one document "
        f"(giới hạn {name} = {limit}): split the data or check the generator"
    )
