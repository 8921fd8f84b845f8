"""The gateway bench's requests: typical signed dossiers that the gateway accepts on its byte path,
and the machine reference printed with its figures."""

from __future__ import annotations

import base64
from pathlib import Path

import orjson

from lienthong.conformance.cli.bench_gateway import PATH, _now, _reference, _requests
from lienthong.profiles import signature
from lienthong.profiles.validation import validate_dossier
from lienthong.profiles.validator import native
from lienthong.simulators.facilities import facilities, facility_keys


def test_the_bench_sends_valid_dossiers_signed_as_written(tmp_path: Path) -> None:
    token = {"access_token": "a" * 48, "id_token": "b" * 32}
    requests = _requests(tmp_path, 18480, 5, 42, token, _now())
    site = facilities(42, 1)[0]
    cert = facility_keys([site], tmp_path / "keys")[site.code].cert_pem
    for request in requests:
        head, body = request.split(b"\r\n\r\n", 1)
        assert head.startswith(f"POST {PATH} HTTP/1.1".encode())
        assert f"Content-Length: {len(body)}".encode() in head
        document = base64.b64decode(orjson.loads(body)["fileHSBase64"])
        # The gateway's byte path (with the compiled scanner; without it, the tree path).
        assert signature.canonical_verifies(document, [cert]) == native.COMPILED
        assert signature.signature_problem(document, [cert]) is None
        dossier, problems = validate_dossier(document, "qd3176", well_formed=True)
        assert dossier is not None
        assert problems == []
    assert _reference(requests[0], seconds=0.05) > 100
