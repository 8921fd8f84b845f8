"""Recording what the suite sends and receives, secrets replaced by named labels.

Every exchange is kept twice: cut to ``REPORT_LIMIT`` characters for the reports, and whole for
the evidence of a failing case (``reports/evidence.py`` writes it; ``lienthong replay`` re-sends
it). A secret never reaches either copy: each one is replaced by ``[secret:NAME]``, where NAME
says what it is (``account-1-password-md5``, ``service-token``, ``token-3`` for a token a node
issued during the run), so a replay can put a fresh value back in the same places.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import orjson

from lienthong.conformance.results import Exchange

REPORT_LIMIT = 2000
"""Characters of a body kept in the reports; the case file keeps the whole body."""
SECRET_HEADERS = frozenset({"accesstoken", "tokenid", "passwordhash", "authorization", "cookie"})
SECRET_PARAMS = frozenset({"token", "id_token", "password", "client_secret", "passwordhash"})
"""Query parameters, form fields and JSON keys of a request whose value is a secret."""
ISSUED_KEYS = frozenset({"access_token", "id_token", "refresh_token"})
"""JSON keys of an answer whose value is a token a node issued."""
LABEL = re.compile(r"\[secret:([A-Za-z0-9_.@:-]+)\]")
_MIN_SECRET = 4
"""Shorter values are labelled only where they stand (a field), never searched for elsewhere."""


def label(name: str) -> str:
    return f"[secret:{name}]"


def _cut(text: str) -> str:
    return text if len(text) <= REPORT_LIMIT else text[:REPORT_LIMIT] + f"... ({len(text)} characters)"


def _json(text: str) -> Any:
    if not text or text[0] not in "[{":
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def _values(node: Any, keys: frozenset[str]) -> list[str]:
    """String values under ``keys`` anywhere in a JSON document."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key.lower() in keys and isinstance(value, str) and value:
                found.append(value)
            else:
                found += _values(value, keys)
    elif isinstance(node, list):
        for item in node:
            found += _values(item, keys)
    return found


@dataclass
class Secrets:
    """Secret value -> name. Names the run knows up front are registered and kept; tokens and
    unnamed secrets met during a check are kept until ``forget_met`` (a case is one check), so
    the search through every body stays short."""

    names: dict[str, str] = field(default_factory=dict)
    _met: set[str] = field(default_factory=set)
    _issued: int = 0
    _other: int = 0

    def register(self, value: str, name: str) -> None:
        if value and value not in self.names:
            self.names[value] = name

    def _meet(self, value: str, name: str) -> None:
        self.register(value, name)
        self._met.add(value)

    def issued(self, value: str) -> None:
        if value not in self.names:
            self._issued += 1
            self._meet(value, f"token-{self._issued}")

    def other(self, value: str) -> None:
        if value not in self.names:
            self._other += 1
            self._meet(value, f"secret-{self._other}")

    def forget_met(self) -> None:
        """Drop the tokens met so far (their labels stay unique: the counters go on)."""
        for value in self._met:
            self.names.pop(value, None)
        self._met.clear()

    def redact(self, text: str) -> str:
        """Every known secret of at least ``_MIN_SECRET`` characters in ``text`` replaced by its
        label (a substring search per secret: fast on a 10 MiB body)."""
        if not text:
            return text
        for value in sorted(self.names, key=len, reverse=True):
            if len(value) >= _MIN_SECRET and value in text:
                text = text.replace(value, label(self.names[value]))
        return text

    def field(self, value: str) -> str:
        """A value that is a secret by where it stands."""
        if not value:
            return value
        if value.startswith("Bearer "):
            return "Bearer " + self.field(value[7:])
        if LABEL.fullmatch(value):
            return value
        self.other(value)
        return label(self.names[value])


def _request_secrets(secrets: Secrets, request: httpx.Request, body: str) -> None:
    for name, value in request.headers.items():
        if name.lower() in SECRET_HEADERS and value:
            secrets.field(value)
    pairs = list(parse_qsl(urlsplit(str(request.url)).query))
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        pairs += parse_qsl(body)
    for key, value in pairs:
        if key.lower() in SECRET_PARAMS and value:
            secrets.field(value)
    for value in _values(_json(body), SECRET_PARAMS):
        secrets.field(value)


def _redact_fields(secrets: Secrets, text: str, form: bool) -> str:
    """Short secrets are not searched for everywhere: label them in their fields."""
    if form:
        parts = []
        for part in text.split("&"):
            key, sep, value = part.partition("=")
            if sep and key.lower() in SECRET_PARAMS and value and not LABEL.fullmatch(value):
                value = label(secrets.names.get(value, "secret"))
            parts.append(f"{key}{sep}{value}")
        text = "&".join(parts)
    return secrets.redact(text)


class Recorder:
    """Keeps every exchange of a client (an httpx response hook), secrets labelled."""

    def __init__(self, secrets: Secrets | None = None) -> None:
        self.secrets = secrets or Secrets()
        self.exchanges: list[Exchange] = []
        """Cut for the reports; ``take`` hands them to the runner."""
        self.full: list[Exchange] = []
        """Whole bodies, for the case files; ``take_full`` hands them on."""

    async def __call__(self, response: httpx.Response) -> None:
        await response.aread()
        request = response.request
        sent = request.content.decode("utf-8", "replace")
        _request_secrets(self.secrets, request, sent)
        answer = response.text
        for value in _values(_json(answer), ISSUED_KEYS):
            self.secrets.issued(value)
        form = request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
        whole = Exchange(
            method=request.method,
            url=self.secrets.redact(str(request.url)),
            request_headers={
                k: self.secrets.field(v) if k.lower() in SECRET_HEADERS else self.secrets.redact(v)
                for k, v in request.headers.items()
            },
            request_body=_redact_fields(self.secrets, sent, form),
            status=response.status_code,
            response_headers=dict(response.headers),
            response_body=self.secrets.redact(answer),
        )
        self.full.append(whole)
        self.exchanges.append(
            Exchange(
                whole.method,
                whole.url,
                whole.request_headers,
                _cut(whole.request_body),
                whole.status,
                whole.response_headers,
                _cut(whole.response_body),
            )
        )

    def take(self) -> list[Exchange]:
        taken, self.exchanges = self.exchanges, []
        return taken

    def take_full(self) -> list[Exchange]:
        """The whole exchanges since the last call (one check's); its tokens are forgotten."""
        taken, self.full = self.full, []
        self.secrets.forget_met()
        return taken
