"""The audit's labels in Vietnamese and English: one small dict per language, to move into the
gettext catalogue (``lienthong.profiles.i18n``) once it is merged. Rule texts in Vietnamese follow
the regulation's words (QĐ 2062 for the four dimensions, QĐ 2733 for the report)."""

from __future__ import annotations

from lienthong.profiles.monitoring import VISIT_TYPE_LABELS

LANGUAGES = ("vi", "en")

VI: dict[str, str] = {
    "title": "Giám sát liên thông dữ liệu khám bệnh, chữa bệnh",
    "scorecard": "Phiếu đánh giá cơ sở",
    "facility": "Cơ sở KCB",
    "name": "Tên cơ sở",
    "province": "Tỉnh",
    "level": "Tuyến",
    "score": "Điểm tổng hợp",
    "rank": "Xếp hạng",
    "dung": "Đúng",
    "du": "Đủ",
    "sach": "Sạch",
    "song": "Sống",
    "dung_text": "Phản ánh chính xác người bệnh, sự kiện và kết quả khám",
    "du_text": "Đầy đủ các trường bắt buộc theo cấu trúc của Bộ Y tế",
    "sach_text": "Không trùng lặp, không mâu thuẫn, đúng danh mục dùng chung",
    "song_text": "Cập nhật kịp thời, phản ánh đúng hiện trạng",
    "episodes": "Lượt KCB",
    "sent": "Đã liên thông",
    "interconnection": "Tỷ lệ liên thông (%)",
    "visit_type": "Loại hình KCB",
    "bhyt_visits": "Lượt KCB BHYT",
    "bhyt_sent": "BHYT đã liên thông",
    "non_bhyt_visits": "Lượt KCB không BHYT",
    "non_bhyt_sent": "Không BHYT đã liên thông",
    "period": "Kỳ báo cáo",
    "report_2733": "Báo cáo 6 tháng kết quả liên thông (QĐ 2733/QĐ-BYT PL01 Đ8)",
    "implied": "Giấy chuyển tuyến, giấy hẹn khám lại, kết quả cận lâm sàng",
    "XML13": "Giấy chuyển tuyến (XML13)",
    "XML14": "Giấy hẹn khám lại (XML14)",
    "XML4": "Kết quả cận lâm sàng (XML4)",
    "expected": "Phải gửi",
    "timeliness": "Tính kịp thời",
    "checkin": "Check-in sau chi phí đầu tiên",
    "dossier": "Hồ sơ sau khi kết thúc đợt điều trị",
    "vneid": "Hiển thị trên VNeID trong 24 giờ",
    "on_time": "Đúng hạn (%)",
    "late": "Trễ",
    "month": "Tháng",
    "rules": "Quy tắc vi phạm",
    "rule": "Quy tắc",
    "findings": "Số lỗi",
    "worst": "Hồ sơ lỗi tiêu biểu",
    "ma_lk": "MA_LK",
    "table": "Bảng",
    "record": "Bản ghi",
    "field": "Trường",
    "value": "Giá trị",
    "message": "Nội dung lỗi",
    "lost": "Điểm bị trừ",
    "all": "Tất cả",
    "league": "Bảng xếp hạng",
    "provinces": "Theo tỉnh",
    "weights_note": "Trọng số điểm tổng hợp: bằng nhau (giả định [I], chưa có văn bản quy định)",
    "no_data": "Không có dữ liệu",
    "back": "Quay lại",
}

EN: dict[str, str] = {
    "title": "Monitoring of health-data interconnection",
    "scorecard": "Facility scorecard",
    "facility": "Facility",
    "name": "Name",
    "province": "Province",
    "level": "Level",
    "score": "Overall score",
    "rank": "Rank",
    "dung": "Correct (đúng)",
    "du": "Complete (đủ)",
    "sach": "Clean (sạch)",
    "song": "Alive (sống)",
    "dung_text": "Accurately reflects the person, the event and the exam results",
    "du_text": "All mandatory fields per the MoH structure",
    "sach_text": "No duplicates, no contradictions, correct standard code lists",
    "song_text": "Updated in time, reflects the current state",
    "episodes": "Visits",
    "sent": "Interconnected",
    "interconnection": "Interconnection rate (%)",
    "visit_type": "Visit type",
    "bhyt_visits": "BHYT visits",
    "bhyt_sent": "BHYT interconnected",
    "non_bhyt_visits": "Non-BHYT visits",
    "non_bhyt_sent": "Non-BHYT interconnected",
    "period": "Period",
    "report_2733": "Six-monthly interconnection report (QĐ 2733/QĐ-BYT PL01 Đ8)",
    "implied": "Referral letters, appointments and lab results",
    "XML13": "Referral letters (XML13)",
    "XML14": "Appointment slips (XML14)",
    "XML4": "Lab results (XML4)",
    "expected": "Implied",
    "timeliness": "Timeliness",
    "checkin": "Check-in after the first cost",
    "dossier": "Dossier after the episode end",
    "vneid": "On VNeID within 24 h",
    "on_time": "On time (%)",
    "late": "Late",
    "month": "Month",
    "rules": "Rules broken",
    "rule": "Rule",
    "findings": "Findings",
    "worst": "Worst records",
    "ma_lk": "MA_LK",
    "table": "Table",
    "record": "Record",
    "field": "Field",
    "value": "Value",
    "message": "Message",
    "lost": "Points lost",
    "all": "All",
    "league": "League table",
    "provinces": "By province",
    "weights_note": "Overall score weights: equal (an assumption [I]; no source gives them)",
    "no_data": "No data",
    "back": "Back",
}

LABELS: dict[str, dict[str, str]] = {"vi": VI, "en": EN}


def labels(lang: str) -> dict[str, str]:
    """Every label of ``lang`` (the visit types' included)."""
    return {**LABELS[lang], **{f"type:{k}": v for k, v in VISIT_TYPE_LABELS[lang].items()}}


RULE_TITLES_VI: dict[str, str] = {
    "XML0-06": "Gửi check-in ngay sau khi phát sinh chi phí đầu tiên, trước hồ sơ (trừ cấp cứu)",
    "TIME-01": "Gửi hồ sơ ngay sau khi kết thúc lần khám hoặc đợt điều trị, chậm nhất 07 ngày làm việc",
    "TRAFFIC-01": "Lượt khám đã check-in phải được gửi hồ sơ sau khi kết thúc đợt điều trị",
    "TRAFFIC-02": "Không trùng lặp: một lượt khám chỉ gửi với một MA_LK",
    "TRAFFIC-03": "Không mâu thuẫn giữa các lượt khám của cùng một người",
    "TRAFFIC-04": "Thông tin định danh được xác thực với Cơ sở dữ liệu quốc gia về dân cư",
    "KEY-01": "MA_LK là duy nhất cho mỗi đợt điều trị của một người bệnh",
    "MOH-03": "Hiển thị trên VNeID trong vòng 24 giờ kể từ khi BHXH nhận dữ liệu",
    "PRES-01": "Có giấy chuyển tuyến (XML13) khi chuyển tuyến",
    "PRES-02": "Có giấy hẹn khám lại (XML14) khi hẹn khám lại",
    "PRES-04": "Có kết quả cận lâm sàng (XML4) khi có dịch vụ cận lâm sàng",
    "XML1-02": "Đủ các trường bắt buộc của bảng XML1",
    "CODE-01": "Mã theo đúng danh mục dùng chung",
    "ENV-05": "Mã cơ sở gửi trùng với mã cơ sở trong hồ sơ",
}
"""Vietnamese titles of the rules the audit reports most (lienthong's wording after the texts it
cites; the catalogue's English title for the others)."""


def rule_title(requirement: str, english: str, lang: str) -> str:
    """The title of ``requirement`` in ``lang``."""
    return RULE_TITLES_VI.get(requirement, english) if lang == "vi" else english
