"""Issue 12, item 5: one whole check-in alert, through the fake Bot API with the fake clock.

All flags of one check-in reach the professional as one alert with the answers behind them and the comment;
a single strong answer is enough; a flag still open is not alerted again; the volunteer is told who hears of
it; missed check-ins arrive the same way; and a failed evaluation is never lost.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.sandbox.state import FakeUser, SentMessage
from bot.services.checkins.wellbeing import WellbeingWatch
from tests.support.clock import FakeClock
from tests.support.harness import ANNA, FATIMA, PIET, VERA, Harness, running_bot, seed_organisation

HEADER = "🟠 Check-in van Vera"
THANKS_CONCERN = (
    "Dank je wel, Vera. Je gaf aan dat het zwaar is; ik geef dit door aan Piet, die neemt contact met je op."
)
THANKS_KNOWN = "Dank je wel, Vera. Je gaf aan dat het zwaar is; Piet weet ervan en neemt contact met je op."
WHOLE_ALERT = (
    "🟠 Check-in van Vera (gisteren 19:12) vraagt aandacht\n"
    "• 20 uur deze week, afgesproken 4\n"
    "• Energie 1 van 5\n"
    "• Cliënt zocht vaker contact buiten de afgesproken tijden\n"
    "• Cliënt leunt op het privéleven (thuis, familie, geld, sociale media)\n"
    "• Gevraagd iets te doen dat buiten de rol valt\n"
    "Vera schreef: “Het wordt me te veel, C-12 belt me 's avonds thuis.”"
)


def wellbeing_alerts(h: Harness, user: FakeUser) -> list[SentMessage]:
    return [m for m in h.api.messages(user.id) if m.text.startswith(HEADER)]


async def agree(h: Harness, ids: dict[str, int], hours_per_week: float) -> None:
    anna = await h.services.people.get(ids["Anna"])
    assert anna is not None
    await h.services.people.set_agreement(
        anna, volunteer_id=ids["Vera"], hours_per_week=hours_per_week, contact_times=""
    )
    await h.settle()


async def check_in(
    h: Harness,
    *,
    hours: str = "3-4",
    energy: str = "4",
    contact: str = "Nee",
    private: str = "Nee",
    role: str = "Nee",
    comment: str | None = None,
) -> SentMessage:
    """Vera checks in with /checkin; hours typed when not a button's label. Returns the thank-you."""
    [question] = await h.send(VERA, "/checkin")
    if hours in question.button_texts():
        message = await h.tap(VERA, question, hours)
    else:
        [message] = await h.send(VERA, hours)
    assert "Hoeveel energie" in message.text
    for label in (energy, contact, private, role):
        message = await h.tap(VERA, message, label)
    if role == "Ja":
        message = await h.tap(VERA, message, "Nu niet")
    assert "Wil je nog iets kwijt?" in message.text
    if comment is None:
        return await h.tap(VERA, message, "Nee, klaar")
    [thanks] = await h.send(VERA, comment)
    return thanks


async def wellbeing_rows(h: Harness) -> list[tuple[int, str, str]]:
    """(id, state, flags) of every wellbeing alert."""
    async with h.services.db.transaction() as tx:
        rows = await tx.all(
            "SELECT e.id, e.state, GROUP_CONCAT(f.flag, ',') AS flags FROM escalations e"
            " LEFT JOIN escalation_flags f ON f.escalation_id = e.id WHERE e.kind = 'wellbeing'"
            " GROUP BY e.id ORDER BY e.id"
        )
    return [(r["id"], r["state"], ",".join(sorted((r["flags"] or "").split(",")))) for r in rows]


async def test_the_issues_check_in_reaches_piet_as_one_whole_alert(tmp_path: Path, storage_url: str | None) -> None:
    """20 hours against 4, energy 1, contact "vaker", private life, beyond the role and a comment: one alert
    with all of it (the next morning: a concern waits for working hours), and Vera hears that Piet knows."""
    async with running_bot(tmp_path, storage_url=storage_url) as h:
        ids = await seed_organisation(h)
        await agree(h, ids, 4)
        await h.advance(timedelta(hours=9, minutes=12))  # Monday 19:12 in Amsterdam
        thanks = await check_in(
            h,
            hours="20",
            energy="1 😩",
            contact="Vaker",
            private="Ja",
            role="Ja",
            comment="Het wordt me te veel, C-12 belt me 's avonds thuis.",
        )
        assert thanks.text == THANKS_CONCERN
        assert "uur" not in thanks.text  # no praise for 20 hours against 4
        assert wellbeing_alerts(h, PIET) == []  # the evening: outside Piet's working hours
        await h.advance(timedelta(hours=13, minutes=18))  # Tuesday 08:30
        [alert] = wellbeing_alerts(h, PIET)
        assert alert.text == WHOLE_ALERT
        assert alert.button_texts() == ["Ik pak het op", "Overdragen", "Afronden"]
        expected_flags = "boundaries,competence,energy,private_life,time_overload"
        assert [(state, flags) for _, state, flags in await wellbeing_rows(h)] == [("open", expected_flags)]
        # Vera never sees the alert; nobody else got it yet.
        assert not any(HEADER in text for text in h.texts(VERA))
        assert wellbeing_alerts(h, FATIMA) == [] and wellbeing_alerts(h, ANNA) == []
        # One pick-up for all of it.
        picked = await h.tap(PIET, alert, "Ik pak het op")
        assert picked.text == (
            WHOLE_ALERT + "\n🟢 Opgepakt door jou om 08:30. Vera krijgt hier geen bericht over; neem zelf contact op."
        )
        assert picked.button_texts() == ["Afronden", "Overdragen"]


async def test_an_open_flag_is_not_alerted_again_and_a_resolved_one_is(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        await agree(h, ids, 4)
        first = await check_in(h, energy="1 😩")
        assert first.text == THANKS_CONCERN
        [alert] = wellbeing_alerts(h, PIET)  # Monday 10:00: in working hours, at once
        assert alert.text == "🟠 Check-in van Vera (vandaag 10:00) vraagt aandacht\n• Energie 1 van 5"
        # A week later, energy 1 again and now contact "vaker": only the new flag, in a new alert.
        await h.advance(timedelta(days=7))
        again = await check_in(h, energy="1 😩", contact="Vaker")
        assert again.text == THANKS_CONCERN
        alerts = wellbeing_alerts(h, PIET)
        assert len(alerts) == 2
        assert alerts[1].text.endswith(") vraagt aandacht\n• Cliënt zocht vaker contact buiten de afgesproken tijden")
        # Energy 1 a third time, both alerts still open: nothing new, and Vera hears that Piet knows.
        await h.advance(timedelta(days=7))
        known = await check_in(h, energy="1 😩")
        assert known.text == THANKS_KNOWN
        assert len(wellbeing_alerts(h, PIET)) == 2
        # Piet resolves the energy alert: the next energy 1 is alerted again.
        await h.tap(PIET, alerts[0], "Afronden")
        await h.send(PIET, "Gebeld, we pakken het samen op.")
        await h.advance(timedelta(days=7))
        await check_in(h, energy="1 😩")
        assert [(state, flags) for _, state, flags in await wellbeing_rows(h)] == [
            ("resolved", "energy"),
            ("open", "boundaries"),
            ("open", "energy"),
        ]


async def test_a_single_strong_answer_alerts_and_milder_ones_only_when_repeated(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        await agree(h, ids, 4)
        # Private life "ja" with contact only "één keer": not yet; the thanks are the ordinary ones.
        mild = await check_in(h, contact="Eén keer", private="Ja")
        assert mild.text == "Dank je wel, Vera! Deze maand 3,5 van de 17 afgesproken uren. Fijn dat je er bent."
        assert wellbeing_alerts(h, PIET) == []
        # The same again two days later: repeated, so now it alerts, with the counts behind it.
        await h.advance(timedelta(days=2))
        repeated = await check_in(h, contact="Eén keer", private="Ja")
        assert repeated.text == THANKS_CONCERN
        [alert] = wellbeing_alerts(h, PIET)
        assert alert.text.endswith(
            ") vraagt aandacht\n"
            "• 2 keer in 28 dagen contact buiten de afgesproken tijden\n"
            "• 2 keer in 28 dagen: cliënt leunt op het privéleven"
        )


async def test_private_life_with_contact_vaker_is_strong_on_its_own(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        thanks = await check_in(h, contact="Vaker", private="Ja")
        assert thanks.text == THANKS_CONCERN
        [alert] = wellbeing_alerts(h, PIET)
        assert alert.text == (
            "🟠 Check-in van Vera (vandaag 10:00) vraagt aandacht\n"
            "• Cliënt zocht vaker contact buiten de afgesproken tijden\n"
            "• Cliënt leunt op het privéleven (thuis, familie, geld, sociale media)"
        )
        assert [flags for _, _, flags in await wellbeing_rows(h)] == ["boundaries,private_life"]


async def test_hours_above_the_agreement_are_not_praised(tmp_path: Path) -> None:
    """18,5 hours in December against 4 a week (17,7 for the month), no week over 8 and the last 28 days
    not over 20: no alert, and a thank-you that does not praise the hours."""
    clock = FakeClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # Tuesday 1 December, 10:00
    async with running_bot(tmp_path, clock=clock) as h:
        ids = await seed_organisation(h)
        await agree(h, ids, 4)
        first = await check_in(h, hours="7,5")
        assert first.text == "Dank je wel, Vera! Deze maand 7,5 van de 18 afgesproken uren. Fijn dat je er bent."
        await h.advance(timedelta(days=7))
        await check_in(h, hours="7,5")
        await h.advance(timedelta(days=7))
        over = await check_in(h, hours="3-4")
        assert over.text == (
            "Dank je wel, Vera. Deze maand al 18,5 uur, meer dan de 18 uur die zijn afgesproken."
            " Doe het rustig aan; wordt het te veel, zeg het dan tegen je beroepskracht."
        )
        assert wellbeing_alerts(h, PIET) == []


async def test_two_missed_check_ins_arrive_as_one_alert(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        await daily_check_ins_at_11(h, ids)
        await miss_one(h)  # Monday's, closed at 12:00
        assert wellbeing_alerts(h, PIET) == []
        await h.advance(timedelta(hours=22))
        await miss_one(h)  # Tuesday's: the second in a row
        [alert] = wellbeing_alerts(h, PIET)
        assert (
            alert.text == "🟠 Check-in van Vera (vandaag 12:00) vraagt aandacht\n• De laatste 2 check-ins niet ingevuld"
        )
        assert [flags for _, _, flags in await wellbeing_rows(h)] == ["missed"]
        await h.advance(timedelta(days=5, hours=22))
        await miss_one(h)  # next Monday's, the alert still open: nothing more
        assert len(wellbeing_alerts(h, PIET)) == 1


async def daily_check_ins_at_11(h: Harness, ids: dict[str, int]) -> None:
    """Check-ins on Mondays and Tuesdays at 11:00, each open for an hour."""
    anna = await h.services.people.get(ids["Anna"])
    assert anna is not None
    await h.services.checkins.add_schedule(
        anna,
        audience="everyone",
        weekdays=frozenset({0, 1}),
        local_time=time(11, 0),
        remind_after_minutes=30,
        close_after_minutes=60,
    )


async def miss_one(h: Harness) -> None:
    """From 10:00: the 11:00 check-in comes, and closes unanswered at 12:00."""
    await h.advance(timedelta(hours=1))
    await h.advance(timedelta(minutes=30))  # its reminder
    await h.advance(timedelta(minutes=30))


class Flaky:
    """Makes one method of an object fail its first `times` calls, then behave as ever."""

    def __init__(self, owner: object, name: str, times: int = 1) -> None:
        self.real = getattr(owner, name)
        self.left = times
        setattr(owner, name, self)

    async def __call__(self, *args: object, **kwargs: object) -> object:
        if self.left:
            self.left -= 1
            raise RuntimeError("injected failure")
        return await self.real(*args, **kwargs)


def watch_of(h: Harness) -> WellbeingWatch:
    return h.services.checkins._wellbeing


async def test_a_failed_evaluation_after_an_answer_is_retried_by_the_tick(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        Flaky(h.services.escalations, "raise_item")
        thanks = await check_in(h, energy="1 😩")
        # The answer is kept and Vera is thanked; the alert is not there yet.
        assert thanks.text.startswith("Dank je wel, Vera!")
        assert wellbeing_alerts(h, PIET) == [] and await wellbeing_rows(h) == []
        assert "wellbeing evaluation failed" in caplog.text
        await h.advance(timedelta(seconds=5))  # the next tick
        [alert] = wellbeing_alerts(h, PIET)
        assert alert.text.endswith("• Energie 1 van 5")
        await h.advance(timedelta(seconds=5))
        assert len(await wellbeing_rows(h)) == 1


async def test_a_crash_between_raising_and_recording_raises_no_second_alert(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        Flaky(watch_of(h), "_record")  # the alert is raised, its flags and the evaluation are not recorded
        await check_in(h, energy="1 😩", contact="Vaker", private="Ja")
        assert [flags for _, _, flags in await wellbeing_rows(h)] == [""]
        await h.advance(timedelta(seconds=5))  # the tick finds the alert raised before and records it
        assert [flags for _, _, flags in await wellbeing_rows(h)] == ["boundaries,energy,private_life"]
        assert len(wellbeing_alerts(h, PIET)) == 1
        async with h.services.db.transaction() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM checkins WHERE evaluation_due = 1") == 0


async def test_a_failed_evaluation_of_a_missed_check_in_is_retried_by_the_tick(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        await daily_check_ins_at_11(h, ids)
        await miss_one(h)  # Monday's
        flaky = Flaky(h.services.escalations, "raise_item")
        await h.advance(timedelta(hours=22))
        await miss_one(h)  # Tuesday's: the alert fails to go out
        assert flaky.left == 0 and wellbeing_alerts(h, PIET) == []
        await h.advance(timedelta(seconds=5))
        [alert] = wellbeing_alerts(h, PIET)
        assert alert.text.endswith("• De laatste 2 check-ins niet ingevuld")
