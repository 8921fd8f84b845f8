"""What every verdict-giving command prints: its scope first, then each failure's reason and
evidence, warnings apart, the untested SHALLs with why, and one verdict line."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape

from lienthong.conformance.cli._console import COLOURS, console
from lienthong.conformance.results import CheckResult, Outcome, RequirementResult, RunResult, Scope, Verdict

_DETAIL_LINES = 6
"""Details shown per failure in the terminal; the reports hold them all."""
_VERDICT_COLOUR = {Verdict.PASSED: "green", Verdict.FAILED: "red", Verdict.INCOMPLETE: "yellow"}


def print_scope(scope: Scope) -> None:
    """The scope, printed before anything runs: a reader knows what the verdict will cover."""
    console.print(f"[bold]lienthong {scope.command}[/] · scope")
    for actor in scope.actors:
        console.print(f"  under test  {actor} = {scope.targets.get(actor, 'simulated')}")
    console.print(f"  profile     QĐ {scope.profile}")
    for name, value in scope.options.items():
        console.print(f"  {name:11} {escape(value)}")
    console.print(
        f"  {len(scope.requirements)} requirements in scope, {len(scope.checks)} checks; "
        f"{len(scope.out_of_scope)} requirements out of scope (listed in the reports)"
    )


def _check_lines(check: CheckResult) -> list[str]:
    lines = [f"    [dim]{check.check}:[/] {escape(check.message)}"]
    lines += [f"      {escape(d)}" for d in check.details[:_DETAIL_LINES]]
    if len(check.details) > _DETAIL_LINES:
        lines.append(f"      [dim]… {len(check.details) - _DETAIL_LINES} more in the reports[/]")
    if check.case_id:
        lines.append(f"      [dim]evidence: case {check.case_id} (lienthong replay {check.case_id})[/]")
    elif check.exchanges:
        last = check.exchanges[-1]
        lines.append(f"      [dim]last exchange: {last.method} {escape(last.url)} → HTTP {last.status}[/]")
    return lines


def _section(title: str, colour: str, reqs: list[RequirementResult], checks: dict[str, CheckResult]) -> None:
    if not reqs:
        return
    console.print(f"\n[bold {colour}]{title} ({len(reqs)})[/]")
    for req in reqs:
        console.print(
            f"  [{colour}]{req.outcome.value}[/] [bold]{req.id}[/] {escape(req.title)} "
            f"[dim]({req.level} [{req.mark}], {escape(req.source)} {escape(req.article)})[/]"
        )
        mine = [checks[name] for name in req.checks if checks[name].outcome is req.outcome]
        if not mine:
            console.print(f"    {escape(req.message)}")
        for check in mine:
            for line in _check_lines(check):
                console.print(line)


def print_result(result: RunResult, paths: dict[str, Path] | None = None) -> None:
    """Failures with reasons and evidence, warnings apart, untested SHALLs, the verdict line."""
    checks = {c.check: c for c in result.checks}
    in_scope = [r for r in result.requirements if r.in_scope]

    def having(*outcomes: Outcome) -> list[RequirementResult]:
        return [r for r in in_scope if r.outcome in outcomes]

    _section("Failed", COLOURS["fail"], having(Outcome.FAIL), checks)
    _section("Errors (nothing was learned)", COLOURS["error"], having(Outcome.ERROR), checks)
    _section(
        "Warnings (SHOULD, or resting on an inferred fact)", COLOURS["warn"], having(Outcome.WARN), checks
    )
    _section("Waived", COLOURS["waived"], having(Outcome.WAIVED), checks)
    untested = [r for r in result.untested if r.outcome is not Outcome.ERROR]
    _section("Not tested, though in scope", COLOURS["skip"], untested, checks)
    counts = result.counts("requirements")
    tally = " · ".join(f"[{COLOURS[k]}]{v} {k}[/]" for k, v in counts.items() if v)
    console.print(
        f"\n{tally} — {len(in_scope)} requirements in scope "
        f"({len(result.requirements) - len(in_scope)} out of scope), {len(result.checks)} checks"
    )
    verdict = result.verdict
    colour = _VERDICT_COLOUR[verdict]
    why = {
        Verdict.PASSED: "every SHALL in scope passed",
        Verdict.FAILED: f"{counts['fail']} requirement(s) failed",
        Verdict.INCOMPLETE: f"{len(result.untested)} SHALL(s) in scope not tested",
    }[verdict]
    console.print(f"[bold {colour}]{verdict.value.upper()}[/] — {why} · run {result.run_id}")
    if any(c.internal_error for c in result.checks):
        console.print(
            "[bold yellow]internal error:[/] a check of lienthong crashed (a bug of ours, not a finding); "
            "its message is in the reports; please report it"
        )
    for name, path in (paths or {}).items():
        if path.exists():  # no failures folder when nothing failed
            console.print(f"  {name:8} {path}")
