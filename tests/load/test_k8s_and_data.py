"""The Kubernetes manifests (structure, worker count from the plan, committed copy up to date) and
the pre-generated data (every episode of the run its own MA_LK, over all workers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lienthong.conformance.cli._load_data import TREATED_PER_FACILITY, _chunk, population_of, worker_data
from lienthong.load import k8s, plan

DEPLOY = Path(__file__).parents[2] / "deploy" / "k8s"
REQUIRED = {"Namespace": (), "Service": ("spec",), "Job": ("spec",)}


def _by_kind(made: list[tuple[str, dict]]) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    out: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    for _, manifest in made:
        out.setdefault(manifest["kind"], []).append(manifest)
    return out


@pytest.mark.parametrize("scenario", ["base", "surge"])
def test_manifests_are_well_formed_and_sized_by_the_plan(scenario: str) -> None:
    workers = plan(scenario).workers
    made = k8s.manifests(workers, scenario=scenario)
    for _, manifest in made:
        assert manifest["apiVersion"] in {"v1", "batch/v1"}
        assert manifest["metadata"]["name"]
        for key in REQUIRED[manifest["kind"]]:
            assert key in manifest
    kinds = _by_kind(made)
    jobs = {job["metadata"]["name"]: job for job in kinds["Job"]}
    master, crew = jobs["lienthong-load-master"], jobs["lienthong-load-workers"]
    assert crew["spec"]["completionMode"] == "Indexed"  # JOB_COMPLETION_INDEX picks each worker's data
    assert crew["spec"]["completions"] == crew["spec"]["parallelism"] == workers
    master_args = master["spec"]["template"]["spec"]["containers"][0]["args"]
    assert master_args[master_args.index("--expect-workers") + 1] == str(workers)
    service = kinds["Service"][0]
    pod_labels = master["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["metadata"]["name"] in crew["spec"]["template"]["spec"]["containers"][0]["args"]
    for job in jobs.values():
        pod = job["spec"]["template"]["spec"]
        assert pod["restartPolicy"] == "Never"
        mounts = {m["name"] for c in pod["containers"] for m in c["volumeMounts"]}
        assert mounts <= {v["name"] for v in pod["volumes"]}
    assert plan("surge").workers > plan("base").workers


def test_the_committed_manifests_are_the_generated_ones() -> None:
    for name, manifest in k8s.manifests(plan("base").workers):
        committed = json.loads((DEPLOY / name).read_text(encoding="utf-8"))
        assert committed == manifest, f"deploy/k8s/{name} is stale: run `lienthong load k8s`"


def test_every_episode_of_a_run_has_its_own_ma_lk(tmp_path: Path) -> None:
    people = population_of(42, 50, tmp_path / "keys")
    workers = [worker_data(people, w, 2, 4, {}) for w in range(2)]
    ma_lk = [e["ma_lk"] for data in workers for e in data["episodes"]]
    assert len(ma_lk) == len(set(ma_lk)) == 8
    first = len(people.sites) * TREATED_PER_FACILITY
    treated = {e["ma_lk"] for e in _chunk((people, list(range(first))))}  # sent before the run
    assert len(treated) == first
    assert not treated & set(ma_lk)
    assert {e["facility"] for e in workers[0]["episodes"]} == {s.code for s in people.sites}
    with pytest.raises(ValueError, match="larger --population"):
        worker_data(people, 0, 1, people.capacity() - first + 1, {})


def test_prepare_only_needs_every_target(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from lienthong.conformance.cli import app

    result = CliRunner().invoke(
        app, ["load", "run", "--prepare-only", str(tmp_path), "--target", "bhxh=http://127.0.0.1:9"]
    )
    assert result.exit_code == 2, result.output
    assert "missing: c06, moh" in result.output


@pytest.mark.loadsmoke
@pytest.mark.slow
def test_prepare_only_writes_a_config_plain_locust_can_run(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from lienthong.conformance.cli import app
    from lienthong.conformance.cli._served import served_network
    from lienthong.load.runconfig import RunConfig

    with served_network(tmp_path / "net", population=300) as network:
        targets = [f"--target={node}={url}" for node, url in network.urls.items()]
        result = CliRunner().invoke(
            app,
            [
                "load",
                "run",
                "--prepare-only",
                str(tmp_path / "prep"),
                *targets,
                "--keys",
                str(tmp_path / "net" / "keys"),
                "--workers",
                "2",
                "--population",
                "300",
                "--scale",
                "0.02",
            ],
        )
    assert result.exit_code == 0, result.output
    config = RunConfig.read(tmp_path / "prep" / "config.json")
    assert config.urls == network.urls
    assert config.workers == 2
    for worker in range(2):
        data = json.loads(config.data_path(worker).read_text(encoding="utf-8"))
        assert data["episodes"]
        assert any(data["patients"].values())  # visits sent through the targets before the run
