"""What an open certification session shows while it runs: each submission as it is answered,
each forward's outcome (C06's reason when it refuses), and what is still awaited (check-ins whose
dossier has not come)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime

from rich.console import Console
from sqlalchemy import Engine, select

from lienthong.conformance.cli._certify_journal import read_journal
from lienthong.conformance.traffic.certification import SessionFacts, judge_session
from lienthong.conformance.traffic.session_deadline import parse_deadline
from lienthong.profiles.scenarios import Scenario
from lienthong.simulators.clock import vn_stamp
from lienthong.simulators.gateway.schema import outbox, submissions

INTERVAL = 0.5


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite keeps UTC without zone


class SessionWatch:
    """Polls the gateway's journal and prints what changed (one line per event)."""

    def __init__(self, engine: Engine, console: Console, scenario: Scenario | None = None) -> None:
        self.engine, self.console, self.scenario = engine, console, scenario
        self.opened = datetime.now(UTC)
        self.last_submission = 0
        self.forwards: dict[int, str] = {}
        self.checked_in: set[tuple[str, str]] = set()
        self.dossiers: set[tuple[str, str]] = set()

    def poll(self) -> None:
        with self.engine.connect() as db:
            rows = db.execute(
                select(
                    submissions.c.id,
                    submissions.c.kind,
                    submissions.c.ma_cskcb,
                    submissions.c.ma_lk,
                    submissions.c.result_code,
                    submissions.c.message,
                    submissions.c.received_at,
                )
                .where(submissions.c.id > self.last_submission)
                .order_by(submissions.c.id)
            ).all()
            done = db.execute(
                select(outbox.c.submission_id, outbox.c.status, outbox.c.last_error, submissions.c.ma_lk)
                .join(submissions, submissions.c.id == outbox.c.submission_id)
                .where(outbox.c.status != "pending")
            ).all()
        for row in rows:
            self.last_submission = row.id
            key = (row.ma_cskcb, row.ma_lk)
            (self.checked_in if row.kind == "checkin" else self.dossiers).add(key)
            colour = "green" if row.result_code == "200" else "red"
            self.console.print(
                f"{vn_stamp(_aware(row.received_at), '%H:%M:%S')} {row.kind:8} {row.ma_cskcb} "
                f"MA_LK {row.ma_lk or '?'}: "
                f"[{colour}]{row.result_code}[/] {row.message[:140]}"
            )
        changed = bool(rows)
        for forward in done:
            if self.forwards.get(forward.submission_id) == forward.status:
                continue
            changed = True
            self.forwards[forward.submission_id] = forward.status
            why = ""
            if forward.status == "identity_rejected":
                with contextlib.suppress(ValueError, AttributeError):
                    errors = json.loads(forward.last_error or "{}").get("errors", [])
                    why = "; ".join(f"{e['field']} = {e['value']!r}: {e['rule']}" for e in errors)
            colour = "green" if forward.status == "delivered" else "yellow"
            self.console.print(f"  forward MA_LK {forward.ma_lk}: [{colour}]{forward.status}[/] {why}")
        if changed and self.scenario is not None:
            self._steps(self.scenario)
        if rows:
            awaited = sorted(m for f, m in self.checked_in - self.dossiers)
            if awaited:
                self.console.print(
                    f"  awaited: the dossier of {', '.join(awaited[:10])}"
                    + (f" and {len(awaited) - 10} more" if len(awaited) > 10 else "")
                )

    def _steps(self, scenario: Scenario) -> None:
        """Where the scenario stands: each step done (with its outcome) or still awaited."""
        transcripts, certs = read_journal(self.engine)
        facts = SessionFacts((), certs, self.opened, None, parse_deadline(""))
        verdict = judge_session(transcripts, scenario.patients, facts, datetime.now(UTC), scenario=scenario)
        done = sum(1 for s in verdict.steps if s.outcome != "pending")
        line = [f"  scenario {scenario.name}: {done}/{len(verdict.steps)} steps done"]
        line += [
            f"step {s.step.id} {s.outcome} (MA_LK {s.ma_lk})" for s in verdict.steps if s.outcome != "pending"
        ]
        awaited = next((s for s in verdict.steps if s.outcome == "pending"), None)
        if awaited is not None:
            line.append(f"next: step {awaited.step.id}: {awaited.step.title}")
        self.console.print("; ".join(line))

    async def run(self) -> None:
        while True:
            with contextlib.suppress(Exception):  # a poll that fails is retried at the next one
                self.poll()
            await asyncio.sleep(INTERVAL)
