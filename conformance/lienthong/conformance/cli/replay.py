"""``lienthong replay CASE``: re-send the requests of a failing case and show each new answer
beside the recorded one.

A case file (``<run>/cases/<check>.json``, written by ``reports/evidence.py``) keeps every request
whole, its secrets replaced by ``[secret:NAME]``. The replay puts them back: passwords, the
service token and client secrets from the same options as ``lienthong conformance``; tokens a node
issued during the case (``token-N``) from the new answers, at the place the recorded answer held
them, so a request that used the token gets the fresh one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import httpx
import orjson
import typer
from rich.markup import escape
from rich.table import Table

from lienthong.conformance.cli._app import app
from lienthong.conformance.cli._console import console, fail
from lienthong.conformance.cli._target import (
    UsageError,
    check_url,
    parse_account,
    parse_pair,
    read_patient_file,
    secret_values,
)
from lienthong.conformance.recording import LABEL, Secrets, label
from lienthong.conformance.results import Exchange
from lienthong.profiles.i18n import _
from lienthong.reports.evidence import case_path, exchanges_of, read_case

SHOWN = 1200
"""Characters of each body printed side by side."""
_DROPPED = {"host", "content-length", "accept-encoding", "connection", "user-agent"}


def find_case(case: str, out: Path) -> Path:
    """A case file by path, or by id ``CHECK@RUN_ID`` under ``out``."""
    path = Path(case)
    if path.is_file():
        return path
    check, at, run_id = case.partition("@")
    if at and check and run_id and case_path(out / run_id, check).is_file():
        return case_path(out / run_id, check)
    raise UsageError(
        _("no case {case!r}: not a file, and not CHECK@RUN_ID of a run under {out}").format(
            case=case, out=out
        ),
        _(
            "give the case id the report printed (or the path of its cases/<check>.json); "
            "--out names the directory of run folders"
        ),
    )


def _fill(text: str, values: dict[str, str]) -> str:
    def put(match: Any) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(name)
        return values[name]

    return LABEL.sub(put, text)


def _learn(recorded: Any, fresh: Any, values: dict[str, str]) -> None:
    """Tokens of the new answer, where the recorded answer held a labelled one."""
    if isinstance(recorded, str):
        match = LABEL.fullmatch(recorded)
        if match and isinstance(fresh, str) and fresh:
            values[match.group(1)] = fresh
    elif isinstance(recorded, dict) and isinstance(fresh, dict):
        for key, value in recorded.items():
            _learn(value, fresh.get(key), values)
    elif isinstance(recorded, list) and isinstance(fresh, list):
        for old, new in zip(recorded, fresh, strict=False):
            _learn(old, new, values)


def _json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def _missing(name: str) -> str:
    if name.startswith("account-"):
        return _("{name}: give --account MA_CSKCB:USERNAME:PASSWORD (in the order of the run)").format(
            name=name
        )
    if name == "service-token":
        return _("{name}: give --service-token (or LIENTHONG_SERVICE_TOKEN)").format(name=name)
    if name.startswith("client-secret-"):
        return _("{name}: give --client {code}:CLIENT_SECRET").format(
            name=name, code=name.removeprefix("client-secret-")
        )
    if name.startswith("vneid-password-"):
        return _("{name}: give --patients with that citizen's vneid_password").format(name=name)
    return _(
        "{name}: a token or secret the case obtained before it was recorded; it cannot be replayed"
    ).format(name=name)


def _unreplayable(name: str) -> bool:
    """A value no option gives: one the check made up in a secret's place (a wrong password) or a
    token obtained before the case began."""
    return name.startswith(("secret-", "token-"))


def replay_exchanges(
    exchanges: list[Exchange],
    values: dict[str, str],
    bases: dict[str, str],
    *,
    transport: httpx.BaseTransport | None = None,
) -> list[tuple[Exchange, httpx.Response | str]]:
    """Send each recorded request again, secrets put back; the pairs (recorded, new answer, or why
    the request cannot be re-sent). A credential the options must give is a ``UsageError``."""
    answered: list[tuple[Exchange, httpx.Response | str]] = []
    with httpx.Client(timeout=30, transport=transport) as client:
        for exchange in exchanges:
            url = exchange.url
            for old, new in bases.items():
                if url.startswith(old):
                    url = new + url[len(old) :]
            try:
                headers = {
                    k: _fill(v, values)
                    for k, v in exchange.request_headers.items()
                    if k.lower() not in _DROPPED
                }
                request = client.build_request(
                    exchange.method,
                    _fill(url, values),
                    headers=headers,
                    content=_fill(exchange.request_body, values).encode("utf-8"),
                )
            except KeyError as exc:
                name = str(exc.args[0])
                if not _unreplayable(name):
                    raise UsageError(
                        _("the case needs the secret {secret}").format(secret=_missing(name))
                    ) from None
                answered.append((exchange, _("not re-sent: {why}").format(why=_missing(name))))
                continue
            response = client.send(request)
            _learn(_json(exchange.response_body), _json(response.text), values)
            answered.append((exchange, response))
    return answered


def _body(text: str) -> str:
    return text if len(text) <= SHOWN else text[:SHOWN] + f"... ({len(text)} characters)"


@app.command()
def replay(
    case: Annotated[str, typer.Argument(help="A case id (CHECK@RUN_ID) or the path of a case file.")],
    target: Annotated[
        str, typer.Option(help="Send to this base URL instead of the recorded node under test.")
    ] = "",
    account: Annotated[
        list[str], typer.Option(help="MA_CSKCB:USERNAME:PASSWORD, as given to the run (repeatable).")
    ] = [],  # noqa: B006
    service_token: Annotated[
        str, typer.Option(envvar="LIENTHONG_SERVICE_TOKEN", help="As given to the run.")
    ] = "",
    client: Annotated[str, typer.Option(help="MA_CSKCB:CLIENT_SECRET, as given to the run.")] = "",
    patients: Annotated[Path | None, typer.Option(help="The patients file of the run.")] = None,
    out: Annotated[Path, typer.Option(help="Directory of run folders (to find a case by id).")] = Path(
        "reports/runs"
    ),
) -> None:
    """Re-send a failing case's requests (fresh tokens where it needs them) and show old and new answers."""
    try:
        path = find_case(case, out)
        document = read_case(path)
        accounts = [parse_account(text, position) for position, text in enumerate(account)]
        pair = parse_pair(client, "--client", "MA_CSKCB:CLIENT_SECRET") if client else None
        values = secret_values(accounts, service_token, pair, read_patient_file(patients))
        scope = document.get("scope") or {}
        bases: dict[str, str] = {}
        if target:
            recorded = (scope.get("targets") or {}).get(scope.get("role", ""), "")
            if not recorded:
                raise UsageError(_("--target: the case does not say which URL was the node under test"))
            bases[recorded] = check_url(target, "--target")
        answered = replay_exchanges(exchanges_of(document), values, bases)
    except UsageError as exc:
        fail(str(exc), hint=exc.hint)
    except ValueError as exc:
        fail(str(exc), hint=_("give a case file written by lienthong conformance or lienthong run"))
    except httpx.HTTPError as exc:
        where = exc.request.url if exc.request else _("the node")
        fail(_("replay could not reach {where}: {error}").format(where=where, error=exc), code=1)
    console.print(
        f"[bold]{escape(document['case'])}[/]: {document['outcome']} — {escape(document['message'])}"
    )
    hide = Secrets()
    for name, value in values.items():
        hide.register(value, name)
    same = 0
    for number, (old, new) in enumerate(answered, 1):
        url = old.url if isinstance(new, str) else hide.redact(str(new.request.url))
        table = Table(title=escape(f"{number}. {old.method} {url}"), show_lines=True, expand=True)
        table.add_column("recorded", overflow="fold", ratio=1)
        table.add_column("now", overflow="fold", ratio=1)
        now = new if isinstance(new, str) else f"HTTP {new.status_code}\n{_body(hide.redact(new.text))}"
        table.add_row(escape(f"HTTP {old.status}\n{_body(old.response_body)}"), escape(now))
        console.print(table)
        same += not isinstance(new, str) and old.status == new.status_code
    console.print(
        escape(f"{same} of {len(answered)} answers have the recorded HTTP status ({label('…')}: a secret)")
    )
