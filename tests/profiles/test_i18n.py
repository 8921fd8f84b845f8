"""The message catalogue: one Vietnamese translation for every message lienthong writes through
``_()`` (CLI, reports) and for the help text of every command and option; the language switch;
the profile names and the catalogue version."""

from __future__ import annotations

import re
import string
import unicodedata
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from typer.main import get_command

from lienthong.conformance.cli import app
from lienthong.profiles import i18n
from lienthong.profiles.catalogue import CATALOGUE_REVISION, catalogue_version, requirements
from lienthong.profiles.versions import UnknownProfile, profile_version

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    ROOT / "conformance/lienthong/conformance/cli",
    ROOT / "reports/lienthong/reports",
    ROOT / "profiles/lienthong/profiles",
]
KEYWORDS = {"_": None, "gettext": None, "_plain": None}


def _msgids_in_code() -> dict[str, str]:
    found: dict[str, str] = {}
    for root in SOURCES:
        methods = [("**.py", "python"), ("**/templates/**.j2", "jinja2")]
        for filename, line, message, *_rest in extract_from_dir(root, methods, keywords=KEYWORDS):
            text = message[0] if isinstance(message, tuple) else message
            found.setdefault(text, f"{root.name}/{filename}:{line}")
    return found


@pytest.fixture(autouse=True)
def _english_after() -> object:
    yield
    i18n.set_language(None)


def test_the_code_has_messages_to_translate() -> None:
    found = _msgids_in_code()
    assert len(found) > 60
    assert "PASSED" in found
    assert "Requirement" in found  # from the HTML template


def test_every_message_of_the_code_has_a_vietnamese_translation() -> None:
    vi = i18n.catalogue("vi")
    missing = {m: where for m, where in _msgids_in_code().items() if not vi.get(m)}
    assert not missing, f"add these to locale/vi/LC_MESSAGES/lienthong.po: {missing}"


def _all_help_texts() -> set[str]:
    """The help text of every command and subcommand and of each of their options."""
    texts: set[str] = set()

    def walk(node: object) -> None:
        texts.update(t for t in (getattr(node, "help", None),) if t)
        texts.update(t for p in getattr(node, "params", ()) if (t := getattr(p, "help", None)))
        for sub in getattr(node, "commands", {}).values():
            walk(sub)

    walk(get_command(app))
    return texts


def test_every_help_text_has_a_translation() -> None:
    vi = i18n.catalogue("vi")
    texts = _all_help_texts()
    assert len(texts) > 100
    assert "Certify a real node: run the checks of its role against it and write the reports." in texts
    missing = sorted(t for t in texts if not vi.get(t))
    assert not missing, f"add these help texts to locale/vi/LC_MESSAGES/lienthong.po: {missing}"


def test_the_catalogue_holds_no_stale_message() -> None:
    wanted = set(_msgids_in_code()) | _all_help_texts()
    stale = set(i18n.catalogue("vi")) - wanted
    assert not stale, f"no longer used, remove from the .po: {stale}"


def test_translations_keep_the_placeholders_and_are_nfc() -> None:
    fields = string.Formatter()
    for msgid, text in i18n.catalogue("vi").items():
        names = {f for _lit, f, _spec, _conv in fields.parse(msgid) if f is not None}
        assert {f for _lit, f, _spec, _conv in fields.parse(text) if f is not None} == names, msgid
        assert unicodedata.is_normalized("NFC", text)
        assert text != msgid, f"not translated: {msgid!r}"


def test_the_language_switch() -> None:
    assert i18n.language() == "en"
    assert i18n._("PASSED") == "PASSED"
    assert i18n.set_language("vi_VN") == "vi"
    assert i18n._("PASSED") == "ĐẠT"
    assert i18n._("a text nobody translated") == "a text nobody translated"
    assert i18n.pick("English", "Tiếng Việt") == "Tiếng Việt"
    assert i18n.pick("English", "") == "English"
    assert i18n.outcome_label("fail") == "không đạt"
    i18n.set_language(None)
    assert i18n._("PASSED") == "PASSED"
    with pytest.raises(i18n.UnknownLanguage):
        i18n.set_language("fr")


def test_the_environment_chooses_when_nothing_else_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIENTHONG_LANG", "vi")
    assert i18n.language() == "vi"
    monkeypatch.setenv("LIENTHONG_LANG", "xx")
    assert i18n.language() == "en"  # the CLI reports it; a library caller just gets English


@pytest.mark.parametrize(
    ("given", "version"),
    [("3176", "qd3176"), ("qd3176", "qd3176"), ("QD4750", "qd4750"), ("QĐ 130", "qd130"), (" 130 ", "qd130")],
)
def test_profile_names(given: str, version: str) -> None:
    assert profile_version(given) == version


@pytest.mark.parametrize("given", ["", "999", "qd999", "auto", "3176x", "qd"])
def test_unknown_profiles(given: str) -> None:
    with pytest.raises(UnknownProfile):
        profile_version(given)


def test_auto_only_where_allowed() -> None:
    assert profile_version("auto", auto=True) == "auto"


def test_the_catalogue_version_hashes_requirements_csv() -> None:
    data = (ROOT / "profiles/lienthong/profiles/data/requirements.csv").read_bytes()
    import hashlib

    assert catalogue_version() == f"{CATALOGUE_REVISION}+{hashlib.sha256(data).hexdigest()[:12]}"


def test_vietnamese_requirement_texts() -> None:
    translated = [r for r in requirements().values() if r.text_vi]
    assert len(translated) >= len(requirements()) // 2
    for req in translated:
        assert req.title_vi, req.id
        assert unicodedata.is_normalized("NFC", req.text_vi + req.title_vi), req.id
        # regulation field names as written: every MA_/T_/NGAY_ field of the English is in the Vietnamese
        fields = set(re.findall(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b", req.text))
        assert fields <= set(re.findall(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b", req.text_vi)), req.id
    i18n.set_language("vi")
    first = translated[0]
    assert first.local_text == first.text_vi
    i18n.set_language("en")
    assert first.local_text == first.text
