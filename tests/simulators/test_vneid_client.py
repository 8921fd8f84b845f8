"""The VNeID client: a guardian reads a child's vaccinations, and a visit downloads as a PDF whose
Vietnamese text can be extracted again."""

from __future__ import annotations

import asyncio
import io
import unicodedata

import pytest

from lienthong.simulators.network import NetworkConfig, build_network
from lienthong.simulators.vneid import VNeIDClient, VNeIDError
from tests.simulators.moh._store import book, guardian_and_child


def test_a_guardian_reads_a_childs_vaccinations() -> None:
    guardian, child = guardian_and_child()

    async def go() -> None:
        async with book() as b:
            client = VNeIDClient(b.c06, b.moh)
            await client.sign_in(guardian.cccd, guardian.password)
            assert child.cccd in client.wards
            shots = await client.vaccinations(child.cccd)
            assert shots
            assert all(shot.dose >= 1 and shot.day for shot in shots)
            assert [s.day for s in shots] == sorted(s.day for s in shots)
            other = VNeIDClient(b.c06, b.moh)
            await other.sign_in(child.cccd, child.password)
            with pytest.raises(VNeIDError):
                await other.vaccinations(guardian.cccd)

    asyncio.run(go())


def test_a_visit_downloads_as_a_pdf_with_extractable_vietnamese_text() -> None:
    pypdf = pytest.importorskip("pypdf")
    network = build_network(NetworkConfig(seed=7, population=20))

    async def go() -> tuple[bytes, str, str]:
        visit = network.visit(0)
        await network.hospital(0).send_visit(visit)
        await network.drain()
        client = network.vneid()
        person = network.citizen(0)
        await client.sign_in(person.cccd, person.password)
        [shown] = await client.visits()
        pdf = await client.visit_pdf(shown.ma_lk)
        await network.aclose()
        return pdf, person.name, shown.diagnosis

    pdf, name, diagnosis = asyncio.run(go())
    assert pdf.startswith(b"%PDF-")
    text = unicodedata.normalize(
        "NFC", "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    )
    for expected in ("Sổ sức khỏe điện tử", "Chẩn đoán ra viện", name, diagnosis):
        assert unicodedata.normalize("NFC", expected) in text, expected
