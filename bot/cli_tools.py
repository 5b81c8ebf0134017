"""The coordinator's tools on the command line: `samenspel invite`, `map`, `report` and `schedule`, next to a
running bot. `bot/cli.py` parses the command and calls these."""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.clock import SystemClock
from bot.config import Settings
from bot.domain.models import Prepared, Role
from bot.domain.onboarding import (
    ALIAS_LIMIT,
    CONTACT_LIMIT,
    MAX_HOURS_PER_WEEK,
    NAME_LIMIT,
    TEAM_LIMIT,
    clean_alias,
    clean_name,
    single_line,
)
from bot.services.people import PeopleService
from bot.services.socialmap import ImportOutcome, SocialMapService
from storage.db import Database
from storage.files import held_elsewhere, open_private

# A command that cannot do what was asked: bad arguments, configuration or database (`samenspel` exits with it).
EXIT_CONFIG = 2


def open_database(settings: Settings) -> Database:
    """The configured database: PostgreSQL when [storage] url is set, else the SQLite file at [storage] path."""
    return Database(settings.storage.path, url=settings.storage.url)


@asynccontextmanager
async def _database_beside_the_bot(settings: Settings) -> AsyncIterator[Database]:
    """invite and schedule may run next to the bot; only without one do they upgrade the database."""
    async with open_database(settings) as db:
        # PostgreSQL: replicas may be running on it, and nothing here can tell; upgrading is migrate's alone.
        if settings.storage.is_postgresql or held_elsewhere(settings.storage.path):
            await db.require_current()
        else:
            await db.migrate()
        yield db


async def invites(settings: Settings, args: argparse.Namespace) -> int:
    """`invite --list`, `invite --revoke ID`, or a new invite (with a volunteer's set-up, if given)."""
    from bot.i18n import plain
    from bot.services.errors import Refused

    if not args.list and args.revoke is None and (args.role is None or args.name is None):
        print("samenspel: invite needs --role and --name (or --list, or --revoke ID)", file=sys.stderr)
        return EXIT_CONFIG
    try:
        async with _database_beside_the_bot(settings) as db:
            service = PeopleService(db, SystemClock(), settings, lambda: None)
            if args.list:
                return await _list_invites(settings, service)
            if args.revoke is not None:
                revoked = await service.invites.revoke(None, args.revoke)
                print(f"invite {args.revoke} for {revoked.name} revoked: the link no longer works")
                return 0
            return await _invite(settings, service, args)
    except Refused as refused:
        print(f"samenspel: {plain('en', refused.reason, **refused.values)}", file=sys.stderr)
        return EXIT_CONFIG


async def _list_invites(settings: Settings, service: PeopleService) -> int:
    for entry in await service.invites.open_invites():
        made = entry.invite
        team = f", {entry.team.name}" if entry.team else ""
        by = entry.made_by.name if entry.made_by else "the administrator"
        until = made.expires_at.astimezone(settings.app.zone)
        ready = " (prepared)" if not made.prepared.empty else ""
        print(
            f"{made.id}: {made.name} ({made.role.value}{team}){ready}, made by {by}, valid until {until:%Y-%m-%d %H:%M}"
        )
    return 0


async def _prepared(service: PeopleService, args: argparse.Namespace) -> Prepared | str:
    """The set-up named on the command line, or what is wrong with it."""
    professionals = {p.name.lower(): p.id for p in await service.with_role(Role.PROFESSIONAL)}
    found: dict[str, int | None] = {}
    for option in ("professional", "backup"):
        name = getattr(args, option)
        found[option] = professionals.get(name.lower()) if name else None
        if name and found[option] is None:
            return f"--{option}: no professional called {name!r}"
    aliases = [clean_alias(a) for a in args.client]
    if None in aliases:
        return f"--client must be 1 to {ALIAS_LIMIT} characters"
    if args.hours is not None and not 0 <= args.hours <= MAX_HOURS_PER_WEEK:
        return f"--hours must be from 0 to {MAX_HOURS_PER_WEEK:g}"
    return Prepared(
        professional_id=found["professional"],
        backup_id=found["backup"],
        clients=tuple(dict.fromkeys(a for a in aliases if a)),
        hours_per_week=args.hours,
        contact_times=single_line(args.contact)[:CONTACT_LIMIT],
    )


async def _invite(settings: Settings, service: PeopleService, args: argparse.Namespace) -> int:
    role, raw_team = Role(args.role), args.team
    name = clean_name(args.name, NAME_LIMIT)
    if name is None:
        print(f"samenspel: --name must be 1 to {NAME_LIMIT} characters", file=sys.stderr)
        return EXIT_CONFIG
    team_name = clean_name(raw_team, TEAM_LIMIT) if raw_team is not None else None
    if raw_team is not None and team_name is None:
        print(f"samenspel: --team must be 1 to {TEAM_LIMIT} characters", file=sys.stderr)
        return EXIT_CONFIG
    prepared = await _prepared(service, args)
    if isinstance(prepared, str):
        print(f"samenspel: {prepared}", file=sys.stderr)
        return EXIT_CONFIG
    team = await service.create_team(None, team_name) if team_name else None
    issued = await service.create_invite(
        by=None, role=role, name=name, team_id=team.id if team else None, prepared=prepared
    )
    username = await _bot_username(settings)
    until = issued.expires_at.astimezone(settings.app.zone)
    print(f"Invite {issued.id} for {name} ({role.value}), valid until {until:%Y-%m-%d %H:%M}.")
    if not prepared.empty:
        print(f"Prepared: professional {args.professional or '-'}, clients {', '.join(prepared.clients) or '-'}.")
    if username:
        print(f"Link: https://t.me/{username}?start={issued.code}")
    else:
        print("Could not ask Telegram for the bot's username (no token set, or no connection).")
        print(f"Build the link as https://t.me/<bot username>?start={issued.code}")
    print(f"Code: {issued.code}")
    return 0


async def _bot_username(settings: Settings) -> str | None:
    if settings.telegram.token is None:
        return None
    bot = Bot(
        settings.telegram.token.get_secret_value(),
        base_url=settings.telegram.base_url,
        base_file_url=settings.telegram.file_url(),
    )
    try:
        async with bot:
            return bot.username
    except (InvalidToken, TelegramError):
        return None


def social_map(settings: Settings, action: str, path: Path) -> int:
    """Import is all or nothing: a file with any bad line stores nothing, and every bad line is listed."""
    from bot.domain.socialmap import describe

    if action == "export":
        text, count = asyncio.run(_map_export(settings))
        path.write_text(text, encoding="utf-8-sig", newline="")  # with a BOM: Excel then reads it as UTF-8
        print(f"social map written to {path} ({count} entries)")
        return 0
    if not path.is_file():
        print(f"samenspel: no file {path}", file=sys.stderr)
        return EXIT_CONFIG
    outcome = asyncio.run(_map_import(settings, path.read_bytes()))
    if outcome.problems:
        for problem in outcome.problems:
            print(describe(problem), file=sys.stderr)
        print(f"samenspel: {len(outcome.problems)} problem(s) in {path}; nothing was imported", file=sys.stderr)
        return EXIT_CONFIG
    print(f"social map imported from {path}: {outcome.added} added, {outcome.updated} updated")
    return 0


@asynccontextmanager
async def _social_map_service(settings: Settings) -> AsyncIterator[SocialMapService]:
    from bot.services.escalations import EscalationService

    async with _database_beside_the_bot(settings) as db:
        clock = SystemClock()
        escalations = EscalationService(db, clock, settings, lambda: None)
        service = SocialMapService(db, clock, settings, lambda: None, escalations)
        await service.load_defaults()  # the map the bot starts with, also before its first start
        yield service


async def _map_export(settings: Settings) -> tuple[str, int]:
    async with _social_map_service(settings) as service:
        return await service.export_csv(), len(await service.entries())


async def _map_import(settings: Settings, data: bytes) -> ImportOutcome:
    async with _social_map_service(settings) as service:
        return await service.import_csv(data)


async def report(settings: Settings, raw_month: str, csv_path: Path | None) -> int:
    """The month's figures as the bot shows them (in the organisation's language), without the chart."""
    from bot.domain.overview import Month
    from bot.i18n import plain
    from bot.services.reports import ReportService
    from bot.services.reports.render import report_text
    from bot.services.reports.service import report_csv

    try:
        month = Month.parse(raw_month)
    except ValueError as exc:
        print(f"samenspel: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    async with _database_beside_the_bot(settings) as db:
        report = await ReportService(db, SystemClock(), settings, lambda: None).month(None, month)
    lang = settings.app.language
    print(html.unescape(re.sub(r"<[^>]+>", "", str(report_text(lang, report)))))
    if csv_path is not None:
        # Names of volunteers are in it: readable only by this user, as the database is.
        descriptor = open_private(csv_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        with os.fdopen(descriptor, "wb") as out:
            out.write(report_csv(report, no_team=plain(lang, "people.no_team")))
        print(f"CSV written to {csv_path}")
    return 0


async def schedule(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.dates import parse_working_hours
    from bot.services.checkins import CheckInService
    from bot.services.errors import Refused
    from bot.services.escalations import EscalationService

    async with _database_beside_the_bot(settings) as db:
        clock = SystemClock()
        service = CheckInService(
            db, clock, settings, lambda: None, EscalationService(db, clock, settings, lambda: None)
        )
        people_service = PeopleService(db, clock, settings, lambda: None)
        try:
            if args.action == "list":
                for schedule in await service.schedules():
                    upcoming = (
                        "paused"
                        if schedule.paused or schedule.next_fire_at is None
                        else (f"next {schedule.next_fire_at.astimezone(settings.app.zone):%Y-%m-%d %H:%M}")
                    )
                    days = ",".join(str(d) for d in sorted(schedule.weekdays))
                    print(
                        f"{schedule.id}: {schedule.audience} days={days} at {schedule.local_time:%H:%M} "
                        f"every {schedule.every_weeks} week(s), {upcoming}"
                    )
                return 0
            if args.action == "add":
                # The days and time parse like /workhours: "ma-vr 19:00-19:01" without the end.
                parsed = parse_working_hours(f"{args.days or ''} {args.time or ''}-23:59") if args.time else None
                if parsed is None:
                    print("samenspel: add needs --days (e.g. mon,thu) and --time (e.g. 19:00)", file=sys.stderr)
                    return EXIT_CONFIG
                team_id = None
                if args.team:
                    team = next((t for t in await people_service.teams() if t.name.lower() == args.team.lower()), None)
                    if team is None:
                        print(f"samenspel: no team called {args.team!r}", file=sys.stderr)
                        return EXIT_CONFIG
                    team_id = team.id
                created = await service.add_schedule(
                    None,
                    audience="team" if team_id else "everyone",
                    team_id=team_id,
                    weekdays=parsed[0],
                    local_time=parsed[1],
                    every_weeks=args.every,
                    remind_after_minutes=int(args.remind_hours * 60) if args.remind_hours else None,
                    close_after_minutes=int(args.close_hours * 60) if args.close_hours else None,
                )
                assert created.next_fire_at is not None
                print(
                    f"schedule {created.id} added; first check-in "
                    f"{created.next_fire_at.astimezone(settings.app.zone):%Y-%m-%d %H:%M}"
                )
                return 0
            if args.id is None:
                print(f"samenspel: {args.action} needs the schedule's number", file=sys.stderr)
                return EXIT_CONFIG
            if args.action == "delete":
                await service.delete_schedule(None, args.id)
            else:
                await service.set_schedule_paused(None, args.id, args.action == "pause")
            print(f"schedule {args.id}: {args.action}d" if args.action != "pause" else f"schedule {args.id}: paused")
            return 0
        except (Refused, ValueError) as exc:
            from bot.i18n import plain

            reason = plain("en", exc.reason, **exc.values) if isinstance(exc, Refused) else str(exc)
            print(f"samenspel: {reason}", file=sys.stderr)
            return EXIT_CONFIG
