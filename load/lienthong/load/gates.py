"""SLO gates as data (``data/gates.toml``): per endpoint group, each tied to a requirement or an
assumption ID; the verdict of a run is every gate with its figure, held or broken."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from lienthong.load.groups import STREAM_GROUPS, THROUGHPUT_GROUP
from lienthong.load.summary import RunSummary

METRICS = ("p95_ms", "p99_ms", "error_ratio", "throughput_share")


class GateError(ValueError):
    """A gates file that cannot be read or names an unknown metric (a usage error)."""


@dataclass(frozen=True, slots=True)
class Gate:
    id: str
    group: str
    metric: str
    limit: float
    ties: tuple[str, ...]
    why: str

    @property
    def label(self) -> str:
        sign = "≥" if self.metric == "throughput_share" else "≤"
        return f"{self.group} {self.metric} {sign} {_figure(self.metric, self.limit)}"


@dataclass(frozen=True, slots=True)
class GateResult:
    gate: Gate
    status: str
    """held, broken or skipped (the group's stream was not part of the run)."""
    figure: float | None
    detail: str

    @property
    def line(self) -> str:
        shown = "–" if self.figure is None else _figure(self.gate.metric, self.figure)
        return f"{self.gate.id} {self.gate.group} {self.gate.metric} {shown} ({self.status}: {self.detail})"


def _figure(metric: str, value: float) -> str:
    if metric.endswith("_ms"):
        return f"{value:,.0f} ms"
    if metric == "error_ratio":
        return f"{value:.2%}"
    return f"{value:.0%}"


def parse_gates(document: dict[str, Any], origin: str) -> list[Gate]:
    gates = []
    for row in document.get("gate", []):
        try:
            gate = Gate(
                row["id"],
                row["group"],
                row["metric"],
                float(row["limit"]),
                tuple(row.get("ties", ())),
                row.get("why", ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise GateError(
                f"{origin}: a [[gate]] lacks or misstates {exc} (needs id, group, metric, limit)"
            ) from None
        if gate.metric not in METRICS:
            raise GateError(
                f"{origin}: gate {gate.id} has metric {gate.metric!r}; valid: {', '.join(METRICS)}"
            )
        if not gate.ties:
            raise GateError(f"{origin}: gate {gate.id} names no requirement or assumption in ties")
        gates.append(gate)
    if not gates:
        raise GateError(f"{origin}: no [[gate]] tables found")
    return gates


def default_gates() -> list[Gate]:
    text = resources.files("lienthong.load").joinpath("data/gates.toml").read_text(encoding="utf-8")
    return parse_gates(tomllib.loads(text), "gates.toml")


def gates_from(path: Path) -> list[Gate]:
    try:
        return parse_gates(tomllib.loads(path.read_text(encoding="utf-8")), str(path))
    except OSError as exc:
        raise GateError(f"cannot read the gates file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise GateError(f"{path} is not valid TOML: {exc}") from None


def _stream_of(group: str) -> str | None:
    if group in THROUGHPUT_GROUP:
        return THROUGHPUT_GROUP[group]
    if group == "propagation":
        return "write"
    return next((s for s, groups in STREAM_GROUPS.items() if group in groups), None)


def evaluate(gates: Iterable[Gate], run: RunSummary) -> list[GateResult]:
    """Each gate against the run's figures; a gate on a stream not run is skipped, one on a stream
    that ran but made no request of its group breaks (a run that did nothing never passes)."""
    out = []
    for gate in gates:
        stream = _stream_of(gate.group)
        if stream is not None and stream not in run.streams:
            out.append(GateResult(gate, "skipped", None, "its stream was not part of this run"))
            continue
        if gate.metric == "throughput_share":
            assert stream is not None
            figures = run.streams[stream]
            if figures.scheduled_rps == 0 and figures.achieved_rps == 0:
                out.append(
                    GateResult(
                        gate,
                        "broken",
                        None,
                        "the schedule drew no arrival: too short a run "
                        "or too low a rate to judge (raise --run-time or --scale)",
                    )
                )
                continue
            owed = figures.scheduled_rps or figures.target_rps
            made = figures.achieved_rps
            share = (min(owed, made + figures.slack_rps) if made < owed else made) / owed if owed else 0.0
            detail = (
                f"{figures.achieved_rps:,.1f} req/s achieved of {owed:,.1f} scheduled "
                f"(plan {figures.target_rps:,.1f})"
            )
            out.append(GateResult(gate, "held" if share >= gate.limit else "broken", share, detail))
            continue
        group = run.groups.get(gate.group)
        if group is None or group.requests == 0:
            out.append(GateResult(gate, "broken", None, "no request of this group was made"))
            continue
        value = (
            group.failures / group.requests if gate.metric == "error_ratio" else getattr(group, gate.metric)
        )
        detail = f"limit {_figure(gate.metric, gate.limit)}, {group.failures} of {group.requests} failed"
        out.append(GateResult(gate, "held" if value <= gate.limit else "broken", value, detail))
    return out


def verdict_line(results: list[GateResult]) -> str:
    """One line naming each gate evaluated and its figure; the broken ones first."""
    judged = [r for r in results if r.status != "skipped"]
    broken = [r for r in judged if r.status == "broken"]
    head = (
        f"FAILED: {len(broken)} of {len(judged)} gates broken"
        if broken
        else f"PASSED: all {len(judged)} gates held"
    )
    parts = [
        f"{r.gate.id} {r.gate.group} {r.gate.metric} "
        f"{'–' if r.figure is None else _figure(r.gate.metric, r.figure)} "
        f"{'✗' if r.status == 'broken' else '✓'}"
        for r in sorted(judged, key=lambda r: r.status != "broken")
    ]
    return head + " — " + "; ".join(parts)


def passed(results: list[GateResult]) -> bool:
    judged = [r for r in results if r.status != "skipped"]
    return bool(judged) and all(r.status == "held" for r in judged)
