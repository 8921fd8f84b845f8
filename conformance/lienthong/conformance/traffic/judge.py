"""The rules over several submissions, judged on the episodes a stream of submissions built.

The judge is order-free: the rules compare the receipt times of the submissions, not the order
they were read in, so a folder read in any order, a journal read by id or a run resumed half-way
give the same findings. Requirement IDs and deadlines come from the catalogue
(``profiles/data/requirements.csv``, ``deadlines.csv``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from sys import intern

from lienthong.conformance.traffic.episodes import Episode, Received
from lienthong.conformance.traffic.findings import Finding
from lienthong.profiles.monitoring import deadline

TRAFFIC_RULES: dict[str, str] = {
    "XML0-06": "check-in missing, late or after the dossier (emergencies excepted)",
    "TIME-01": "dossier sent after its deadline",
    "TRAFFIC-01": "check-in without its dossier",
    "TRAFFIC-02": "the same visit under two MA_LK",
    "TRAFFIC-03": "visits of one person contradict each other",
    "TRAFFIC-04": "identity not verified by C06",
    "KEY-01": "one MA_LK names two patients",
    "MOH-03": "not on VNeID within 24 h of receipt",
}
"""Requirement -> what the judge reports for it (the rules of this module)."""


def _at(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else ""


class TrafficJudge:
    """Episodes from a stream of submissions, and the findings over them."""

    def __init__(self) -> None:
        self.episodes: dict[tuple[str, str], Episode] = {}
        self.latest_received: datetime | None = None
        """The latest receipt seen: the default "now" of the rules on what is still missing."""
        self.submissions = 0

    def add(self, sub: Received) -> Episode:
        """Fold one submission into its episode (its payload is not kept)."""
        self.submissions += 1
        at, latest = sub.received_at, self.latest_received
        if latest is None or at > latest:
            self.latest_received = at
        key = (sub.facility, _ma_lk(sub))
        episode = self.episodes.get(key)
        if episode is None:
            episode = self.episodes[key] = Episode(intern(sub.facility), key[1])
        episode.add(sub)
        return episode

    def extend(self, subs: Iterable[Received]) -> None:
        for sub in subs:
            self.add(sub)

    def findings(self, as_of: datetime | None = None) -> Iterator[Finding]:
        """Every finding: the per-file violations of each episode's current version and check-in,
        then the rules over several submissions, judged at ``as_of`` (default: the latest receipt)."""
        now = as_of or self.latest_received
        for episode in self.episodes.values():
            yield from file_findings(episode)
            yield from episode_findings(episode, now)
        yield from duplicate_visits(self.episodes.values())
        yield from contradicting_people(self.episodes.values())


def _ma_lk(sub: Received) -> str:
    records = sub.tables.get("XML0" if sub.kind == "checkin" else "XML1")
    ma_lk = records[0].get("MA_LK", "") if records else ""
    return ma_lk or f"(submission {sub.seq})"


def file_findings(episode: Episode) -> Iterator[Finding]:
    """The validator's violations of the version that counts (CHAIN-03: the latest replaces the
    earlier ones) and of the first check-in."""
    for violation in episode.checkin_violations:
        yield Finding.of(violation, episode.facility, episode.ma_lk, episode.checkin_seq)
    if episode.latest is not None:
        for violation in episode.latest.violations:
            yield Finding.of(violation, episode.facility, episode.ma_lk, episode.latest.seq)


def episode_findings(episode: Episode, now: datetime | None) -> Iterator[Finding]:
    """The rules on one episode's own submissions."""
    facility, ma_lk = episode.facility, episode.ma_lk
    latest = episode.latest
    if episode.first_try_at is not None and not episode.emergency:
        # the first dossier sent, accepted or not: a gateway enforcing the order refuses it
        first_at, first_seq = episode.first_try_at, episode.first_try_seq
        if episode.checkin_at is None:
            yield Finding(
                "XML0-06", facility, ma_lk, "XML0", 1, "MA_LK", ma_lk,
                "no check-in was sent for this non-emergency visit before its dossier "
                f"(dossier received {_at(first_at)})",
                first_seq,
            )  # fmt: skip
        elif episode.checkin_at > first_at:
            yield Finding(
                "XML0-06", facility, ma_lk, "XML0", 1, "MA_LK", ma_lk,
                f"the check-in was received {_at(episode.checkin_at)}, after the dossier "
                f"({_at(first_at)})",
                episode.checkin_seq,
            )  # fmt: skip
    if episode.checkin_at is not None and episode.first_cost is not None and not episode.emergency:
        limit = deadline("checkin_after_first_cost")
        if episode.checkin_at > limit.due(episode.first_cost):
            yield Finding(
                "XML0-06", facility, ma_lk, "XML0", 1, "NGAY_YL", f"{episode.first_cost:%Y%m%d%H%M}",
                f"the check-in was received {_at(episode.checkin_at)}, more than {limit.limit} "
                f"{limit.unit} after the first cost ({_at(episode.first_cost)})",
                episode.checkin_seq,
            )  # fmt: skip
    end = episode.episode_end
    if episode.first_dossier_at is not None and end is not None:
        limit = deadline("dossier_after_episode")
        if episode.first_dossier_at > limit.due(end):
            yield Finding(
                "TIME-01", facility, ma_lk, "XML1", 1, "NGAY_RA", f"{end:%Y%m%d%H%M}",
                f"the dossier was received {_at(episode.first_dossier_at)}, more than {limit.limit} "
                f"working days after the episode ended ({_at(end)})",
                episode.first_dossier_seq,
            )  # fmt: skip
    if not episode.sent and episode.checkin_at is not None and now is not None:
        limit = deadline("checkin_without_dossier")
        if now > limit.due(episode.checkin_at):
            yield Finding(
                "TRAFFIC-01", facility, ma_lk, "XML0", 1, "MA_LK", ma_lk,
                f"checked in {_at(episode.checkin_at)}; no accepted dossier in the {limit.limit} "
                f"{limit.unit} since (judged at {_at(now)})",
                episode.checkin_seq,
            )  # fmt: skip
    if latest is None:
        return
    if latest.identity == "rejected":
        yield Finding(
            "TRAFFIC-04", facility, ma_lk, "XML1", 1, "SO_CCCD", latest.cccd,
            "C06 did not verify this identity (SO_CCCD, HO_TEN, NGAY_SINH, GIOI_TINH): the visit "
            "does not reach the health book",
            latest.seq,
        )  # fmt: skip
    if latest.delivered_at is not None:
        limit = deadline("vneid_after_receipt")
        if latest.delivered_at > limit.due(latest.received_at):
            yield Finding(
                "MOH-03", facility, ma_lk, "XML1", 1, "MA_LK", ma_lk,
                f"received {_at(latest.received_at)}, forwarded to the health book only "
                f"{_at(latest.delivered_at)} (more than {limit.limit} h)",
                latest.seq,
            )  # fmt: skip
    if len(episode.patients) > 1:
        yield Finding(
            "KEY-01", facility, ma_lk, "XML1", 1, "MA_LK", ma_lk,
            f"the versions of this MA_LK name {len(episode.patients)} patients "
            f"({', '.join(episode.patients)}); one MA_LK is one episode of one patient",
            latest.seq,
        )  # fmt: skip


def duplicate_visits(episodes: Iterable[Episode]) -> Iterator[Finding]:
    """TRAFFIC-02: one facility's visits of one patient with the same arrival and visit type
    under different MA_LK; the first sent is the visit, the others are duplicates."""
    seen: dict[tuple[str, str, str, str], Episode] = {}
    later: list[tuple[Episode, Episode]] = []
    for episode in episodes:
        latest = episode.latest
        if latest is None or not episode.sent or not latest.patient or not latest.ngay_vao:
            continue
        key = (episode.facility, latest.patient, latest.ngay_vao, latest.ma_loai_kcb)
        first = seen.get(key)
        if first is None:
            seen[key] = episode
            continue
        assert first.first_dossier_us is not None
        assert episode.first_dossier_us is not None
        if (episode.first_dossier_us, episode.ma_lk) < (first.first_dossier_us, first.ma_lk):
            seen[key], episode, first = episode, first, episode
        later.append((episode, first))
    for duplicate, first in later:
        assert duplicate.latest is not None
        yield Finding(
            "TRAFFIC-02", duplicate.facility, duplicate.ma_lk, "XML1", 1, "MA_LK", duplicate.ma_lk,
            f"the same visit (patient {duplicate.latest.patient}, NGAY_VAO {duplicate.latest.ngay_vao}, "
            f"MA_LOAI_KCB {duplicate.latest.ma_loai_kcb}) was already sent as MA_LK {first.ma_lk}",
            duplicate.latest.seq,
        )  # fmt: skip


def contradicting_people(episodes: Iterable[Episode]) -> Iterator[Finding]:
    """TRAFFIC-03: dossiers of one SO_CCCD that disagree on NGAY_SINH or GIOI_TINH. The value C06
    verified is the person's; without one, the value most visits give (the earliest on a tie); the
    visits giving another value are the contradictions."""
    people: defaultdict[str, list[Episode]] = defaultdict(list)
    for episode in episodes:
        if episode.latest is not None and episode.latest.cccd:
            people[episode.latest.cccd].append(episode)
    for cccd, visits in people.items():
        if len(visits) < 2:
            continue
        for name, attribute in (("NGAY_SINH", "ngay_sinh"), ("GIOI_TINH", "gioi_tinh")):
            values = {getattr(v.latest, attribute) for v in visits}
            if len(values) < 2:
                continue
            reference = _reference(visits, attribute)
            for visit in visits:
                assert visit.latest is not None
                value = getattr(visit.latest, attribute)
                if value != reference:
                    yield Finding(
                        "TRAFFIC-03", visit.facility, visit.ma_lk, "XML1", 1, name, value,
                        f"other visits of SO_CCCD {cccd} give {name} {reference}",
                        visit.latest.seq,
                    )  # fmt: skip


def _reference(visits: list[Episode], attribute: str) -> str:
    def value(visit: Episode) -> str:
        return str(getattr(visit.latest, attribute))

    verified = [value(v) for v in visits if v.latest and v.latest.identity == "verified"]
    if verified:
        return Counter(verified).most_common(1)[0][0]
    counts = Counter(value(v) for v in visits)
    top = max(counts.values())
    ordered = sorted(visits, key=lambda v: (v.latest.received_at if v.latest else datetime.max, v.ma_lk))
    return next(value(v) for v in ordered if counts[value(v)] == top)
