"""The sandbox's demo organisation, set up through the real services and the real /start flow.

Everyone opens their invite link on their simulated phone (except the spare phone, ``SPARE``, which is left for
the person trying the sandbox to invite from Anna's phone) (so each chat starts as it would in
Telegram: "/start", the welcome and the person's command menu); the coordinator's links, agreements and
the weekly check-in schedule then go through the same services as ``/assign``, ``/link``,
``/agreement`` and ``/schedule``, so their notices arrive on the phones too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from bot.app import Services
from bot.domain.models import Role
from bot.i18n import plain
from bot.sandbox.botapi import FakeBotApi
from bot.sandbox.state import FakeUser

ORGANISATION = "Buurtteam Overvecht"
# Monday 19:00 local time, every week: the clock control's "next Monday 19:00" makes it fire.
CHECKIN_WEEKDAYS = frozenset({0})
CHECKIN_TIME = time(19, 0)


@dataclass(frozen=True)
class DemoPerson:
    key: str  # stable name for the page and the API ("vera")
    name: str
    role: Role
    telegram_id: int


@dataclass(frozen=True)
class DemoVolunteer:
    key: str
    professional: str
    backup: str
    clients: tuple[str, ...]
    hours_per_week: float


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("vera", "Vera", Role.VOLUNTEER, 1004),
    DemoPerson("piet", "Piet", Role.PROFESSIONAL, 1002),
    DemoPerson("fatima", "Fatima", Role.PROFESSIONAL, 1003),
    DemoPerson("anna", "Anna", Role.COORDINATOR, 1001),
    DemoPerson("kees", "Kees", Role.VOLUNTEER, 1005),
    DemoPerson("noor", "Noor", Role.VOLUNTEER, 1006),
)
# Vera and Noor are Piet's, with Fatima as backup; Kees is Fatima's, with Piet as backup.
VOLUNTEERS: tuple[DemoVolunteer, ...] = (
    DemoVolunteer("vera", "piet", "fatima", ("C-12", "C-31"), 4),
    DemoVolunteer("kees", "fatima", "piet", ("C-07",), 3),
    DemoVolunteer("noor", "piet", "fatima", ("C-18",), 2.5),
)
# The phones shown when the page first opens: a signal's whole path, volunteer to coordinator.
SHOWN_FIRST: tuple[str, ...] = ("vera", "piet", "fatima", "anna")
# A spare phone nobody has registered: it joins through an invite made on Anna's phone.
SPARE = DemoPerson("nieuw", "Sam", Role.VOLUNTEER, 1099)
SPARE_ROLE = "new"  # what the page says it is until it joins


def person(key: str) -> DemoPerson:
    return next(p for p in PEOPLE if p.key == key)


def phone_user(demo: DemoPerson, language: str) -> FakeUser:
    return FakeUser(id=demo.telegram_id, first_name=demo.name, language_code=language)


async def seed(services: Services, api: FakeBotApi, language: str, *, wait_seconds: float = 20.0) -> dict[str, int]:
    """Register the demo organisation in a fresh database (the bot must be running); person ids by key."""
    people = services.people
    ids: dict[str, int] = {}
    for demo in PEOPLE:
        user = phone_user(demo, language)
        api.register_user(user)
        issued = await people.create_invite(by=None, role=demo.role, name=demo.name, team_id=None)
        before = len(api.messages(user.id))
        api.send_text(user, f"/start {issued.code}")
        # The welcome is the sign that the real handler registered them (and set their menu).
        await api.wait_for(user.id, None, after=before, timeout=wait_seconds)
        registered = await people.identify(user.id)
        if registered is None:
            raise RuntimeError(f"demo person {demo.name} was not registered")
        ids[demo.key] = registered.id
    anna = await people.get(ids["anna"])
    if anna is None:
        raise RuntimeError("demo coordinator missing")
    for volunteer in VOLUNTEERS:
        await people.assign(
            anna,
            volunteer_id=ids[volunteer.key],
            professional_id=ids[volunteer.professional],
            backup_id=ids[volunteer.backup],
        )
        for alias in volunteer.clients:
            await people.link_client(anna, volunteer_id=ids[volunteer.key], alias=alias, professional_id=None)
        await people.set_agreement(
            anna,
            volunteer_id=ids[volunteer.key],
            hours_per_week=volunteer.hours_per_week,
            contact_times=plain(language, f"sandbox.demo.contact.{volunteer.key}"),
        )
    await services.checkins.add_schedule(
        None, audience="everyone", weekdays=CHECKIN_WEEKDAYS, local_time=CHECKIN_TIME, every_weeks=1
    )
    return ids
