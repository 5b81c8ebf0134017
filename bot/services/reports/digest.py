"""The weekly digest: to each professional her open and held items and her volunteers' flags, to each coordinator
the organisation's. Durable: the claim (`periodic_sends`, one per person and ISO week) and the message share a
transaction, so it is never sent twice, and a week's digest the bot missed goes out later that week. Queued with
purpose "digest", behind what is urgent."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.models import Person, Role
from bot.domain.schedule import QuietHours, in_quiet_hours
from bot.i18n import Markup, t
from bot.services.base import Service
from storage import people, recognition

BATCH = 200


def week_key(moment: datetime) -> str:
    iso = moment.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


class DigestService(Service):
    def due_since(self, now: datetime) -> datetime:
        """This week's digest moment (local), as an aware time."""
        settings = self._settings.reports
        local = now.astimezone(self._settings.app.zone)
        monday = local.date() - timedelta(days=local.weekday())
        day = monday + timedelta(days=settings.digest_weekday)
        return datetime.combine(day, settings.digest_time, tzinfo=self._settings.app.zone)

    async def tick(self, now: datetime) -> int:
        settings = self._settings
        if not settings.reports.digest:
            return 0
        quiet = QuietHours(settings.checkins.quiet_start, settings.checkins.quiet_end)
        week = week_key(now.astimezone(settings.app.zone))
        sent = 0
        async with self._db.transaction() as tx:  # the claims and the messages of one batch together
            if now < self.due_since(now) or in_quiet_hours(now, quiet, settings.app.timezone):
                return 0
            for role in (Role.PROFESSIONAL, Role.COORDINATOR):
                for person_id in await recognition.unsent(tx, "digest", week, role.value, BATCH):
                    person = await people.get(tx, person_id)
                    if person is None or person.telegram_id is None:
                        continue
                    if not await recognition.claim(tx, "digest", person_id, week, now):
                        continue  # a coordinator who is a professional too gets one digest, the organisation's
                    figures = await recognition.digest_figures(tx, person_id, everything=person.is_coordinator)
                    await recognition.queue_periodic(tx, person, str(self._text(person, figures, week)), now)
                    sent += 1
        if sent:
            self._wake()
        return sent

    @staticmethod
    def _text(person: Person, figures: recognition.DigestFigures, week: str) -> Markup:
        lang = person.language
        flags = "\n".join(str(t(lang, "digest.flag_line", name=name, count=count)) for name, count in figures.flags)
        return t(
            lang,
            "digest.coordinator" if person.is_coordinator else "digest.professional",
            name=person.name,
            week=week,
            open=figures.open_items,
            held=figures.held_items,
            flags=Markup(flags) if flags else t(lang, "digest.no_flags"),
        )
