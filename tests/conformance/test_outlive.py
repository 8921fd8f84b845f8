"""``ServerContext.outlive``: the one place a check gets past a token's expiry. A simulated clock
is moved (and moved back); a real target is waited for only with --wait-token-expiry, never more
than 15 minutes; without the option the check is out of scope."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lienthong.conformance.context import MAX_WAIT, ServerContext
from lienthong.conformance.failures import Omitted, Skipped
from lienthong.conformance.recording import Recorder


def _ctx(**options: Any) -> ServerContext:
    return ServerContext({}, None, Recorder(), **options)  # type: ignore[arg-type]


def test_a_simulated_clock_is_moved_past_the_expiry_and_back() -> None:
    moves: list[timedelta] = []
    back = asyncio.run(_ctx(advance=moves.append).outlive(datetime.now(UTC) + timedelta(hours=1)))
    assert moves[0] > timedelta(hours=1)
    back()
    assert moves[1] == -moves[0]


def test_without_the_option_a_real_target_check_is_out_of_scope() -> None:
    with pytest.raises(Omitted, match="--wait-token-expiry"):
        asyncio.run(_ctx().outlive(datetime.now(UTC)))


def test_the_wait_is_expires_in_plus_5_s_and_at_most_15_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    ctx = _ctx(wait_token_expiry=True)
    asyncio.run(ctx.outlive(datetime.now(UTC) + timedelta(seconds=60)))
    assert 64 < waited[0] <= 65
    with pytest.raises(Skipped, match="at most 15 minutes"):
        asyncio.run(ctx.outlive(datetime.now(UTC) + MAX_WAIT))
    assert len(waited) == 1  # refused before waiting at all
