"""The scope of a run: which requirements it sets out to test, fixed before any check runs.

A run passes only if every SHALL in its scope passes, so the scope must be decided from the
command line (actors under test, the directions the run can exercise, the checks selected, the
opt-in flags given), never by what a check finds at run time. Requirements left out are listed
with the reason, so a reader sees what the verdict does not cover.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lienthong.conformance.registry import Check
from lienthong.conformance.results import Scope
from lienthong.profiles import requirements

CHAIN_ACTORS = frozenset({"bhxh", "c06", "moh"})


def applies(item: Check, under_test: frozenset[str]) -> bool:
    """Whether a check tests an actor of this run (a chain check needs the whole chain)."""
    if item.actor == "chain":
        return under_test >= CHAIN_ACTORS
    return item.actor in under_test


def plan_scope(
    *,
    command: str,
    registered: Mapping[str, Check],
    selected: Iterable[Check] | None,
    under_test: frozenset[str],
    directions: frozenset[str],
    targets: dict[str, str],
    profile: str,
    opted_in: frozenset[str] = frozenset(),
    options: dict[str, str] | None = None,
) -> tuple[Scope, list[Check]]:
    """The scope of a run and the checks to run in it, in registry order.

    ``selected`` is None for "every check" or the checks named on the command line (``--check``);
    ``directions`` are those the run can exercise (no ``sender`` when no sender traffic is judged).
    """
    explicit = selected is not None
    pool = list(selected) if selected is not None else list(registered.values())
    runnable = [
        c
        for c in pool
        if applies(c, under_test) and c.direction in directions and (not c.opt_in or c.opt_in in opted_in)
    ]
    verified = {req_id for c in runnable for req_id in c.verifies}
    checked_anywhere: dict[str, list[Check]] = {}
    for c in registered.values():
        for req_id in c.verifies:
            checked_anywhere.setdefault(req_id, []).append(c)
    in_scope: list[str] = []
    out: dict[str, str] = {}
    for req in requirements().values():
        if req.id in verified:
            in_scope.append(req.id)
        elif explicit:
            out[req.id] = "not verified by the checks selected with --check"
        elif req.not_tested_reason:
            out[req.id] = req.not_tested_reason
        elif not set(req.actors) & under_test:
            out[req.id] = f"concerns {', '.join(req.actors)}, not under test in this run"
        elif mine := checked_anywhere.get(req.id):
            out[req.id] = _why_not(mine, under_test, directions, opted_in)
        else:
            in_scope.append(req.id)  # a SHALL nobody checks yet: in scope, so the run says so
    scope = Scope(
        command=command,
        actors=tuple(sorted(under_test)),
        targets=targets,
        profile=profile,
        options=dict(options or {}),
        checks=tuple(c.name for c in runnable),
        requirements=tuple(in_scope),
        out_of_scope=out,
    )
    return scope, runnable


def _why_not(
    checks: list[Check], under_test: frozenset[str], directions: frozenset[str], opted_in: frozenset[str]
) -> str:
    flags = sorted({c.opt_in for c in checks if c.opt_in and c.opt_in not in opted_in})
    if flags:
        return f"opt-in: its check runs only with --{', --'.join(flags)}"
    kinds = sorted({c.direction for c in checks if c.direction not in directions})
    if kinds:
        return f"checked only in the {'/'.join(kinds)} direction, which this run does not exercise"
    actors = sorted({c.actor for c in checks})
    return f"checked only on {', '.join(actors)}, not under test in this run"
