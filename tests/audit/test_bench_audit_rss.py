"""``bench audit``'s peak RSS is the audit process's own: the spawned process measuring an audit
reported the bench's own peak (``ru_maxrss`` survives ``exec``), 1.9 GB after generating a corpus."""

from __future__ import annotations

import multiprocessing
import resource

from lienthong.conformance.cli.bench_audit import _peak_rss_kb

HELD_MB = 400


def _both() -> tuple[float, float]:
    return _peak_rss_kb(), float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def test_a_spawned_audit_reports_its_own_peak_not_the_benchs() -> None:
    held = bytearray(HELD_MB << 20)
    held[::4096] = b"\x01" * len(range(0, len(held), 4096))  # resident, not only reserved
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        own, inherited = pool.apply(_both)
    assert inherited / 1024 >= HELD_MB  # what the bench reported before
    assert 0 < own / 1024 < HELD_MB / 2
    del held
