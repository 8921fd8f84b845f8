"""The engine that runs a role's checks against a real node: ``lienthong conformance``,
``lienthong run --target`` and the pytest plugin all build a ``TargetRun`` and call ``run_target``.

Everything a run covers is decided here from the options, before any check runs, and kept as the
run's ``Scope``; no check changes it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx

from lienthong.conformance.cli._errors import UsageProblem
from lienthong.conformance.cli._options import signing_pair
from lienthong.conformance.cli._samples import TargetSamples
from lienthong.conformance.cli._wiring import tool_version
from lienthong.conformance.context import ServerContext
from lienthong.conformance.gateway_api import md5_upper
from lienthong.conformance.recording import Recorder, Secrets
from lienthong.conformance.registry import Check, registered
from lienthong.conformance.results import CheckResult, Outcome, RunResult, Scope
from lienthong.conformance.runner import run_checks, summarise
from lienthong.conformance.scope import plan_scope
from lienthong.profiles.i18n import _
from lienthong.profiles.patients import Patient, PatientsFileError, read_patients
from lienthong.reports.evidence import EVIDENT, write_case
from lienthong.simulators.pki import SigningKey
from lienthong.simulators.samples import Account

ROLES = {
    "bhxh": "the BHXH gateway (token, check-in, dossier, card look-up)",
    "c06": "the C06 identity node (identity verification, VNeID sign-in)",
    "moh": "the MoH health-book store (FHIR book, access control, access log, KSK push)",
}
PEERS = {"bhxh": (), "c06": (), "moh": ("c06",)}
"""Nodes a role's checks call without judging them: the MoH store's citizens sign in at C06."""
PROFILES = ("3176", "4750", "130")
DEFAULT_MAX_BODY = 10 * 1024 * 1024
INTERNAL = "internal error in lienthong"


class UsageError(ValueError):
    """A mistake in the options: the message says what was wrong and the hint what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def parse_account(text: str, position: int) -> Account:
    """``MA_CSKCB:USERNAME:PASSWORD``; the password may be left out when LIENTHONG_PASSWORD is set
    (``MA_CSKCB:USERNAME``; the environment then gives the main account's password)."""
    code, _sep, rest = text.partition(":")
    username, _sep, password = rest.partition(":")
    if not password and position == 0:
        password = os.environ.get("LIENTHONG_PASSWORD", "")
    if not (code and username and password):
        raise UsageError(
            _("--account {value!r} is not of the form MA_CSKCB:USERNAME:PASSWORD").format(value=_shown(text)),
            _(
                "for example --account 79001:bv79001:secret (the first account's password may instead "
                "come from the environment variable LIENTHONG_PASSWORD: --account 79001:bv79001)"
            ),
        )
    if not (len(code) == 5 and code.isalnum()):
        raise UsageError(
            _("--account {code}:...: {code!r} is not a facility code (MA_CSKCB, 5 characters)").format(
                code=code
            ),
            _("give the facility code the gateway registered the account for"),
        )
    return Account(code, username, password)


def _shown(text: str) -> str:
    """An --account value with its password hidden, for messages."""
    parts = text.split(":")
    return ":".join([*parts[:2], *("***" for _part in parts[2:3])])


def parse_pair(text: str, what: str, example: str) -> tuple[str, str]:
    first, sep, second = text.partition(":")
    if not (sep and first and second):
        form = example.split(" ")[0]
        raise UsageError(
            _("{what} {value!r} is not of the form {form}").format(what=what, value=text, form=form),
            _("for example {example}").format(example=example),
        )
    return first, second


def read_signing(key: Path | None, cert: Path | None) -> SigningKey | None:
    """The facility's key and certificate of ``--key``/``--cert`` (both or neither), checked to be
    an unencrypted PEM private key and a PEM certificate before anything is sent."""
    if key is None and cert is None:
        return None
    if key is None or cert is None:
        raise UsageError(
            _("--key and --cert go together"),
            _("the facility's private key and its registered certificate (PEM)"),
        )
    try:
        key_pem, cert_pem = signing_pair(key, cert)  # each file read and parsed, named on a mistake
    except UsageProblem as exc:
        raise UsageError(exc.message, exc.hint) from None
    return SigningKey(key_pem, cert_pem)


def read_patient_file(path: Path | None) -> list[Patient]:
    if path is None:
        return []
    try:
        return read_patients(path)
    except PatientsFileError as exc:
        raise UsageError(
            str(exc),
            _("the header is cccd,bhyt,name,dob,sex,address (see docs/conformance-roles.md)"),
        ) from None


def check_url(url: str, what: str) -> str:
    parsed = httpx.URL(url) if "://" in url else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise UsageError(
            _("{what} {url!r} is not an http(s) URL").format(what=what, url=url),
            _("for example http://127.0.0.1:8080"),
        )
    return url.rstrip("/")


@dataclass
class TargetRun:
    """One run against a real node, as the options decided it."""

    role: str
    target: str
    peers: dict[str, str] = field(default_factory=dict)
    profile: str = "3176"
    accounts: Sequence[Account] = ()
    signing: SigningKey | None = None
    patients: Sequence[Patient] = ()
    patients_source: str = ""
    service_token: str = ""
    moh_client: tuple[str, str] | None = None
    staff: tuple[str, str] | None = None
    wait_token_expiry: bool = False
    max_body: int = DEFAULT_MAX_BODY
    max_body_stated: bool = False
    seed: int = 42
    checks: Sequence[str] = ()

    def validate(self) -> None:
        if self.role not in ROLES:
            raise UsageError(
                _("--role {value!r} is not one of {choices}").format(
                    value=self.role, choices=", ".join(ROLES)
                )
            )
        self.target = check_url(self.target, "--target")
        for peer, url in self.peers.items():
            if peer not in PEERS[self.role]:
                allowed = ", ".join(PEERS[self.role]) or _("none")
                raise UsageError(
                    _("--peer {peer}=...: role {role} calls no {peer} node (its peers: {allowed})").format(
                        peer=peer, role=self.role, allowed=allowed
                    )
                )
            self.peers[peer] = check_url(url, f"--peer {peer}=")
        if self.profile not in PROFILES:
            raise UsageError(
                _("--profile {value!r} is not one of {choices}").format(
                    value=self.profile, choices=", ".join(PROFILES)
                )
            )
        if self.role == "bhxh" and not self.accounts:
            raise UsageError(
                _("testing a gateway needs --account MA_CSKCB:USERNAME:PASSWORD"),
                _(
                    "the facility account registered on that gateway (the password may come from "
                    "LIENTHONG_PASSWORD)"
                ),
            )
        if len(self.accounts) > 1 and self.accounts[1].code == self.accounts[0].code:
            raise UsageError(
                _("the second --account is of facility {code}, like the first").format(
                    code=self.accounts[1].code
                ),
                _("the cross-facility checks need an account of another facility"),
            )
        if self.moh_client and self.accounts and self.accounts[0].code != self.moh_client[0]:
            raise UsageError(
                _("--client is of facility {client}, the first --account {account}").format(
                    client=self.moh_client[0], account=self.accounts[0].code
                ),
                _(
                    "the suite sends its visits as one facility and reads them back with "
                    "that facility's client"
                ),
            )
        self.selected()  # an unknown --check is a usage mistake, found before anything is sent
        if self.max_body < 1024:
            raise UsageError(
                _("--max-body {value} is below 1 KiB").format(value=self.max_body),
                _("give the limit in bytes"),
            )

    def selected(self) -> list[Check]:
        """The checks this run runs: the role's (or those named by --check) that the options
        bring into scope (an opt-in check only with its flag)."""
        return self.plan()[1]

    def plan(self) -> tuple[Scope, list[Check]]:
        """The scope and the checks, from the options alone (``plan_scope``)."""
        checks = registered()
        chosen = None
        if self.checks:
            unknown = [n for n in self.checks if n not in checks]
            if unknown:
                raise UsageError(
                    _("unknown check(s): {checks}").format(checks=", ".join(unknown)),
                    _("the checks of a role are listed in docs/conformance-roles.md"),
                )
            chosen = [checks[n] for n in self.checks]
        given = self._given()
        planned, runnable = plan_scope(
            command="conformance",
            registered=checks,
            selected=chosen,
            under_test=frozenset({self.role}),
            directions=frozenset({"server", "chain"}),
            targets=dict(given.targets),
            profile=self.profile,
            opted_in=frozenset(name for name, on in given.opt_in.items() if on),
        )
        scope = replace(
            given,
            command="conformance",
            actors=(self.role,),
            checks=planned.checks,
            requirements=planned.requirements,
            out_of_scope=planned.out_of_scope,
        )
        return scope, runnable

    def scope(self) -> Scope:
        return self.plan()[0]

    def _given(self) -> Scope:
        credentials = []
        if self.service_token:
            credentials.append("service token")
        if self.moh_client:
            credentials.append(f"MoH client {self.moh_client[0]}")
        if self.signing:
            credentials.append("signing key and certificate")
        if self.staff:
            credentials.append(f"look-up staff {self.staff[0]}")
        return Scope(
            role=self.role,
            targets={self.role: self.target, **self.peers},
            profile=self.profile,
            accounts=tuple(f"{a.code}:{a.username}" for a in self.accounts),
            patients=f"{self.patients_source} ({len(self.patients)} patients)" if self.patients else "",
            opt_in={"wait-token-expiry": self.wait_token_expiry},
            credentials=tuple(credentials),
            max_body=self.max_body,
            max_body_stated=self.max_body_stated,
        )


def scope_lines(scope: Scope, checks: int) -> list[str]:
    """The scope as printed before any check runs."""
    peers = [f"{node} = {url}" for node, url in scope.targets.items() if node != scope.role]
    accounts = list(scope.accounts)
    if accounts:
        accounts[0] += " (main)"
    lines = [
        f"role        {scope.role}: {ROLES.get(scope.role, scope.role)}",
        f"target      {scope.targets.get(scope.role, '-')}",
        f"peers       {'; '.join(peers) if peers else 'none'}",
        f"profile     QĐ {scope.profile} endpoints",
        "accounts    " + (", ".join(accounts) if accounts else "none"),
    ]
    if len(accounts) < 2 and scope.role == "bhxh":
        lines.append("            no account of another facility: cross-facility checks skip")
    lines.append(
        f"patients    {scope.patients}"
        if scope.patients
        else "patients    none: checks that need data the target knows skip"
    )
    lines.append("credentials " + (", ".join(scope.credentials) or "none"))
    for option, given in scope.opt_in.items():
        state = "given" if given else "not given: checks that wait for a token to expire are out of scope"
        lines.append(f"opt-in      --{option}: {state}")
    if scope.role == "bhxh":
        stated = "stated by --max-body" if scope.max_body_stated else "not stated: accepting it is a warning"
        lines.append(f"max body    {scope.max_body:,} bytes ({stated})")
    lines.append(f"checks      {checks}")
    return lines


def exit_code(result: RunResult) -> int:
    """The run's exit code (``RunResult.exit_code``): 0 passed; 1 failed, or a SHALL in scope
    untested (the target could not be reached, a check skipped); 3 a check of lienthong crashed."""
    return result.exit_code


def keep_case(
    directory: Path, run_id: str, result: CheckResult, ctx: ServerContext, scope: Scope | None = None
) -> None:
    """After a check: its whole exchanges go to a case file when it failed, warned or erred."""
    exchanges = ctx.recorder.take_full()
    if result.outcome in EVIDENT and exchanges:
        result.case_id = write_case(directory, run_id, result, exchanges, scope)


def secret_values(
    accounts: Sequence[Account],
    service_token: str = "",
    moh_client: tuple[str, str] | None = None,
    patients: Sequence[Patient] = (),
) -> dict[str, str]:
    """Name -> value of every secret the options give, under the names recordings use."""
    named: dict[str, str] = {}
    for number, account in enumerate(accounts, 1):
        named[f"account-{number}-password-md5"] = md5_upper(account.password)
        named[f"account-{number}-password"] = account.password
    if service_token:
        named["service-token"] = service_token
    if moh_client:
        named[f"client-secret-{moh_client[0]}"] = moh_client[1]
    for patient in patients:
        if patient.vneid_password:
            named[f"vneid-password-{patient.cccd}"] = patient.vneid_password
    return named


def _secrets(run: TargetRun) -> Secrets:
    secrets = Secrets()
    for name, value in secret_values(run.accounts, run.service_token, run.moh_client).items():
        secrets.register(value, name)
    return secrets


async def unreachable(url: str) -> str:
    """Why ``url`` cannot be reached, or "" when it answers anything at all."""
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            await client.get(url + "/")
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return ""


async def run_target(
    run: TargetRun,
    run_id: str,
    *,
    directory: Path | None = None,
    progress: Callable[[CheckResult], None] | None = None,
) -> RunResult:
    """Run the role's checks against the target; failing, warning and erroring checks keep their
    whole exchanges in ``directory/cases`` when a directory is given."""
    scope, checks = run.plan()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    secrets = _secrets(run)
    recorder = Recorder(secrets)
    problems = {node: why for node, url in scope.targets.items() if (why := await unreachable(url))}
    if problems:
        results = [_not_reached(item, scope.targets, problems) for item in checks]
    else:
        results = await _run(run, checks, recorder, secrets, directory, progress, scope, run_id)
    return RunResult(
        run_id,
        started,
        datetime.now(UTC).isoformat(timespec="seconds"),
        run.seed,
        tool_version(),
        dict(scope.targets),
        results,
        summarise(results, scope),
        scope,
    )


def _not_reached(item: Check, targets: dict[str, str], problems: dict[str, str]) -> CheckResult:
    why = "; ".join(f"{targets[node]} ({node}): {problem}" for node, problem in problems.items())
    return CheckResult(
        item.name,
        item.title,
        item.verifies,
        item.actor,
        item.direction,
        Outcome.ERROR,
        f"not run: cannot reach {why}",
        proven_by_fault=item.fault,
    )


async def _run(
    run: TargetRun,
    checks: list[Check],
    recorder: Recorder,
    secrets: Secrets,
    directory: Path | None,
    progress: Callable[[CheckResult], None] | None,
    scope: Scope,
    run_id: str,
) -> list[CheckResult]:
    hooks = {"response": [recorder]}
    async with contextlib.AsyncExitStack() as stack:
        clients = {
            node: await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, timeout=30, event_hooks=hooks)  # type: ignore[arg-type]
            )
            for node, url in scope.targets.items()
        }
        main = (
            run.accounts[0]
            if run.accounts
            else Account(run.moh_client[0] if run.moh_client else "00000", "", "")
        )
        samples = TargetSamples(
            main, run.seed, run.signing, people=run.patients, given_staff=run.staff, secrets=secrets
        )
        other = (
            TargetSamples(run.accounts[1], run.seed, people=run.patients, secrets=secrets)
            if len(run.accounts) > 1
            else None
        )
        ctx = ServerContext(
            clients,
            samples,
            recorder,
            service_token=run.service_token,
            regulation=run.profile,
            moh_client=run.moh_client,
            other=other,
            wait_token_expiry=run.wait_token_expiry,
            max_body=run.max_body,
            max_body_stated=run.max_body_stated,
        )

        def done(result: CheckResult) -> None:
            samples.next_check()
            if other is not None:
                other.next_check()
            if directory is not None:
                keep_case(directory, run_id, result, ctx, scope)
            if progress:
                progress(result)

        return await run_checks(
            checks, server=ctx, sender=None, under_test=frozenset({run.role}), progress=done
        )
