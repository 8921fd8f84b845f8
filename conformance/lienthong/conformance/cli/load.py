"""``lienthong load plan|run|k8s``: the capacity model, and Locust runs against the network."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.table import Table

from lienthong.conformance.cli._app import app
from lienthong.conformance.cli._console import console, fail
from lienthong.load import SCENARIO_NAMES, AssumptionError, Assumptions, Plan, overrides_from_toml, plan

load_app = typer.Typer(help="Load tests shaped by the 40-million-user capacity model.", no_args_is_help=True)
app.add_typer(load_app, name="load")

FORMATS = ("table", "json")


def usage(message: str, *, hint: str = "", code: int = 2) -> NoReturn:
    """:func:`fail` (which takes plain text: brackets such as ``[tool.lienthong.load]`` stay)."""
    fail(message, hint=hint, code=code)


def assumptions_of(
    users: int | None, sets: list[str], assumptions_file: Path | None, measured: Path | None = None
) -> Assumptions:
    """Defaults ← ``[tool.lienthong.load]`` of ./pyproject.toml ← ``--assumptions FILE`` ← ``--set`` ←
    ``--users``; every mistake is a usage error naming the key and the value."""
    chosen = Assumptions()
    try:
        project = Path("pyproject.toml")
        if project.is_file():
            try:
                table = tomllib.loads(project.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError:
                table = {}
            found = table.get("tool", {}).get("lienthong", {}).get("load")
            if isinstance(found, dict):
                chosen = chosen.with_values(found, origin="pyproject.toml [tool.lienthong.load]")
        if assumptions_file is not None:
            chosen = chosen.with_values(overrides_from_toml(assumptions_file), origin=str(assumptions_file))
        values: dict[str, Any] = {}
        for item in sets:
            key, sep, value = item.partition("=")
            if not sep:
                raise AssumptionError(
                    f"--set {item!r} is not KEY=VALUE (e.g. --set monthly_active_share=0.5)."
                )
            values[key.strip()] = value.strip()
        chosen = chosen.with_values(values, origin="--set")
        if users is not None:
            chosen = chosen.with_values({"registered_users": users}, origin="--users")
        if measured is not None:
            chosen = chosen.with_values(
                {"locust_rps_per_core": _measured_rate(measured)}, origin=str(measured)
            )
    except AssumptionError as exc:
        usage(str(exc), hint="`lienthong load plan --format json` lists every assumption with its key")
    return chosen


def _measured_rate(path: Path) -> float:
    """``rps_per_core`` of a ``lienthong bench load --out FILE`` result."""
    try:
        rate = json.loads(path.read_text(encoding="utf-8"))["rps_per_core"]
    except OSError as exc:
        raise AssumptionError(f"cannot read the bench result {path}: {exc.strerror}.") from None
    except (ValueError, KeyError, TypeError):
        raise AssumptionError(f"{path} is not the JSON of `lienthong bench load --out FILE`.") from None
    if not isinstance(rate, int | float):
        raise AssumptionError(f"{path}: rps_per_core = {rate!r} is not a number.")
    return float(rate)


def plan_of(scenario: str, chosen: Assumptions, scale: float) -> Plan:
    try:
        return plan(scenario, chosen, scale=scale)
    except AssumptionError as exc:
        usage(str(exc))


@load_app.command("plan")
def plan_command(
    users: Annotated[
        int | None, typer.Option(min=1, help="Registered users (LOAD-A01, default 40 M).")
    ] = None,
    scenario: Annotated[
        str, typer.Option(help="One scenario (low, base, high, surge, soak); all by default.")
    ] = "",
    scale: Annotated[
        float, typer.Option(help="Fraction of the population to model (scaled-down runs).")
    ] = 1.0,
    set_: Annotated[
        list[str], typer.Option("--set", help="KEY=VALUE: override one assumption (repeatable).")
    ] = [],  # noqa: B006
    assumptions: Annotated[
        Path | None, typer.Option(help="TOML file of assumption values ([tool.lienthong.load] or top level).")
    ] = None,
    format_: Annotated[str, typer.Option("--format", help="table or json (schema: docs/load.md).")] = "table",
    measured: Annotated[
        Path | None, typer.Option(help="`lienthong bench load --out FILE`: the measured per-core rate.")
    ] = None,
) -> None:
    """The request rates each scenario puts on the national nodes, from named assumptions."""
    if format_ not in FORMATS:
        usage(f"--format {format_!r} is not one of {', '.join(FORMATS)}")
    if not 0 < scale <= 1:
        usage(f"--scale {scale:g} must be in (0, 1]", hint="a share of the population, e.g. 0.01")
    chosen = assumptions_of(users, set_, assumptions, measured)
    names = [scenario] if scenario else list(SCENARIO_NAMES)
    plans = [plan_of(name, chosen, scale) for name in names]
    if format_ == "json":
        typer.echo(json.dumps({"plans": [p.as_json() for p in plans]}, ensure_ascii=False, indent=2))
        return
    registered = chosen["registered_users"]
    table = Table(title=f"Capacity model: {registered:,.0f} registered users, scale {scale:g}")
    for column in (
        "scenario",
        "citizen req/s",
        "write req/s",
        "look-up req/s",
        "facility read req/s",
        "total req/s",
        "episodes/s",
        "Locust workers",
    ):
        table.add_column(column, justify="right")
    for p in plans:
        a, k = p.average, p.peak
        table.add_row(
            p.scenario,
            f"{a.citizen_read:,.0f} → {k.citizen_read:,.0f}",
            f"{a.write:,.0f} → {k.write:,.0f}",
            f"{k.lookup:,.0f}",
            f"{k.facility_read:,.0f}",
            f"{k.total:,.0f}",
            f"{p.episodes_per_second:,.1f}",
            str(p.workers),
        )
    console.print(table)
    console.print("average → peak; workers at LOAD-A20 × LOAD-A21 requests/s per core")
    overridden = [a for a in chosen.items.values() if a.overridden]
    for item in overridden:
        console.print(f"  overridden: {item.id} {item.key} = {item.value:g} {item.unit}")
