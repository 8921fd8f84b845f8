"""Serialising records (dicts of regulation field name -> text) as XML 130 documents.

Inner table documents carry their own UTF-8 declaration and CRLF line ends, and NOIDUNGFILE is
single-line base64: the shape of files the portal is reported to accept (vendor signer notes [S]).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence

from lxml import etree

from lienthong.profiles import xml130

Record = Mapping[str, str]

# LOAIHOSO -> (list tag, record tag) for tables that hold a list of records [V] CV 1245 §3.5.
LIST_TAGS = {
    "XML2": ("DSACH_CHI_TIET_THUOC", "CHI_TIET_THUOC"),
    "XML3": ("DSACH_CHI_TIET_DVKT", "CHI_TIET_DVKT"),
    "XML4": ("DSACH_CHI_TIET_CLS", "CHI_TIET_CLS"),
    "XML5": ("DSACH_CHI_TIET_DIEN_BIEN_BENH", "CHI_TIET_DIEN_BIEN_BENH"),
    "XML15": ("DSACH_CHITIET_DIEUTRI_BENHLAO", "CHITIET_DIEUTRI_BENHLAO"),
}


def _fill(parent: etree._Element, record: Record, fields: Sequence[str] | None) -> None:
    for name in fields if fields is not None else record:
        etree.SubElement(parent, name).text = record.get(name, "")


def _serialise(root: etree._Element) -> bytes:
    etree.indent(root, space="  ")
    body = etree.tostring(root, encoding="utf-8", xml_declaration=False)
    text = b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"
    return text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def checkin_xml(records: Iterable[Record], fields: Sequence[str] | None = None) -> bytes:
    """An XML0 check-in file: CHI_TIEU_TRANG_THAI_KCB with an empty CHUKYDONVI to sign into."""
    root = etree.Element(xml130.CHECKIN_ROOT)
    listing = etree.SubElement(root, xml130.CHECKIN_LIST)
    for record in records:
        _fill(etree.SubElement(listing, xml130.CHECKIN_RECORD), record, fields)
    etree.SubElement(root, xml130.SIGNATURE_TAG)
    return _serialise(root)


def table_xml(kind: str, records: Sequence[Record], fields: Sequence[str] | None = None) -> bytes:
    """The inner document of one table (``XML1`` ... ``XML15``) holding ``records``."""
    root = etree.Element(xml130.TABLE_ROOTS[kind])
    if kind in LIST_TAGS:
        list_tag, record_tag = LIST_TAGS[kind]
        listing = etree.SubElement(root, list_tag)
        for record in records:
            _fill(etree.SubElement(listing, record_tag), record, fields)
    else:  # single-record tables: the fields sit directly under the root
        _fill(root, records[0], fields)
    return _serialise(root)


def envelope(
    facility: str, ngaylap: str, tables: Mapping[str, bytes] | Sequence[Mapping[str, bytes]]
) -> bytes:
    """A GIAMDINHHS dossier wrapping table documents (LOAIHOSO -> document bytes).

    Pass a sequence of mappings to build several HOSO (which the 3176 guide forbids; faults use it).
    """
    hosos = [tables] if isinstance(tables, Mapping) else list(tables)
    root = etree.Element(xml130.ENVELOPE_ROOT)
    unit = etree.SubElement(root, "THONGTINDONVI")
    etree.SubElement(unit, "MACSKCB").text = facility
    info = etree.SubElement(root, "THONGTINHOSO")
    etree.SubElement(info, "NGAYLAP").text = ngaylap
    etree.SubElement(info, "SOLUONGHOSO").text = str(len(hosos))
    listing = etree.SubElement(info, "DANHSACHHOSO")
    for files in hosos:
        hoso = etree.SubElement(listing, "HOSO")
        for kind, document in files.items():
            filehoso = etree.SubElement(hoso, "FILEHOSO")
            etree.SubElement(filehoso, "LOAIHOSO").text = kind
            etree.SubElement(filehoso, "NOIDUNGFILE").text = base64.b64encode(document).decode("ascii")
    etree.SubElement(root, xml130.SIGNATURE_TAG)
    return _serialise(root)
