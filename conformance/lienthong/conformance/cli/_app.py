"""The typer application every command module registers with, and its global options
(``--lang``, ``--version``)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any

import typer

from lienthong.conformance.cli._errors import LienthongGroup, UsageProblem
from lienthong.profiles import i18n
from lienthong.profiles.i18n import _

app = typer.Typer(
    name="lienthong",
    cls=LienthongGroup,
    help="Conformance harness and simulator for Vietnam's e-health chain "
    "(HIS -> BHXH -> C06 -> MoH -> VNeID).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def package_version() -> str:
    try:
        return version("lienthong")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def version_lines() -> list[str]:
    """What ``lienthong --version`` prints: the package, the profiles and the catalogue."""
    from lienthong.profiles.catalogue import catalogue_version, requirements
    from lienthong.profiles.versions import ENDPOINT_VERSIONS

    profiles = ", ".join(f"{number} ({name})" for number, name in ENDPOINT_VERSIONS.items())
    return [
        f"lienthong {package_version()}",
        _("profiles: {profiles}").format(profiles=profiles),
        _("requirement catalogue: {version} ({count} requirements)").format(
            version=catalogue_version(), count=len(requirements())
        ),
    ]


def translate_help(command: Any) -> None:
    """Put the help texts of ``command`` and its subcommands in the current language (each text is
    its own msgid in the catalogue; a text without a translation stays English)."""
    if command.help:
        command.help = _(command.help)
    if command.short_help:
        command.short_help = _(command.short_help)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _(param.help)
    for sub in getattr(command, "commands", {}).values():
        translate_help(sub)


def _language(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        chosen = i18n.set_language(value)
    except i18n.UnknownLanguage:
        found = ctx.get_parameter_source(param.name or "lang")
        from_env = getattr(found, "name", "") == "ENVIRONMENT"
        source = i18n.ENV if from_env else "--lang"
        raise UsageProblem(
            _("{source} {value!r} is not a language of lienthong").format(source=source, value=value),
            _("Choose one of {choices}.").format(choices=", ".join(i18n.LANGUAGES)),
        ) from None
    root = ctx.find_root().command
    if chosen != i18n.DEFAULT:
        translate_help(root)
    return chosen


def _version(value: bool) -> None:
    if value:
        for line in version_lines():
            typer.echo(line)
        raise typer.Exit(0)


@app.callback()
def _root(
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            envvar=i18n.ENV,
            is_eager=True,
            callback=_language,
            help="Language of the messages and reports: en or vi (default: en, or LIENTHONG_LANG).",
            show_default=False,
        ),
    ] = None,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_version,
            help="Print the versions of lienthong, its profiles and its requirement catalogue.",
        ),
    ] = False,
) -> None:
    """Conformance harness and simulator for Vietnam's e-health chain (HIS -> BHXH -> C06 -> MoH -> VNeID)."""
    del lang, show_version
