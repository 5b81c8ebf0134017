"""The coordinator's /schedule: list, add, pause, resume and delete check-in schedules."""

from __future__ import annotations

import re
from datetime import time

from telegram import Update

from bot.app import Context
from bot.domain.callbacks import as_id, pack, unpack
from bot.domain.models import Draft, Person, Role
from bot.domain.timefmt import say_time
from bot.i18n import Amount, Markup, plain, t
from bot.services.errors import Refused
from handlers.common import Rows, cancel_row, requires, say, show, toast
from handlers.flows import text_step
from storage.checkins import Schedule

TIME_CHOICES = ("18:00", "19:00", "20:00")
WEEKDAYS = frozenset(str(d) for d in range(7))
_TIME = re.compile(r"\s*(\d{1,2})[:.](\d{2})\s*(?:uur)?\s*", re.ASCII)


def parse_clock(text: str) -> time | None:
    match = _TIME.fullmatch(text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def _day_list(value: object) -> list[int]:
    return [d for d in value if isinstance(d, int) and 0 <= d <= 6] if isinstance(value, list) else []


async def _offered(context: Context, action: str, chosen: int) -> bool:
    """Whether a team / volunteer button names one the list could have shown (not a forged id)."""
    if action == "t":
        return await context.services.people.team(chosen) is not None
    volunteer = await context.services.people.get(chosen)
    return volunteer is not None and volunteer.active and volunteer.is_volunteer


def _days(lang: str, days: frozenset[int] | list[int]) -> str:
    return ", ".join(plain(lang, f"day.{d}") for d in sorted(days))


def _every(lang: str, weeks: int) -> str:
    return "" if weeks == 1 else plain(lang, "schedule.every", n=weeks)


async def _audience(context: Context, lang: str, schedule: Schedule) -> str:
    if schedule.audience == "team":
        team = await context.services.people.team(schedule.team_id or 0)
        return plain(lang, "schedule.audience.team", name=team.name if team else "?")
    if schedule.audience == "volunteer":
        person = await context.services.people.get(schedule.volunteer_id or 0)
        return plain(lang, "schedule.audience.volunteer", name=person.name if person else "?")
    return plain(lang, "schedule.audience.everyone")


@requires(Role.COORDINATOR)
async def schedule_command(update: Update, context: Context, person: Person) -> None:
    lang = person.language
    services = context.services
    schedules = await services.checkins.schedules()
    now = services.clock.now()
    zone = services.settings.app.zone
    if not schedules:
        lines = [str(t(lang, "schedule.none"))]
    else:
        lines = [str(t(lang, "schedule.header"))]
        for number, schedule in enumerate(schedules, 1):
            upcoming = (
                plain(lang, "schedule.paused_next")
                if schedule.paused or schedule.next_fire_at is None
                else say_time(schedule.next_fire_at, now, zone, lang)
            )
            lines.append(
                t(
                    lang,
                    "schedule.line",
                    icon="⏸" if schedule.paused else f"{number}.",
                    audience=await _audience(context, lang, schedule),
                    days=_days(lang, schedule.weekdays),
                    time=schedule.local_time.strftime("%H:%M"),
                    every=_every(lang, schedule.every_weeks),
                    next=upcoming,
                )
            )
    rows: Rows = [[(plain(lang, "button.schedule.add"), pack("sch", "add", "new"))]]
    rows += [[(plain(lang, "button.schedule.manage", n=n), pack("sch", "m", s.id))] for n, s in enumerate(schedules, 1)]
    await context.services.drafts.put(person.id, "schedule", "menu")
    await say(update, context, Markup("\n".join(lines)), [*rows, cancel_row(lang, "schedule")])


def _days_rows(lang: str, chosen: list[int]) -> Rows:
    buttons = [(("✅ " if d in chosen else "") + plain(lang, f"day.{d}")[:2], pack("sch", "d", d)) for d in range(7)]
    return [
        buttons[:4],
        buttons[4:],
        [(plain(lang, "button.next"), pack("sch", "d", "next"))],
        cancel_row(lang, "schedule"),
    ]


@requires(Role.COORDINATOR)
async def schedule_button(update: Update, context: Context, person: Person) -> None:
    query = update.callback_query
    assert query is not None
    lang = person.language
    services = context.services
    parts = unpack(query.data, "sch", 2)
    draft = await services.drafts.get(person.id)
    if parts is None or draft is None or draft.flow != "schedule":
        await toast(query, lang, "button.expired")
        return
    action, value = parts
    data = dict(draft.data)
    try:
        if action == "add" and value == "new" and draft.step == "menu":
            await services.drafts.put(person.id, "schedule", "audience")
            rows: Rows = [
                [(plain(lang, f"button.audience.{a}"), pack("sch", "a", a))] for a in ("everyone", "team", "volunteer")
            ]
            await query.answer()
            await show(update, context, t(lang, "schedule.ask_audience"), [*rows, cancel_row(lang, "schedule")])
            return
        if action == "a" and draft.step == "audience" and value in ("everyone", "team", "volunteer"):
            await query.answer()
            if value == "everyone":
                await services.drafts.put(person.id, "schedule", "days", audience=value, days=[])
                await show(update, context, t(lang, "schedule.ask_days"), _days_rows(lang, []))
            elif value == "team":
                teams = await services.people.teams()
                if not teams:
                    await show(update, context, t(lang, "schedule.no_teams"))
                    await services.drafts.clear(person.id)
                    return
                await services.drafts.put(person.id, "schedule", "team", audience=value)
                rows = [[(team.name, pack("sch", "t", team.id))] for team in teams[:20]]
                await show(update, context, t(lang, "schedule.ask_team"), [*rows, cancel_row(lang, "schedule")])
            else:
                volunteers = await services.people.with_role(Role.VOLUNTEER)
                if not volunteers:
                    await show(update, context, t(lang, "pick.none.volunteer"))
                    await services.drafts.clear(person.id)
                    return
                await services.drafts.put(person.id, "schedule", "volunteer", audience=value)
                rows = [[(v.name, pack("sch", "v", v.id))] for v in volunteers[:30]]
                await show(update, context, t(lang, "pick.volunteer"), [*rows, cancel_row(lang, "schedule")])
            return
        if action in ("t", "v") and draft.step == {"t": "team", "v": "volunteer"}[action]:
            chosen = as_id(value)
            if chosen is None or not await _offered(context, action, chosen):
                await toast(query, lang, "button.expired")
                return
            await services.drafts.put(person.id, "schedule", "days", **data, target=chosen, days=[])
            await query.answer()
            await show(update, context, t(lang, "schedule.ask_days"), _days_rows(lang, []))
            return
        if action == "d" and draft.step == "days":
            days = _day_list(data.get("days"))
            if value == "next":
                if not days:
                    await toast(query, lang, "schedule.need_day")
                    return
                await services.drafts.put(person.id, "schedule", "time", **data)
                rows = [[(c, pack("sch", "h", c.replace(":", ""))) for c in TIME_CHOICES], cancel_row(lang, "schedule")]
                await query.answer()
                await show(update, context, t(lang, "schedule.ask_time"), rows)
                return
            if value in WEEKDAYS:  # not str.isdigit: "²" and "٣" are digits to it
                day = int(value)
                days = sorted(set(days) ^ {day})
                await services.drafts.put(person.id, "schedule", "days", **{**data, "days": days})
                await query.answer()
                await show(update, context, t(lang, "schedule.ask_days"), _days_rows(lang, days))
                return
        if action == "h" and draft.step == "time" and value in {c.replace(":", "") for c in TIME_CHOICES}:
            await query.answer()
            await _ask_every(update, context, person, draft, f"{value[:2]}:{value[2:]}")
            return
        if action == "e" and draft.step == "every" and value in ("1", "2", "4"):
            await _create(update, context, person, draft, int(value))
            await query.answer()  # after the service: a refusal below answers the press itself
            return
        if action == "m" and draft.step == "menu" and (schedule_id := as_id(value)):
            schedules = {s.id: (n, s) for n, s in enumerate(await services.checkins.schedules(), 1)}
            if schedule_id not in schedules:
                await toast(query, lang, "schedule.gone")  # the menu itself still holds: nothing changes
                return
            number, schedule = schedules[schedule_id]
            toggle = ("button.schedule.resume", "r") if schedule.paused else ("button.schedule.pause", "p")
            rows = [
                [
                    (plain(lang, toggle[0]), pack("sch", toggle[1], schedule_id)),
                    (plain(lang, "button.schedule.delete"), pack("sch", "x", schedule_id)),
                ],
                cancel_row(lang, "schedule"),
            ]
            await services.drafts.put(person.id, "schedule", "manage", schedule=schedule_id, number=number)
            await query.answer()
            await show(update, context, t(lang, "schedule.ask_manage", n=number), rows)
            return
        if action in ("p", "r", "x") and draft.step == "manage" and as_id(value) == data.get("schedule"):
            schedule_id = int(value)
            shown_number = data.get("number", schedule_id)
            # The service first: a refusal (deleted meanwhile) answers the press in the handler below.
            if action == "x":
                await services.checkins.delete_schedule(person, schedule_id)
                await services.drafts.clear(person.id)
                await query.answer()
                await show(update, context, t(lang, "schedule.deleted", n=shown_number))
                return
            updated = await services.checkins.set_schedule_paused(person, schedule_id, action == "p")
            await services.drafts.clear(person.id)
            await query.answer()
            if action == "p":
                await show(update, context, t(lang, "schedule.paused", n=shown_number))
            else:
                upcoming = say_time(
                    updated.next_fire_at or services.clock.now(), services.clock.now(), services.settings.app.zone, lang
                )
                await show(update, context, t(lang, "schedule.resumed", n=shown_number, next=upcoming))
            return
    except Refused as refused:
        await services.drafts.clear(person.id)
        await toast(query, lang, refused.reason, alert=False, **refused.values)
        return
    await toast(query, lang, "button.expired")


async def _ask_every(update: Update, context: Context, person: Person, draft: Draft, clock: str) -> None:
    lang = person.language
    await context.services.drafts.put(person.id, "schedule", "every", **draft.data, time=clock)
    rows: Rows = [[(plain(lang, f"button.every.{n}"), pack("sch", "e", n))] for n in (1, 2, 4)]
    await show(update, context, t(lang, "schedule.ask_every"), [*rows, cancel_row(lang, "schedule")])


async def _create(update: Update, context: Context, person: Person, draft: Draft, every: int) -> None:
    lang = person.language
    services = context.services
    data = draft.data
    audience = str(data["audience"])
    target = data.get("target")
    days = frozenset(_day_list(data.get("days")))
    clock = time.fromisoformat(str(data["time"]))
    schedule = await services.checkins.add_schedule(
        person,
        audience=audience,
        team_id=target if audience == "team" and isinstance(target, int) else None,
        volunteer_id=target if audience == "volunteer" and isinstance(target, int) else None,
        weekdays=days,
        local_time=clock,
        every_weeks=every,
    )
    await services.drafts.clear(person.id)
    now = services.clock.now()
    await show(
        update,
        context,
        t(
            lang,
            "schedule.created",
            audience=await _audience(context, lang, schedule),
            days=_days(lang, days),
            time=clock.strftime("%H:%M"),
            every=_every(lang, every),
            next=say_time(schedule.next_fire_at or now, now, services.settings.app.zone, lang),
            remind=schedule.remind_after_minutes / 60,
            close=Amount("amount.hours", schedule.close_after_minutes / 60),
        ),
    )


@text_step("schedule")
async def schedule_text(update: Update, context: Context, person: Person, draft: Draft, text: str) -> None:
    lang = person.language
    if draft.step != "time":
        await say(update, context, t(lang, "no_flow_text"), [cancel_row(lang, "schedule")])
        return
    clock = parse_clock(text)
    if clock is None:
        await say(update, context, t(lang, "schedule.bad_time"), [cancel_row(lang, "schedule")])
        return
    await _ask_every(update, context, person, draft, clock.strftime("%H:%M"))
