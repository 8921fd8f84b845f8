"""The evidence of every failed, warned or errored check, on disk.

``failures/<check>/``: the message, the exchanges as cut for the reports, and a ``curl`` line per
exchange (DESIGN decision 2). ``cases/<check>.json``: the case file, every request and answer
whole (secrets labelled, never kept), written while the run goes; ``lienthong replay`` re-sends it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from lienthong.conformance.results import CheckResult, Exchange, Outcome, RunResult, Scope

EVIDENT = (Outcome.FAIL, Outcome.WARN, Outcome.ERROR)
CASE_VERSION = 1


def case_path(directory: Path, check: str) -> Path:
    return directory / "cases" / f"{check}.json"


def write_case(
    directory: Path, run_id: str, check: CheckResult, exchanges: Sequence[Exchange], scope: Scope | None
) -> str:
    """Write the case file of ``check`` (its whole exchanges) and return the case id."""
    case = f"{check.check}@{run_id}"
    document: dict[str, Any] = {
        "version": CASE_VERSION,
        "case": case,
        "check": check.check,
        "title": check.title,
        "requirements": list(check.requirement_ids),
        "outcome": check.outcome.value,
        "message": check.message,
        "details": check.details,
        "scope": dataclasses.asdict(scope) if scope else None,
        "exchanges": [dataclasses.asdict(x) for x in exchanges],
    }
    path = case_path(directory, check.check)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return case


def read_case(path: Path) -> dict[str, Any]:
    """A case file as written by ``write_case`` (``ValueError`` when it is not one)."""
    try:
        document = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{path} is not a case file (not JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("version") != CASE_VERSION:
        raise ValueError(f"{path} is not a lienthong case file (version {CASE_VERSION})")
    return document


def exchanges_of(document: dict[str, Any]) -> list[Exchange]:
    return [Exchange(**x) for x in document.get("exchanges", [])]


def _http(exchange: Exchange) -> str:
    request = "\n".join(f"{k}: {v}" for k, v in exchange.request_headers.items())
    response = "\n".join(f"{k}: {v}" for k, v in exchange.response_headers.items())
    return (
        f"{exchange.method} {exchange.url}\n{request}\n\n{exchange.request_body}\n\n"
        f"HTTP {exchange.status}\n{response}\n\n{exchange.response_body}\n"
    )


def write(run: RunResult, directory: Path) -> Path:
    root = directory / "failures"
    for check in run.checks:
        if check.outcome not in EVIDENT:
            continue
        folder = root / check.check
        folder.mkdir(parents=True, exist_ok=True)
        lines = [
            f"{check.outcome.value}: {check.title}",
            f"requirements: {', '.join(check.requirement_ids)}",
            f"actor: {check.actor} ({check.direction})",
            *(
                [f"case: {check.case_id} (whole exchanges: cases/{check.check}.json)"]
                if check.case_id
                else []
            ),
            "",
            check.message,
            "",
            *check.details,
        ]
        (folder / "errors.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (folder / "exchanges.http").write_text(
            "\n----\n".join(_http(x) for x in check.exchanges), encoding="utf-8"
        )
        (folder / "reproduce.sh").write_text(
            "#!/bin/sh\n# Replays the requests of this check (secrets are filtered: put yours back).\n"
            + "\n".join(x.curl() for x in check.exchanges)
            + "\n",
            encoding="utf-8",
        )
    return root
