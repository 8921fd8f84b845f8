"""Checks of option values that click cannot make by itself, shared by every command.

Each returns the value (normalised) or raises :class:`UsageProblem` with a message that says what
was wrong, the value, and what to do; ``LienthongGroup`` prints it and exits 2. They run before a
command starts its long work, so a wrong value is reported at once, not after a network started.
"""

from __future__ import annotations

import errno
import os
import re
import socket
from pathlib import Path

from lienthong.conformance.cli._errors import UsageProblem
from lienthong.profiles.i18n import _
from lienthong.profiles.versions import PROFILES, UnknownProfile, profile_version


def profile(value: str, option: str = "--profile", *, auto: bool = False) -> str:
    """The profile version (``qd3176``) a ``--profile`` value names: 130, 4750, 3176 or their
    ``qd`` forms (``auto`` too where the command can imply it)."""
    try:
        return profile_version(value, auto=auto)
    except UnknownProfile:
        choices = ", ".join((*(("auto",) if auto else ()), *PROFILES))
        raise UsageProblem(
            _("{option} {value!r} is not a profile").format(option=option, value=value),
            _("Choose one of {choices} (qd3176 and 3176 are the same profile).").format(choices=choices),
        ) from None


def at_least(value: int, low: int, option: str) -> int:
    if value < low:
        raise UsageProblem(
            _("{option} must be at least {low}, not {value}").format(option=option, low=low, value=value),
            _("Give {option} {low} or more.").format(option=option, low=low),
        )
    return value


def one_of(value: str, choices: tuple[str, ...], option: str) -> str:
    if value not in choices:
        raise UsageProblem(
            _("{option} {value!r} is not one of the choices").format(option=option, value=value),
            _("Choose one of {choices}.").format(choices=", ".join(choices)),
        )
    return value


def writable_directory(path: Path, option: str) -> Path:
    """``path`` as a directory this process can write into (created when missing)."""
    if path.exists() and not path.is_dir():
        raise UsageProblem(
            _("{option} {path} is a file, not a directory").format(option=option, path=path),
            _("Give {option} a directory (it is created if missing).").format(option=option),
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageProblem(
            _("{option} {path}: the directory cannot be created ({reason})").format(
                option=option, path=path, reason=exc.strerror or exc
            ),
            _("Give {option} a directory you can write to.").format(option=option),
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise UsageProblem(
            _("{option} {path}: the directory is not writable").format(option=option, path=path),
            _("Give {option} a directory you can write to.").format(option=option),
        )
    return path


def readable_file(path: Path, option: str) -> bytes:
    """The bytes of ``path``, or a usage problem naming the option and the reason."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageProblem(
            _("{option} {path}: the file cannot be read ({reason})").format(
                option=option, path=path, reason=exc.strerror or exc
            ),
            _("Give {option} the path of a readable file.").format(option=option),
        ) from None


def free_ports(first: int, count: int, option: str = "--port", host: str = "127.0.0.1") -> int:
    """``first`` when ``first`` .. ``first + count - 1`` can all be listened on at ``host``."""
    for port in range(first, first + count):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                taken = exc.errno == errno.EADDRINUSE
                reason = _("another program listens on it") if taken else (exc.strerror or str(exc))
                span = f"{first}" if count == 1 else f"{first}-{first + count - 1}"
                raise UsageProblem(
                    _("{option} {first}: port {port} on {host} cannot be used ({reason})").format(
                        option=option, first=first, port=port, host=host, reason=reason
                    ),
                    _(
                        "Stop that program or choose another {option} (this command needs ports {span})."
                    ).format(option=option, span=span),
                ) from None
    return first


def database_url(url: str, option: str = "--database-url", timeout: float = 5.0) -> str:
    """``url`` when it names a PostgreSQL database that answers within ``timeout`` seconds."""
    if not url:
        return url
    hint = _(
        "Give {option} postgresql://USER:PASSWORD@HOST:PORT/DATABASE of a running PostgreSQL server, "
        "or leave it out to use SQLite files."
    ).format(option=option)
    shown = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)  # never echo a password
    if not url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        raise UsageProblem(
            _("{option} {url!r} is not a PostgreSQL URL").format(option=option, url=shown), hint
        )
    import psycopg
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    except (ArgumentError, ValueError):
        raise UsageProblem(
            _("{option} {url!r} is not a valid URL").format(option=option, url=shown), hint
        ) from None
    try:
        psycopg.connect(
            host=parsed.host or "",
            port=parsed.port or 5432,
            user=parsed.username or "",
            password=parsed.password or "",
            dbname=parsed.database or "",
            connect_timeout=max(1, round(timeout)),
        ).close()
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageProblem(
            _("{option}: cannot connect to the database at {where} ({reason})").format(
                option=option,
                where=f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}",
                reason=first,
            ),
            hint,
        ) from None
    return url


def facility_certificate(item: str, option: str = "--register-cert") -> tuple[str, bytes]:
    """``FACILITY=cert.pem`` as the facility code and the bytes of a PEM X.509 certificate."""
    code, sep, path = item.partition("=")
    hint = _("Give {option} FACILITY=path/to/certificate.pem (a PEM X.509 certificate).").format(
        option=option
    )
    if not (code and sep and path):
        raise UsageProblem(
            _("{option} {value!r} is not of the form FACILITY=cert.pem").format(option=option, value=item),
            hint,
        )
    pem = readable_file(Path(path), option)
    from cryptography import x509

    try:
        x509.load_pem_x509_certificate(pem)
    except ValueError:
        raise UsageProblem(
            _("{option} {value!r}: the file is not a PEM certificate").format(option=option, value=item), hint
        ) from None
    return code, pem


def http_url(url: str, option: str) -> str:
    """``url`` when it is an absolute http(s) URL with a host."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageProblem(
            _("{option} {url!r} is not an http:// or https:// URL").format(option=option, url=url),
            _("Give the base URL of the system, for example http://127.0.0.1:8080."),
        )
    return url


def signing_pair(key: Path, cert: Path) -> tuple[bytes, bytes]:
    """The PEM bytes of a private key and an X.509 certificate (``--key``, ``--cert``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key_pem, cert_pem = readable_file(key, "--key"), readable_file(cert, "--cert")
    hint = _("Give the facility's private key and its registered certificate, both PEM.")
    try:
        load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise UsageProblem(
            _("--key {path}: the file is not an unencrypted PEM private key").format(path=key), hint
        ) from None
    try:
        x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        raise UsageProblem(
            _("--cert {path}: the file is not a PEM certificate").format(path=cert), hint
        ) from None
    return key_pem, cert_pem
