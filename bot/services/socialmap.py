"""The social map's use cases: reading it (browse, search, what fits a signal), keeping it (coordinators in
the bot and the CSV import on the command line), the national defaults, and the monthly check of old entries.

Every change is audited; the coordinator's tools refuse anyone else (`coordinators_only`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from importlib import resources

from bot.clock import Clock
from bot.config import Settings
from bot.domain import socialmap as rules
from bot.domain.escalation import CATEGORIES
from bot.domain.models import Person, Role
from bot.domain.socialmap import EditEntry, EntryFields, EntryStillRight, LineProblem, MapEntry
from bot.i18n import LANGUAGES, Markup, plain, t
from bot.services.base import Service, Trail, coordinators_only
from bot.services.errors import Refused
from bot.services.escalations import EscalationService
from bot.services.notify import notify
from storage import people, socialmap
from storage.db import Database, Tx

log = logging.getLogger(__name__)

TRAIL = Trail("social_map_entry")
DEFAULTS = "social_map_nl.csv"
DEFAULTS_FACT = "defaults_loaded"
REVIEW_HOUR = time(9)  # the monthly review goes out in the morning, not at midnight
REVIEW_PER_MESSAGE = 15
REVIEW_SUBJECT = "social_map_review"


def category_label(lang: str, category: str) -> str:
    """A signal category in the reader's language; the organisation's own categories as they typed them."""
    return plain(lang, f"cat.{category}") if rules.is_signal_category(category) else category


def entry_text(lang: str, entry: MapEntry, area: str | None) -> Markup:
    """One entry as a phone shows it. The phone number and the website stay plain text: Telegram makes them
    links a phone can tap (the Bot API's HTML has no tel: links)."""
    lines = [t(lang, "map.entry.head", name=entry.name, category=category_label(lang, entry.category))]
    lines.append(t(lang, "map.entry.offer", offer=entry.offer))
    if entry.phone:
        lines.append(t(lang, "map.entry.phone", phone=entry.phone))
    if entry.website:
        lines.append(t(lang, "map.entry.website", website=rules.website_link(entry.website)))
    if entry.address:
        lines.append(t(lang, "map.entry.address", address=entry.address))
    if entry.hours:
        lines.append(t(lang, "map.entry.hours", hours=entry.hours))
    lines.append(t(lang, "map.entry.area", area=area) if area else t(lang, "map.entry.city"))
    return Markup("\n".join(lines))


@dataclass(frozen=True)
class ImportOutcome:
    added: int
    updated: int
    problems: list[LineProblem]


class SocialMapService(Service):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        wake_delivery: Callable[[], None],
        escalations: EscalationService,
    ) -> None:
        super().__init__(db, clock, settings, wake_delivery)
        self._escalations = escalations

    def today(self) -> date:
        return self._clock.now().astimezone(self._settings.app.zone).date()

    # --- reading ----------------------------------------------------------------------------------

    async def entries(self) -> list[MapEntry]:
        async with self._db.transaction() as tx:
            return await socialmap.all_entries(tx)

    async def entry(self, entry_id: int) -> MapEntry:
        async with self._db.transaction() as tx:
            found = await socialmap.get(tx, entry_id)
        if found is None:
            raise Refused("map.gone")
        return found

    async def team_names(self) -> dict[int, str]:
        async with self._db.transaction() as tx:
            return {team.id: team.name for team in await people.teams(tx)}

    async def categories(self) -> list[str]:
        """The categories that hold entries: the signal categories in their order, then the organisation's."""
        used = {e.category for e in await self.entries()}
        own = sorted((c for c in used if not rules.is_signal_category(c)), key=str.casefold)
        return [c for c in CATEGORIES if c in used] + own

    async def in_category(self, category: str, team_id: int | None) -> list[MapEntry]:
        """The entries of a category: the reader's team's first, then the city's, then the other wijken's."""
        entries = [e for e in await self.entries() if e.category == category]
        near = rules.for_area(entries, team_id)
        shown = {e.id for e in near}
        return near + [e for e in entries if e.id not in shown]

    async def search(self, words: str, lang: str) -> list[MapEntry]:
        labels = {key: plain(lang, f"cat.{key}") for key in CATEGORIES}
        return rules.search(await self.entries(), words, labels)

    async def for_signal(self, volunteer: Person, category: str) -> tuple[list[MapEntry], list[MapEntry]]:
        """What to offer below a signal's confirmation: the crisis lines (safety, psychological problems)
        and up to three entries of its category, the volunteer's team's wijk first."""
        return rules.offer(await self.entries(), category, volunteer.team_id)

    # --- keeping it -------------------------------------------------------------------------------

    async def add(self, by: Person | None, entry: EntryFields) -> MapEntry:
        coordinators_only(by)
        now, today = self._clock.now(), self.today()
        async with self._db.transaction() as tx:
            entry_id = await socialmap.add(tx, replace(entry, checked_on=today), now, today)
            await TRAIL.record(tx, now, "social_map.added", entry_id, actor=by.id if by else None)
            added = await socialmap.get(tx, entry_id)
        assert added is not None
        return added

    async def update(self, by: Person | None, entry_id: int, entry: EntryFields) -> MapEntry:
        """Change an entry; whoever changes it has just looked at it, so it counts as checked today."""
        coordinators_only(by)
        now, today = self._clock.now(), self.today()
        async with self._db.transaction() as tx:
            if not await socialmap.update(tx, entry_id, replace(entry, checked_on=today), now, today):
                raise Refused("map.gone")
            await TRAIL.record(tx, now, "social_map.changed", entry_id, actor=by.id if by else None)
            changed = await socialmap.get(tx, entry_id)
        assert changed is not None
        return changed

    async def remove(self, by: Person | None, entry_id: int) -> MapEntry:
        coordinators_only(by)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            entry = await socialmap.get(tx, entry_id)
            if entry is None or not await socialmap.remove(tx, entry_id):
                raise Refused("map.gone")
            await TRAIL.record(tx, now, "social_map.removed", entry_id, actor=by.id if by else None)
        return entry

    async def still_right(self, by: Person, entry_id: int) -> MapEntry:
        """A coordinator says the entry still holds: checked today (once; a second press changes nothing)."""
        coordinators_only(by)
        now, today = self._clock.now(), self.today()
        async with self._db.transaction() as tx:
            entry = await socialmap.get(tx, entry_id)
            if entry is None:
                raise Refused("map.gone")
            if entry.checked_on != today:
                await socialmap.mark_checked(tx, entry_id, today, now)
                await TRAIL.record(tx, now, "social_map.checked", entry_id, actor=by.id)
        return replace(entry, checked_on=today)

    # --- CSV --------------------------------------------------------------------------------------

    async def import_csv(self, data: bytes, by: Person | None = None) -> ImportOutcome:
        """All or nothing: with any bad line nothing is stored, and every bad line is listed."""
        coordinators_only(by)
        now, today = self._clock.now(), self.today()
        async with self._db.transaction() as tx:
            teams = {team.name.casefold(): team.id for team in await people.teams(tx)}
            parsed = rules.parse_csv(
                data, teams=teams, labels=category_labels(), today=today, known_ids=await socialmap.ids(tx)
            )
            if parsed.problems:
                return ImportOutcome(0, 0, parsed.problems)
            added = updated = 0
            for row in parsed.rows:
                if row.entry_id is None:
                    await socialmap.add(tx, row.fields, now, today)
                    added += 1
                else:
                    await socialmap.update(tx, row.entry_id, row.fields, now, today)
                    updated += 1
            await TRAIL.record(tx, now, "social_map.imported", 0, actor=by.id if by else None, added=added)
        return ImportOutcome(added, updated, [])

    async def export_csv(self) -> str:
        return rules.to_csv(await self.entries(), await self.team_names())

    async def load_defaults(self) -> int:
        """The national defaults (112, 113, Veilig Thuis), once in the database's life: what the organisation
        changes or deletes afterwards stays so. Returns how many were loaded."""
        data = (resources.files("bot") / "data" / DEFAULTS).read_bytes()
        now, today = self._clock.now(), self.today()
        async with self._db.transaction() as tx:
            if not await socialmap.claim_fact(tx, DEFAULTS_FACT, today.isoformat()):
                return 0
            parsed = rules.parse_csv(data, teams={}, labels=category_labels(), today=today)
            if parsed.problems:  # the shipped file is checked by a test; never half a default set
                raise RuntimeError(f"the shipped {DEFAULTS} does not parse: {parsed.problems[:3]}")
            for row in parsed.rows:
                await socialmap.add(tx, row.fields, now, today)
        return len(parsed.rows)

    # --- the reply that carries an entry ------------------------------------------------------------

    async def resolve_with(self, person: Person, escalation_id: int, reply: str, entry_id: int) -> None:
        """Resolve an item with a reply and an entry of the map, stored with it; the volunteer gets both in
        one message."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            entry = await socialmap.get(tx, entry_id)
            if entry is None:
                raise Refused("map.gone")
            area = await _area_name(tx, entry)
            await self._escalations.actions.resolve_in(
                tx, person, escalation_id, reply, now, attached=lambda lang: entry_text(lang, entry, area)
            )
            await socialmap.attach(tx, escalation_id, entry)
        self._wake()

    # --- the monthly check --------------------------------------------------------------------------

    async def review_tick(self, now: datetime) -> bool:
        """Once a month (from the morning of the first day the bot runs in that month): the entries not checked
        for six months, to every coordinator, with "still right" and "edit" per entry. The month is claimed in
        the same transaction as the messages are queued, so it is sent once, and caught up after a restart."""
        local = now.astimezone(self._settings.app.zone)
        month = rules.review_key(local.date())
        async with self._db.transaction() as tx:  # a look-up by key on each tick, as the other tasks read theirs
            if await socialmap.review_sent(tx, month) or local.time() < REVIEW_HOUR:
                return False
            old = rules.stale(await socialmap.all_entries(tx), local.date())
            if not await socialmap.claim_review(tx, month, now, len(old)):
                return False
            if old:
                for coordinator in await people.active_with_role(tx, Role.COORDINATOR):
                    await _send_review(tx, coordinator, old, now)
        if old:
            self._wake()
        return True


async def _area_name(tx: Tx, entry: MapEntry) -> str | None:
    if entry.team_id is None:
        return None
    team = await people.team(tx, entry.team_id)
    return team.name if team else None


async def _send_review(tx: Tx, coordinator: Person, old: Sequence[MapEntry], now: datetime) -> None:
    lang = coordinator.language
    for start in range(0, len(old), REVIEW_PER_MESSAGE):
        chunk = old[start : start + REVIEW_PER_MESSAGE]
        keyboard = [
            [
                {"text": plain(lang, "button.map.still_right", name=e.name[:40]), "data": EntryStillRight(e.id).pack()},
                {"text": plain(lang, "button.map.edit"), "data": EditEntry(e.id).pack()},
            ]
            for e in chunk
        ]
        lines = Markup("\n".join(t(lang, "map.review.line", name=e.name, checked=e.checked_on) for e in chunk))
        await notify(
            tx,
            coordinator,
            "map.review",
            now,
            keyboard=keyboard,
            subject_type=REVIEW_SUBJECT,
            purpose="social_map_review",
            count=len(old),
            months=rules.STALE_MONTHS,
            lines=lines,
        )


def category_labels() -> dict[str, tuple[str, ...]]:
    """Each signal category's label in every language: a CSV cell may say "Geld en schulden" or "Money"."""
    return {key: tuple(plain(lang, f"cat.{key}") for lang in LANGUAGES) for key in CATEGORIES}
