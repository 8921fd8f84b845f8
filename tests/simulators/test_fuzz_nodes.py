"""Schemathesis fuzzes every node's OpenAPI document (from ``lienthong.profiles.openapi``) in
process: no 5xx, and every answer conforms to the document (status, content type, headers, body).

Requests carry valid credentials for the operation's security, so the fuzzing reaches the handlers;
half of the patient-scoped MoH requests name a patient the caller may read, so it reaches the data.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lienthong.profiles.openapi import openapi_document
from lienthong.simulators.network import Network
from tests.simulators._nodes import Credentials, treated_network

EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[tuple[Network, Credentials]]:
    network, credentials = treated_network()
    return network, credentials


def _schema(node: str, network: Network, modes: list[GenerationMode]) -> Any:
    schema = schemathesis.openapi.from_dict(openapi_document(node))
    schema.app = network.apps[node]
    schema.config.generation.update(modes=modes, max_examples=EXAMPLES, deterministic=True, database="none")
    return schema


def _labels(node: str) -> list[str]:
    schema = schemathesis.openapi.from_dict(openapi_document(node))
    return [result.ok().label for result in schema.get_all_operations()]


def _runner(strategy: Any, auth: Callable[[Any], dict[str, str]], checks: list[Any]) -> Callable[[], None]:
    @FUZZ
    @given(case=strategy)
    def run(case: Any) -> None:
        case.call_and_validate(headers=auth(case), checks=checks)

    return run  # type: ignore[no-any-return]


def _fuzz(node: str, label: str, network: Network, auth: Callable[[Any], dict[str, str]]) -> None:
    schema = _schema(node, network, [GenerationMode.POSITIVE])
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        run = _runner(
            operation.as_strategy(generation_mode=mode),
            auth,
            CHECKS if mode is GenerationMode.POSITIVE else [not_a_server_error],
        )
        try:
            run()
        except Unsatisfiable:  # no invalid input exists for some operations (e.g. no parameters)
            assert mode is GenerationMode.NEGATIVE


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _gateway_auth(case: Any, creds: Credentials) -> dict[str, str]:
    path = case.operation.path
    if path.startswith("/lienthong/"):
        return _bearer(creds.admin)
    if path.startswith("/api/egw/"):
        case.query = {**(case.query or {}), **creds.gateway_query}
    return dict(creds.gateway_session) if case.operation.method.upper() == "POST" or "ketQua" in path else {}


def _moh_auth(case: Any, creds: Credentials) -> dict[str, str]:
    path = case.operation.path
    if path.startswith("/internal/"):
        return _bearer(creds.service)
    if path.startswith("/api/platform/"):
        return _bearer(creds.ksk)
    readable = zlib.crc32(repr(case.path_parameters).encode() + repr(case.query).encode()) % 2 == 0
    if readable and case.path_parameters and "cccd" in case.path_parameters:
        case.path_parameters["cccd"] = creds.patient
    if readable and case.query and "patient" in case.query:
        case.query["patient"] = creds.patient
    if path.startswith("/api/consents") or path == "/api/access-log":
        return _bearer(creds.citizen)
    return _bearer(creds.facility if zlib.crc32(path.encode()) % 2 else creds.citizen)


KNOWN_GATEWAY_PROBLEMS: dict[str, str] = {}
"""Found by this fuzzing in the gateway (owned elsewhere) and reported; xfail until fixed."""


def _gateway_labels() -> list[Any]:
    return [
        pytest.param(label, marks=pytest.mark.xfail(reason=KNOWN_GATEWAY_PROBLEMS[label], strict=False))
        if label in KNOWN_GATEWAY_PROBLEMS
        else label
        for label in _labels("bhxh")
    ]


@pytest.mark.parametrize("label", _gateway_labels())
def test_gateway_conforms_to_its_openapi(label: str, fuzzed: tuple[Network, Credentials]) -> None:
    _fuzz("bhxh", label, fuzzed[0], lambda case: _gateway_auth(case, fuzzed[1]))


@pytest.mark.parametrize("label", _labels("c06"))
def test_c06_conforms_to_its_openapi(label: str, fuzzed: tuple[Network, Credentials]) -> None:
    creds = fuzzed[1]
    _fuzz(
        "c06",
        label,
        fuzzed[0],
        lambda case: _bearer(creds.service if "verify" in case.operation.path else creds.citizen),
    )


@pytest.mark.parametrize("label", _labels("moh"))
def test_moh_conforms_to_its_openapi(label: str, fuzzed: tuple[Network, Credentials]) -> None:
    _fuzz("moh", label, fuzzed[0], lambda case: _moh_auth(case, fuzzed[1]))
