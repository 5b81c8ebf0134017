"""Visit safety timer (lone working): durations, deadlines and who may press what. Pure functions.

A visit runs through these states; every deadline is the stored `due_at`:

    running --(expected end)--> asked --(answer deadline)--> overdue (the professional is alerted)
       |                          |                            |
       +--------------------------+----------------------------+--> done (/done, "all good")
                                                               +--> help (the volunteer asked for help)

"30 min longer" takes an asked visit back to running with a later end. `now` is always a parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

DURATION_CHOICES: tuple[int, ...] = (30, 60, 90, 120)
EXTEND_MINUTES = 30
GRACE = timedelta(minutes=10)
MIN_MINUTES = 5
MAX_MINUTES = 8 * 60


class VisitState(StrEnum):
    RUNNING = "running"  # on the visit; due_at is the expected end
    ASKED = "asked"  # "all good?" was sent; due_at is the answer deadline
    OVERDUE = "overdue"  # no answer in time: escalated (or about to be); no deadline left
    DONE = "done"
    HELP = "help"  # ended by "I need help": the escalation engine takes over


ACTIVE_STATES: frozenset[VisitState] = frozenset({VisitState.RUNNING, VisitState.ASKED, VisitState.OVERDUE})


class Action(StrEnum):
    """What a button on a visit message asks for (the callback data's action)."""

    OK = "ok"  # all good, done
    MORE = "more"  # 30 minutes longer
    HELP = "help"  # I need help
    END = "end"  # end the running visit (offered by a second /visit)


@dataclass(frozen=True)
class Visit:
    id: int
    volunteer_id: int
    link_id: int | None
    client_alias: str | None  # read through the link, never stored with the visit
    state: VisitState
    minutes: int
    started_at: datetime
    ends_at: datetime
    due_at: datetime | None
    prompts: int  # how many "all good?" questions were sent; stale ones are recognised by it
    escalation_id: int | None  # the overdue alert, once it went out
    alerted_at: datetime | None
    ended_at: datetime | None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES


# --- durations ------------------------------------------------------------------------------------

_NUMBER = r"\d{1,3}(?:[.,]\d{1,2})?"
_MINUTE_UNIT = r"(?:m|min|mins|minuut|minuten|minute|minutes)\.?"
_HOUR_UNIT = r"(?:u|uur|uren|h|hr|hrs|hour|hours)\.?"
_MINUTES = re.compile(rf"(\d{{1,4}})\s*(?:{_MINUTE_UNIT})?", re.ASCII)
_HOURS = re.compile(rf"({_NUMBER})\s*{_HOUR_UNIT}", re.ASCII)
_HOURS_AND_MINUTES = re.compile(
    rf"(\d{{1,2}})\s*(?:{_HOUR_UNIT}|:)\s*(?:en\s+|and\s+)?(\d{{1,2}})\s*(?:{_MINUTE_UNIT})?", re.ASCII
)
# The ways people say common durations in words.
_WORDS: dict[str, int] = {
    "kwartier": 15,
    "een kwartier": 15,
    "half uur": 30,
    "halfuur": 30,
    "een half uur": 30,
    "een halfuur": 30,
    "een uur": 60,
    "één uur": 60,
    "anderhalf uur": 90,
    "twee uur": 120,
    "half an hour": 30,
    "half hour": 30,
    "an hour": 60,
    "one hour": 60,
    "an hour and a half": 90,
    "one and a half hours": 90,
    "two hours": 120,
}


def parse_minutes(text: str) -> int | None:
    """'45', '45 min', '1,5 uur', '2 uur', '1:30', 'anderhalf uur' -> minutes; None if not understood.

    A bare number is minutes; a bare fraction ('1,5') is refused rather than guessed. Hours are rounded
    to whole minutes. Only MIN_MINUTES to MAX_MINUTES count as a visit.
    """
    cleaned = " ".join(text.lower().split()).rstrip(".!")
    minutes: int | None = _WORDS.get(cleaned)
    if minutes is None and (match := _HOURS_AND_MINUTES.fullmatch(cleaned)):
        hours, extra = int(match.group(1)), int(match.group(2))
        minutes = hours * 60 + extra if extra < 60 else None
    elif minutes is None and (match := _HOURS.fullmatch(cleaned)):
        minutes = round(float(match.group(1).replace(",", ".")) * 60)
    elif minutes is None and (match := _MINUTES.fullmatch(cleaned)):
        minutes = int(match.group(1))
    return minutes if minutes is not None and valid_minutes(minutes) else None


def valid_minutes(minutes: int) -> bool:
    return MIN_MINUTES <= minutes <= MAX_MINUTES


# --- deadlines ------------------------------------------------------------------------------------


def _aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None:
            raise ValueError("naive datetime given to the visit rules")


def planned_end(started_at: datetime, minutes: int) -> datetime:
    """When the volunteer expects to be done: the moment to ask "all good?"."""
    _aware(started_at)
    if not valid_minutes(minutes):
        raise ValueError(f"a visit lasts {MIN_MINUTES} to {MAX_MINUTES} minutes, not {minutes}")
    return started_at + timedelta(minutes=minutes)


def answer_deadline(ends_at: datetime, asked_at: datetime, grace: timedelta = GRACE) -> datetime:
    """The end plus the grace period. If the question went out late (the bot was down), the volunteer
    still gets the whole grace period to answer it."""
    _aware(ends_at, asked_at)
    return max(ends_at, asked_at) + grace


def extended_end(ends_at: datetime, now: datetime, minutes: int = EXTEND_MINUTES) -> datetime:
    """ "30 min longer" counts from the moment of asking, not from the (already passed) planned end."""
    _aware(ends_at, now)
    return max(ends_at, now) + timedelta(minutes=minutes)


def clock_text(moment: datetime, zone: ZoneInfo) -> str:
    """'15:30' in the organisation's time zone."""
    _aware(moment)
    return moment.astimezone(zone).strftime("%H:%M")


# --- who may press what ---------------------------------------------------------------------------


def press_refusal(visit: Visit | None, person_id: int, action: Action, prompt: int | None) -> str | None:
    """None if the press may go ahead; otherwise the catalogue key of the toast.

    Only the visit's own volunteer, only an active visit. "Longer" only answers the current question
    (its `prompt` number) and not once the professional has been alerted: a second overdue alert for
    the same visit would be lost to the alert's dedupe key.
    """
    if visit is None or visit.volunteer_id != person_id:
        return "button.expired"
    if not visit.active:
        return "visit.help_over" if action is Action.HELP else "visit.over"
    if action is Action.MORE:
        if visit.state is VisitState.OVERDUE:
            return "visit.extend_too_late"
        if visit.state is not VisitState.ASKED or prompt != visit.prompts:
            return "button.expired"
    return None


def overdue_key(visit_id: int) -> str:
    return f"visit:{visit_id}:overdue"


def help_key(visit_id: int) -> str:
    return f"visit:{visit_id}:help"
