"""The audit judged against the generated corpus's ground truth: every seeded problem found on
its rule, facility and episode, nothing reported at the clean facilities, every facility with
problems ranked below every clean one."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from lienthong.conformance.audit import engine
from lienthong.conformance.audit.aggregate import build_result
from lienthong.conformance.audit.sources import JournalApiSource, Raw, SqliteSource
from lienthong.conformance.audit.state import STATE
from lienthong.conformance.audit.truth import judge_against_truth
from lienthong.conformance.cli.audit import audit_to
from lienthong.simulators.audit_corpus import PROBLEMS


def _findings(out: Path) -> list[dict[str, str]]:
    with (out / "findings.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _judged(
    truth: dict[str, Any], result: dict[str, Any], findings: list[dict[str, str]], *, folder: bool
) -> None:
    assert set(PROBLEMS) == {p["problem"] for row in truth["facilities"].values() for p in row["problems"]}, (
        "the small corpus seeds every kind of problem"
    )
    verdict = judge_against_truth(truth, result, findings, folder=folder)
    assert verdict.seeded >= (8 if folder else 10)
    assert verdict.missed == [], "seeded problems the audit missed"
    assert verdict.at_clean == []
    assert verdict.stray == [], "findings on episodes nothing was seeded on"
    assert verdict.misranked == []
    assert verdict.holds
    clean = {code for code, row in truth["facilities"].items() if row["clean"]}
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
    state = json.loads((resumed_dir / STATE).read_text(encoding="utf-8"))
    assert state["complete"] is False
    saved = state["submissions"]
    assert 40 <= saved < 150  # the last checkpoint before the stop
    again = engine.run_audit([SqliteSource(corpus["database"])], resumed_dir)
    assert again.resumed_from == saved
    assert again.read == whole.judge.submissions - saved
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


@pytest.mark.postgres
def test_audit_of_a_postgresql_gateway_equals_the_sqlite_one(corpus: dict[str, Path], tmp_path: Path) -> None:
    import secrets

    psycopg = pytest.importorskip("psycopg")
    from lienthong.simulators.audit_corpus import generate, write_journal
    from tests.audit.conftest import SMALL

    admin_url = "postgresql://postgres@127.0.0.1:5432/test"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is not reachable: {exc}")
    name = f"lienthong_audit_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = f"postgresql://postgres@127.0.0.1:5432/{name}"
            write_journal(generate(SMALL)[0], url)
            from_pg = audit_to([url], tmp_path / "pg", formats=["json"], lang="vi", show_progress=False)
            from_sqlite = audit_to(
                [str(corpus["database"])],
                tmp_path / "sqlite",
                formats=["json"],
                lang="vi",
                show_progress=False,
            )
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for key in ("facilities", "rules", "report_2733", "submissions", "episodes"):
        assert from_pg[key] == from_sqlite[key], key


def test_the_truth_check_fails_on_a_missed_or_a_false_finding(
    corpus: dict[str, Path], truth: dict[str, Any], tmp_path: Path
) -> None:
    result = audit_to([str(corpus["database"])], tmp_path, formats=["json"], lang="vi", show_progress=False)
    findings = _findings(tmp_path)
    assert judge_against_truth(truth, result, findings).holds
    dropped = [f for f in findings if f["requirement"] != "TRAFFIC-02"]
    assert [m[1] for m in judge_against_truth(truth, result, dropped).missed] == ["TRAFFIC-02"]
    clean = next(code for code, row in truth["facilities"].items() if row["clean"])
    false = [*findings, {**findings[0], "facility": clean}]
    assert len(judge_against_truth(truth, result, false).at_clean) == 1
    swapped = {
        **result,
        "facilities": [{**r, "rank": len(result["facilities"]) - r["rank"]} for r in result["facilities"]],
    }
    assert judge_against_truth(truth, swapped, findings).misranked


def test_a_senders_journaled_traffic_is_judged_the_same_way(
    corpus: dict[str, Path], truth: dict[str, Any]
) -> None:
    """``from_sent``: the certification verdict's way in (a SenderContext's ``Sent`` rows)."""
    import sqlite3

    from lienthong.conformance.context import Sent
    from lienthong.conformance.traffic import TrafficJudge, from_sent

    db = sqlite3.connect(corpus["database"])
    code = next(
        c for c, row in truth["facilities"].items() if sum(p["in_folder"] for p in row["problems"]) == 2
    )
    judge = TrafficJudge()
    for row in db.execute(
        "SELECT id, kind, endpoint, profile, loai_ho_so, ma_cskcb, ma_lk, result_code, received_at, payload "
        "FROM gw_submissions WHERE ma_cskcb = ? ORDER BY id",
        (code,),
    ):
        judge.add(from_sent(Sent(*row[:8], row[8].replace(" ", "T") + "+00:00", row[9])))
    found = {(f.requirement, f.ma_lk) for f in judge.findings()}
    expected = {
        (p["requirement"], p["ma_lk"]) for p in truth["facilities"][code]["problems"] if p["in_folder"]
    }
    assert len(expected) == 2
    assert expected <= found
    assert {ma_lk for _, ma_lk in found} <= {p["ma_lk"] for p in truth["facilities"][code]["problems"]}


def test_report_scorecard_and_csv_agree_with_the_result(corpus: dict[str, Path], tmp_path: Path) -> None:
    from lxml import html as lxml_html

    result = audit_to(
        [str(corpus["database"])],
        tmp_path,
        formats=["json", "csv", "html"],
        lang="vi",
        register_path=corpus["register"],
        show_progress=False,
    )
    with (tmp_path / "report-2733.csv").open(encoding="utf-8") as handle:
        report = list(csv.reader(handle))
    assert report[0][:3] == ["Cơ sở KCB", "Kỳ báo cáo", "Loại hình KCB"]
    for row in result["facilities"]:
        lines = [line for line in result["report_2733"] if line["facility"] == row["facility"]]
        visits = sum(line["bhyt_visits"] + line["non_bhyt_visits"] for line in lines)
        sent = sum(line["bhyt_sent"] + line["non_bhyt_sent"] for line in lines)
        assert (visits, sent) == (row["episodes"], row["sent"])
        assert {line["period"] for line in lines} <= {"2026-H1", "2026-H2"}
        page = lxml_html.fromstring((tmp_path / "scorecards" / f"{row['facility']}.html").read_bytes())
        assert page.xpath("string(//span[@id='score'])") == str(row["score"])
        assert "Điểm tổng hợp" in page.text_content()
        assert row["name"] in page.text_content()
    with (tmp_path / "facilities.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["Cơ sở KCB"] for r in rows] == [f["facility"] for f in result["facilities"]]


@pytest.mark.slow  # two spawned processes import the simulators: ≈ 6 s
def test_the_corpus_does_not_depend_on_the_number_of_workers(tmp_path: Path) -> None:
    import sqlite3

    from lienthong.simulators.audit_corpus import CorpusConfig, write_corpus

    config = CorpusConfig(seed=3, facilities=4, visits=4, problems_per_facility=1)
    one = write_corpus(config, tmp_path / "one", folder=False)
    two = write_corpus(config, tmp_path / "two", folder=False, workers=2)
    assert one["truth"].read_text(encoding="utf-8") == two["truth"].read_text(encoding="utf-8")
    query = "SELECT kind, ma_cskcb, ma_lk, received_at, result_code, payload FROM gw_submissions ORDER BY id"
    assert (
        sqlite3.connect(one["database"]).execute(query).fetchall()
        == sqlite3.connect(two["database"]).execute(query).fetchall()
    )


def test_saves_of_the_state_are_spaced_by_what_they_cost(
    corpus: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A large audit's state takes seconds to save: saved after every `checkpoint` submissions, the
    # saves came to cost more than the audit. Each save here takes ≥ 5 ms, so ≥ 200 ms lie between two.
    saves: list[bool] = []
    real = engine._save_state

    def slow_save(*args: Any, done: bool) -> None:
        time.sleep(0.005)
        saves.append(done)
        real(*args, done=done)

    monkeypatch.setattr(engine, "_save_state", slow_save)
    started = time.perf_counter()
    run = engine.run_audit([SqliteSource(corpus["database"])], tmp_path / "out", checkpoint=1)
    elapsed = time.perf_counter() - started
    on_the_way = saves.count(False)
    assert saves[-1] is True
    assert run.read > 100
    assert 1 <= on_the_way <= elapsed / (engine.SAVE_SPACING * 0.005) + 1
