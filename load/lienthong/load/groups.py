"""Request names of the load, grouped for statistics and gates.

Every request a lienthong user makes is named ``"<node> · <what>"`` (never with an identifier in
it, so the statistics have one row per endpoint) and belongs to one endpoint group; the groups a
stream's tickets make count towards that stream's achieved rate.
"""

from __future__ import annotations

TOKEN = "bhxh · token/take"
CHECKIN = "bhxh · checkInKcbQd3176"
DOSSIER = "bhxh · guiHoSoXmlQD3176"
LOOKUP = "bhxh · KQNhanLichSuKCB2024"
SIGN_IN = "c06 · vneid/token"
BOOK = "moh · citizen Patient/[cccd]/$everything"
REFERRALS = "moh · citizen ServiceRequest"
APPOINTMENTS = "moh · citizen Appointment"
LABS = "moh · citizen Observation"
VACCINATIONS = "moh · guardian Immunization (ward)"
FACILITY_TOKEN = "moh · oauth/token"
FACILITY_BOOK = "moh · facility Patient/[cccd]/$everything"
PROPAGATION = "e2e · visit accepted → in VNeID book"
PROPAGATION_SIGN_IN = "e2e · patient sign-in"
PROPAGATION_POLL = "e2e · book poll"

GROUP_OF: dict[str, str] = {
    TOKEN: "gateway-session",
    CHECKIN: "gateway-write",
    DOSSIER: "gateway-write",
    LOOKUP: "gateway-lookup",
    SIGN_IN: "c06-sign-in",
    BOOK: "moh-citizen-read",
    REFERRALS: "moh-citizen-read",
    APPOINTMENTS: "moh-citizen-read",
    LABS: "moh-citizen-read",
    VACCINATIONS: "moh-citizen-read",
    FACILITY_TOKEN: "moh-facility-session",
    FACILITY_BOOK: "moh-facility-read",
    PROPAGATION: "propagation",
    PROPAGATION_SIGN_IN: "propagation-poll",
    PROPAGATION_POLL: "propagation-poll",
}
GROUPS = tuple(dict.fromkeys(GROUP_OF.values()))

STREAM_GROUPS: dict[str, tuple[str, ...]] = {
    "write": ("gateway-write",),
    "lookup": ("gateway-lookup",),
    "citizen_read": ("c06-sign-in", "moh-citizen-read"),
    "facility_read": ("moh-facility-read",),
}
"""The groups whose requests are a stream's arrivals (session set-up and polls are not)."""
THROUGHPUT_GROUP: dict[str, str] = {
    "gateway-write": "write",
    "gateway-lookup": "lookup",
    "citizen": "citizen_read",
    "moh-facility-read": "facility_read",
}
"""Gate group names of the throughput gates → the stream they measure."""

TAGS: dict[str, tuple[str, ...]] = {
    "gateway": ("write", "lookup"),
    "write": ("write",),
    "lookup": ("lookup",),
    "book": ("citizen_read", "facility_read"),
    "citizen": ("citizen_read",),
    "facility": ("write", "lookup", "facility_read"),
    "facility-read": ("facility_read",),
}
"""``lienthong load run --tags``: names for sets of streams."""


def group_of(name: str) -> str:
    return GROUP_OF.get(name, "other")
