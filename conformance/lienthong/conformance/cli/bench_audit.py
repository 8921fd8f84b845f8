"""``lienthong bench audit``: audit throughput from a folder and from a gateway's SQLite database,
dossiers per second per core (CPU time of the audit's process; for the whole run and after its
first :data:`WARM_UP` submissions) and its peak RSS.

The corpus is the generated audit corpus (``simulators/audit_corpus.py``), written once into
``--corpus`` and reused; each measurement runs in a fresh process so its peak RSS is its own.
``--facilities 1000 --visits 500`` is the ≈ 1 million submissions run of the issue (slow to
generate: ≈ 2 ms per visit per generating process; ``--workers``)."""

from __future__ import annotations

import json
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from lienthong.conformance.cli._console import console, fail
from lienthong.conformance.cli.bench import bench_app
from lienthong.profiles.i18n import _

if TYPE_CHECKING:
    from lienthong.simulators.audit_corpus import CorpusConfig

WARM_UP = 2048
"""Submissions after which the steady rate is timed: the first ones also load the code lists (the
ICD-10 list alone, about 0.2 s) and compile the field rules of each table met."""


class _Timed:
    """A source that notes the CPU time and the dossiers read when its submission
    :data:`WARM_UP` + 1 comes (the steady rate is timed from there)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.label = inner.label
        self.at: float | None = None
        self.before = 0

    def total(self) -> int | None:
        return int(self.inner.total()) if self.inner.total() is not None else None

    def rows(self, after: Any) -> Any:
        dossiers = 0
        for count, (position, raw) in enumerate(self.inner.rows(after)):
            if count == WARM_UP:
                self.at, self.before = time.process_time(), dossiers
            dossiers += raw.kind == "dossier"
            yield position, raw


def build_note() -> str:
    """How this install runs an audit's hot path: which record scanner, and whether the modules of
    ``hatch_build.COMPILED`` are compiled (a wheel) or Python (an editable install)."""
    from importlib.machinery import EXTENSION_SUFFIXES

    from lienthong.profiles import validation
    from lienthong.profiles.validator import native

    scanner = "the C record scanner" if native.COMPILED else "the pure-Python record scanner"
    compiled = validation.__file__ is not None and validation.__file__.endswith(tuple(EXTENSION_SUFFIXES))
    modules = "compiled by mypyc" if compiled else "run as Python (`pip install .` compiles them)"
    return f"this install: {scanner}; the validator's and the judge's modules {modules}"


def _measure(spec: str, truth_path: str, folder: bool) -> dict[str, Any]:
    """One audit of ``spec`` (in a fresh process): submissions, dossiers, CPU s (and the steady
    rate after the first :data:`WARM_UP` submissions), wall s, RSS MB, and the result held to the
    corpus's ground truth."""
    from lienthong.conformance.audit import engine
    from lienthong.conformance.audit.aggregate import build_result
    from lienthong.conformance.audit.sources import open_source
    from lienthong.conformance.audit.truth import judge_against_truth

    with tempfile.TemporaryDirectory() as out:
        source = _Timed(open_source(spec))
        cpu, wall = time.process_time(), time.perf_counter()
        run = engine.run_audit([source], Path(out))  # type: ignore[list-item]
        end = time.process_time()
        cpu, wall = end - cpu, time.perf_counter() - wall
    dossiers = run.kinds["dossier"]
    steady = (dossiers - source.before) / (end - source.at) if source.at is not None else None
    findings: list[dict[str, Any]] = []
    result = build_result(run.judge, sources=run.sources, on_finding=lambda f: findings.append(f.as_dict()))
    truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))
    verdict = judge_against_truth(truth, result, findings, folder=folder)
    return {
        "truth": verdict.summary(),
        "holds": verdict.holds,
        "submissions": run.read,
        "episodes": len(run.judge.episodes),
        "dossiers": dossiers,
        "cpu": cpu,
        "steady": steady,
        "wall": wall,
        "rss_mb": _peak_rss_kb() / 1024,
    }


def _peak_rss_kb() -> float:
    """This process's peak resident memory in kB: ``VmHWM``, its own. ``ru_maxrss`` survives the
    ``exec`` of a spawned process, so it reported the bench's own peak (1.9 GB after generating the
    1 M corpus) as each audit's; it is the fallback where there is no ``/proc``."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return float(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _corpus_config(
    corpus: Path, facilities: int | None, visits: int | None, regenerate: bool
) -> tuple[CorpusConfig, bool]:
    """The corpus to audit and whether it is to be generated: the one in ``corpus`` when no size is
    asked or it has the size asked; a new one when there is none, or with ``regenerate``. A corpus of
    another size (or unreadable) is not replaced unasked (the 1 M corpus takes minutes to write again)."""
    from lienthong.simulators.audit_corpus import CorpusConfig

    if (facilities is not None and facilities < 1) or (visits is not None and visits < 1):
        fail(
            _("--facilities and --visits must be at least 1"),
            hint=_("for example --facilities 50 --visits 200"),
        )
    if corpus.exists() and not corpus.is_dir():
        fail(
            _("--corpus {corpus} is a file, not a folder").format(corpus=corpus),
            hint=_("give a folder for the corpus (it is made if missing)"),
        )
    held = None if regenerate else _held_config(corpus / "truth.json")
    own = held if held is not None else {"facilities": 50, "visits": 200}
    facilities = own["facilities"] if facilities is None else facilities
    visits = own["visits"] if visits is None else visits
    config = CorpusConfig(facilities=facilities, visits=visits, days=max(90, visits // 10))
    wanted = json.loads(json.dumps(config.__dict__, default=str))
    if held is not None and held != wanted:
        fail(
            _(
                "{corpus} holds a corpus of {facilities} facilities × {visits} visits, not the {asked} asked"
            ).format(
                corpus=corpus,
                facilities=held["facilities"],
                visits=held["visits"],
                asked=f"{config.facilities} × {config.visits}",
            ),
            hint=_(
                "leave out --facilities and --visits to audit it, give --regenerate to replace it, "
                "or give another --corpus"
            ),
        )
    return config, held is None


def _held_config(truth: Path) -> dict[str, Any] | None:
    """The configuration of the corpus whose ground truth is ``truth`` (None: no corpus there)."""
    if not truth.is_file():
        return None
    try:
        held = json.loads(truth.read_text(encoding="utf-8"))["config"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        held = None
    if not (isinstance(held, dict) and all(isinstance(held.get(k), int) for k in ("facilities", "visits"))):
        fail(
            _("{path} is not the ground truth of a generated corpus").format(path=truth),
            hint=_("give --regenerate to write the corpus again, or give another --corpus"),
        )
    return held


@bench_app.command("audit")
def bench_audit(
    corpus: Annotated[Path, typer.Option("--corpus", help="Where the generated corpus is (or goes).")] = Path(
        "audit-corpus"
    ),
    facilities: Annotated[
        int | None,
        typer.Option("--facilities", help="Facilities of a new corpus (default 50, or the corpus's own)."),
    ] = None,
    visits: Annotated[
        int | None,
        typer.Option(
            "--visits", help="Visits per facility of a new corpus (default 200, or the corpus's own)."
        ),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="Processes generating a new corpus.")] = 1,
    regenerate: Annotated[
        bool,
        typer.Option("--regenerate", help="Write the corpus again (the way to replace one of another size)."),
    ] = False,
) -> None:
    """Dossiers audited per second per core, from the folder and from the SQLite database, with the
    peak RSS of each run. Figures depend on the machine: measure on a quiet one."""
    from lienthong.simulators.audit_corpus import write_corpus

    config, stale = _corpus_config(corpus, facilities, visits, regenerate)
    truth = corpus / "truth.json"
    if stale:
        with console.status(
            f"generating the corpus ({config.facilities} facilities × {config.visits} visits) in {corpus}..."
        ):
            write_corpus(config, corpus, workers=workers)
    context = multiprocessing.get_context("spawn")
    rows = []
    for label, spec in (("folder", corpus / "xml"), ("SQLite", corpus / "gateway.db")):
        with console.status(f"auditing the {label} (a fresh process)..."), context.Pool(1) as pool:
            rows.append((label, pool.apply(_measure, (str(spec), str(truth), label == "folder"))))
    table = Table(title="lienthong audit throughput (this machine, this run)")
    columns = ("source", "submissions", "dossiers", "CPU s", "dossiers/s/core", "steady /s/core", "wall s")
    for column in (*columns, "peak RSS MB"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for label, m in rows:
        table.add_row(
            label,
            f"{m['submissions']:,.0f}",
            f"{m['dossiers']:,.0f}",
            f"{m['cpu']:.2f}",
            f"{m['dossiers'] / m['cpu']:,.0f}" if m["cpu"] else "-",
            f"{m['steady']:,.0f}" if m["steady"] else "-",
            f"{m['wall']:.2f}",
            f"{m['rss_mb']:.0f}",
        )
    console.print(table)
    for label, m in rows:
        console.print(f"ground truth, {label}: {m['truth']} -> {'holds' if m['holds'] else 'DOES NOT HOLD'}")
    console.print(build_note())
    console.print(
        f"steady: after the first {WARM_UP:,} submissions (the code lists loaded, the field rules "
        "compiled); target: ≥ 10,000 dossiers/s per core from both sources (docs/benchmarks.md § Audit)"
    )
