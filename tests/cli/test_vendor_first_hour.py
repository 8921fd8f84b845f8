"""``lienthong generate --facility --sign``, ``lienthong sign`` and the accounts file, in process:
generated files are accepted by the gateway of the default network as they are, one seed is the
default everywhere, and every mistake is a message with exit code 2."""

from __future__ import annotations

import asyncio
import csv
import inspect
import json
import re
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest
from rich.console import Console
from typer.testing import CliRunner

from lienthong.conformance.cli import app
from lienthong.conformance.cli._demo import demo_facilities, keys_dir, print_accounts
from lienthong.conformance.cli.generate_facility import FACILITY_VISITS
from lienthong.profiles.validation import validate_checkin, validate_dossier
from lienthong.simulators.accounts import write_accounts
from lienthong.simulators.clock import VN_TZ
from lienthong.simulators.facilities import facility_keys, key_paths
from lienthong.simulators.hospital import checkin_of
from lienthong.simulators.network import NetworkConfig, build_network
from lienthong.simulators.pki import signature_problem
from lienthong.simulators.population import DEFAULT_SEED, citizen
from lienthong.simulators.visits import visit_for
from tests.simulators.gateway.support import VendorSession

runner = CliRunner()
SCHEMA = (
    Path(__file__).resolve().parents[2]
    / "profiles/lienthong/profiles/openapi/schemas/lienthong/accounts.json"
)
POPULATION = 60


def _generate(tmp_path: Path, *args: str) -> Path:
    result = runner.invoke(
        app,
        [
            "generate",
            "--facility",
            "79002",
            "--out",
            str(tmp_path / "out"),
            "--data-dir",
            str(tmp_path / "network"),
            "--population",
            str(POPULATION),
            "--day",
            "2025-03-10",
            *args,
        ],
    )
    assert result.exit_code == 0, result.output
    return tmp_path / "out" / "79002"


def _default(command: str, name: str) -> object:
    """The default of option ``name`` of ``command``, as the command line gives it."""
    [found] = [c.callback for c in app.registered_commands if c.callback and c.callback.__name__ == command]
    return inspect.signature(found).parameters[name].default


def test_one_default_seed() -> None:
    assert NetworkConfig().seed == DEFAULT_SEED == 42
    assert _default("generate", "seed") == DEFAULT_SEED
    assert _default("simulate", "seed") == DEFAULT_SEED


def test_generated_signed_files_are_accepted_by_the_demo_gateway_as_they_are(tmp_path: Path) -> None:
    folder = _generate(tmp_path, "--sign", "--count", "4")
    with (folder / "visits.csv").open(encoding="utf-8", newline="") as handle:
        visits = list(csv.DictReader(handle))
    assert len(visits) == 4
    network = build_network(
        NetworkConfig(seed=DEFAULT_SEED, population=POPULATION, keys_dir=keys_dir(tmp_path / "network"))
    )
    for row in visits:  # the patients are citizens C06 knows
        assert network.c06.record(row["SO_CCCD"]) is not None

    async def send() -> list[tuple[str, str]]:
        his = VendorSession(network.client("bhxh"), demo_facilities(DEFAULT_SEED)[1])
        assert (await his.login())["maKetQua"] == "200"
        answers = []
        for row in visits:
            if row["checkin"]:
                checkin = (await his.send("checkin", (folder / row["checkin"]).read_bytes())).json()
                answers.append(("checkin", checkin["maKetQua"]))
            dossier = (await his.send("dossier", (folder / row["dossier"]).read_bytes())).json()
            answers.append(("dossier", dossier["maKetQua"]))
        return answers

    try:
        answers = asyncio.run(send())
    finally:
        asyncio.run(network.aclose())
    assert {code for _, code in answers} == {"200"}, answers
    assert sum(kind == "dossier" for kind, _ in answers) == 4


def test_unsigned_files_are_valid_and_signed_ones_verify(tmp_path: Path) -> None:
    folder = _generate(tmp_path)
    files = sorted(folder.glob("*.xml"))
    assert len([f for f in files if not f.name.endswith(".checkin.xml")]) == FACILITY_VISITS
    for path in files:
        data = path.read_bytes()
        problems = (
            validate_checkin(data)[1] if path.name.endswith(".checkin.xml") else validate_dossier(data)[1]
        )
        assert problems == [], (path.name, [p.message() for p in problems])
        assert b"<ds:Signature" not in data
    key = facility_keys(demo_facilities(DEFAULT_SEED)[1:2], keys_dir(tmp_path / "network"))["79002"]
    signed = _generate(tmp_path, "--sign", "--count", "2")  # the first two visits, written again
    with (signed / "visits.csv").open(encoding="utf-8", newline="") as handle:
        names = [name for row in csv.DictReader(handle) for name in (row["checkin"], row["dossier"]) if name]
    assert len(names) >= 2
    for name in names:
        assert signature_problem((signed / name).read_bytes(), [key.cert_pem]) is None


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["--facility", "12345"], "choose one of 01001, 79002, 48003"),
        (["--sign"], "--sign needs --facility"),
        (["--facility", "79002", "--format", "csv"], "does not go with --facility"),
        (["--facility", "79002", "--start", "995", "--count", "10"], "not all among the 1000"),
        (["--facility", "79002", "--day", "10/03/2025"], "YYYY-MM-DD"),
        (["--facility", "79002", "--count", "0"], "--count"),
    ],
)
def test_generate_mistakes_are_messages(tmp_path: Path, args: list[str], text: str) -> None:
    result = runner.invoke(app, ["generate", "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2, result.output
    assert text.lower() in " ".join(result.output.split()).lower()
    assert "Traceback" not in result.output


def _unsigned_pair(tmp_path: Path) -> tuple[Path, Path, Path]:
    site = demo_facilities(DEFAULT_SEED)[0]
    key = facility_keys([site], tmp_path / "keys")[site.code]
    visit = visit_for(
        citizen(DEFAULT_SEED, 3),
        site,
        seed=DEFAULT_SEED,
        number=1,
        arrived=datetime(2025, 3, 10, 8, 0, tzinfo=VN_TZ),
    )
    document = tmp_path / "checkin.xml"
    document.write_bytes(checkin_of(visit))
    key_path, cert_path = key_paths(tmp_path / "keys", site.code)
    assert key_path.read_bytes() == key.key_pem
    return document, key_path, cert_path


def test_sign_signs_a_checkin_the_gateway_verifies(tmp_path: Path) -> None:
    document, key_path, cert_path = _unsigned_pair(tmp_path)
    out = tmp_path / "signed.xml"
    result = runner.invoke(
        app, ["sign", str(document), "--key", str(key_path), "--cert", str(cert_path), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert signature_problem(out.read_bytes(), [cert_path.read_bytes()]) is None
    assert validate_checkin(out.read_bytes())[1] == []
    again = runner.invoke(app, ["sign", str(out), "--key", str(key_path), "--cert", str(cert_path)])
    assert again.exit_code == 0, again.output  # in place, the earlier signature replaced
    assert len(re.findall(rb"<ds:Signature[ >]", out.read_bytes())) == 1
    assert signature_problem(out.read_bytes(), [cert_path.read_bytes()]) is None


def test_sign_mistakes_are_messages(tmp_path: Path) -> None:
    document, key_path, cert_path = _unsigned_pair(tmp_path)
    other = demo_facilities(DEFAULT_SEED)[1]
    facility_keys([other], tmp_path / "keys")
    _, other_cert = key_paths(tmp_path / "keys", other.code)
    not_xml, wrong_root, utf16, bare = (tmp_path / n for n in ("a.xml", "b.xml", "c.xml", "d.xml"))
    not_xml.write_bytes(b"hello")
    wrong_root.write_bytes(b"<HOSO><CHUKYDONVI/></HOSO>")
    utf16.write_bytes(document.read_text(encoding="utf-8").encode("utf-16"))
    bare.write_bytes(b"<GIAMDINHHS></GIAMDINHHS>")
    cases = [
        ([str(tmp_path / "missing.xml"), "--key", str(key_path), "--cert", str(cert_path)], "cannot be read"),
        (
            [str(document), "--key", str(cert_path), "--cert", str(cert_path)],
            "not an unencrypted PEM private key",
        ),
        ([str(document), "--key", str(key_path), "--cert", str(key_path)], "is not a PEM certificate"),
        ([str(document), "--key", str(key_path), "--cert", str(other_cert)], "does not belong to"),
        ([str(not_xml), "--key", str(key_path), "--cert", str(cert_path)], "not well-formed XML"),
        ([str(wrong_root), "--key", str(key_path), "--cert", str(cert_path)], "only a dossier"),
        ([str(utf16), "--key", str(key_path), "--cert", str(cert_path)], "requires UTF-8"),
        ([str(bare), "--key", str(key_path), "--cert", str(cert_path)], "has no CHUKYDONVI"),
    ]
    for args, text in cases:
        result = runner.invoke(app, ["sign", *args])
        assert result.exit_code == 2, (args, result.output)
        assert text.lower() in " ".join(result.output.split()).lower(), (args, result.output)
        assert "Traceback" not in result.output
    assert b"Signature" not in document.read_bytes()


def test_the_accounts_file_keeps_its_schema_and_prints_whole_at_80_columns(tmp_path: Path) -> None:
    sites = demo_facilities(DEFAULT_SEED)
    keys = facility_keys(sites, tmp_path / "network" / "keys")
    deep = tmp_path / ("a-rather-long-directory-name-for-the-accounts-" * 2) / "accounts.json"
    written = write_accounts(deep, sites, keys, seed=DEFAULT_SEED, population=POPULATION)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    on_disk = json.loads(deep.read_text(encoding="utf-8"))
    assert on_disk == written
    jsonschema.validate(on_disk, schema)
    broken = {**on_disk, "facilities": [{k: v for k, v in on_disk["facilities"][0].items() if k != "cert"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
    site = on_disk["facilities"][1]
    assert Path(site["key"]).read_bytes() == keys[site["facility"]].key_pem
    assert Path(site["cert"]).read_bytes() == keys[site["facility"]].cert_pem
    assert any(person["guardian_of"] for person in on_disk["citizens"])
    console = Console(width=80, record=True, color_system=None)
    print_accounts(console, on_disk, deep)
    text = console.export_text()
    for entry in on_disk["facilities"]:
        assert len(entry["key"]) > 80  # longer than the terminal, and still printed whole
        assert f"{entry['facility']} key:  {entry['key']}\n" in text
        assert entry["staff_name"] in text
        assert entry["staff_cccd"] in text
        assert entry["password_md5"] in text
    assert "…" not in text


def test_simulate_refuses_a_directory_as_the_accounts_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "--write-accounts", str(tmp_path), "--data-dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "is a directory" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_simulate_refuses_an_accounts_file_it_cannot_write(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(
        app, ["simulate", "--write-accounts", str(blocker / "a.json"), "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 2, result.output
    assert "cannot be written" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_a_citizen_who_died_before_the_day_makes_no_visit(tmp_path: Path) -> None:
    dead = next(p for p in (citizen(DEFAULT_SEED, i) for i in range(POPULATION)) if p.death is not None)
    folder = _generate(tmp_path, "--start", str(dead.index - 1), "--count", "3")
    with (folder / "visits.csv").open(encoding="utf-8", newline="") as handle:
        patients = [row["SO_CCCD"] for row in csv.DictReader(handle)]
    assert len(patients) == 2
    assert dead.cccd not in patients
