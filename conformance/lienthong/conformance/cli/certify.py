"""``lienthong certify``: certify a vendor's HIS.

``lienthong certify --open --facility CODE --patients CSV`` serves the simulated gateway (with C06
and the MoH store behind it) on the real BHXH API for the vendor's own facility codes and test
patients, journaling everything the HIS sends; ``lienthong certify verdict --data-dir DIR`` judges
what a session journaled, running or stopped (``certify_verdict.py``).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lienthong.conformance.cli._app import app
from lienthong.conformance.cli._certify_session import (
    JOURNAL_FILE,
    SESSION_FILE,
    OpenSession,
    facility_codes,
    mark_stopped,
    provision_session,
)
from lienthong.conformance.cli._certify_watch import SessionWatch
from lienthong.conformance.cli._console import console, fail
from lienthong.profiles import scenarios
from lienthong.profiles.i18n import _
from lienthong.profiles.identifiers import facility_problems
from lienthong.profiles.patients import PatientsFileError, patients_csv, read_patients
from lienthong.simulators.network import Network, NetworkConfig
from lienthong.simulators.serve import serve

certify_app = typer.Typer(
    help="Certify a vendor's HIS: serve an open session for its facilities and test patients "
    "(--open), then judge what it sent (verdict).",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(certify_app, name="certify")

DEFAULT_DATA_DIR = Path(".lienthong/certify")
_RUNNING: set[asyncio.Task[None]] = set()


def _list_scenarios() -> None:
    table = Table(title="Certification scenarios (lienthong certify --scenario NAME --facility CODE)")
    table.add_column("name", no_wrap=True)  # whole, whatever the terminal's width: it is typed back
    for column in ("version", "title", "steps", "source"):
        table.add_column(column, overflow="fold")
    table.add_column("gateway", no_wrap=True)
    for item in scenarios.scenarios().values():
        behaviours = ", ".join(dict.fromkeys(s.gateway for s in item.steps if s.gateway))
        table.add_row(
            item.name, item.version, item.title, str(len(item.steps)), item.source, behaviours or "-"
        )
    console.print(table)


def _scenario_patients(chosen: scenarios.Scenario) -> bytes:
    """The scenario's patients as a patients file (the session keeps one, whatever its origin)."""
    return patients_csv(chosen.patients).encode("utf-8")


def _certificates(values: list[str], codes: list[str]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for item in values:
        code, sep, path = item.partition("=")
        if not sep or not code or not path:
            fail(
                _("--register-cert {value!r} is not FACILITY=path/to/cert.pem").format(value=item),
                hint=_("for example: --register-cert 79123=his-signing.cert.pem"),
            )
        if code not in codes:
            fail(
                _(
                    "--register-cert {value!r}: facility {code} is not one of the --facility codes ({codes})"
                ).format(value=item, code=code, codes=", ".join(codes)),
                hint=_("register the certificate of a facility you certify"),
            )
        try:
            pem = Path(path).read_bytes()
        except OSError as exc:
            fail(
                _("--register-cert {value!r}: cannot read {path}: {reason}").format(
                    value=item, path=path, reason=exc.strerror
                ),
                hint=_("give a PEM file"),
            )
        if b"-----BEGIN CERTIFICATE-----" not in pem:
            fail(
                _(
                    "--register-cert {value!r}: {path} is not a PEM certificate (no BEGIN CERTIFICATE line)"
                ).format(value=item, path=path),
                hint=_("export the HIS's signing certificate as PEM (openssl x509 -outform PEM)"),
            )
        out[code] = pem
    return out


@certify_app.callback()
def certify(
    ctx: typer.Context,
    open_session: Annotated[
        bool, typer.Option("--open", help="Serve an open session: whatever the HIS sends is judged.")
    ] = False,
    facility: Annotated[
        list[str], typer.Option(help="The vendor's MA_CSKCB (repeatable): accounts are issued for it.")
    ] = [],  # noqa: B006
    patients: Annotated[
        Path | None,
        typer.Option(
            help="The vendor's test patients (the patients file: cccd,bhyt,name,dob,sex,address,...)."
        ),
    ] = None,
    register_cert: Annotated[
        list[str],
        typer.Option(
            help="FACILITY=cert.pem: the vendor's own signing certificate (else lienthong issues one)."
        ),
    ] = [],  # noqa: B006
    write_accounts: Annotated[
        Path | None, typer.Option(help="Write the accounts file (JSON) here, for a vendor's CI.")
    ] = None,
    port: Annotated[
        int,
        typer.Option(
            min=1024, max=65533, help="Port of the gateway; C06 and the MoH store take the next two."
        ),
    ] = 8080,
    data_dir: Annotated[
        Path, typer.Option(help="Where the session keeps its journal (a new directory per session).")
    ] = DEFAULT_DATA_DIR,
    dossier_deadline: Annotated[
        str,
        typer.Option(
            help="How long after a check-in its dossier may take before the verdict fails it "
            "(e.g. 7wd working days, 2d, 4h, 30m, 0); default: TT 48 Đ7 k1's 7 working days."
        ),
    ] = "",
    seed: Annotated[int, typer.Option(help="Seed of the simulated network's own data.")] = 42,
    scenario: Annotated[
        str,
        typer.Option(
            help="Run a certification scenario (its patients and steps) instead of an open session."
        ),
    ] = "",
    list_scenarios: Annotated[
        bool, typer.Option("--list-scenarios", help="List the certification scenarios and exit.")
    ] = False,
    withhold_seconds: Annotated[
        float,
        typer.Option(
            min=0.1,
            max=3600,
            help="With --scenario: how long a step's withheld answer (withhold_first_answer) is "
            "held, past the HIS's own timeout.",
        ),
    ] = 65.0,
) -> None:
    """Serve an open certification session (--open), or judge one (certify verdict)."""
    if ctx.invoked_subcommand is not None:
        if open_session:
            fail(
                _("--open serves a session; it cannot be combined with a subcommand"),
                hint=_(
                    "run `lienthong certify --open ...` and, in another shell, `lienthong certify verdict`"
                ),
            )
        return
    if list_scenarios:
        _list_scenarios()
        return
    chosen = None
    if scenario:
        try:
            chosen = scenarios.scenario(scenario)
        except scenarios.UnknownScenario as exc:
            fail(exc.args[0], hint=_("lienthong certify --list-scenarios shows them"))
        if open_session or patients is not None:
            fail(
                _(
                    "--scenario {scenario} brings its own patients and steps: it cannot be combined with "
                    "--open or --patients"
                ).format(scenario=scenario),
                hint=f"lienthong certify --scenario {scenario} --facility 79123",
            )
    elif not open_session:
        fail(
            _("lienthong certify needs --open (an open session), --scenario NAME or a subcommand (verdict)"),
            hint="lienthong certify --open --facility 79123 --patients patients.csv",
        )
    codes = facility_codes(facility)
    if not codes:
        fail(
            _("a session needs at least one --facility CODE (the MA_CSKCB the HIS sends as)"),
            hint=_("for example: --facility 79123"),
        )
    for code in codes:
        if problems := facility_problems(code):
            fail(
                f"--facility {code!r}: {problems[0]} (ID-CSKCB-01)",
                hint=_("give the facility's 5-character MA_CSKCB, e.g. 79123"),
            )
    if patients is None and chosen is None:
        fail(
            _("--open needs --patients CSV: the test patients the HIS will send"),
            hint=_(
                "a CSV with the header cccd,bhyt,name,dob,sex,address"
                "[,gt_the_tu,gt_the_den,ma_dkbd,vneid_password]"
            ),
        )
    try:
        people = list(chosen.patients) if chosen is not None else read_patients(patients)  # type: ignore[arg-type]
    except PatientsFileError as exc:
        fail(str(exc), hint=_("fix the patients file and start again"))
    patients_bytes = _scenario_patients(chosen) if chosen is not None else patients.read_bytes()  # type: ignore[union-attr]
    from lienthong.conformance.traffic.session_deadline import DeadlineError, parse_deadline

    try:
        parse_deadline(dossier_deadline)
    except DeadlineError as exc:
        fail(
            f"--dossier-deadline {dossier_deadline!r}: {exc}",
            hint=_("for example 7wd, 2d, 4h, 30m or 0"),
        )
    if (data_dir / SESSION_FILE).exists():
        fail(
            _("--data-dir {path} already holds a session ({session}, {journal})").format(
                path=data_dir, session=data_dir / SESSION_FILE, journal=data_dir / JOURNAL_FILE
            ),
            hint=_("give a new --data-dir for each session (the verdict judges everything a journal holds)"),
        )
    session = OpenSession(
        data_dir,
        codes,
        people,
        patients_bytes,
        _certificates(register_cert, codes),
        dossier_deadline,
        write_accounts,
        seed,
        chosen,
        withhold_seconds,
    )
    config = NetworkConfig(
        seed=seed, population=20, facilities=1, data_dir=data_dir, keys_dir=data_dir / "keys"
    )
    box: dict[str, Network] = {}

    def ready(network: Network) -> None:
        box["network"] = network
        accounts = provision_session(session, network, say=console.print)
        table = Table(title=_("lienthong certification session (Ctrl+C to stop)"))
        for column in ("facility (maCSKCB)", "username", "password", "signing key / certificate"):
            table.add_column(column)
        for account in accounts:
            table.add_row(
                account["facility"],
                account["username"],
                account["password"],
                f"{account['key'] or '(your own key)'}\n{account['cert']}",
            )
        console.print(table)
        urls = network.base_urls
        console.print(
            f"Point the HIS at [bold]{urls['bhxh']}[/] (POST /api/token/take, "
            "/api/qd130/checkInKcbQd3176, /api/qd130/guiHoSoXmlQD3176; feedback GET "
            "/api/lienthong/ketQuaHoSo); C06 at "
            f"{urls['c06']}, MoH store at {urls['moh']}."
        )
        console.print(_("Judge it any time:") + f" [bold]lienthong certify verdict --data-dir {data_dir}[/]")
        if chosen is not None:
            console.print(f"[bold]Scenario {chosen.name} v{chosen.version}[/]: {chosen.title}")
            for number, step in enumerate(chosen.steps, start=1):
                console.print(f"  step {number} ({step.id}): {step.title}")
                if step.gateway:
                    console.print(f"    the gateway: {scenarios.GATEWAY_BEHAVIOURS[step.gateway]}")
                    if step.gateway == "withhold_first_answer":
                        console.print(f"    (the answer is held {withhold_seconds:g} s: --withhold-seconds)")
        watch = SessionWatch(network.gateway.engine, console, chosen)
        task = asyncio.get_running_loop().create_task(watch.run())
        _RUNNING.add(task)
        task.add_done_callback(_RUNNING.discard)

    try:
        asyncio.run(serve(config, port=port, ready=ready))
    except OSError as exc:
        fail(str(exc), hint=_("choose another --port"))
    except KeyboardInterrupt:
        pass
    if "network" in box:
        mark_stopped(data_dir, box["network"].clock.now())
    console.print(_("session stopped"))


from lienthong.conformance.cli import certify_verdict  # noqa: E402,F401  (registers `certify verdict`)
