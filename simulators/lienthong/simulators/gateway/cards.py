"""The card register behind the lookup API: BHYT cards of the synthetic population and the
result code (§8 of the reference) a card lookup gets on a given day.

The population gives the card (group, benefit digit, province, BHXH number, validity, registered
facility), deaths and moves. Statuses the population does not model (withdrawn, reduced, re-issued,
unreadable) are given to a fixed, small share of cards by their BHXH number, so the same seed always
yields the same outcomes; ``special_code`` says which.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from lienthong.simulators.population import Citizen, citizens

RESULTS = {
    "000": "Thông tin thẻ chính xác (card information correct)",
    "001": "Thẻ do BHXH Bộ Quốc phòng quản lý (card managed by BHXH of the Ministry of Defence)",
    "002": "Thẻ do BHXH Bộ Công an quản lý (card managed by BHXH of the Ministry of Public Security)",
    "003": "Thẻ cũ hết giá trị sử dụng, được cấp thẻ mới (old card expired, new card issued)",
    "004": "Thẻ cũ còn giá trị sử dụng, được cấp thẻ mới (old card still valid, new card issued)",
    "010": "Thẻ hết giá trị sử dụng (card expired)",
    "050": "Không thấy thông tin thẻ BHYT (no card information)",
    "051": "Mã thẻ không đúng (wrong card code)",
    "052": "Mã tỉnh cấp thẻ (ký tự 4, 5) không đúng (wrong province code)",
    "053": "Mã quyền lợi thẻ (ký tự thứ 3) không đúng (wrong benefit code)",
    "054": "Cán bộ tra cứu không có trong danh sách người dùng của cơ sở (staff CCCD not in the list)",
    "055": "Họ tên cán bộ không khớp số CCCD (staff name does not match the CCCD)",
    "060": "Họ tên không đúng (wrong name)",
    "061": "Họ tên không đúng, đúng ký tự đầu (wrong name, first letter correct)",
    "070": "Ngày sinh không đúng (wrong date of birth)",
    "100": "Lỗi khi lấy dữ liệu thẻ (error reading card data)",
    "101": "Lỗi server (server error)",
    "110": "Thẻ đã thu hồi (card withdrawn)",
    "120": "Thẻ đã báo giảm (card reported reduced)",
    "121": "Thẻ đã báo giảm, chuyển ngoại tỉnh (reduced, moved out of province)",
    "122": "Thẻ đã báo giảm, chuyển nội tỉnh (reduced, moved within province)",
    "123": "Thẻ đã báo giảm, tăng lại cùng đơn vị (reduced, re-enrolled at the same unit)",
    "124": "Thẻ đã báo giảm, dừng tham gia (reduced, stopped participating)",
    "130": "Trẻ em không xuất trình thẻ (child without a card)",
    "205": "Lỗi sai định dạng tham số (parameter format error)",
    "401": "Lỗi xác thực tài khoản (authentication error)",
}
_SPECIAL = {0: "110", 1: "120", 2: "123", 3: "100", 4: "new", 5: "new", 6: "new"}
"""BHXH number mod 1000 -> a status the population does not model (0.7 % of cards)."""
REISSUE_AFTER = timedelta(days=182)
ISSUED_AHEAD = timedelta(days=30)
"""A new card is issued this long before it takes over; meanwhile the old one is still valid."""


def folded(name: str) -> str:
    """A name compared as the portal does: NFC, case-insensitive, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


@dataclass(frozen=True, slots=True)
class Card:
    holder: Citizen
    given: bool = False
    """A card given to the register as it is (a vendor's patients file): no status the population
    does not model is made up for it."""

    @property
    def code(self) -> str:
        return self.holder.bhyt

    @property
    def special(self) -> str:
        return "" if self.given else _SPECIAL.get(int(self.holder.bhxh) % 1000, "")

    @property
    def valid_from(self) -> date:
        return self.holder.card_from or date(2025, 1, 1)

    @property
    def valid_to(self) -> date:
        return self.holder.card_to or date(2026, 12, 31)

    @property
    def new_card(self) -> tuple[str, date, date] | None:
        """(code, from, to) of the card that replaced this one, for re-issued cards."""
        if self.special != "new":
            return None
        group = "HT" if self.holder.age >= 60 else "DN" if self.code[:2] != "DN" else "HC"
        start = self.valid_from + REISSUE_AFTER
        return group + self.code[2:], start, start + timedelta(days=365)

    def status(self, today: date) -> str:
        """The card's own result code on ``today`` (identity already matched)."""
        group = self.code[:2]
        if group == "QN":
            return "001"
        if group == "CA":
            return "002"
        if self.holder.death and self.holder.death <= today:
            return "124"
        if self.holder.moved_on and self.holder.moved_on <= today:
            return "121" if int(self.holder.bhxh) % 2 else "122"
        if self.special in {"110", "120", "123", "100"}:
            return self.special
        if group == "TE" and self.valid_from > today:
            return "130"
        renewed = self.new_card
        if renewed is not None and renewed[1] <= today:
            return "003"
        if renewed is not None and renewed[1] - ISSUED_AHEAD <= today:
            return "004"
        if self.valid_to < today:
            return "010"
        return "000"


class CardRegister:
    """Cards of the first ``population`` citizens of ``seed``, by BHXH number (built on first use)."""

    def __init__(self, seed: int, population: int) -> None:
        self.seed, self.population = seed, population
        self._by_number: dict[str, Card] | None = None

    def _cards(self) -> dict[str, Card]:
        if self._by_number is None:
            self._by_number = {p.bhxh: Card(p) for p in citizens(self.seed, 0, self.population)}
        return self._by_number

    def add(self, holders: Iterable[Citizen]) -> None:
        """Add (or replace) the cards of ``holders`` as given, e.g. a vendor's test patients."""
        cards = self._cards()
        for holder in holders:
            cards[holder.bhxh] = Card(holder, given=True)

    def by_number(self, bhxh: str) -> Card | None:
        return self._cards().get(bhxh)

    def other_than(self, card: Card) -> Card:
        """Some other holder's card (what the ``lookup_other_patient`` fault answers with)."""
        return next((c for number, c in self._cards().items() if number != card.holder.bhxh), card)

    def match(self, code: str) -> tuple[str, Card | None]:
        """Identify a card by its 15-character code: ('', card) or (050|051|052|053, card)."""
        card = self.by_number(code[5:])
        if card is None:
            return "050", None
        if code[3:5] != card.code[3:5]:
            return "052", card
        if code[2] != card.code[2]:
            return "053", card
        if code[:2] != card.code[:2]:
            return "051", card
        return "", card
