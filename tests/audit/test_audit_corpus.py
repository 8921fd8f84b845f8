"""The audit judged against the generated corpus's ground truth: every seeded problem found on
its rule, facility and episode, nothing reported at the clean facilities, every facility with
problems ranked below every clean one."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from lienthong.conformance.audit import engine
from lienthong.conformance.audit.aggregate import build_result
from lienthong.conformance.audit.sources import JournalApiSource, Raw, SqliteSource
from lienthong.conformance.cli.audit import audit_to
from lienthong.simulators.audit_corpus import PROBLEMS


def _findings(out: Path) -> list[dict[str, str]]:
    with (out / "findings.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _judged(
    truth: dict[str, Any], result: dict[str, Any], findings: list[dict[str, str]], *, folder: bool
) -> None:
    seeded = {
        (code, p["requirement"], p["ma_lk"])
        for code, row in truth["facilities"].items()
        for p in row["problems"]
        if p["in_folder"] or not folder
    }
    assert {p for p, _ in PROBLEMS.items()} == {
        p["problem"] for row in truth["facilities"].values() for p in row["problems"]
    }, "the small corpus seeds every kind of problem"
    found = {(f["facility"], f["requirement"], f["ma_lk"]) for f in findings}
    assert seeded - found == set(), "seeded problems the audit missed"
    clean = {code for code, row in truth["facilities"].items() if row["clean"]}
    assert [f for f in findings if f["facility"] in clean] == []
    seeded_episodes = {(code, ma_lk) for code, _, ma_lk in seeded}
    stray = [f for f in findings if (f["facility"], f["ma_lk"]) not in seeded_episodes]
    assert stray == [], "findings on episodes nothing was seeded on"
    ranks = {row["facility"]: row["rank"] for row in result["facilities"]}
    problem_sites = {code for code, _, _ in seeded}
    assert max(ranks[c] for c in clean) < min(ranks[c] for c in problem_sites)
    for row in result["facilities"]:
        assert (row["score"] == 100.0) == (row["facility"] in clean)


def test_audit_of_the_gateway_database_finds_every_seeded_problem(
    corpus: dict[str, Path], truth: dict[str, Any], tmp_path: Path
) -> None:
    result = audit_to(
        [str(corpus["database"])],
        tmp_path,
        formats=["json", "csv", "html"],
        lang="vi",
        register_path=corpus["register"],
        show_progress=False,
    )
    _judged(truth, result, _findings(tmp_path), folder=False)
    for name in ("audit.json", "audit-result.schema.json", "facilities.csv", "report-2733.csv"):
        assert (tmp_path / name).is_file(), name
    assert len(list((tmp_path / "scorecards").glob("*.html"))) == len(truth["facilities"])


def test_audit_of_the_folder_finds_what_files_show(
    corpus: dict[str, Path], truth: dict[str, Any], tmp_path: Path
) -> None:
    result = audit_to([str(corpus["folder"])], tmp_path, formats=["json"], lang="en", show_progress=False)
    _judged(truth, result, _findings(tmp_path), folder=True)


def test_every_lost_point_is_traced_to_findings(corpus: dict[str, Path], tmp_path: Path) -> None:
    result = audit_to([str(corpus["database"])], tmp_path, formats=["json"], lang="vi", show_progress=False)
    findings = _findings(tmp_path)
    for row in result["facilities"]:
        episodes = row["episodes"]
        for dim, lost in row["lost"].items():
            assert row[dim] == pytest.approx(100.0 * (episodes - lost["episodes"]) / episodes, abs=0.01)
            assert lost["points"] == pytest.approx(100.0 * lost["episodes"] / episodes, abs=0.01)
        failing = {f["ma_lk"] for f in findings if f["facility"] == row["facility"]}
        worst = max(lost["episodes"] for lost in row["lost"].values())
        assert worst <= len(failing)


def test_the_result_follows_its_published_schema(corpus: dict[str, Path], tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    audit_to([str(corpus["database"])], tmp_path, formats=["json"], lang="vi", show_progress=False)
    schema = json.loads((tmp_path / "audit-result.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads((tmp_path / "audit.json").read_text(encoding="utf-8")), schema)
    broken = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    broken["facilities"][0]["score"] = 101
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


class _Stop(Exception):
    pass


class _Interrupted(SqliteSource):
    """The database source, stopped after ``limit`` rows (a killed run)."""

    def __init__(self, path: Path, limit: int) -> None:
        super().__init__(path)
        self.limit = limit

    def rows(self, after: Any) -> Iterator[tuple[Any, Raw]]:
        for count, item in enumerate(super().rows(after)):
            if count == self.limit:
                raise _Stop
            yield item


def test_a_resumed_audit_gives_the_result_of_one_run(corpus: dict[str, Path], tmp_path: Path) -> None:
    whole = engine.run_audit([SqliteSource(corpus["database"])], tmp_path / "whole")
    expected = build_result(whole.judge, sources=whole.sources)
    resumed_dir = tmp_path / "resumed"
    with pytest.raises(_Stop):
        engine.run_audit([_Interrupted(corpus["database"], 150)], resumed_dir, checkpoint=40)
    state = json.loads((resumed_dir / engine.STATE).read_text(encoding="utf-8"))
    assert state["complete"] is False
    assert state["submissions"] == 120  # the last checkpoint before the stop
    again = engine.run_audit([SqliteSource(corpus["database"])], resumed_dir)
    assert again.resumed_from == 120
    assert again.read == whole.judge.submissions - 120
    got = build_result(again.judge, sources=again.sources)
    for key in ("facilities", "rules", "report_2733", "submissions", "episodes"):
        assert got[key] == expected[key], key


def test_audit_through_the_journal_api(
    corpus: dict[str, Path], truth: dict[str, Any], tmp_path: Path
) -> None:
    """The journal API serves what the database holds (no C06 answer, no forwarding time)."""
    import base64
    import sqlite3

    db = sqlite3.connect(corpus["database"])

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer admin-token"
        after = int(request.url.params["after_id"])
        rows = db.execute(
            "SELECT id, kind, ma_cskcb, received_at, result_code, payload, profile FROM gw_submissions "
            "WHERE id > ? ORDER BY id LIMIT 100",
            (after,),
        ).fetchall()
        return httpx.Response(
            200,
            json={
                "submissions": [
                    {
                        "id": r[0],
                        "kind": r[1],
                        "ma_cskcb": r[2],
                        "received_at": r[3].replace(" ", "T") + "+00:00",
                        "result_code": r[4],
                        "payload_base64": base64.b64encode(r[5]).decode(),
                        "profile": r[6],
                    }
                    for r in rows
                ]
            },
        )

    source = JournalApiSource("http://gateway.test", "admin-token", transport=httpx.MockTransport(handler))
    run = engine.run_audit([source], tmp_path)
    result = build_result(run.judge, sources=run.sources)
    found = {(r, row["facility"]) for row in result["facilities"] for r in row["rules"]}
    for code, row in truth["facilities"].items():
        for problem in row["problems"]:
            if problem["in_folder"]:  # what the submissions alone show
                assert (problem["requirement"], code) in found
