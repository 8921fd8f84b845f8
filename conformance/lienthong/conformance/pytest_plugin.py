"""The pytest entry point: ``pytest --lienthong-target bhxh=URL --lienthong-account ...`` runs a
role's checks against a real node as one pytest test per check, with the outcomes of
``lienthong conformance`` (the same engine): a failure or an error fails the test with the
check's message, a skip or an out-of-scope check skips it with the reason, a warning passes with a
``LienthongWarning``. Registered as the ``pytest11`` entry point ``lienthong``; without
``--lienthong-target`` it does nothing (and imports nothing heavy).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from lienthong.conformance.results import CheckResult, RunResult

_RUN = pytest.StashKey[Any]()
"""The TargetRun the options describe (typed Any: the engine is imported only when used)."""
_RESULTS = pytest.StashKey[dict[str, "CheckResult"]]()


class LienthongWarning(UserWarning):
    """A SHOULD, or an expectation resting only on an inferred fact, was not met."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lienthong", "lienthong conformance of a real node")
    group.addoption(
        "--lienthong-target", metavar="ROLE=URL", help="bhxh=URL, c06=URL or moh=URL: the node under test"
    )
    group.addoption("--lienthong-account", action="append", default=[], metavar="MA_CSKCB:USERNAME:PASSWORD")
    group.addoption("--lienthong-peer", action="append", default=[], metavar="NODE=URL")
    group.addoption("--lienthong-profile", default="3176")
    group.addoption("--lienthong-key", type=Path, metavar="KEY.pem")
    group.addoption("--lienthong-cert", type=Path, metavar="CERT.pem")
    group.addoption("--lienthong-patients", type=Path, metavar="CSV")
    group.addoption("--lienthong-service-token", default="", metavar="TOKEN")
    group.addoption("--lienthong-client", default="", metavar="MA_CSKCB:CLIENT_SECRET")
    group.addoption("--lienthong-staff", default="", metavar="HO_TEN:CCCD")
    group.addoption("--lienthong-wait-token-expiry", action="store_true", default=False)
    group.addoption("--lienthong-max-body", type=int, default=None, metavar="BYTES")
    group.addoption("--lienthong-check", action="append", default=[], metavar="NAME")
    group.addoption("--lienthong-out", type=Path, default=Path("reports/runs"), metavar="DIR")


def pytest_configure(config: pytest.Config) -> None:
    target = config.getoption("--lienthong-target")
    if not target:
        return
    import os

    from lienthong.conformance.cli._target import UsageError
    from lienthong.conformance.cli.conformance import build_run

    role, sep, url = str(target).partition("=")
    try:
        if not (sep and role and url):
            raise UsageError(f"--lienthong-target {target!r} is not of the form ROLE=URL")
        config.stash[_RUN] = build_run(
            role=role,
            target=url,
            peer=config.getoption("--lienthong-peer"),
            profile=config.getoption("--lienthong-profile"),
            account=config.getoption("--lienthong-account"),
            key=config.getoption("--lienthong-key"),
            cert=config.getoption("--lienthong-cert"),
            patients=config.getoption("--lienthong-patients"),
            service_token=config.getoption("--lienthong-service-token")
            or os.environ.get("LIENTHONG_SERVICE_TOKEN", ""),
            client=config.getoption("--lienthong-client"),
            staff=config.getoption("--lienthong-staff"),
            wait_token_expiry=config.getoption("--lienthong-wait-token-expiry"),
            max_body=config.getoption("--lienthong-max-body"),
            seed=42,
            check=config.getoption("--lienthong-check"),
        )
    except UsageError as exc:
        raise pytest.UsageError(f"{exc}{f' ({exc.hint})' if exc.hint else ''}") from None
    config.addinivalue_line("markers", "lienthong: a lienthong conformance check of a real node")


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    if _RUN not in config.stash:
        return None
    from lienthong.conformance.cli._target import scope_lines

    run = config.stash[_RUN]
    return ["lienthong scope (fixed by the command line):"] + [
        f"  {line}" for line in scope_lines(run.scope(), len(run.selected()))
    ]


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if _RUN not in config.stash:
        return
    for item in config.stash[_RUN].selected():
        check = CheckItem.from_parent(session, name=item.name)
        check.add_marker(pytest.mark.lienthong)
        check.user_properties.append(("requirements", ",".join(item.verifies)))
        items.append(check)


class CheckItem(pytest.Item):
    """One lienthong check; the engine runs every selected check once, at the first of them."""

    def runtest(self) -> None:
        from lienthong.conformance.results import Outcome

        result = _results(self.session)[self.name]
        reqs = ", ".join(result.requirement_ids)
        where = f" (case {result.case_id})" if result.case_id else ""
        if result.outcome in (Outcome.FAIL, Outcome.ERROR):
            raise CheckFailure(f"{result.outcome.value} [{reqs}]: {result.message}{where}", result.details)
        if result.outcome in (Outcome.SKIP, Outcome.OMIT):
            pytest.skip(f"{result.outcome.value} [{reqs}]: {result.message}")
        if result.outcome is Outcome.WARN:
            warnings.warn(LienthongWarning(f"[{reqs}] {result.message}{where}"), stacklevel=1)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailure):
            return "\n".join([str(excinfo.value), *excinfo.value.details])
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return "lienthong", None, f"lienthong check {self.name}"


class CheckFailure(Exception):
    def __init__(self, message: str, details: list[str]) -> None:
        super().__init__(message)
        self.details = details


def _results(session: pytest.Session) -> dict[str, CheckResult]:
    config = session.config
    if _RESULTS not in config.stash:
        config.stash[_RESULTS] = {r.check: r for r in _run(session).checks}
    return config.stash[_RESULTS]


def _run(session: pytest.Session) -> RunResult:
    """Run the checks pytest kept (after -k and deselection) once; write the reports."""
    import asyncio

    from lienthong.conformance.cli._target import run_target
    from lienthong.conformance.cli._wiring import new_run_id, run_directory
    from lienthong.reports import write_all

    config = session.config
    run = config.stash[_RUN]
    run.checks = [item.name for item in session.items if isinstance(item, CheckItem)]
    run_id = new_run_id(run.seed)
    directory = run_directory(config.getoption("--lienthong-out"), run_id)
    result = asyncio.run(run_target(run, run_id, directory=directory))
    write_all(result, directory)
    config.stash[_RESULTS] = {r.check: r for r in result.checks}
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"lienthong reports: {directory}")
    return result
