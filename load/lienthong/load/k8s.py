"""Kubernetes manifests for a distributed load run: a master Job and Service, and an Indexed Job
of workers (``JOB_COMPLETION_INDEX`` picks each worker's own pre-generated data), sized by the plan.

The run configuration and the per-worker data are read from the volume ``lienthong-load-data``
(``config.json``, ``data-<index>.json``), written beforehand with
``lienthong load run --prepare-only DIR`` against the cluster's targets.
Manifests are JSON, which ``kubectl apply -f`` takes like YAML.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

IMAGE = "ghcr.io/lienthong/lienthong-load:latest"
MASTER_PORT = 5557
LOCUSTFILE = "/usr/local/lib/python3.11/site-packages/lienthong/load/locustfile.py"


def _container(name: str, image: str, args: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "image": image,
        "command": ["python", "-m", "locust", "-f", LOCUSTFILE],
        "args": args,
        "env": [{"name": "LIENTHONG_LOAD_CONFIG", "value": "/data/config.json"}],
        "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": False}],
        "resources": {"requests": {"cpu": "1", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
    }


def _volume() -> list[dict[str, Any]]:
    return [{"name": "data", "persistentVolumeClaim": {"claimName": "lienthong-load-data"}}]


def manifests(
    workers: int, *, image: str = IMAGE, namespace: str = "lienthong-load", scenario: str = "base"
) -> list[tuple[str, dict[str, Any]]]:
    """(file name, manifest) of the namespace, master Job and Service, and the workers' Indexed Job."""
    labels = {"app.kubernetes.io/name": "lienthong-load", "lienthong/scenario": scenario}
    meta = {"namespace": namespace, "labels": labels}
    master_labels = labels | {"app.kubernetes.io/component": "master"}
    worker_labels = labels | {"app.kubernetes.io/component": "worker"}
    master_args = [
        "--master",
        "--headless",
        "--expect-workers",
        str(workers),
        "--only-summary",
        "--csv",
        "/data/locust",
        "--master-bind-port",
        str(MASTER_PORT),
    ]
    worker_args = ["--worker", "--master-host", "lienthong-load-master", "--master-port", str(MASTER_PORT)]
    return [
        (
            "00-namespace.json",
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": labels}},
        ),
        (
            "10-master-service.json",
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "lienthong-load-master", **meta},
                "spec": {
                    "selector": master_labels,
                    "ports": [{"name": "locust", "port": MASTER_PORT, "targetPort": MASTER_PORT}],
                },
            },
        ),
        (
            "20-master-job.json",
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {"name": "lienthong-load-master", **meta},
                "spec": {
                    "backoffLimit": 0,
                    "template": {
                        "metadata": {"labels": master_labels},
                        "spec": {
                            "restartPolicy": "Never",
                            "volumes": _volume(),
                            "containers": [
                                _container("master", image, master_args)
                                | {"ports": [{"containerPort": MASTER_PORT}]}
                            ],
                        },
                    },
                },
            },
        ),
        (
            "30-worker-job.json",
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {"name": "lienthong-load-workers", **meta},
                "spec": {
                    "completionMode": "Indexed",
                    "completions": workers,
                    "parallelism": workers,
                    "backoffLimit": workers,
                    "template": {
                        "metadata": {"labels": worker_labels},
                        "spec": {
                            "restartPolicy": "Never",
                            "volumes": _volume(),
                            "containers": [_container("worker", image, worker_args)],
                        },
                    },
                },
            },
        ),
    ]


def write(directory: Path, made: list[tuple[str, dict[str, Any]]]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, manifest in made:
        path = directory / name
        path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
