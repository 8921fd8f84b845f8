"""A visit as a PDF, in Vietnamese, with an embedded Unicode font (fpdf2 + DejaVu Sans).

The font comes from ``LIENTHONG_PDF_FONT``, Debian's ``fonts-dejavu-core``, or matplotlib's copy.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lienthong.simulators.vneid.client import BookVisit

_CANDIDATES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf")


class FontMissing(RuntimeError):
    """No Unicode font to render Vietnamese with."""


def font_path() -> Path:
    given = os.environ.get("LIENTHONG_PDF_FONT")
    candidates = [given] if given else list(_CANDIDATES)
    try:
        import matplotlib  # type: ignore[import-not-found,unused-ignore]

        candidates.append(str(Path(matplotlib.__file__).parent / "mpl-data/fonts/ttf/DejaVuSans.ttf"))
    except ImportError:
        pass
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        "no DejaVu Sans font for the visit PDF: install Debian's fonts-dejavu-core "
        "(apt-get install fonts-dejavu-core) or set LIENTHONG_PDF_FONT to a .ttf file"
    )


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def visit_pdf(visit: BookVisit, patient: dict[str, Any], labs: Sequence[dict[str, Any]]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(_nfc(f"Tóm tắt lượt khám {visit.ma_lk}"))
    pdf.set_creator("lienthong VNeID simulator")
    pdf.add_page()
    pdf.add_font("DejaVu", fname=str(font_path()))
    pdf.set_font("DejaVu", size=16)
    pdf.cell(0, 10, _nfc("Sổ sức khỏe điện tử: tóm tắt lượt khám"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=11)
    name = (patient.get("name") or [{}])[0].get("text", "")
    lines = [
        f"Họ và tên: {name}",
        f"Số định danh cá nhân: {patient.get('id', '')}",
        f"Ngày sinh: {patient.get('birthDate', '')}",
        f"Mã lượt khám (MA_LK): {visit.ma_lk}",
        f"Cơ sở khám chữa bệnh: {visit.facility}",
        f"Thời gian vào: {visit.start}",
        f"Thời gian ra: {visit.end}",
        f"Chẩn đoán ra viện: {visit.diagnosis} ({visit.diagnosis_code})",
    ]
    if labs:
        lines.append("Kết quả cận lâm sàng:")
        for lab in labs:
            value = lab.get("valueQuantity", {})
            shown = (
                f"{value.get('value', '')} {value.get('unit', '')}".strip()
                if value
                else lab.get("valueString", "")
            )
            lines.append(f"  • {lab.get('code', {}).get('text', '')}: {shown}")
    for line in lines:
        pdf.multi_cell(0, 7, _nfc(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
