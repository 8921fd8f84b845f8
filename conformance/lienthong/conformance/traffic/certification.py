"""The certification verdict: every episode a vendor's HIS sent in a session, judged.

Built on the sender traffic judge (:class:`TrafficJudge`: the validator's per-file rules on the
version that counts, check-in before dossier, deadlines, replacements, KEY-01, duplicates and
contradictions), with what only a certification session knows: the session's card register
(CARD-01, CARD-02), the registered certificates (SIG-01), the request fields (API-01, API-05,
API-08), the C06 outcome of each accepted dossier with its reason (TRAFFIC-04) and the session's
dossier deadline on the session clock (TRAFFIC-01: *pending* until it passes, then a failure).

A finding fails the episode only when it rests on a firm requirement (SHALL, [V] or [S]) and on
what a correct HIS cannot legitimately do in a test session; otherwise it is a warning, with why:
an [I] or SHOULD requirement, dates before the session opened (backdated test data cannot be
judged late), the same visit sent twice under two MA_LK (test sets send variants), a child under 6
carrying a guardian's identifiers, an empty SO_CCCD (force majeure: newborn, unconscious), a
card the register does not hold (temporary cards). The verdict is a pure function of the
transcripts, the patients file, the session's facts, the judged-at time and the waivers, so a
bundle re-judges to the identical verdict.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lienthong.conformance.audit.reading import received
from lienthong.conformance.audit.sources import Raw
from lienthong.conformance.traffic.card_register import CardRegister, card_findings, is_young_child
from lienthong.conformance.traffic.episodes import Received
from lienthong.conformance.traffic.findings import Finding
from lienthong.conformance.traffic.judge import TrafficJudge
from lienthong.conformance.traffic.scenario_steps import RETRY_GRACE, StepResult, judge_steps, shape_of
from lienthong.conformance.traffic.session_deadline import SessionDeadline
from lienthong.conformance.traffic.transcripts import VN, Transcript
from lienthong.conformance.traffic.waivers import Waiver, waiver_for
from lienthong.profiles import requirement
from lienthong.profiles.catalogue import UnknownRequirement
from lienthong.profiles.patients import Patient
from lienthong.profiles.scenarios import Scenario, scripted_step
from lienthong.profiles.signature import signature_problem
from lienthong.profiles.validation import Violation

FAIL, WARN, PENDING, WAIVED, PASS = "fail", "warn", "pending", "waived", "pass"
_ORDER = {FAIL: 0, PENDING: 1, WAIVED: 2, WARN: 3, PASS: 4}
IDENTITY = "TRAFFIC-04"
MISSING_DOSSIER = "TRAFFIC-01"
_REPLACED = {MISSING_DOSSIER, IDENTITY}
"""Rules of the traffic judge this module judges with the session's own facts instead."""
_SOFT = {
    "TRAFFIC-02": "a test set may send variants of one visit under several MA_LK",
}


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What the session knew: its facilities, certificates, clock and deadline."""

    facilities: tuple[str, ...]
    certificates: dict[str, list[bytes]]
    opened_at: datetime
    """Aware (the session clock)."""
    stopped_at: datetime | None
    deadline: SessionDeadline


@dataclass
class Judged:
    finding: Finding
    outcome: str
    why: str = ""
    """Why a finding is not a failure (a warning's reason, a pending's due time, a waiver)."""
    waiver: Waiver | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {**self.finding.as_dict(), "outcome": self.outcome}
        try:
            req = requirement(self.finding.requirement)
            out |= {"requirement_title": req.title, "source": f"{req.source}, {req.article} [{req.mark}]"}
        except UnknownRequirement:
            pass
        if self.why:
            out["why"] = self.why
        if self.waiver is not None:
            out["waiver"] = self.waiver.as_dict()
        return out


@dataclass
class EpisodeVerdict:
    facility: str
    ma_lk: str
    outcome: str
    findings: list[Judged]
    submissions: list[dict[str, Any]]
    counts: int | None
    """The dossier submission whose content stands for the episode (the latest accepted)."""
    note: str
    shape: dict[str, str] = field(default_factory=dict)
    """What a scenario step is matched on (``scenario_steps.shape_of``)."""
    step: str = ""
    """The scenario step this episode stands for, if any."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "facility": self.facility,
            "ma_lk": self.ma_lk,
            "outcome": self.outcome,
            "counts": self.counts,
            "note": self.note,
            "findings": [j.as_dict() | ({"step": self.step} if self.step else {}) for j in self.findings],
            "submissions": self.submissions,
            **({"step": self.step} if self.step else {}),
        }


@dataclass
class Verdict:
    judged_at: str
    deadline: str
    episodes: list[EpisodeVerdict]
    outcome: str
    counts: dict[str, int] = field(default_factory=dict)
    scenario: Scenario | None = None
    steps: list[StepResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "judged_at": self.judged_at,
            "dossier_deadline": self.deadline,
            "outcome": self.outcome,
            "counts": self.counts,
        }
        if self.scenario is not None:
            out["scenario"] = {
                "name": self.scenario.name,
                "version": self.scenario.version,
                "sha256": self.scenario.sha256,
                "title": self.scenario.title,
            }
            out["steps"] = [s.as_dict() for s in self.steps]
        return out | {"episodes": [e.as_dict() for e in self.episodes]}


def _local(moment: datetime) -> datetime:
    return moment.astimezone(VN).replace(tzinfo=None)


def _request_violations(t: Transcript) -> list[Violation]:
    """What the request itself broke, beyond its file (the gateway's answer says which)."""
    table = "XML0" if t.kind == "checkin" else "GIAMDINHHS"
    out = []
    expected = "0" if t.kind == "checkin" else "130"
    if t.loai_ho_so != expected:
        out.append(
            Violation("API-08", "request", "loaiHoSo", t.loai_ho_so, f"must be {expected} for {t.endpoint}")
        )
    if t.result_code == "401":
        name = "passwordHash" if "passwordHash" in t.message else "accessToken"
        out.append(Violation("API-01", "request", name, "", t.message))
    if t.result_code == "403":
        if "maCSKCB" in t.message:
            out.append(Violation("API-05", "request", "maCSKCB", t.ma_cskcb, t.message))
        else:
            out.append(Violation("API-05", "request", "username", t.username, t.message))
    if t.result_code == "125" and not any(v.requirement == "SIG-01" for v in out):
        out.append(Violation("SIG-01", table, "CHUKYDONVI", "", t.message))
    return out


def received_of(t: Transcript, certificates: dict[str, list[bytes]]) -> Received:
    """A transcript read as the traffic judge reads a submission (the audit's reading: the
    validator's per-file rules), plus what only a session knows: the request's own fields and the
    signature against the certificates registered for the facility."""
    document = t.document()
    identity = {"delivered": "verified", "identity_rejected": "rejected"}.get(t.forward)
    raw = Raw(t.seq, t.kind, t.ma_cskcb, t.received_local, document, t.accepted, t.profile, identity)
    sub = received(raw)
    request = _request_violations(t)
    readable = document is not None and not any(v.field == "(document)" for v in sub.violations)
    if readable and not any(v.requirement == "SIG-01" for v in request):
        assert document is not None
        problem = signature_problem(document, certificates.get(t.ma_cskcb, []))
        if problem:
            table = "XML0" if t.kind == "checkin" else "GIAMDINHHS"
            request.append(Violation("SIG-01", table, "CHUKYDONVI", "", problem))
    sub.violations = [*sub.violations, *request]
    return sub


OMIT = "omit"
"""What :func:`_firmness` says of a finding that is not judged at all."""


def _firmness(f: Finding, opened: datetime) -> str:
    """Why ``f`` is only a warning ('' when it is a failure; :data:`OMIT` when not judged)."""
    try:
        req = requirement(f.requirement)
    except UnknownRequirement:
        return "not a catalogued requirement"
    if req.level != "SHALL":
        return f"{req.id} is a {req.level}"
    if req.mark == "I":
        return f"{req.id} rests on an inferred [I] fact"
    if f.requirement in _SOFT:
        return _SOFT[f.requirement]
    if (f.requirement == "XML0-06" and f.field == "NGAY_YL") or f.requirement == "TIME-01":
        try:
            moment = datetime.strptime(f.value[:12], "%Y%m%d%H%M")
        except ValueError:
            moment = None
        if moment is not None and moment < _local(opened):
            return OMIT  # test data dated before the session: its timeliness cannot be judged
        if f.requirement == "XML0-06":
            return (
                "how soon after the first cost a check-in is due is lienthong's reading of 'right after' [I]"
            )
    return ""


def _identity_findings(t: Transcript, record: dict[str, str], ma_lk: str) -> list[tuple[Finding, str]]:
    """TRAFFIC-04 from C06's answer on the version that counts: the fields and why."""
    if t.forward != "identity_rejected":
        return []
    try:
        reason = json.loads(t.forward_reason or "{}")
    except ValueError:
        reason = {}
    errors = reason.get("errors") if isinstance(reason, dict) else None
    if not errors:
        errors = [
            {
                "table": "XML1",
                "record": 1,
                "field": "SO_CCCD",
                "value": record.get("SO_CCCD", ""),
                "rule": "C06 did not verify this identity",
                "requirement": IDENTITY,
            }
        ]
    result = str(reason.get("c06", "")) if isinstance(reason, dict) else ""
    if result == "deceased" and record.get("KET_QUA_DTRI") == "5":
        return []  # the patient died during the episode: C06 now records the death
    why = ""
    if is_young_child(record):
        why = "a child under 6 may be sent with a guardian's identifiers"
    elif not record.get("SO_CCCD"):
        why = "SO_CCCD may be left empty in force majeure (newborn, unconscious patient)"
    out = []
    for e in errors:
        message = (
            f"C06 answered {result or 'no match'}: {e.get('rule', '')}; "
            "the visit does not reach the health book"
        )
        out.append(
            (
                Finding(
                    str(e.get("requirement") or IDENTITY),
                    t.ma_cskcb,
                    ma_lk,
                    str(e.get("table", "XML1")),
                    int(e.get("record", 1)),
                    str(e.get("field", "")),
                    str(e.get("value", "")),
                    message,
                    t.seq,
                ),
                why,
            )
        )
    return out


def _summary(t: Transcript, counts: int | None) -> dict[str, Any]:
    return {
        "submission": t.seq,
        "kind": t.kind,
        "received_at": t.received_at,
        "maKetQua": t.result_code,
        "maGiaoDich": t.transaction_id,
        "forward": t.forward,
        "counts": t.seq == counts,
        **({"scripted": step} if (step := scripted_step(t.message)) else {}),
    }


def judge_session(
    transcripts: Iterable[Transcript],
    patients: Iterable[Patient],
    facts: SessionFacts,
    judged_at: datetime,
    waivers: Iterable[Waiver] = (),
    scenario: Scenario | None = None,
) -> Verdict:
    """The verdict on a session's traffic as of ``judged_at`` (aware, the session clock)."""
    register = CardRegister(patients)
    waived = list(waivers)
    judge = TrafficJudge()
    by_seq: dict[int, Transcript] = {}
    received: dict[int, Received] = {}
    keyed: defaultdict[tuple[str, str], list[Transcript]] = defaultdict(list)
    for t in sorted(transcripts, key=lambda x: x.seq):
        sub = received_of(t, facts.certificates)
        episode = judge.add(sub)
        by_seq[t.seq], received[t.seq] = t, sub
        keyed[(episode.facility, episode.ma_lk)].append(t)
    now = _local(judged_at)
    raw: defaultdict[tuple[str, str], list[tuple[Finding, str]]] = defaultdict(list)
    untimed: set[tuple[str, str]] = set()
    for f in judge.findings(as_of=now):
        if f.requirement in _REPLACED:
            continue
        why = _firmness(f, facts.opened_at)
        if why == OMIT:
            untimed.add((f.facility, f.ma_lk))
        else:
            raw[(f.facility, f.ma_lk)].append((f, why))
    pending: dict[tuple[str, str], str] = {}
    young: set[tuple[str, str]] = set()
    record_of: dict[tuple[str, str], dict[str, str]] = {}
    profile_of: dict[tuple[str, str], str] = {}
    for key, episode in judge.episodes.items():
        facility, ma_lk = key
        sent = keyed[key]
        if episode.checkin_at is not None and not any(t.kind == "dossier" for t in sent):
            checkin = next(t for t in sent if t.kind == "checkin")
            due = facts.deadline.due(checkin.received)
            # Once the session has stopped no dossier can arrive any more: the check-in's dossier
            # is missing, whatever the deadline (while it runs, it is pending until the deadline).
            ended = facts.stopped_at is not None and facts.stopped_at < due
            late = judged_at >= due or ended
            finding = Finding(
                MISSING_DOSSIER,
                facility,
                ma_lk,
                "XML0",
                1,
                "MA_LK",
                ma_lk,
                f"checked in {checkin.received_local:%Y-%m-%d %H:%M}; "
                + (
                    f"the session stopped {_local(facts.stopped_at):%Y-%m-%d %H:%M} without a dossier "
                    "of this MA_LK"
                    if ended and facts.stopped_at is not None
                    else f"no dossier of this MA_LK arrived by {_local(due):%Y-%m-%d %H:%M}"
                    if late
                    else "its dossier has not arrived yet"
                )
                + f" (--dossier-deadline {facts.deadline.describe()})",
                checkin.seq,
            )
            if late:
                raw[key].append((finding, ""))
            else:
                pending[key] = f"awaited until {_local(due):%Y-%m-%d %H:%M} (session clock)"
                raw[key].append((finding, pending[key]))
        for t in sent:  # the traffic judge reads the first check-in's file; the later ones too
            if t.kind == "checkin" and t.seq != episode.checkin_seq:
                for v in received[t.seq].violations:
                    f = Finding.of(v, facility, ma_lk, t.seq)
                    raw[key].append((f, _firmness(f, facts.opened_at)))
        if episode.latest is None:
            continue
        counted = by_seq[episode.latest.seq]
        profile_of[key] = counted.profile
        for t in sent:  # a replacement refused after the version that counts: not corrected since
            if t.kind == "dossier" and not t.accepted and counted.accepted and t.seq > counted.seq:
                for v in received[t.seq].violations:
                    f = Finding.of(v, facility, ma_lk, t.seq)
                    raw[key].append((f, _firmness(f, facts.opened_at)))
        record = (received[counted.seq].tables.get("XML1") or [{}])[0]
        record_of[key] = record
        raw[key] += _refused_without_checkin(sent, record, facility, ma_lk)
        if is_young_child(record):
            young.add(key)
        raw[key] += _identity_findings(counted, record, ma_lk)
        if counted.forward == "pending":
            waiting = Finding(
                IDENTITY,
                facility,
                ma_lk,
                "XML1",
                1,
                "SO_CCCD",
                record.get("SO_CCCD", ""),
                "accepted; C06 has not checked the identity yet",
                counted.seq,
            )
            raw[key].append(
                (waiting, "awaiting C06's identity check (the gateway forwards in the background)")
            )
            pending[key] = "awaiting C06"
        if record:
            for f, firm in card_findings(register, record, "XML1", facility, ma_lk, counted.seq):
                raw[key].append((f, _firmness(f, facts.opened_at) or ("" if firm else _card_why(f))))
        raw[key] += _admission_checkin(sent, record, facility, ma_lk, counted.seq)
        seen_checkins: set[tuple[str, str, str]] = set()
        for t in sent:
            if t.kind != "checkin":
                continue
            for rec in received[t.seq].tables.get("XML0", []):
                for f, firm in card_findings(register, rec, "XML0", facility, ma_lk, t.seq):
                    if (f.requirement, f.field, f.value) in seen_checkins:
                        continue
                    seen_checkins.add((f.requirement, f.field, f.value))
                    raw[key].append((f, _firmness(f, facts.opened_at) or ("" if firm else _card_why(f))))
    episodes = []
    for key, episode in judge.episodes.items():
        judged = []
        for f, why in _dedupe(raw.get(key, [])):
            if key in pending and (
                f.requirement == MISSING_DOSSIER or (f.requirement == IDENTITY and f.message.endswith("yet"))
            ):
                judged.append(Judged(f, PENDING, why))
                continue
            if not why and f.requirement == "TRAFFIC-03" and key in young:
                why = "a child under 6 may be sent with a guardian's identifiers"
            outcome = WARN if why else FAIL
            if outcome == FAIL and (w := waiver_for(waived, f, judged_at)) is not None:
                judged.append(Judged(f, WAIVED, f"waived by {w.approver} until {w.expiry}: {w.reason}", w))
                continue
            judged.append(Judged(f, outcome, why))
        judged.sort(key=lambda j: (_ORDER[j.outcome], j.finding.submission, j.finding.requirement))
        outcome = min((j.outcome for j in judged), key=_ORDER.__getitem__, default=PASS)
        counts = episode.latest.seq if episode.latest is not None else None
        sent = keyed[key]
        note = _note(sent, counts) + (
            "; dated before the session: timeliness not judged" if key in untimed else ""
        )
        episodes.append(
            EpisodeVerdict(
                key[0],
                key[1],
                outcome,
                judged,
                [_summary(t, counts) for t in sent],
                counts,
                note,
                (shape_of(record_of[key], profile_of[key]) | {"replaced": _replaced(sent)})
                if key in record_of
                else {},
            )
        )
    episodes.sort(key=lambda e: (e.facility, min((s["submission"] for s in e.submissions), default=0)))
    tally = {o: sum(1 for e in episodes if e.outcome == o) for o in (PASS, WARN, WAIVED, PENDING, FAIL)}

    def settled(received_at: str) -> bool:
        moment = datetime.fromisoformat(received_at)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return facts.stopped_at is not None or judged_at - moment >= RETRY_GRACE

    steps = (
        judge_steps(scenario, episodes, settled, lambda f: Judged(f, FAIL).as_dict())
        if scenario is not None
        else []
    )
    failed = tally[FAIL] or any(s.outcome == FAIL for s in steps)
    awaited = tally[PENDING] or any(s.outcome == PENDING for s in steps)
    # nothing sent yet is not a pass: the verdict waits for the HIS's first episode
    overall = FAIL if failed else PENDING if awaited or not episodes else PASS
    return Verdict(
        judged_at.isoformat(), facts.deadline.describe(), episodes, overall, tally, scenario, steps
    )


def _refused_without_checkin(
    sent: list[Transcript], record: dict[str, str], facility: str, ma_lk: str
) -> list[tuple[Finding, str]]:
    """XML0-06 for a non-emergency BHYT visit none of whose dossiers was accepted and that had no
    accepted check-in before its first dossier: the gateway refuses such a dossier (so the traffic
    judge, which judges check-ins against accepted dossiers, never sees it)."""
    dossiers = [t for t in sent if t.kind == "dossier"]
    if not dossiers or any(t.accepted for t in dossiers):
        return []
    if record.get("MA_DOITUONG_KCB") == "2" or not record.get("MA_THE_BHYT"):
        return []
    first = dossiers[0]
    if any(t.kind == "checkin" and t.accepted and t.seq < first.seq for t in sent):
        return []
    finding = Finding(
        "XML0-06",
        facility,
        ma_lk,
        "XML0",
        1,
        "MA_LK",
        ma_lk,
        "no check-in was accepted for this non-emergency visit before its dossier "
        f"(submission {first.seq}); the gateway refused every dossier of it "
        f"(maKetQua {dossiers[-1].result_code})",
        first.seq,
    )
    return [(finding, "")]


ADMITTED = frozenset({"03", "04"})
"""MA_LOAI_KCB of inpatient and day-inpatient treatment: a second check-in on admission (XML0-07)."""


def _admission_checkin(
    sent: list[Transcript], record: dict[str, str], facility: str, ma_lk: str, seq: int
) -> list[tuple[Finding, str]]:
    """XML0-07 as a warning: an episode admitted after its arrival checked in only once."""
    admitted, arrived = record.get("NGAY_VAO_NOI_TRU", ""), record.get("NGAY_VAO", "")
    checkins = sum(1 for t in sent if t.kind == "checkin")
    if record.get("MA_LOAI_KCB") not in ADMITTED or not admitted or admitted <= arrived or checkins != 1:
        return []
    finding = Finding(
        "XML0-07",
        facility,
        ma_lk,
        "XML0",
        2,
        "NGAY_VAO_NOI_TRU",
        admitted,
        f"admitted {admitted}, after arriving {arrived}, but only one check-in was sent: "
        "a second is due right after the first cost in the treating ward",
        seq,
    )
    return [(finding, "the sources read do not say whether a same-day admission needs its own check-in")]


def _replaced(sent: list[Transcript]) -> str:
    """ "1" when a later accepted dossier replaced an earlier one with other content (CHAIN-03)."""
    payloads = [t.payload for t in sent if t.kind == "dossier" and t.accepted]
    return "1" if len(payloads) > 1 and len(set(payloads)) > 1 else ""


def _card_why(f: Finding) -> str:
    if f.field == "MA_THE_BHYT" and "not on the session's card register" in f.message:
        return "a card the register does not hold may be a temporary card (newborn, donor)"
    return "a child under 6 may be sent with a guardian's identifiers"


def _dedupe(items: list[tuple[Finding, str]]) -> list[tuple[Finding, str]]:
    seen: set[tuple[str, str, int, str, str, int]] = set()
    out = []
    for f, why in items:
        key = (f.requirement, f.table, f.record, f.field, f.value, f.submission)
        if key not in seen:
            seen.add(key)
            out.append((f, why))
    return out


def _note(sent: list[Transcript], counts: int | None) -> str:
    dossiers = [t for t in sent if t.kind == "dossier"]
    checkins = sum(1 for t in sent if t.kind == "checkin")
    parts = [f"{checkins} check-in(s), {len(dossiers)} dossier submission(s)"]
    if counts is not None and len(dossiers) > 1:
        accepted = [t for t in dossiers if t.accepted]
        payloads = {t.payload for t in accepted}
        kind = "resends of one content" if len(payloads) == 1 and len(accepted) > 1 else "replacements"
        parts.append(
            f"{len(accepted)} accepted ({kind}); submission {counts} counts (the latest accepted, CHAIN-03)"
        )
    elif counts is not None and dossiers:
        parts.append(f"submission {counts} counts")
    return "; ".join(parts)
