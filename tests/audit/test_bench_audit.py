"""``bench audit``: its peak RSS is the audit process's own (the spawned process measuring an audit
reported the bench's own peak, ``ru_maxrss`` surviving ``exec``: 1.9 GB after generating a corpus),
and a corpus of another size is audited as it is or replaced only when asked (a 1 M corpus given
without its size was silently written again at the default size)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lienthong.conformance.cli import app
from lienthong.conformance.cli.bench_audit import _corpus_config
from lienthong.simulators.audit_corpus import CorpusConfig

HELD_MB = 400
_CHILD = (
    "import resource; from lienthong.conformance.cli.bench_audit import _peak_rss_kb; "
    "print(_peak_rss_kb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)


def test_a_started_audit_process_reports_its_own_peak_not_the_benchs() -> None:
    """A process started by one holding ``HELD_MB`` (a subprocess, not the bench's spawn pool:
    locust, imported by other tests, patches the threads a pool runs on)."""
    held = bytearray(HELD_MB << 20)
    held[::4096] = b"\x01" * len(range(0, len(held), 4096))  # resident, not only reserved
    done = subprocess.run(
        [sys.executable, "-c", _CHILD], capture_output=True, text=True, timeout=120, check=True
    )
    own, inherited = (float(v) for v in done.stdout.split())
    assert inherited / 1024 >= HELD_MB  # what the bench reported before
    assert 0 < own / 1024 < HELD_MB / 2
    del held


def _held(corpus: Path, facilities: int, visits: int) -> Path:
    config = CorpusConfig(facilities=facilities, visits=visits, days=max(90, visits // 10))
    corpus.mkdir()
    (corpus / "truth.json").write_text(json.dumps({"config": config.__dict__}, default=str), encoding="utf-8")
    return corpus


def test_a_new_corpus_has_the_default_size_or_the_size_asked(tmp_path: Path) -> None:
    config, stale = _corpus_config(tmp_path / "none", None, None, False)
    assert (config.facilities, config.visits, stale) == (50, 200, True)
    config, stale = _corpus_config(tmp_path / "none", 1000, 500, False)
    assert (config.facilities, config.visits, config.days, stale) == (1000, 500, 90, True)


def test_a_corpus_given_without_a_size_is_audited_as_it_is(tmp_path: Path) -> None:
    corpus = _held(tmp_path / "big", 1000, 500)
    for asked in ((None, None), (1000, None), (None, 500), (1000, 500)):
        config, stale = _corpus_config(corpus, *asked, False)
        assert (config.facilities, config.visits, stale) == (1000, 500, False), asked


def test_a_corpus_of_another_size_is_replaced_only_when_asked(tmp_path: Path) -> None:
    corpus = _held(tmp_path / "big", 1000, 500)
    result = CliRunner().invoke(
        app, ["bench", "audit", "--corpus", str(corpus), "--visits", "200"], env={"COLUMNS": "200"}
    )
    text = " ".join(result.output.split())
    assert result.exit_code == 2, text
    assert "holds a corpus of 1000 facilities × 500 visits, not the 1000 × 200 asked" in text
    assert "--regenerate" in text
    assert "Traceback" not in text
    assert (corpus / "truth.json").is_file()
    config, stale = _corpus_config(corpus, 3, 4, True)
    assert (config.facilities, config.visits, stale) == (3, 4, True)


def test_a_file_or_an_unreadable_corpus_is_a_usage_error(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "truth.json").write_text("{not json", encoding="utf-8")
    for corpus, says in ((a_file, "is a file, not a folder"), (broken, "is not the ground truth")):
        result = CliRunner().invoke(app, ["bench", "audit", "--corpus", str(corpus)], env={"COLUMNS": "200"})
        text = " ".join(result.output.split())
        assert result.exit_code == 2, text
        assert says in text
    config, stale = _corpus_config(broken, None, None, True)
    assert (config.facilities, config.visits, stale) == (50, 200, True)


@pytest.mark.parametrize("bad", [["--facilities", "0"], ["--visits", "-1"]])
def test_a_size_below_one_is_refused(tmp_path: Path, bad: list[str]) -> None:
    result = CliRunner().invoke(app, ["bench", "audit", "--corpus", str(tmp_path / "c"), *bad])
    assert result.exit_code == 2
    assert "--facilities and --visits must be at least 1" in " ".join(result.output.split())
