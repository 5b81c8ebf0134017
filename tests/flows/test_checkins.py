"""Check-ins through the fake Bot API with a controllable clock: schedules across DST, reminders,
quiet hours, pauses, wellbeing alerts, and an idempotent fan-out that survives a restart."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot.domain.models import Role
from bot.sandbox.state import FakeUser, SentMessage
from tests.support.clock import FakeClock
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.harness import ANNA, PIET, VERA, Harness, running_bot, seed_organisation

# Monday 19 October 2026, 10:00 in Amsterdam (summer time, UTC+2); DST ends Sunday 25 October.
BEFORE_DST_END = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)


def prompts(h: Harness, user: FakeUser) -> list[SentMessage]:
    return [m for m in h.api.messages(user.id) if "even inchecken" in m.text or "check-in staat nog open" in m.text]


async def create_monday_schedule(h: Harness, clock: str = "19:00") -> SentMessage:
    [menu] = await h.send(ANNA, "/schedule")
    assert "nog geen check-in-schema" in menu.text
    ask = await h.tap(ANNA, menu, "Nieuw schema")
    ask = await h.tap(ANNA, ask, "Alle vrijwilligers")
    ask = await h.tap(ANNA, ask, "ma")
    assert "✅ ma" in ask.button_texts()
    ask = await h.tap(ANNA, ask, "Verder")
    if clock in ("18:00", "19:00", "20:00"):
        ask = await h.tap(ANNA, ask, clock)
    else:
        [ask] = await h.send(ANNA, clock)
    return await h.tap(ANNA, ask, "Elke week")


async def answer_checkin(
    h: Harness,
    prompt: SentMessage,
    *,
    hours: str = "3-4",
    energy: str = "4",
    contact: str = "Nee",
    private: str = "Nee",
    role: str = "Nee",
) -> SentMessage:
    message = await h.tap(VERA, prompt, hours)
    assert "Hoeveel energie" in message.text
    message = await h.tap(VERA, message, energy)
    message = await h.tap(VERA, message, contact)
    message = await h.tap(VERA, message, private)
    message = await h.tap(VERA, message, role)
    if role == "Ja":
        return message
    return await h.tap(VERA, message, "Nee, klaar")


async def test_monday_1900_schedule_fires_right_across_dst_with_one_reminder_then_missed(
    tmp_path: Path, storage_url: str | None
) -> None:
    clock = FakeClock(BEFORE_DST_END)
    async with running_bot(tmp_path, storage_url=storage_url, clock=clock) as h:
        await seed_organisation(h)
        created = await create_monday_schedule(h)
        assert "iedereen, maandag om 19:00" in created.text and "vandaag 19:00" in created.text
        await h.advance(timedelta(hours=8, minutes=59))  # 18:59 local
        assert prompts(h, VERA) == []
        await h.advance(timedelta(minutes=1))  # 19:00 local = 17:00 UTC (summer time)
        [first] = prompts(h, VERA)
        assert clock.now() == datetime(2026, 10, 19, 17, 0, tzinfo=UTC)
        assert "Hoi Vera, even inchecken" in first.text and "meer dan 12" in first.button_texts()
        # One reminder after 24 hours (19:00 on Tuesday is not quiet), then it closes as missed after 72.
        await h.advance(timedelta(hours=24))
        assert len(prompts(h, VERA)) == 2 and "nog open" in prompts(h, VERA)[-1].text
        await h.advance(timedelta(hours=24))
        assert len(prompts(h, VERA)) == 2
        await h.advance(timedelta(hours=24))
        vera = await h.services.people.identify(VERA.id)
        assert vera is not None
        recent = await h.services.checkins.recent(vera)
        assert [c.state for c in recent] == ["missed"]
        # After the change to winter time: Monday 26 October 19:00 local is 18:00 UTC.
        await h.advance(datetime(2026, 10, 26, 17, 59, tzinfo=UTC) - clock.now())
        assert len(prompts(h, VERA)) == 2
        await h.advance(timedelta(minutes=1))
        assert len(prompts(h, VERA)) == 3


async def test_answering_five_taps_thanks_with_hours_against_agreement(tmp_path: Path, storage_url: str | None) -> None:
    async with running_bot(tmp_path, storage_url=storage_url) as h:
        ids = await seed_organisation(h)
        anna = await h.services.people.get(ids["Anna"])
        assert anna is not None
        await h.services.people.set_agreement(anna, volunteer_id=ids["Vera"], hours_per_week=4, contact_times="")
        await h.settle()
        [prompt] = await h.send(VERA, "/checkin")
        thanks = await answer_checkin(h, prompt, hours="3-4")
        assert thanks.text == "Dank je wel, Vera! Deze maand 3,5 van de 17 afgesproken uren. Fijn dat je er bent."
        [me] = await h.send(VERA, "/me")
        assert "3,5 uur" in me.text and "Deze maand: 3,5 van de 17 afgesproken uren." in me.text
        # Typed hours and a typed comment work too; nonsense gets a clear answer.
        [prompt] = await h.send(VERA, "/checkin")
        [bad] = await h.send(VERA, "veel")
        assert "Typ een getal" in bad.text
        [energy] = await h.send(VERA, "2,5")
        assert "Hoeveel energie" in energy.text
        message = await h.tap(VERA, energy, "3")
        message = await h.tap(VERA, message, "Nee")
        message = await h.tap(VERA, message, "Nee")
        message = await h.tap(VERA, message, "Nee")
        [done] = await h.send(VERA, "Het was een fijne week met C-12.")
        assert "Deze maand 6 van de 17" in done.text


async def test_beyond_my_role_offers_backup_and_alerts_the_professional(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        [prompt] = await h.send(VERA, "/checkin")
        offer = await answer_checkin(h, prompt, role="Ja")
        assert "Wil je dat je beroepskracht dit met je oppakt?" in offer.text
        assert offer.button_texts() == ["Vraag backup", "Nu niet"]
        await h.tap(VERA, offer, "Vraag backup")
        assert "Over wie gaat het?" in h.texts(VERA)[-1]
        alerts = [m for m in h.api.messages(PIET.id) if "Check-in van Vera" in m.text]
        assert len(alerts) == 1 and "buiten de rol" in alerts[0].text
        # The volunteer is never shown the alert or a score.
        assert not any("Check-in van" in t for t in h.texts(VERA))


async def test_overload_raises_one_alert_and_not_again_while_open(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        anna = await h.services.people.get(ids["Anna"])
        assert anna is not None
        await h.services.people.set_agreement(anna, volunteer_id=ids["Vera"], hours_per_week=2, contact_times="")
        await h.settle()
        for _ in range(3):
            [prompt] = await h.send(VERA, "/checkin")
            await answer_checkin(h, prompt, hours="5-8")
            h.clock.advance(timedelta(days=7))
        alerts = [m for m in h.api.messages(PIET.id) if "Check-in van Vera" in m.text]
        assert len(alerts) == 1
        assert "• 6,5 uur deze week, afgesproken 2" in alerts[0].text


async def test_quiet_hours_and_pause_are_respected(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await create_monday_schedule(h, clock="22:30")
        await h.advance(timedelta(hours=12, minutes=30))  # Monday 22:30 local
        assert prompts(h, VERA) == []
        await h.advance(timedelta(hours=9, minutes=29))  # Tuesday 07:59
        assert prompts(h, VERA) == []
        await h.advance(timedelta(minutes=1))  # 08:00: quiet hours over
        assert len(prompts(h, VERA)) == 1
        [paused] = await h.send(VERA, "/pause")
        assert "pauze" in paused.text
        await h.advance(timedelta(days=7))
        assert len(prompts(h, VERA)) == 1  # no prompt while paused
        [resumed] = await h.send(VERA, "/resume")
        assert "weer aan" in resumed.text


async def test_fan_out_to_500_volunteers_survives_a_restart_without_duplicates(tmp_path: Path) -> None:
    api = FaultyBotApi()
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    volunteers = [FakeUser(id=50_000 + i, first_name=f"V{i}") for i in range(500)]
    async with api:
        async with running_bot(tmp_path, api=api, clock=clock) as h:
            ids = await seed_organisation(h)
            people = h.services.people
            for user in volunteers:
                api.register_user(user)
                issued = await people.create_invite(by=None, role=Role.VOLUNTEER, name=user.first_name, team_id=None)
                await people.redeem(telegram_id=user.id, language_code="nl", code=issued.code)
            anna = await people.get(ids["Anna"])
            await h.services.checkins.add_schedule(
                anna, audience="everyone", weekdays=frozenset({0}), local_time=time(19, 0)
            )
            # Stop delivery half-way: the bot is "killed" after the fan-out committed, mid-sending.
            clock.set(datetime(2026, 11, 23, 18, 0, tzinfo=UTC))
            delivery = h.services.delivery
            await delivery.stop()
            await h.services.scheduler.tick()
            await delivery.run_once()  # one batch goes out, then the crash
        async with running_bot(tmp_path, api=api, clock=clock) as h:
            for _ in range(200):
                if all(any("even inchecken" in m.text for m in api.messages(u.id)) for u in volunteers):
                    break
                await h.settle()
            await h.services.scheduler.tick()  # a second tick for the same occurrence changes nothing
            await h.settle()
    counts = [sum("even inchecken" in m.text for m in api.messages(u.id)) for u in volunteers]
    assert counts == [1] * 500, {c: counts.count(c) for c in set(counts)}


async def test_an_early_answer_counts_for_the_next_occurrence(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await create_monday_schedule(h)  # Monday 19:00; it is Monday 10:00 now
        [prompt] = await h.send(VERA, "/checkin")
        await answer_checkin(h, prompt)
        before = len(prompts(h, VERA))
        await h.advance(timedelta(hours=9))  # 19:00: already answered today, no prompt
        assert len(prompts(h, VERA)) == before
        await h.advance(timedelta(days=7))  # the week after: prompted again
        assert len(prompts(h, VERA)) == before + 1


async def test_an_occurrence_missed_while_down_is_sent_on_start_if_still_open(tmp_path: Path) -> None:
    api = FaultyBotApi()
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    async with api:
        async with running_bot(tmp_path, api=api, clock=clock) as h:
            await seed_organisation(h)
            await create_monday_schedule(h)
        clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))  # down over Monday 19:00; open until Thursday
        async with running_bot(tmp_path, api=api, clock=clock) as h:
            for _ in range(100):
                if prompts(h, VERA):
                    break
                await h.settle()
            assert len(prompts(h, VERA)) == 1
