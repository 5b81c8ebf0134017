"""The `samenspel` command."""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings, masked
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
from bot.logging_setup import setup_logging
from bot.services.people import PeopleService
from bot.services.socialmap import ImportOutcome, SocialMapService
from storage.db import Database, DatabaseRefused, backup_file
from storage.files import DatabaseInUse, InstanceLock, held_elsewhere, open_private, open_to_others_warning

EXIT_CONFIG = 2
# A part of the running bot ended for good (see bot/supervision.py): a service manager should restart it.
EXIT_FAILED = 3

NO_TOKEN = """samenspel: no bot token configured.
  Get one from @BotFather in Telegram: send /newbot, choose a name and a username, and copy the token.
  Then put it in config.toml under [telegram] as token = "...",
  or set the environment variable SAMENSPEL_TELEGRAM__TOKEN."""


TOKEN_REFUSED = "samenspel: Telegram refused the bot token. Check it with @BotFather."
NO_WEBHOOK_SECRET = """samenspel: webhook mode needs a secret token.
  Put one under [webhook] as secret = "..." (16 to 256 characters A-Z, a-z, 0-9, _ and -),
  or set the environment variable SAMENSPEL_WEBHOOK__SECRET; for example: openssl rand -hex 32"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="samenspel",
        description="Samenspel: a Telegram bot for volunteers and professionals in the social domain.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument(
            "--config",
            metavar="PATH",
            help="TOML configuration file (default: $SAMENSPEL_CONFIG or ./config.toml)",
        )
        return p

    run = command("run", "run the bot (long polling, or --webhook)")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="take updates by webhook ([webhook] in the configuration; register it once with set-webhook)",
    )
    set_webhook = command("set-webhook", "register the webhook URL with Telegram, once per deployment")
    set_webhook.add_argument("url", help="the public HTTPS address Telegram posts to, ending in [webhook] path")
    command("delete-webhook", "unregister the webhook, to go back to long polling")
    command("migrate", "create or upgrade the database and exit")
    command("check-config", "print the effective configuration, secrets masked")
    invite = command("invite", "create a one-time invite link (e.g. for the first coordinator); list or revoke them")
    invite.add_argument("--role", choices=[r.value for r in Role], help="the role the invite gives (to create one)")
    invite.add_argument("--name", help="first name (and initial) of the person invited (to create one)")
    invite.add_argument("--team", help="team name; created when it does not exist yet")
    invite.add_argument("--list", action="store_true", help="list the open invites (not used, revoked or expired)")
    invite.add_argument("--revoke", type=int, metavar="ID", help="revoke the open invite with this number")
    prepared = invite.add_argument_group("a volunteer's prepared set-up, applied when they open the link")
    prepared.add_argument("--professional", metavar="NAME", help="their responsible professional")
    prepared.add_argument("--backup", metavar="NAME", help="their backup professional (needs --professional)")
    prepared.add_argument("--client", action="append", default=[], metavar="ALIAS", help="a client link (repeat)")
    prepared.add_argument("--hours", type=float, help="hours a week agreed")
    prepared.add_argument("--contact", default="", help="when clients may make contact (with --hours)")
    backup = command("backup", "copy the database safely, also while the bot runs")
    backup.add_argument("path", type=Path, help="where to write the copy")
    schedule = command("schedule", "list, add, pause, resume or delete check-in schedules")
    schedule.add_argument("action", choices=["list", "add", "pause", "resume", "delete"])
    schedule.add_argument("id", nargs="?", type=int, help="the schedule's number (pause, resume, delete)")
    schedule.add_argument("--days", help="weekdays, e.g. mon,thu or ma-vr (add)")
    schedule.add_argument("--time", help="local time, e.g. 19:00 (add)")
    schedule.add_argument("--every", type=int, default=1, help="every N weeks (add; default 1)")
    schedule.add_argument("--team", help="only this team (add; default: all volunteers)")
    schedule.add_argument("--remind-hours", type=float, help="reminder after this many hours (add; default 24)")
    schedule.add_argument("--close-hours", type=float, help="counts as missed after this many hours (add; default 72)")
    social_map = command("map", "import or export the social map (sociale kaart) as a CSV file")
    social_map.add_argument("action", choices=["import", "export"])
    social_map.add_argument("file", type=Path, help="the CSV file (UTF-8, comma or semicolon, a header row)")
    report = command("report", "print a month's figures (as /report in the bot), optionally as CSV")
    report.add_argument("--month", required=True, help="the month, YYYY-MM (e.g. 2026-11)")
    report.add_argument("--csv", type=Path, metavar="FILE", help="also write the figures to this CSV file")
    # No --config: the sandbox never reads a configuration file and needs no token.
    sandbox = sub.add_parser(
        "sandbox",
        help="try the bot offline: demo phones in your browser",
        description="Run the bot against a local Telegram simulator with a demo organisation, "
        "and show the people's phones on a web page. Needs no token and no network.",
    )
    sandbox.add_argument("--port", type=int, default=8080, help="port of the web page on 127.0.0.1 (default 8080)")
    sandbox.add_argument("--db", type=Path, metavar="PATH", help="new SQLite file to use (default: a temporary one)")
    sandbox.add_argument("--language", choices=["nl", "en"], default="nl", help="language of the demo (default nl)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "sandbox":
        setup_logging("WARNING")
        return asyncio.run(_sandbox(args.port, args.db, args.language))
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"samenspel: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(settings.app.log_level)
    try:
        return _command(parser, args, settings)
    except DatabaseRefused as exc:  # damaged, newer than this code, or not a Samenspel database at all
        print(f"samenspel: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def _command(parser: argparse.ArgumentParser, args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "check-config":
        print(json.dumps(masked(settings), indent=2, ensure_ascii=False))
        return 0
    if args.command == "migrate":
        if settings.storage.is_postgresql:
            # No file to lock: migrate holds PostgreSQL's advisory lock, so replicas that start meanwhile wait.
            return asyncio.run(_migrate(settings))
        return _holding_the_database(
            settings, "cannot migrate while a bot runs: {reason}; stop it first", lambda: _migrate(settings)
        )
    if args.command == "invite":
        return asyncio.run(_invites(settings, args))
    if args.command == "backup":
        if settings.storage.is_postgresql:
            print(
                "samenspel: backup copies SQLite files; back PostgreSQL up with pg_dump, e.g.\n"
                f"  pg_dump -Fc -f {args.path} 'DATABASE URL'\n(README, \"PostgreSQL\")",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        # No lock: SQLite's online backup is safe next to the running bot.
        asyncio.run(backup_file(settings.storage.path, args.path))
        print(f"backup written to {args.path}")
        return 0
    if args.command == "schedule":
        return asyncio.run(_schedule(settings, args))
    if args.command == "map":
        return _social_map(settings, args.action, args.file)
    if args.command == "report":
        return asyncio.run(_report(settings, args.month, args.csv))
    if args.command == "run":
        if settings.storage.is_postgresql:
            # Replicas on one PostgreSQL database are allowed; no file lock (one sender per token is the lease's).
            return asyncio.run(_start(settings, webhook=args.webhook))
        return _holding_the_database(
            settings, "{reason}; one bot per database", lambda: _start(settings, webhook=args.webhook)
        )
    if args.command in ("set-webhook", "delete-webhook"):
        return asyncio.run(_register_webhook(settings, args.url if args.command == "set-webhook" else None))
    parser.error(f"unknown command {args.command}")
    return EXIT_CONFIG


def _holding_the_database(settings: Settings, refusal: str, work: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Run `work` holding the database's instance lock, taken before anything touches the database.

    A second bot on the same file would send what the first is sending again and fight it over getUpdates.
    """
    lock = InstanceLock(settings.storage.path)
    try:
        lock.acquire()
    except DatabaseInUse as exc:
        print(f"samenspel: {refusal.format(reason=exc)}.", file=sys.stderr)
        return EXIT_CONFIG
    try:
        return asyncio.run(work())
    finally:
        lock.release()


def open_database(settings: Settings) -> Database:
    """The configured database: PostgreSQL when [storage] url is set, else the SQLite file at [storage] path."""
    return Database(settings.storage.path, url=settings.storage.url)


async def _start(settings: Settings, *, webhook: bool = False) -> int:
    warning = None if settings.storage.is_postgresql else open_to_others_warning(settings.storage.path)
    if warning is not None:
        print(f"samenspel: {warning}", file=sys.stderr)
    if settings.telegram.token is None or not settings.telegram.token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_CONFIG
    if webhook and settings.webhook.secret is None:
        print(NO_WEBHOOK_SECRET, file=sys.stderr)
        return EXIT_CONFIG
    # Checked and upgraded before the bot is built: a damaged or too new file stops here, before Telegram.
    async with open_database(settings) as db:
        await db.quick_check()
        await db.migrate()
    return await _run(settings, webhook=webhook)


async def _migrate(settings: Settings) -> int:
    async with open_database(settings) as db:
        await db.quick_check()
        applied = await db.migrate()
        version = await db.schema_version()
    print(f"database {db.location} at version {version}" + (f" (applied {', '.join(applied)})" if applied else ""))
    return 0


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


async def _invites(settings: Settings, args: argparse.Namespace) -> int:
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


async def _run(settings: Settings, *, webhook: bool = False) -> int:
    from bot.app import build_application, serve
    from bot.supervision import PartEnded
    from bot.webhook import WebhookMode

    app = build_application(settings, webhook=webhook)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await (WebhookMode(app).serve(stop) if webhook else serve(app, stop))
    except InvalidToken:
        print(TOKEN_REFUSED, file=sys.stderr)
        return EXIT_CONFIG
    except PartEnded as ended:
        # Supervision gave up on a part that cannot be restarted from inside: a service manager restarts us.
        print(f"samenspel: stopped: {ended} (the log above says why)", file=sys.stderr)
        return EXIT_FAILED
    return 0


async def _register_webhook(settings: Settings, url: str | None) -> int:
    """set-webhook (url given) or delete-webhook. Once per deployment, never at start: every replica
    registering itself on start would fight over the one URL Telegram keeps per bot."""
    from bot.app import ALLOWED_UPDATES

    if settings.telegram.token is None or not settings.telegram.token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_CONFIG
    if url is not None and settings.webhook.secret is None:
        print(NO_WEBHOOK_SECRET, file=sys.stderr)
        return EXIT_CONFIG
    if url is not None and not url.startswith("https://") and not url.startswith("http://127.0.0.1:"):
        print("samenspel: Telegram only posts to https:// addresses", file=sys.stderr)
        return EXIT_CONFIG
    bot = Bot(settings.telegram.token.get_secret_value(), base_url=settings.telegram.base_url)
    try:
        async with bot:
            if url is None:
                # Updates already waiting stay with Telegram: long polling picks them up.
                await bot.delete_webhook(drop_pending_updates=False)
                print("webhook deleted; start the bot with samenspel run (long polling)")
                return 0
            assert settings.webhook.secret is not None
            await bot.set_webhook(
                url,
                secret_token=settings.webhook.secret.get_secret_value(),
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,  # what people sent meanwhile is still handled
            )
            info = await bot.get_webhook_info()
    except InvalidToken:
        print(TOKEN_REFUSED, file=sys.stderr)
        return EXIT_CONFIG
    except TelegramError as exc:
        print(f"samenspel: Telegram refused the webhook: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    print(f"webhook set to {info.url} ({info.pending_update_count} update(s) waiting)")
    return 0


async def _sandbox(port: int, db_path: Path | None, language: str) -> int:
    from bot.i18n import plain
    from bot.sandbox.server import Sandbox, SandboxError

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    sandbox = Sandbox(port=port, db_path=db_path, language=language)
    try:
        await sandbox.start()
    except SandboxError as exc:
        print(f"samenspel: {plain(language, exc.key, **exc.values)}", file=sys.stderr)
        return EXIT_CONFIG
    print(plain(language, "sandbox.cli.ready", url=sandbox.url), flush=True)
    try:
        await stop.wait()
    finally:
        await sandbox.stop()
    if db_path is None:
        print(plain(language, "sandbox.cli.stopped"), flush=True)
    else:
        print(plain(language, "sandbox.cli.stopped_kept", path=db_path), flush=True)
    return 0


def _social_map(settings: Settings, action: str, path: Path) -> int:
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


async def _report(settings: Settings, raw_month: str, csv_path: Path | None) -> int:
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


async def _schedule(settings: Settings, args: argparse.Namespace) -> int:
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
