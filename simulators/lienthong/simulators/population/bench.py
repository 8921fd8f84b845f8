"""``lienthong bench generate``: our citizens per second per core next to a Faker vi_VN baseline.

Each figure runs in a fresh subprocess (peak RSS is that run's largest process, from VmHWM), one
after another in the same invocation, as the project's benchmark method asks. Never a timed unit test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass

NATIONAL = 40_000_000


@dataclass(frozen=True)
class Figure:
    name: str
    records: int
    seconds: float
    workers: int
    peak_rss_mb: float

    @property
    def per_core(self) -> float:
        return self.records / self.seconds / self.workers

    def projected(self, cores: int) -> float:
        """Seconds for 40 million records on ``cores`` cores at this per-core rate."""
        return NATIONAL / (self.per_core * cores)


_PEAK = """
def peak_kb():
    # VmHWM is this process's own peak (ru_maxrss survives exec and would report the parent's).
    import resource
    with open("/proc/self/status") as status:
        own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""

_OURS = (
    _PEAK
    + """
import json, sys, time, pathlib
from lienthong.simulators.population.stream import generate
count, workers, out, fmt = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
generate(1, 2000, fmt, pathlib.Path(out) / "warm")
t = time.perf_counter()
generate(7, count, fmt, pathlib.Path(out) / "run", workers=workers)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "rss_kb": peak_kb()}))
"""
)

_FAKER = (
    _PEAK
    + """
import json, sys, time
from faker import Faker
count = int(sys.argv[1])
fake = Faker("vi_VN")
fake.seed_instance(7)
rows = []
t = time.perf_counter()
for _ in range(count):
    rows.append((fake.name(), fake.address(), fake.phone_number(), fake.date_of_birth().isoformat(),
                 fake.random_element(("1", "2"))))
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "rss_kb": peak_kb()}))
"""
)


def _run(script: str, *args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def ours(count: int, workers: int, fmt: str = "citizens-csv") -> Figure:
    with tempfile.TemporaryDirectory(prefix="lienthong-bench-") as out:
        result = _run(_OURS, str(count), str(workers), out, fmt)
    label = "lienthong citizens.csv" if fmt == "citizens-csv" else f"lienthong --format {fmt}"
    return Figure(
        f"{label} ({workers} worker{'s' if workers > 1 else ''})",
        count,
        result["seconds"],
        workers,
        result["rss_kb"] / 1024,
    )


def faker(count: int) -> Figure:
    result = _run(_FAKER, str(count))
    return Figure(
        "Faker vi_VN (name, address, phone, dob, sex)",
        count,
        result["seconds"],
        1,
        result["rss_kb"] / 1024,
    )
