"""What a check gets to work with: clients for the systems under test, sample data, recordings.

Conformance never imports the simulators: the composition root (the CLI, or a test) hands in
objects that satisfy these protocols, backed by the simulators or by files for a real system.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Protocol

import httpx

from lienthong.conformance.failures import Omitted, Skipped
from lienthong.conformance.recording import Recorder
from lienthong.profiles import validate_checkin, validate_dossier
from lienthong.profiles.samples import CardHolder as Patient
from lienthong.profiles.validation import Violation

Tables = dict[str, list[dict[str, str]]]
NEEDS_SECOND_ACCOUNT = "needs a second --account of another facility"
NEEDS_PATIENTS = "give --patients with patients the target knows"
MAX_WAIT = timedelta(minutes=15)
"""The longest a run waits for a token to expire (``--wait-token-expiry``)."""


class Identity(Protocol):
    """A citizen the identity node knows, and the VNeID password of the synthetic person."""

    @property
    def cccd(self) -> str: ...

    @property
    def ho_ten(self) -> str: ...

    @property
    def ngay_sinh(self) -> str:
        """YYYY-MM-DD"""
        ...

    @property
    def gioi_tinh(self) -> str: ...

    @property
    def password(self) -> str: ...


__all__ = ["Patient", "PatientRecord"]


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """A plain :class:`Patient` (what a patients file row becomes): a card holder the system
    under test knows, as a HIS reads them off the card and the CCCD."""

    cccd: str
    bhyt: str
    name: str
    dob: date
    sex: str
    address: str = ""
    gt_the_tu: date | None = None
    gt_the_den: date | None = None
    ma_dkbd: str = ""
    vneid_password: str = ""


def lookup_fields(patient: Patient) -> dict[str, str]:
    """The card look-up's ``maThe``, ``hoTen``, ``ngaySinh`` (dd/MM/yyyy) for ``patient``."""
    return {"maThe": patient.bhyt, "hoTen": patient.name, "ngaySinh": patient.dob.strftime("%d/%m/%Y")}


class Samples(Protocol):
    """Valid test data for one facility whose gateway account the harness may use."""

    @property
    def facility(self) -> str: ...

    @property
    def province(self) -> str: ...

    @property
    def username(self) -> str: ...

    @property
    def password(self) -> str: ...

    @property
    def can_sign(self) -> bool: ...

    def ma_lk(self, index: int) -> str: ...

    def checkin(self, index: int) -> bytes: ...

    def dossier(
        self,
        index: int,
        *,
        edit: Callable[[Tables], None] | None = None,
        envelope_edit: Callable[[bytes], bytes] | None = None,
        signed: bool = True,
    ) -> bytes:
        """A dossier for citizen ``index``; ``edit`` changes the records, ``envelope_edit`` the
        XML before signing."""
        ...

    def identity(self, index: int) -> Identity: ...

    def unknown_cccd(self) -> str: ...

    def deceased(self) -> Identity:
        """A citizen the identity node records as deceased."""
        ...

    def reissued(self) -> tuple[str, Identity]:
        """(a cancelled earlier ID number, the identity under the re-issued number)."""
        ...

    @property
    def patients(self) -> Sequence[Patient]:
        """Card holders the system under test knows; empty when none is known (checks that need
        one skip). On a simulated network, citizens of its population; for a real gateway, the
        patients file."""
        ...

    @property
    def staff(self) -> tuple[str, str] | None:
        """(name, CCCD) of the staff member registered for card look-ups, or None."""
        ...

    def today(self) -> date:
        """The system under test's day (Vietnam), for card validity."""
        ...

    def episode(
        self, number: int, *, variant: int = 0, holder: Patient | None = None, version: str = "qd3176"
    ) -> Tables:
        """The records of a valid episode of this facility that ended the day before or earlier
        today (never in the future), with its own MA_LK (``number`` distinguishes episodes within
        a run), of shape ``variant`` (``profiles.samples.VARIANTS``), for ``holder`` (any
        synthetic person when None), in the tag set of profile ``version``."""
        ...

    def checkins(self, tables: Tables) -> list[bytes]:
        """The signed check-ins a HIS sends for this episode (none for an emergency)."""
        ...

    def checkin_document(
        self, record: dict[str, str], *, edit: Callable[[bytes], bytes] | None = None
    ) -> bytes:
        """One XML0 record as a check-in file, signed; ``edit`` changes it before signing."""
        ...

    def seal(
        self,
        tables: Tables,
        *,
        envelope_edit: Callable[[bytes], bytes] | None = None,
        signed: bool = True,
    ) -> bytes:
        """The dossier (GIAMDINHHS) of these records; ``envelope_edit`` changes it before signing."""
        ...


@dataclass
class ServerContext:
    """The harness calls the systems under test as a client."""

    clients: dict[str, httpx.AsyncClient]
    samples: Samples
    recorder: Recorder
    service_token: str = ""
    """Bearer token the gateway would present to C06 / the MoH store (simulated networks)."""
    settle: Callable[[], Awaitable[object]] | None = None
    """Let asynchronous forwarding finish (drain the outbox, or wait)."""
    regulation: str = "3176"
    moh_client: tuple[str, str] | None = None
    """Client id and secret of the suite's facility at the MoH store (OAuth2 client credentials)."""
    advance: Callable[[timedelta], object] | None = None
    """Move the simulation clock forward (simulated networks only): token-expiry checks need it."""
    other: Samples | None = None
    """A second facility's account on the same target: the cross-facility checks need it."""
    wait_token_expiry: bool = False
    """Opt-in: a real target's token-expiry check waits ``expires_in`` + 5 s (at most 15 minutes)."""
    max_body: int = 10 * 1024 * 1024
    """Bytes of the oversized submission the body-limit check sends."""
    max_body_stated: bool = False
    """The implementer stated ``max_body`` as its limit: refusing less is then a failure, not a warning."""
    feedback_wait: float = 10.0
    """Seconds a "flags later" check polls the target's feedback for a rejection."""

    def second(self) -> Samples:
        """The second facility's samples, or a skip saying what would test it."""
        if self.other is None:
            raise Skipped(NEEDS_SECOND_ACCOUNT)
        return self.other

    async def outlive(self, expires: datetime) -> Callable[[], None]:
        """Get past ``expires``: move the simulation clock (the returned function moves it back),
        or, when the run opted in, wait until 5 s after it; otherwise the check is out of scope."""
        if self.advance is not None:
            ahead = max(expires - datetime.now(UTC), timedelta(0)) + timedelta(minutes=5)
            self.advance(ahead)
            advance = self.advance

            def back() -> None:
                advance(-ahead)

            return back
        if not self.wait_token_expiry:
            raise Omitted(
                "out of scope of this run: it waits for a token to expire; "
                "give --wait-token-expiry to include it"
            )
        wait = max(expires - datetime.now(UTC), timedelta(0)) + timedelta(seconds=5)
        if wait > MAX_WAIT:
            raise Skipped(
                f"the token expires in {wait - timedelta(seconds=5)}: --wait-token-expiry waits at "
                f"most {MAX_WAIT.seconds // 60} minutes; give the test account a shorter token lifetime"
            )
        await asyncio.sleep(wait.total_seconds())
        return lambda: None

    def client(self, actor: str) -> httpx.AsyncClient:
        if actor not in self.clients:
            raise Skipped(f"no {actor} node is reachable in this run")
        return self.clients[actor]


@dataclass
class Sent:
    """One submission a sender made, as the receiving gateway journaled it."""

    id: int
    kind: str
    endpoint: str
    profile: str
    loai_ho_so: str
    ma_cskcb: str
    ma_lk: str
    result_code: str
    received_at: str
    payload: bytes
    """``fileHSBase64`` exactly as sent."""

    @cached_property
    def document(self) -> bytes | None:
        try:
            return base64.b64decode(self.payload, validate=True)
        except (binascii.Error, ValueError):
            return None

    @cached_property
    def violations(self) -> list[Violation]:
        """Every rule the sent document breaks (base64 failure included)."""
        if self.document is None:
            return [
                Violation(
                    "ENV-03",
                    "GIAMDINHHS" if self.kind == "dossier" else "XML0",
                    "fileHSBase64",
                    self.payload[:40].decode("ascii", "replace"),
                    "is not valid base64",
                )
            ]
        if self.kind == "checkin":
            return validate_checkin(self.document, self.profile)[1]
        dossier, problems = validate_dossier(self.document, self.profile)
        if dossier is not None and dossier.facility != self.ma_cskcb:
            problems = [
                *problems,
                Violation(
                    "ENV-05",
                    "GIAMDINHHS",
                    "MACSKCB",
                    dossier.facility,
                    f"must equal the request's maCSKCB ({self.ma_cskcb})",
                ),
            ]
        return problems


@dataclass
class SenderContext:
    """The harness played the gateway; these are the submissions to judge."""

    submissions: list[Sent]
    trusted_certs: dict[str, list[bytes]] = field(default_factory=dict)
    """Facility code -> certificates registered for it."""
