"""The `samenspel` command."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot import cli_tools
from bot.cli_tools import EXIT_CONFIG, open_database
from bot.config import ConfigError, Settings, load_settings, masked
from bot.domain.models import Role
from bot.logging_setup import setup_logging
from storage.db import DatabaseRefused, backup_file
from storage.files import DatabaseInUse, InstanceLock, open_to_others_warning

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
        return asyncio.run(cli_tools.invites(settings, args))
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
        return asyncio.run(cli_tools.schedule(settings, args))
    if args.command == "map":
        return cli_tools.social_map(settings, args.action, args.file)
    if args.command == "report":
        return asyncio.run(cli_tools.report(settings, args.month, args.csv))
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


async def _run(settings: Settings, *, webhook: bool = False) -> int:
    from bot.app import build_application, serve
    from bot.supervision import PartEnded

    app = build_application(settings, webhook=webhook)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        if webhook:
            # Only webhook mode pays for its web server (aiohttp, a fifth of a second per start); polling,
            # the default and every restart after a crash, never imports it.
            from bot.webhook import WebhookMode

            await WebhookMode(app).serve(stop)
        else:
            await serve(app, stop)
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
