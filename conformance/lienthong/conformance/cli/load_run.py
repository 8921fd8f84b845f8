"""``lienthong load run``: serve the simulated network, pre-generate the data, run Locust (one
process, or a master and N workers) at the plan's arrival rates and judge the SLO gates."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from lienthong.conformance.cli._console import console
from lienthong.conformance.cli._load_data import TREATED_PER_FACILITY, population_of, treat, worker_data
from lienthong.conformance.cli._options import writable_directory
from lienthong.conformance.cli._served import served_network
from lienthong.conformance.cli.load import assumptions_of, load_app, plan_of, usage
from lienthong.load import (
    SCENARIO_NAMES,
    SHAPES,
    GateError,
    RunSummary,
    UnknownShape,
    default_gates,
    evaluate,
    load_report,
    passed,
    runconfig,
    shape,
    verdict_line,
)
from lienthong.load.groups import TAGS
from lienthong.simulators.faults import UnknownFault, fault_set
from lienthong.simulators.servers import SERVERS, UnknownServer, server_of

NODES = ("bhxh", "c06", "moh")
HEADROOM = 1.2
"""Episodes generated over the plan's need (Poisson arrivals run ahead of the mean)."""


def seconds_of(text: str) -> float:
    """``20s``, ``2m``, ``1h`` or plain seconds; a usage error otherwise."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not found or float(found[1]) <= 0:
        usage(
            f"--run-time {text!r} is not a duration",
            hint="give a number followed by s, m or h, e.g. 20s or 2m",
        )
    return float(found[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[found[2]]


def streams_of(tags: str) -> tuple[str, ...]:
    if not tags.strip():
        return ("citizen_read", "write", "lookup", "facility_read")
    chosen: list[str] = []
    for tag in (t.strip() for t in tags.split(",") if t.strip()):
        if tag not in TAGS:
            usage(f"--tags: {tag!r} is not a tag of the load users", hint=f"valid tags: {', '.join(TAGS)}")
        chosen += [s for s in TAGS[tag] if s not in chosen]
    return tuple(chosen)


def faults_of(values: list[str]) -> list[str]:
    out = []
    for value in values:
        actor, sep, name = value.partition(":")
        if not sep or actor not in NODES:
            usage(
                f"--fault {value!r} is not ACTOR:FAULT with ACTOR one of {', '.join(NODES)}",
                hint="for example: --fault bhxh:slow_answer (the faults are listed in docs/faults.md)",
            )
        try:
            fault_set(actor, [name])
        except UnknownFault as exc:
            usage(str(exc))
        out.append(value)
    return out


def targets_of(values: list[str]) -> dict[str, str]:
    out = {}
    for value in values:
        actor, sep, url = value.partition("=")
        if not sep or actor not in NODES or not re.match(r"https?://", url):
            usage(
                f"--target {value!r} is not ACTOR=URL with ACTOR one of {', '.join(NODES)}",
                hint="for example: --target bhxh=http://127.0.0.1:8080; the system must accept the "
                "simulated facilities' accounts and certificates (`lienthong simulate` prints them)",
            )
        out[actor] = url.rstrip("/")
    return out


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def locustfile() -> str:
    if importlib.util.find_spec("locust") is None:
        usage(
            "Locust is not installed, and `lienthong load run` needs it",
            hint="install the load extra: pip install 'lienthong[load]' (or pip install -e '.[load]')",
        )
    spec = importlib.util.find_spec("lienthong.load.locustfile")
    if spec is None or spec.origin is None:
        usage("lienthong.load.locustfile is not installed; reinstall lienthong", code=3)
    return spec.origin


def run_locust(locust_file: str, config: Path, workers: int, out: Path, timeout: float) -> int:
    """Locust headless, here: one process, or a master and ``workers`` worker processes."""
    env = os.environ | {"LIENTHONG_LOAD_CONFIG": str(config), "PYTHONUNBUFFERED": "1"}
    base = [sys.executable, "-m", "locust", "-f", locust_file, "--loglevel", "WARNING"]
    log = (out / "locust.log").open("w", encoding="utf-8")
    headless = ["--headless", "--only-summary", "--csv", str(out / "locust"), "--stop-timeout", "2"]
    with ExitStack() as stack:
        stack.callback(log.close)
        if not workers:
            process = subprocess.Popen(
                [*base, *headless], env=env | {"LIENTHONG_WORKER_INDEX": "0"}, stdout=log, stderr=log
            )
            return _wait(process, timeout)
        port = _free_port()
        bind = ["--master-bind-host", "127.0.0.1", "--master-bind-port", str(port)]
        master = subprocess.Popen(
            [*base, "--master", *headless, "--expect-workers", str(workers), *bind],
            env=env,
            stdout=log,
            stderr=log,
        )
        helpers = [
            subprocess.Popen(
                [*base, "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)],
                env=env | {"LIENTHONG_WORKER_INDEX": str(i)},
                stdout=log,
                stderr=log,
            )
            for i in range(workers)
        ]
        code = _wait(master, timeout)
        for helper in helpers:
            _wait(helper, 15)
        return code


def _wait(process: subprocess.Popen[bytes], timeout: float) -> int:
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            return process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()


@load_app.command("run")
def run(
    scenario: Annotated[
        str, typer.Option(help=f"Rates from the plan: {', '.join(SCENARIO_NAMES)}.")
    ] = "base",
    shape_name: Annotated[
        str, typer.Option("--shape", help=f"Course over time: {', '.join(SHAPES)}.")
    ] = "flat",
    scale: Annotated[
        float, typer.Option(help="Fraction of the population whose load is sent (≤ 1).")
    ] = 0.005,
    run_time: Annotated[str, typer.Option(help="Duration, e.g. 20s or 2m (always bounded).")] = "20s",
    workers: Annotated[
        int, typer.Option(min=0, max=64, help="0: one process; N: a master and N workers here.")
    ] = 0,
    tags: Annotated[str, typer.Option(help=f"Only these streams: {', '.join(TAGS)}.")] = "",
    fault: Annotated[list[str], typer.Option(help="ACTOR:FAULT: a node misbehaving on purpose.")] = [],  # noqa: B006
    target: Annotated[
        list[str], typer.Option(help="ACTOR=URL: send that node's load to a real system.")
    ] = [],  # noqa: B006
    gates: Annotated[Path | None, typer.Option(help="Gates TOML instead of the built-in gates.")] = None,
    users: Annotated[int | None, typer.Option(min=1, help="Registered users (LOAD-A01).")] = None,
    set_: Annotated[list[str], typer.Option("--set", help="KEY=VALUE: override an assumption.")] = [],  # noqa: B006
    assumptions: Annotated[Path | None, typer.Option(help="TOML file of assumption values.")] = None,
    sample_every: Annotated[
        int, typer.Option(min=1, help="Follow every n-th episode to the VNeID book.")
    ] = 10,
    concurrency: Annotated[
        float, typer.Option(min=0.1, help="Seconds of latency the user pool absorbs.")
    ] = 2.0,
    population: Annotated[int, typer.Option(min=100, max=1_000_000, help="Citizens C06 knows.")] = 1000,
    seed: int = 42,
    server: Annotated[
        str, typer.Option(help="Server of the node processes: auto (granian if installed), granian, uvicorn.")
    ] = "auto",
    prepare_only: Annotated[
        Path | None,
        typer.Option(help="Write the run configuration and worker data here and stop (for a cluster run)."),
    ] = None,
    keys: Annotated[
        Path | None, typer.Option(help="With --prepare-only: the facility keys the targets accept.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Where the summary, reports and Locust files go.")] = Path(
        "reports/load"
    ),
) -> None:
    """Run the load at the plan's rates against the network: exit 0 when every gate holds, 1 when
    one breaks, 2 on a usage error."""
    if not 0 < scale <= 1:
        usage(f"--scale {scale:g} must be in (0, 1]", hint="a share of the population, e.g. 0.01")
    writable_directory(out, "--out")
    try:
        course = shape(shape_name)
    except UnknownShape as exc:
        usage(str(exc))
    try:
        server_of(server)
    except UnknownServer as exc:
        usage(f"--server: {exc}", hint=f"choose one of {', '.join(SERVERS)}")
    seconds = seconds_of(run_time)
    streams = streams_of(tags)
    faults = faults_of(fault)
    targets = targets_of(target)
    try:
        chosen_gates = default_gates() if gates is None else load_report.read_gates(gates)
    except GateError as exc:
        usage(str(exc))
    locust_file = locustfile()
    chosen = assumptions_of(users, set_, assumptions)
    the_plan = plan_of(scenario, chosen, scale)
    peak = the_plan.peak.as_dict()
    params = {
        "monday_factor": chosen["monday_factor"],
        "month_end_factor": chosen["month_end_factor"],
        "campaign_spike": plan_of("surge", chosen, scale).peak.citizen_read / max(peak["citizen_read"], 1e-9),
    }
    out.mkdir(parents=True, exist_ok=True)
    summary_path = out / "summary.json"
    summary_path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="lienthong-load-") as scratch:
        config = runconfig.RunConfig(
            urls={},
            streams={s: peak[s] for s in streams},
            scenario=scenario,
            shape=course.name,
            shape_params=params,
            scale=scale,
            run_time_s=seconds,
            workers=workers,
            data=str(Path(scratch) / "data-{worker}.json"),
            summary=str(summary_path),
            gates=str(gates) if gates else "",
            sample_every=sample_every,
            propagation_budget_s=chosen["propagation_budget_s"],
            calls_per_session=max(2, int(chosen["calls_per_session"])),
            concurrency_s=concurrency,
            seed=seed,
        )
        episode_rate = (
            config.streams.get("write", 0) * course.highest("write", params) / 2 if "write" in streams else 0
        )
        per_worker = math.ceil(episode_rate * seconds * HEADROOM / max(1, workers)) + 5 if episode_rate else 0
        console.print(
            f"plan: {scenario} at scale {scale:g}, shape {course.name}, {seconds:g} s; "
            + ", ".join(f"{s} {peak[s]:,.1f} req/s" for s in streams)
        )
        if prepare_only is not None:
            missing = [node for node in NODES if node not in targets]
            if missing:
                usage(
                    f"--prepare-only needs --target for every node; missing: {', '.join(missing)}",
                    hint="the cluster's gateway, C06 and MoH store, e.g. --target bhxh=http://bhxh:8080",
                )
            prepare_only.mkdir(parents=True, exist_ok=True)
            config = replace(config, urls=targets, data=str(prepare_only / "data-{worker}.json"),
                             summary=str(prepare_only / "summary.json"))  # fmt: skip
            prepare(config, streams, population, seed, keys or prepare_only / "keys", per_worker)
            config.write(prepare_only / "config.json")
            console.print(f"prepared {prepare_only / 'config.json'} and data for {max(1, workers)} workers")
            raise typer.Exit(0)
        try:
            network = served_network(
                Path(scratch) / "network",
                seed=seed,
                population=population,
                faults=faults,
                processes=True,
                server=server,
                timeout=min(1800.0, max(60.0, population / 100)),  # the nodes load the population
            )
            with network as served:
                config = replace(config, urls=served.urls | targets)
                prepare(config, streams, population, seed, Path(scratch) / "network" / "keys", per_worker)
                config_path = Path(scratch) / "config.json"
                config.write(config_path)
                console.print(
                    f"data: {per_worker * max(1, workers)} signed episodes (each its own MA_LK); "
                    f"running Locust{f' with {workers} workers' if workers else ''}…"
                )
                run_locust(locust_file, config_path, workers, out, seconds + 90)
        except ValueError as exc:
            usage(str(exc))
        except (OSError, RuntimeError, TimeoutError) as exc:
            usage(f"could not start the simulated network: {exc}", code=3)
    if not summary_path.exists():
        tail = (out / "locust.log").read_text(encoding="utf-8", errors="replace")[-1500:]
        usage(f"Locust ended without a run summary; the end of {out / 'locust.log'}:\n{tail}", code=3)
    summary = RunSummary.read(summary_path)
    results = evaluate(chosen_gates, summary)
    show(summary)
    paths = load_report.write_all(summary, results, the_plan.as_json(), out)
    console.print(verdict_line(results))
    for note in summary.notes:
        console.print(f"  note: {note}")
    for kind, path in paths.items():
        console.print(f"  {kind:6} {path}")
    raise typer.Exit(0 if passed(results) else 1)


def prepare(
    config: runconfig.RunConfig, streams: tuple[str, ...], population: int, seed: int, keys: Path, count: int
) -> None:
    """Each worker's data file: its own signed episodes, citizens, and patients its facilities treat."""
    workers = max(1, config.workers)
    people = population_of(seed, population, keys)
    needs_patients = bool({"lookup", "facility_read"} & set(streams))
    patients = treat(people, config.urls) if needs_patients else {}
    if needs_patients and not any(patients.values()):
        console.print(
            f"[yellow]none of the {TREATED_PER_FACILITY} visits per facility sent before "
            "the run reached the MoH store: facility reads will fail[/]"
        )
    for worker in range(workers):
        data = worker_data(people, worker, workers, count, patients)
        config.data_path(worker).write_text(json.dumps(data), encoding="utf-8")


def show(summary: RunSummary) -> None:
    table = Table(
        title=f"load run: {summary.scenario}, shape {summary.shape}, scale {summary.scale:g}, "
        f"{summary.duration_s:.0f} s, {summary.workers or 'no'} workers"
    )
    for column in ("request", "requests", "failures", "p50 ms", "p95 ms", "p99 ms", "req/s"):
        table.add_column(column, justify="right")
    for name, f in summary.requests.items():
        table.add_row(
            escape(name),
            str(f.requests),
            str(f.failures),
            f"{f.p50_ms:.0f}",
            f"{f.p95_ms:.0f}",
            f"{f.p99_ms:.0f}",
            f"{f.rps:.1f}",
        )
    console.print(table)
    rates = Table(title="open model: achieved vs target (scheduled: the arrivals the schedule drew)")
    for column in ("stream", "plan req/s", "scheduled req/s", "achieved req/s", "share", "arrivals", "late"):
        rates.add_column(column, justify="right")
    for name, s in summary.streams.items():
        owed = s.scheduled_rps or s.target_rps
        rates.add_row(
            name,
            f"{s.target_rps:.1f}",
            f"{s.scheduled_rps:.1f}",
            f"{s.achieved_rps:.1f}",
            f"{s.achieved_rps / owed:.0%}" if owed else "–",
            str(s.started),
            str(s.late),
        )
    console.print(rates)
    for message, count in summary.errors.items():
        console.print(f"  [red]{count}×[/] {escape(message)}")
