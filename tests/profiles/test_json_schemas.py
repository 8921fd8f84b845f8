from __future__ import annotations

import json

import pytest

from lienthong.profiles.openapi import NODES, openapi_document
from lienthong.profiles.openapi.schemas import DIALECT, SCHEMA_DIR, message_schemas, render


@pytest.mark.parametrize("node", NODES)
def test_shipped_json_schemas_are_current(node: str) -> None:
    # Regenerate with: python -m lienthong.profiles.openapi.schemas
    expected = {key: render(schema) for key, schema in message_schemas(node).items()}
    shipped = {path.stem: path.read_text(encoding="utf-8") for path in (SCHEMA_DIR / node).glob("*.json")}
    assert shipped == expected


@pytest.mark.parametrize("node", NODES)
def test_every_json_request_body_has_a_standalone_schema(node: str) -> None:
    schemas = message_schemas(node)
    for operations in openapi_document(node)["paths"].values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                assert f"{operation['operationId']}.request" in schemas
    for key, schema in schemas.items():
        assert schema["$schema"] == DIALECT
        text = json.dumps(schema)
        assert "#/components/" not in text, key  # every reference resolves inside the schema
        assert '"nullable"' not in text, key
        for ref in {part.split('"')[0] for part in text.split('"$ref": "#/$defs/')[1:]}:
            assert ref in schema["$defs"], (key, ref)
