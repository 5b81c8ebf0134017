"""When an absence ends, as a professional types it after /away: "tot vrijdag", "morgen", "12-12",
"vrijdag 12:00", "tot ik terug ben". Pure: today and the end of the working day are passed in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.dates import DAY_NAMES, parse_date

# Until /back: what people type for "no end date".
UNTIL_BACK_PHRASES = frozenset(
    {
        "ik terug ben", "ik weer terug ben", "ik er weer ben", "nader bericht", "onbepaald", "/back", "back",
        "i am back", "i'm back", "im back", "i return", "further notice",
    }
)  # fmt: skip
RELATIVE_DAYS = {"vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2}
_PREFIX = re.compile(r"^(?:tot en met|tot|t/m|until|till|to)\s+")
_CLOCK = re.compile(r"(?:(?:om|at)\s+)?(\d{1,2})(?:[:.](\d{2}))?\s*(?:u|uur|h)?", re.ASCII)


@dataclass(frozen=True)
class UntilBack:
    """No end typed that says a day: away until /back."""


@dataclass(frozen=True)
class AwayEnd:
    """The moment the absence ends (aware, in the zone it was read in)."""

    at: datetime


def parse_away_end(text: str, now: datetime, zone: ZoneInfo, day_ends: time) -> AwayEnd | UntilBack | None:
    """The end of an absence typed after /away; None when it is not understood.

    A day alone ("vrijdag", "morgen", "12-12") means through that working day: until `day_ends` (the end of the
    person's working hours). A time may follow ("vrijdag 12:00") or stand alone ("tot 15:00", today). A weekday
    is the next one after today. The result may lie in the past (a date gone by): the caller says so."""
    cleaned = _PREFIX.sub("", " ".join(text.strip().lower().split())).rstrip(".!")
    if not cleaned:
        return None
    if cleaned in UNTIL_BACK_PHRASES:
        return UntilBack()
    local = now.astimezone(zone)
    day_text, clock = _split_clock(cleaned)
    if day_text is None:
        return None
    if not day_text:  # only a time: today
        return AwayEnd(datetime.combine(local.date(), clock or day_ends, tzinfo=zone)) if clock else None
    if day_text in DAY_NAMES:  # the next such day after today: "tot maandag" said on a Monday is a week
        ahead = (DAY_NAMES[day_text] - local.weekday() - 1) % 7 + 1
        return AwayEnd(datetime.combine(local.date() + timedelta(days=ahead), clock or day_ends, tzinfo=zone))
    day = _day(day_text, local.date())
    return None if day is None else AwayEnd(datetime.combine(day, clock or day_ends, tzinfo=zone))


def _split_clock(text: str) -> tuple[str | None, time | None]:
    """The day part and the time of day typed after it (None: no time). (None, None): a time that is no time.

    "12.12" alone is a date (as /pause reads it); a time needs a day before it, "om", or "uur"/"u"/":"."""
    words = text.rsplit(" ", 1)
    candidates = [(words[0], words[1])] if len(words) == 2 else []
    candidates.append(("", text))
    for day_text, clock_text in candidates:
        match = _CLOCK.fullmatch(clock_text)
        if match is None:
            continue
        alone = day_text == ""
        if alone and not (":" in clock_text or re.search(r"(u|uur|h)$", clock_text) or clock_text.startswith("om")):
            continue  # "12.12" or "12" alone: not a time
        day_text = re.sub(r"(?:^|\s+)(?:om|at)$", "", day_text)
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            return None, None
        return day_text, time(hour, minute)
    return text, None


def _day(text: str, today: date) -> date | None:
    """A relative day ("morgen") or a date as /pause reads it."""
    if text in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[text])
    return parse_date(text, today)
