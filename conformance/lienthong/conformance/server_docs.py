"""docs/server-checks.md, generated from the check registry and the requirement catalogue.

``python -m lienthong.conformance.server_docs [PATH]`` writes it; a test fails when the page in the
repository is not what this renders.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lienthong.conformance.registry import Check, registered
from lienthong.conformance.runner import is_firm
from lienthong.profiles.catalogue import DUTIES, requirement

PAGE = Path("docs/server-checks.md")
_HEADER = """# Server checks

Every check that calls a system under test (`direction` server or chain), generated from the check
registry and the requirement catalogue (`profiles/.../data/requirements.csv`, columns
`gateway_duty`, `duty_mark`, `duty_source`). Regenerate with
`python -m lienthong.conformance.server_docs`; `tests/conformance/test_server_docs.py` fails when
this page is stale.

**Firmness**: a check *fails* a system only for a SHALL whose source is verified [V] or secondary
[S] and, for a gateway duty, whose duty is [V] or [S] too; otherwise what it finds is a *warning*.
Within a failing check, answers the sources leave open (exact result codes where the code table
allows several, message wording) are warnings as well. Data the target does not know (no card
holders it knows, no second account, no signing key) makes a check *skip* with the reason.

**What the checks use** (`conformance/context.py`; the composition root fills it): a
`ServerContext` with a client per node and a `Samples` of the main account, which gives the
account, a signing key (without one the submission checks skip), valid episodes of every shape
(`episode`, `checkins`, `seal`: an examination, a referral, an appointment, an inpatient stay),
the card holders the target knows (`patients`: on the simulated network, citizens of its
population; for a real gateway, the patients file; none known makes the look-up checks skip), the
look-up staff member (`staff`) and the target's day (`today`). `ServerContext.other` is a second
facility's `Samples` (the cross-facility check skips without it); `wait_token_expiry` opts in to
waiting for a token to expire (at most 15 minutes; out of scope otherwise); `max_body` (10 MiB)
and `max_body_stated` set the oversized-body check; `feedback_wait` bounds the wait of the
"flags later" checks and of the visit-history check.

**Valid traffic** is built as a HIS builds it: a session (`/api/token/take`), the check-in right
after the first cost (and a second one at an inpatient admission), then the dossier;
emergencies (MA_DOITUONG_KCB 2) need no check-in. Every generated rule check sends the broken
submission and then its unmutated twin, which must be accepted.

**Gateway duties** (what the BHXH gateway must do about a breach of a rule):
"""


def _firmness(item: Check) -> str:
    duty_inferred = any(
        requirement(r).gateway_duty in ("refuse", "flag") and requirement(r).duty_mark == "I"
        for r in item.verifies
    )
    if item.name == "oversized_body_refused":
        return "warns (fails when the implementer states the limit)"
    return "fails" if is_firm(item.verifies) and not duty_inferred else "warns"


def _duty(req_id: str) -> str:
    req = requirement(req_id)
    return f"{req.gateway_duty} [{req.duty_mark}]" if req.gateway_duty else "—"


def render() -> str:
    lines = [_HEADER]
    lines += [f"- `{name}`: {text}" for name, text in DUTIES.items()]
    lines += [
        "",
        "| check | actor | requirement | level, mark | gateway duty | firmness | proven by fault "
        "| what it checks |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for item in sorted(registered().values(), key=lambda c: (c.actor, c.verifies, c.name)):
        if item.direction == "sender":
            continue
        reqs = ", ".join(item.verifies)
        marks = ", ".join(f"{requirement(r).level} [{requirement(r).mark}]" for r in item.verifies)
        duties = ", ".join(_duty(r) for r in item.verifies)
        title = " ".join((item.func.__doc__ or item.name).split("\n\n")[0].split()).replace("|", "\\|")
        lines.append(
            f"| `{item.name}` | {item.actor} | {reqs} | {marks} | {duties} | {_firmness(item)} | "
            f"`{item.fault}` | {title} |"
        )
    lines += ["", "## Duty sources", ""]
    seen = sorted({r for c in registered().values() if c.direction != "sender" for r in c.verifies})
    for req_id in seen:
        req = requirement(req_id)
        if req.gateway_duty in ("refuse", "flag"):
            lines.append(
                f"- **{req_id}** ({req.title}): {req.gateway_duty} [{req.duty_mark}]: {req.duty_source}"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    path = Path(argv[0]) if argv else PAGE
    path.write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
