"""``lienthong replay``: the recorded requests go out again with the run's secrets put back and
each token a node issued replaced by the fresh one from the new answers."""

from __future__ import annotations

import httpx
import orjson
import pytest

from lienthong.conformance.cli._target import UsageError
from lienthong.conformance.cli.replay import replay_exchanges
from lienthong.conformance.results import Exchange


def _exchange(method: str, url: str, headers: dict[str, str], body: str, answer: str) -> Exchange:
    return Exchange(method, url, headers, body, 200, {}, answer)


RECORDED = [
    _exchange(
        "POST", "http://old/oauth/token", {"content-type": "application/x-www-form-urlencoded"},
        "client_id=79001&client_secret=[secret:client-secret-79001]",
        '{"access_token":"[secret:token-4]","expires_in":3600}',
    ),
    _exchange("GET", "http://old/fhir/Encounter?patient=1",
              {"authorization": "Bearer [secret:token-4]"}, "", "{}"),
]  # fmt: skip


def test_secrets_go_back_and_issued_tokens_are_the_fresh_ones() -> None:
    seen: list[httpx.Request] = []

    def node(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "fresh-token", "expires_in": 3600})
        return httpx.Response(200, json={"resourceType": "Bundle"})

    answered = replay_exchanges(
        RECORDED,
        {"client-secret-79001": "s3cret"},
        {"http://old": "http://new"},
        transport=httpx.MockTransport(node),
    )
    assert [str(r.url) for r in seen] == ["http://new/oauth/token", "http://new/fhir/Encounter?patient=1"]
    assert seen[0].content == b"client_id=79001&client_secret=s3cret"
    assert seen[1].headers["authorization"] == "Bearer fresh-token"
    assert orjson.loads(answered[1][1].content) == {"resourceType": "Bundle"}  # type: ignore[union-attr]


def test_a_credential_no_option_gave_is_a_usage_error_naming_the_option() -> None:
    with pytest.raises(UsageError, match="--client 79001:CLIENT_SECRET"):
        replay_exchanges(RECORDED, {}, {}, transport=httpx.MockTransport(lambda r: httpx.Response(200)))
