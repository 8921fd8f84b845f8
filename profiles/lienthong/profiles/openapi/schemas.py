"""Standalone JSON Schemas (draft 2020-12) of every JSON message of the nodes' APIs.

They are derived from the OpenAPI documents, which stay the one source of truth: each operation's
JSON request body and JSON responses become one schema, ``$ref``s to ``components/schemas`` become
``$defs`` of that schema, and OpenAPI 3.0's ``nullable`` becomes a ``null`` type. The files under
``openapi/schemas/<node>/`` are written by ``python -m lienthong.profiles.openapi.schemas``; a test
checks they are current.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from lienthong.profiles.openapi import NODES, openapi_document

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_METHODS = ("get", "put", "post", "delete", "patch")
_JSON_TYPES = ("application/json", "application/fhir+json")
_COMPONENTS = "#/components/schemas/"
SCHEMA_DIR = Path(__file__).parent / "schemas"


def _json_content(content: dict[str, Any]) -> dict[str, Any] | None:
    for media in _JSON_TYPES:
        schema = content.get(media, {}).get("schema")
        if schema is not None:
            return dict(schema)
    return None


def _convert(node: Any, used: set[str]) -> Any:
    """A copy of ``node`` in JSON Schema terms, collecting the component names it refers to."""
    if isinstance(node, list):
        return [_convert(item, used) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _convert(value, used) for key, value in node.items() if key != "nullable"}
    ref = out.get("$ref")
    if isinstance(ref, str) and ref.startswith(_COMPONENTS):
        used.add(ref.removeprefix(_COMPONENTS))
        out["$ref"] = "#/$defs/" + ref.removeprefix(_COMPONENTS)
    if node.get("nullable") is True and "type" in out:
        kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*kinds, "null"]
    return out


def _standalone(
    schema: dict[str, Any], components: dict[str, Any], schema_id: str, title: str
) -> dict[str, Any]:
    used: set[str] = set()
    body = _convert(copy.deepcopy(schema), used)
    defs: dict[str, Any] = {}
    pending = sorted(used)
    while pending:  # components may refer to other components
        name = pending.pop()
        if name in defs:
            continue
        more: set[str] = set()
        defs[name] = _convert(components[name], more)
        pending += sorted(more - defs.keys())
    out: dict[str, Any] = {"$schema": DIALECT, "$id": schema_id, "title": title, **body}
    if defs:
        out["$defs"] = dict(sorted(defs.items()))
    return out


def message_schemas(node: str) -> dict[str, dict[str, Any]]:
    """``<operationId>.request`` / ``<operationId>.response-<status>`` -> JSON Schema, for ``node``."""
    document = openapi_document(node)
    components = document.get("components", {}).get("schemas", {})
    out: dict[str, dict[str, Any]] = {}
    for path, operations in document["paths"].items():
        for method in _METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            name, where = operation["operationId"], f"{method.upper()} {path}"
            messages = [("request", "request body", operation.get("requestBody", {}).get("content", {}))]
            messages += [
                (f"response-{status}", f"response {status}", response.get("content", {}))
                for status, response in operation.get("responses", {}).items()
            ]
            for suffix, what, content in messages:
                schema = _json_content(content)
                if schema is not None:
                    key = f"{name}.{suffix}"
                    out[key] = _standalone(
                        schema, components, f"urn:lienthong:{node}:{key}", f"{where} {what}"
                    )
    return out


def render(schema: dict[str, Any]) -> str:
    """The file text of one schema (stable, so the shipped files diff cleanly)."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write every node's message schemas under ``directory/<node>/``, removing stale ones."""
    written: list[Path] = []
    for node in NODES:
        folder = directory / node
        folder.mkdir(parents=True, exist_ok=True)
        schemas = message_schemas(node)
        for stale in folder.glob("*.json"):
            if stale.stem not in schemas:
                stale.unlink()
        for key, schema in schemas.items():
            target = folder / f"{key}.json"
            target.write_text(render(schema), encoding="utf-8")
            written.append(target)
    return written


if __name__ == "__main__":
    print(f"wrote {len(write_schemas())} JSON Schemas under {SCHEMA_DIR}")
