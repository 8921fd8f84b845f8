"""How the command line ends: a user mistake is one paragraph and exit 2, a bug of ours is one line
and exit 3, and neither shows a traceback.

Every command runs inside :class:`LienthongGroup` (the ``cls`` of the typer app), whose ``main``
is the one place an exception that escaped a command is turned into an exit code:

* :class:`UsageProblem` (raised by the option checks of :mod:`._options`, or by a command): the
  user gave a wrong value; its message says what was wrong, the value and what to do; exit 2.
* click's own usage errors keep click's message and exit 2; ``typer.Exit`` keeps its code.
* anything else is an internal error of lienthong: the traceback is written to a file (under
  ``$TMPDIR/lienthong-errors/``) and one line names it; exit 3. It is never worded as a mistake
  of the user's.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from lienthong.profiles import i18n
from lienthong.profiles.i18n import _

USAGE = 2
INTERNAL = 3


class UsageProblem(Exception):
    """A wrong value given by the user: ``message`` says what and the value, ``hint`` what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def paragraph(self) -> str:
        label = _("error:")
        text = f"{label} {self.message.rstrip('.')}."
        return f"{text} {self.hint}" if self.hint else text


def errors_dir() -> Path:
    """Where tracebacks of internal errors go (``LIENTHONG_ERRORS_DIR`` or the temp dir)."""
    return Path(os.environ.get("LIENTHONG_ERRORS_DIR") or Path(tempfile.gettempdir()) / "lienthong-errors")


def write_traceback(exc: BaseException, argv: Sequence[str]) -> Path | None:
    """Write ``exc``'s traceback with the command line to a new file; None when nothing could be
    written (the line printed then says so)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    text = f"lienthong {' '.join(argv)}\n{datetime.now(UTC).isoformat()}\n\n" + "".join(
        traceback.format_exception(exc)
    )
    try:
        directory = errors_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"traceback-{stamp}-{os.getpid()}.txt"
        path.write_text(text, encoding="utf-8")
    except OSError:
        return None
    return path


def _plain(message: str) -> str:
    """``_(message)``, or the English when the catalogue itself is what failed."""
    try:
        return _(message)
    except Exception:
        return message


def report_internal(exc: BaseException, argv: Sequence[str]) -> NoReturn:
    """One line on stderr (an internal error of lienthong, where the details are), then exit 3."""
    path = write_traceback(exc, argv)
    where = (
        _plain("details in {path}").format(path=path)
        if path
        else _plain("the details could not be written: {kind}: {error}").format(
            kind=type(exc).__name__, error=exc
        )
    )
    typer.echo(
        _plain("internal error of lienthong (a bug, not a mistake of yours): {kind}; {where}").format(
            kind=type(exc).__name__, where=where
        ),
        err=True,
    )
    sys.exit(INTERNAL)


def report_usage(problem: UsageProblem) -> NoReturn:
    typer.echo(problem.paragraph(), err=True)
    sys.exit(USAGE)


def given_value(error: typer.TyperException, argv: Sequence[str]) -> str | None:
    """The value the command line gave the option a click error is about (its last occurrence),
    or None: click's messages do not always repeat it ("Input should be greater than ...")."""
    names = tuple(getattr(getattr(error, "param", None), "opts", ()) or ())
    found = None
    for i, arg in enumerate(argv):
        if arg in names and i + 1 < len(argv):
            found = argv[i + 1]
        elif arg.startswith(tuple(f"{name}=" for name in names if name.startswith("--"))):
            found = arg.partition("=")[2]
    return found


def report_click(error: typer.TyperException, argv: Sequence[str]) -> NoReturn:
    """click's own usage errors (an unknown option, a value of the wrong type or out of range) as
    one paragraph like ours: what was wrong and the value, then where the options are described."""
    ctx = getattr(error, "ctx", None)
    command = ctx.command_path if ctx is not None else "lienthong"
    message = (error.format_message() if hasattr(error, "format_message") else str(error)).rstrip(".")
    value = given_value(error, argv)
    if value is not None and repr(value) not in message:
        message += " " + _("(given: {value!r})").format(value=value)
    hint = _("Run '{command} --help' to see the options and their values.").format(command=command)
    label = _("error:")
    typer.echo(f"{label} {message}. {hint}", err=True)
    sys.exit(getattr(error, "exit_code", USAGE))


class LienthongGroup(TyperGroup):
    """The root command: runs the command line and maps what escapes it to an exit code.

    It runs click in non-standalone mode so that every ending passes through here: a return or
    ``typer.Exit`` keeps its code, click's usage errors and :class:`UsageProblem` are one paragraph
    and exit 2, anything else is an internal error (exit 3).
    """

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        i18n.set_language(None)  # each command line starts from LIENTHONG_LANG (in-process tests too)
        try:
            code = super().main(
                args=argv, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra
            )
        except UsageProblem as problem:
            report_usage(problem)
        except typer.TyperException as error:  # click's usage errors
            if not standalone_mode:
                raise
            if type(error).__name__ == "NoArgsIsHelpError":  # `lienthong` or `lienthong bench` alone
                from typer import rich_utils

                rich_utils.rich_format_error(error)  # type: ignore[arg-type]
                sys.exit(getattr(error, "exit_code", USAGE))
            report_click(error, argv)
        except typer.Abort:  # Ctrl+D at a prompt
            if not standalone_mode:
                raise
            typer.echo(_plain("Aborted."), err=True)
            sys.exit(1)
        except Exception as exc:
            report_internal(exc, argv)
        finally:
            i18n.set_language(None)
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)
