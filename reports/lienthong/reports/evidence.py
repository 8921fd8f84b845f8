"""``failures/<check>/``: the evidence of every failed or errored check, on disk, with a replayable
``curl`` line per exchange (DESIGN decision 2)."""

from __future__ import annotations

from pathlib import Path

from lienthong.conformance.results import Exchange, Outcome, RunResult


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
        if check.outcome not in (Outcome.FAIL, Outcome.ERROR):
            continue
        folder = root / check.check
        folder.mkdir(parents=True, exist_ok=True)
        lines = [
            f"{check.outcome.value}: {check.title}",
            f"requirements: {', '.join(check.requirement_ids)}",
            f"actor: {check.actor} ({check.direction})",
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
