"""What every verdict-giving command prints: its scope first, then each failure's reason and
evidence, warnings apart, the untested SHALLs with why, and one verdict line."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape

from lienthong.conformance.cli._console import COLOURS, console, local_title
from lienthong.conformance.results import CheckResult, Outcome, RequirementResult, RunResult, Scope, Verdict
from lienthong.profiles.i18n import _, outcome_label, verdict_label

_DETAIL_LINES = 6
"""Details shown per failure in the terminal; the reports hold them all."""
_VERDICT_COLOUR = {Verdict.PASSED: "green", Verdict.FAILED: "red", Verdict.INCOMPLETE: "yellow"}


def print_scope(scope: Scope) -> None:
    """The scope, printed before anything runs: a reader knows what the verdict will cover."""
    console.print(f"[bold]lienthong {scope.command}[/] · " + _("scope"))
    under_test, profile = _("under test"), _("profile")
    for actor in scope.actors:
        target = scope.targets.get(actor, "simulated")
        shown = _("simulated") if target == "simulated" else target
        console.print(f"  {under_test:11} {actor} = {escape(shown)}")
    console.print(f"  {profile:11} QĐ {scope.profile}")
    for name, value in scope.options.items():
        console.print(f"  {name:11} {escape(value)}")
    console.print(
        "  "
        + _(
            "{requirements} requirements in scope, {checks} checks; "
            "{out} requirements out of scope (listed in the reports)"
        ).format(requirements=len(scope.requirements), checks=len(scope.checks), out=len(scope.out_of_scope))
    )


def _check_lines(check: CheckResult) -> list[str]:
    lines = [f"    [dim]{check.check}:[/] {escape(check.message)}"]
    lines += [f"      {escape(d)}" for d in check.details[:_DETAIL_LINES]]
    if len(check.details) > _DETAIL_LINES:
        more = _("… {count} more in the reports").format(count=len(check.details) - _DETAIL_LINES)
        lines.append(f"      [dim]{more}[/]")
    if check.case_id:
        case = _("evidence: case {case} (lienthong replay {case})").format(case=check.case_id)
        lines.append(f"      [dim]{case}[/]")
    elif check.exchanges:
        last = check.exchanges[-1]
        exchange = _("last exchange: {method} {url} → HTTP {status}").format(
            method=last.method, url=escape(last.url), status=last.status
        )
        lines.append(f"      [dim]{exchange}[/]")
    return lines


def _section(title: str, colour: str, reqs: list[RequirementResult], checks: dict[str, CheckResult]) -> None:
    if not reqs:
        return
    console.print(f"\n[bold {colour}]{title} ({len(reqs)})[/]")
    for req in reqs:
        title = escape(local_title(req.id, req.title))
        console.print(
            f"  [{colour}]{outcome_label(req.outcome.value)}[/] [bold]{req.id}[/] {title} "
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

    _section(_("Failed"), COLOURS["fail"], having(Outcome.FAIL), checks)
    _section(_("Errors (nothing was learned)"), COLOURS["error"], having(Outcome.ERROR), checks)
    _section(
        _("Warnings (SHOULD, or resting on an inferred fact)"), COLOURS["warn"], having(Outcome.WARN), checks
    )
    _section(_("Waived"), COLOURS["waived"], having(Outcome.WAIVED), checks)
    untested = [r for r in result.untested if r.outcome is not Outcome.ERROR]
    _section(_("Not tested, though in scope"), COLOURS["skip"], untested, checks)
    counts = result.counts("requirements")
    tally = " · ".join(f"[{COLOURS[k]}]{v} {outcome_label(k)}[/]" for k, v in counts.items() if v)
    console.print(
        f"\n{tally} — "
        + _("{in_scope} requirements in scope ({out} out of scope), {checks} checks").format(
            in_scope=len(in_scope), out=len(result.requirements) - len(in_scope), checks=len(result.checks)
        )
    )
    verdict = result.verdict
    colour = _VERDICT_COLOUR[verdict]
    why = {
        Verdict.PASSED: _("every SHALL in scope passed"),
        Verdict.FAILED: _("{count} requirement(s) failed").format(count=counts["fail"]),
        Verdict.INCOMPLETE: _("{count} SHALL(s) in scope not tested").format(count=len(result.untested)),
    }[verdict]
    run = _("run {run_id}").format(run_id=result.run_id)
    console.print(f"[bold {colour}]{verdict_label(verdict.value)}[/] — {why} · {run}")
    if any(c.internal_error for c in result.checks):
        label = _("internal error:")
        console.print(
            f"[bold yellow]{label}[/] "
            + _(
                "a check of lienthong crashed (a bug of ours, not a finding); "
                "its message is in the reports; please report it"
            )
        )
    for name, path in (paths or {}).items():
        if path.exists():  # no failures folder when nothing failed
            console.print(f"  {name:8} {path}")
