"""The language of lienthong's own messages (CLI, reports): English or Vietnamese.

One message catalogue, gettext style: code writes the English text inside ``_()``, and
``locale/vi/LC_MESSAGES/lienthong.po`` (a package data file, read at run time with Babel's
``read_po``, so a fresh ``pip install .`` needs no compile step) gives the Vietnamese. A message
with values is a template: ``_("--count must be at least {low}, not {value}").format(...)``, so
the translation can put the values where Vietnamese puts them.

The language is chosen by ``set_language`` (the CLI's global ``--lang``), else by the environment
variable ``LIENTHONG_LANG``, else English. It lives in a context variable, so a test or a server
thread that switches it does not switch it for everyone else. The gateway's own answers
(``thongDiep``) do not use this module: they are Vietnamese first whatever the language, as the
real gateway's are.
"""

from __future__ import annotations

import os
import unicodedata
from contextvars import ContextVar
from functools import cache
from importlib import resources

LANGUAGES = ("en", "vi")
"""Languages of the catalogue; English is the source language (the msgids)."""
DEFAULT = "en"
ENV = "LIENTHONG_LANG"
DOMAIN = "lienthong"

_chosen: ContextVar[str | None] = ContextVar("lienthong_language", default=None)


class UnknownLanguage(ValueError):
    """A language that is not in ``LANGUAGES``."""


def check_language(value: str) -> str:
    """``value`` as a catalogue language (``vi``, ``VI``, ``vi_VN``, ``vi-VN`` are all ``vi``)."""
    code = value.strip().replace("-", "_").split("_", 1)[0].lower()
    if code not in LANGUAGES:
        raise UnknownLanguage(value)
    return code


def set_language(value: str | None) -> str:
    """Use ``value`` for every later message of this context (None: back to the environment)."""
    _chosen.set(None if value is None else check_language(value))
    return language()


def language() -> str:
    """The language messages are given in now: ``set_language``, ``LIENTHONG_LANG``, or English.

    An unknown ``LIENTHONG_LANG`` is ignored here (English); the CLI reports it as a usage error.
    """
    chosen = _chosen.get()
    if chosen is not None:
        return chosen
    try:
        return check_language(os.environ.get(ENV, "") or DEFAULT)
    except UnknownLanguage:
        return DEFAULT


@cache
def catalogue(lang: str) -> dict[str, str]:
    """msgid -> translation of ``lang`` (empty for English, the source language)."""
    if lang == DEFAULT:
        return {}
    from babel.messages.pofile import read_po

    source = resources.files("lienthong.profiles").joinpath(f"locale/{lang}/LC_MESSAGES/{DOMAIN}.po")
    with source.open("rb") as handle:
        messages = read_po(handle, locale=lang, domain=DOMAIN)
    return {
        str(m.id): unicodedata.normalize("NFC", str(m.string))
        for m in messages
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy
    }


def gettext(message: str) -> str:
    """``message`` in the current language (itself when the catalogue has no translation)."""
    return catalogue(language()).get(message, message)


_ = gettext


def pick(english: str, vietnamese: str) -> str:
    """Of a text given in both languages (a requirement's, say), the one of the current language;
    the English when the Vietnamese is missing."""
    return vietnamese if language() == "vi" and vietnamese else english


def outcome_label(value: str) -> str:
    """The name of an outcome (``pass``, ``fail``, ``warn``, ...) in the current language, for the
    terminal and the reports (the machine-readable reports keep the English value)."""
    labels = {
        "pass": _("pass"),
        "fail": _("fail"),
        "warn": _("warn"),
        "error": _("error"),
        "skip": _("skip"),
        "omit": _("omit"),
        "waived": _("waived"),
    }
    return labels.get(value, value)


def verdict_label(value: str) -> str:
    """The verdict of a run (``passed``, ``failed``, ``incomplete``) as printed, upper case."""
    labels = {"passed": _("PASSED"), "failed": _("FAILED"), "incomplete": _("INCOMPLETE")}
    return labels.get(value, value.upper())
