"""Escalation policy: who is told next, and when the next step is due. Pure functions.

An escalation (a signal, a backup request, a wellbeing alert, an overdue visit) climbs ordered levels:
the responsible professional, the volunteer's backup professional, the coordinators. Each urgency has a
policy: how long to wait for an acknowledgement before the next level, whether all levels are told at
once (emergency), whether it repeats, and whether it waits for working hours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Urgency(StrEnum):
    INFO = "info"
    CONCERN = "concern"
    URGENT = "urgent"
    EMERGENCY = "emergency"


class Kind(StrEnum):
    SIGNAL = "signal"
    BACKUP = "backup"
    WELLBEING = "wellbeing"
    VISIT = "visit"
    LINK_ENDED = "link_ended"  # a client has no volunteer any more: the professional takes it from here


class State(StrEnum):
    OPEN = "open"
    HANDOFF = "handoff"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class SkipReason(StrEnum):
    NOBODY = "nobody"  # no one holds this level (no backup assigned, no coordinators)
    AWAY = "away"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class Policy:
    wait: timedelta  # before the next level; in working time when working_hours_only
    climb: bool = True  # info: told to the professional, never climbs
    all_at_once: bool = False  # emergency: every level at once
    repeat: timedelta | None = None  # remind everyone told, until acknowledged
    working_hours_only: bool = False  # info and concern wait for working hours
    # After a pick-up, ask the holder how it stands after this long (working time when working_hours_only).
    follow_up: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if self.wait <= timedelta():
            raise ValueError("wait must be positive")
        if self.repeat is not None and self.repeat <= timedelta():
            raise ValueError("repeat must be positive")
        if self.follow_up <= timedelta():
            raise ValueError("follow_up must be positive")

    def follow_up_at(self, picked_up: datetime, hours: WorkingHours) -> datetime:
        """When the holder is asked how it stands: in their working time for the items that wait for it."""
        if self.working_hours_only:
            return hours.add(picked_up, self.follow_up)
        return picked_up + self.follow_up


# A working day of the default working hours (08:30-17:00): the follow-up of info and concern counts these.
WORKING_DAY = timedelta(hours=8, minutes=30)
DEFAULT_POLICIES: dict[Urgency, Policy] = {
    Urgency.INFO: Policy(wait=timedelta(hours=4), climb=False, working_hours_only=True, follow_up=5 * WORKING_DAY),
    Urgency.CONCERN: Policy(wait=timedelta(hours=4), working_hours_only=True, follow_up=3 * WORKING_DAY),
    Urgency.URGENT: Policy(wait=timedelta(minutes=10), follow_up=timedelta(hours=24)),
    Urgency.EMERGENCY: Policy(
        wait=timedelta(minutes=5), all_at_once=True, repeat=timedelta(minutes=5), follow_up=timedelta(hours=2)
    ),
}


@dataclass(frozen=True)
class WorkingHours:
    """Weekly working hours in a time zone; days 0 = Monday."""

    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    start: time = time(8, 30)
    end: time = time(17, 0)
    zone: str = "Europe/Amsterdam"

    def __post_init__(self) -> None:
        if not self.days or not all(0 <= d <= 6 for d in self.days):
            raise ValueError("working days must be 0-6 and not empty")
        if self.start >= self.end:
            raise ValueError("working hours must start before they end")

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.zone))
        return local.weekday() in self.days and self.start <= local.time().replace(tzinfo=None) < self.end

    def next_start(self, moment: datetime) -> datetime:
        """moment itself if inside working hours, else when they next begin."""
        if self.contains(moment):
            return moment
        zone = ZoneInfo(self.zone)
        local = moment.astimezone(zone)
        day = local.date()
        for offset in range(8):
            candidate_day = day + timedelta(days=offset)
            if candidate_day.weekday() not in self.days:
                continue
            begin = datetime.combine(candidate_day, self.start, tzinfo=zone)
            if begin > local:
                return begin.astimezone(moment.tzinfo)
        raise AssertionError("no working day within a week")  # days is non-empty

    def add(self, moment: datetime, duration: timedelta) -> datetime:
        """moment + duration counted in working time only."""
        zone = ZoneInfo(self.zone)
        remaining = duration
        current = self.next_start(moment)
        for _ in range(400):
            local = current.astimezone(zone)
            end_today = datetime.combine(local.date(), self.end, tzinfo=zone)
            available = end_today - local
            if remaining <= available:
                return (local + remaining).astimezone(moment.tzinfo)
            remaining -= available
            current = self.next_start(end_today + timedelta(seconds=1))
        raise ValueError("duration too long for working-time arithmetic")


@dataclass(frozen=True)
class Candidate:
    person_id: int
    away: bool = False
    reachable: bool = True
    hours: WorkingHours = field(default_factory=WorkingHours)

    @property
    def eligible(self) -> bool:
        return not self.away and self.reachable


@dataclass(frozen=True)
class Situation:
    """What the policy needs to know about one escalation now."""

    urgency: Urgency
    state: State
    level: int  # the highest level told so far; -1 before anyone was told
    levels: Sequence[Sequence[Candidate]]  # candidates per level, in order
    told: frozenset[int] = frozenset()  # everyone told so far
    told_at_level: frozenset[int] = frozenset()  # who was told at the current level


@dataclass(frozen=True)
class Step:
    tell: tuple[int, ...] = ()  # people to alert now
    remind: tuple[int, ...] = ()  # people already told, to remind now
    level: int = -1  # the level reached after this step
    next_at: datetime | None = None  # when the policy must be asked again; None: nothing pending
    skipped: tuple[tuple[int, SkipReason], ...] = ()
    nobody_reachable: bool = False  # no level has anyone to tell


def _skip_reason(candidates: Sequence[Candidate]) -> SkipReason:
    if not candidates:
        return SkipReason.NOBODY
    if all(not c.reachable for c in candidates):
        return SkipReason.UNREACHABLE
    return SkipReason.AWAY


def next_step(situation: Situation, policy: Policy, now: datetime) -> Step:
    """Who is told now and when to ask again. Called at creation and whenever `next_at` passes.

    - Emergency: everyone who can be reached at once, reminded every `repeat` until acknowledged.
    - Otherwise: the first level above the current one with someone available and reachable is told
      (levels without anyone are skipped at once, with the reason). Info and concern wait for that
      level's working hours. After `wait` without acknowledgement the next call climbs on.
    - Info does not climb on time; it only moves on when nobody it was told to can be reached.
    - With no level left, those told are reminded after each wait. With nobody reachable at all,
      it looks again after RETRY_NOBODY: nothing is dropped.
    """
    if situation.state in (State.ACKNOWLEDGED, State.RESOLVED):
        return Step(level=situation.level)
    if policy.all_at_once:
        return _all_at_once(situation, policy, now)

    skipped: list[tuple[int, SkipReason]] = []
    for index in range(situation.level + 1, len(situation.levels)):
        level = situation.levels[index]
        fresh = [c for c in level if c.eligible and c.person_id not in situation.told]
        if not fresh:
            if not any(c.eligible for c in level):
                skipped.append((index, _skip_reason(level)))
            continue
        if policy.working_hours_only:
            working = [c for c in fresh if c.hours.contains(now)]
            if not working:
                # Not urgent: wait for this level's first working hour rather than skip it.
                start = min(c.hours.next_start(now) for c in fresh)
                return Step(level=situation.level, next_at=start, skipped=tuple(skipped))
            fresh = working
        return Step(
            tell=tuple(c.person_id for c in fresh),
            level=index,
            next_at=_deadline(policy, now, fresh) if policy.climb else None,
            skipped=tuple(skipped),
        )
    told = _unique([c for level in situation.levels for c in level if c.person_id in situation.told and c.eligible])
    if told:
        if not policy.climb:
            return Step(level=situation.level, skipped=tuple(skipped))
        return Step(
            remind=tuple(c.person_id for c in told),
            level=situation.level,
            next_at=_deadline(policy, now, told),
            skipped=tuple(skipped),
        )
    return Step(level=situation.level, next_at=now + RETRY_NOBODY, skipped=tuple(skipped), nobody_reachable=True)


def climb_now(situation: Situation) -> bool:
    """Everyone told at the current level has become unreachable: do not wait out the level."""
    if situation.state not in (State.OPEN, State.HANDOFF) or situation.level < 0:
        return False
    here = [c for c in situation.levels[situation.level] if c.person_id in situation.told_at_level]
    return bool(here) and not any(c.eligible for c in here)


# When nobody at all can be reached, look again this often (someone may come back or unblock the bot).
RETRY_NOBODY = timedelta(minutes=15)


def _unique(candidates: Sequence[Candidate]) -> list[Candidate]:
    seen: set[int] = set()
    unique: list[Candidate] = []
    for candidate in candidates:
        if candidate.person_id not in seen:
            seen.add(candidate.person_id)
            unique.append(candidate)
    return unique


def _all_at_once(situation: Situation, policy: Policy, now: datetime) -> Step:
    everyone = _unique([c for level in situation.levels for c in level if c.eligible])
    skipped = tuple(
        (index, _skip_reason(level))
        for index, level in enumerate(situation.levels)
        if not any(c.eligible for c in level)
    )
    if not everyone:
        return Step(level=situation.level, next_at=now + RETRY_NOBODY, skipped=skipped, nobody_reachable=True)
    return Step(
        tell=tuple(c.person_id for c in everyone if c.person_id not in situation.told),
        remind=tuple(c.person_id for c in everyone if c.person_id in situation.told),
        level=len(situation.levels) - 1,
        next_at=now + (policy.repeat or policy.wait),
        skipped=skipped,
    )


def _deadline(policy: Policy, now: datetime, told: Sequence[Candidate]) -> datetime:
    if policy.working_hours_only and told:
        return min(c.hours.add(now, policy.wait) for c in told)
    return now + policy.wait


@dataclass(frozen=True)
class Escalation:
    """A signal, backup request or alert on its way to a professional."""

    id: int
    kind: Kind
    volunteer_id: int
    link_id: int | None
    client_alias: str | None
    category: str
    urgency: Urgency
    body: str | None
    state: State
    level: int
    owner_id: int | None
    handoff_from: int | None
    handoff_to: int | None
    next_step_at: datetime | None
    created_at: datetime
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    resolved_by: int | None = None
    resolution: str | None = None
    nobody_warned: bool = False
    held_since: datetime | None = None  # when the current holder picked it up
    follow_up_at: datetime | None = None  # when the holder is asked how it stands
    follow_ups: int = 0  # follow-up questions not answered yet
    unpicked_told_at: datetime | None = None  # the volunteer heard that everyone has it and nobody picked it up

    @property
    def is_open(self) -> bool:
        return self.state is not State.RESOLVED

    @property
    def life_safety(self) -> bool:
        """An emergency, "I need help now", or a visit gone wrong: someone may be in danger right now."""
        return (
            self.kind is Kind.VISIT
            or (self.kind is Kind.SIGNAL and self.urgency is Urgency.EMERGENCY)
            or (self.kind is Kind.BACKUP and self.category == "now")
        )

    @property
    def held(self) -> bool:
        """Waiting for working hours before anyone is told (nobody reachable is another matter)."""
        return self.state is State.OPEN and self.level < 0 and self.next_step_at is not None and not self.nobody_warned

    @property
    def tells_volunteer(self) -> bool:
        """Whether the volunteer hears how it goes: not of a wellbeing alert, which is about them, nor of the
        item a link she left raised (her part ended with her hand-over note)."""
        return self.kind not in (Kind.WELLBEING, Kind.LINK_ENDED)


@dataclass(frozen=True)
class Recipient:
    person_id: int
    level: int
    outbox_id: int | None
    told_at: datetime


def levels_for(responsible: int | None, backup: int | None, coordinators: Sequence[int]) -> list[list[int]]:
    """The three levels, each person only at the first level they appear on."""
    seen: set[int] = set()
    result: list[list[int]] = []
    for members in ([responsible] if responsible else [], [backup] if backup else [], list(coordinators)):
        level = [m for m in members if m not in seen]
        seen.update(level)
        result.append(level)
    return result


CATEGORIES: tuple[str, ...] = (
    "health",
    "money",
    "housing",
    "safety",
    "loneliness",
    "mental",
    "practical",
    "other",
)
BACKUP_KINDS: tuple[str, ...] = ("advise", "visit", "takeback", "now")
BODY_LIMIT = 2000
REPLY_LIMIT = 1000


def backup_urgency(backup_kind: str) -> Urgency:
    """'I need help now' is urgent; the other requests are a concern for working hours."""
    return Urgency.URGENT if backup_kind == "now" else Urgency.CONCERN


def may_act(
    *,
    person_id: int,
    is_coordinator: bool,
    is_professional: bool,
    escalation: Escalation,
    told: frozenset[int],
    responsible_ids: frozenset[int],
) -> bool:
    """Whether this person may acknowledge, hand off or resolve: decided from stored facts only."""
    if is_coordinator:
        return True
    if not is_professional:
        return False
    return (
        person_id in told
        or person_id == escalation.owner_id
        or person_id == escalation.handoff_to
        or person_id in responsible_ids
    )
