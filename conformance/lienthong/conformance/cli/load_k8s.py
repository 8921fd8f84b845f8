"""``lienthong load k8s``: Kubernetes manifests for a distributed run, worker count from the plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lienthong.conformance.cli._console import console
from lienthong.conformance.cli.load import assumptions_of, load_app, plan_of
from lienthong.load import k8s


@load_app.command("k8s")
def k8s_command(
    scenario: Annotated[str, typer.Option(help="Scenario whose peak sizes the workers.")] = "base",
    scale: Annotated[float, typer.Option(help="Fraction of the population.")] = 1.0,
    image: Annotated[str, typer.Option(help="Container image with lienthong[load] installed.")] = k8s.IMAGE,
    namespace: Annotated[str, typer.Option(help="Kubernetes namespace.")] = "lienthong-load",
    workers: Annotated[int | None, typer.Option(min=1, help="Override the plan's worker count.")] = None,
    out: Annotated[Path, typer.Option(help="Folder for the manifests.")] = Path("deploy/k8s"),
) -> None:
    """Write master and worker manifests (JSON, `kubectl apply -f DIR`) sized by the plan."""
    the_plan = plan_of(scenario, assumptions_of(None, [], None), scale)
    count = workers or the_plan.workers
    for path in k8s.write(out, k8s.manifests(count, image=image, namespace=namespace, scenario=scenario)):
        console.print(f"  {path}")
    console.print(f"{count} workers for {the_plan.peak.total:,.0f} req/s ({scenario}, scale {scale:g})")
