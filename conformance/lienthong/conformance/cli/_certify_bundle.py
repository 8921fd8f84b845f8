"""The certification bundle: one zip archive with everything a verdict was judged from, so that
anyone can re-judge it, as of its judged-at time, to the identical verdict.

    manifest.json      format, judged_at, seed, lienthong version, the session's facts, the
                       scenario, the waivers, and the SHA-256 of the catalogue, of each profile
                       version's tables, of the patients file and of every transcript
    transcripts/NNNNNN.json   every request (fileHSBase64 as sent) and its answer, in full,
                       with the forward's C06 outcome
    certificates/FACILITY-N.pem   the certificates registered for each facility
    patients.csv       the session's card register, byte for byte
    verdict.json       the verdict as judged
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import Any

from lienthong.conformance.cli._certify_journal import SessionRecord
from lienthong.conformance.traffic.transcripts import Transcript
from lienthong.conformance.traffic.waivers import Waiver, parse_waivers
from lienthong.profiles.tables import VERSIONS

FORMAT = "lienthong-certification-bundle/1"


class BundleError(ValueError):
    """The file is not a certification bundle this version can read."""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tree_sha(node: Any) -> str:
    digest = hashlib.sha256()
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.is_file():
            digest.update(child.name.encode() + b"\0" + child.read_bytes() + b"\0")
    return digest.hexdigest()


def fingerprints() -> dict[str, Any]:
    """SHA-256 of what a verdict's rules are read from: the catalogue and each profile's tables."""
    data = resources.files("lienthong.profiles").joinpath("data")
    out: dict[str, Any] = {"catalogue": _sha(data.joinpath("requirements.csv").read_bytes())}
    deadlines = data.joinpath("deadlines.csv")
    if deadlines.is_file():
        out["deadlines"] = _sha(deadlines.read_bytes())
    out["profiles"] = {
        name: _tree_sha(data.joinpath("tables", name))
        for name in VERSIONS
        if data.joinpath("tables", name).is_dir()
    }
    return out


def _dump(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def write_bundle(
    path: Path, record: SessionRecord, verdict: dict[str, Any], judged_at: str, waivers: list[Waiver]
) -> Path:
    files: dict[str, bytes] = {}
    for t in record.transcripts:
        files[f"transcripts/{t.seq:06d}.json"] = _dump(t.as_dict())
    for code, pems in sorted(record.certificates.items()):
        for n, pem in enumerate(pems, start=1):
            files[f"certificates/{code}-{n}.pem"] = pem
    files["patients.csv"] = record.patients_bytes
    if record.scenario_bytes:
        files["scenario.json"] = record.scenario_bytes
    files["verdict.json"] = _dump(verdict)
    manifest = {
        "format": FORMAT,
        "judged_at": judged_at,
        "lienthong_version": version("lienthong"),
        "seed": record.session.get("seed"),
        "scenario": record.session.get("scenario") or "open session (no script)",
        "session": record.session,
        "waivers": [w.as_dict() for w in waivers],
        "fingerprints": fingerprints(),
        "files": {name: _sha(data) for name, data in sorted(files.items())},
    }
    partial = path.with_name(path.name + ".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", _dump(manifest))
        for name, data in files.items():
            archive.writestr(name, data)
    partial.replace(path)
    return path


@dataclass
class Bundle:
    manifest: dict[str, Any]
    record: SessionRecord
    verdict: dict[str, Any]
    waivers: list[Waiver]
    edited: list[str]
    """Files whose content no longer has the SHA-256 the manifest gives (edited after judging)."""

    def drift(self) -> list[str]:
        """What differs between the rules it was judged with and the rules installed now."""
        now, then = fingerprints(), self.manifest.get("fingerprints", {})
        out = [f"catalogue {key}" for key in ("catalogue", "deadlines") if now.get(key) != then.get(key)]
        out += [
            f"profile {name}"
            for name in sorted(set(now["profiles"]) | set(then.get("profiles", {})))
            if now["profiles"].get(name) != then.get("profiles", {}).get(name)
        ]
        return out


def read_bundle(path: Path) -> Bundle:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BundleError(f"{path} is not a certification bundle (a zip archive): {exc}") from None
    with archive:
        names = set(archive.namelist())
        if "manifest.json" not in names:
            raise BundleError(f"{path} has no manifest.json: not a certification bundle")
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise BundleError(f"{path}: format {manifest.get('format')!r}, this lienthong reads {FORMAT}")
        data = {name: archive.read(name) for name in names if name != "manifest.json"}
    edited = [
        name for name, sha in manifest.get("files", {}).items() if name not in data or _sha(data[name]) != sha
    ]
    transcripts = [
        Transcript.from_dict(json.loads(data[name]))
        for name in sorted(n for n in data if n.startswith("transcripts/"))
    ]
    certs: dict[str, list[bytes]] = {}
    for name in sorted(n for n in data if n.startswith("certificates/")):
        code = name.removeprefix("certificates/").rsplit("-", 1)[0]
        certs.setdefault(code, []).append(data[name])
    record = SessionRecord(
        manifest.get("session", {}),
        transcripts,
        certs,
        data.get("patients.csv", b""),
        data.get("scenario.json", b""),
    )
    verdict = json.loads(data.get("verdict.json", b"{}"))
    return Bundle(manifest, record, verdict, parse_waivers(manifest.get("waivers", [])), edited)


def verdict_bytes(verdict: dict[str, Any]) -> bytes:
    return _dump(verdict)
