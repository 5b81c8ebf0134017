"""The visit safety timer through the fake Bot API with a controllable clock (10:00 in Amsterdam)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from bot.domain.models import Role
from bot.domain.visits import VisitState
from bot.sandbox.state import FakeUser, SentMessage
from storage import audit
from tests.support.clock import FakeClock
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.harness import (
    ANNA,
    FATIMA,
    KEES,
    PIET,
    START,
    VERA,
    Harness,
    prompts,
    running_bot,
    seed_organisation,
    start_visit,
    the_visit,
)

TOM = FakeUser(id=1006, first_name="Tom")  # another volunteer


def visit_alerts(h: Harness, user: FakeUser) -> list[SentMessage]:
    return [m for m in h.api.messages(user.id) if "bezoekmelding van Vera" in m.text]


async def questions(h: Harness) -> int:
    """How many "all good?" questions went out (answered ones are edited, so count the outbox)."""
    async with h.services.db.transaction() as tx:
        return int(await tx.scalar("SELECT COUNT(*) FROM outbox WHERE purpose = 'visit.prompt'"))


async def escalation_count(h: Harness) -> int:
    async with h.services.db.transaction() as tx:
        return int(await tx.scalar("SELECT COUNT(*) FROM escalations"))


async def test_all_good_at_the_end_ends_the_visit_without_an_alert(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        started = await start_visit(h)
        assert started.text == "Veel succes! Om 11:00 vraag ik of alles goed is. Klaar eerder? Stuur /done."
        assert started.button_texts() == []
        await h.advance(timedelta(minutes=59))
        assert prompts(h) == []
        await h.advance(timedelta(minutes=1))
        [prompt] = prompts(h)
        assert "binnen 10 minuten" in prompt.text
        assert prompt.button_texts() == ["Alles goed, klaar", "30 min langer", "Ik heb hulp nodig"]
        done = await h.tap(VERA, prompt, "Alles goed, klaar")
        assert done.text == "🟢 Fijn, Vera! Het bezoek is afgerond. Dank je wel."
        assert done.button_texts() == []
        await h.advance(timedelta(minutes=30))
        assert await questions(h) == 1 and visit_alerts(h, PIET) == []
        assert await escalation_count(h) == 0
        visit = await the_visit(h)
        assert visit.state is VisitState.DONE
        async with h.services.db.transaction() as tx:
            events = [e.event for e in await audit.for_subject(tx, "visit", visit.id)]
        assert events == ["visit.started", "visit.asked", "visit.done"]
        # A second tap on the same button (a double tap, a second device) changes nothing.
        update_id = h.api.press_data(VERA, prompt, f"vis:ok:{visit.id}:1")
        await h.settle()
        answer = h.api.callback_answer_for(update_id)
        assert answer is not None and "al afgerond" in answer.get("text", "")


async def test_typed_duration_and_what_is_not_understood(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        [ask_client] = await h.send(VERA, "/visit")
        [use_buttons] = await h.send(VERA, "45")
        assert "knoppen" in use_buttons.text
        await h.tap(VERA, ask_client, "Geen specifieke cliënt")
        for nonsense in ("straks", "1,5", "0", "12 uur"):
            [refused] = await h.send(VERA, nonsense)
            assert refused.text.startswith("Typ het aantal minuten, bijvoorbeeld 45.")
            assert refused.button_texts() == ["Annuleren"]
        async with h.services.db.transaction() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM visits") == 0
        [started] = await h.send(VERA, "1,5 uur")
        assert "Om 11:30 vraag ik" in started.text
        visit = await the_visit(h)
        assert visit.minutes == 90 and visit.link_id is None and visit.client_alias is None
        # Nothing typed is stored with the visit: only the link (here none) and times.
        async with h.services.db.transaction() as tx:
            row = await tx.one("SELECT * FROM visits WHERE id = ?", (visit.id,))
        assert row is not None
        texts = [value for value in tuple(row) if isinstance(value, str) and value != row["state"]]
        assert texts and all(datetime.fromisoformat(value).tzinfo is not None for value in texts)


async def test_thirty_minutes_longer_asks_again_later(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await start_visit(h, duration="30 min")
        await h.advance(timedelta(minutes=30))
        [first] = prompts(h)
        h.clock.advance(timedelta(minutes=4))  # answers at 10:34
        extended = await h.tap(VERA, first, "30 min langer")
        assert extended.text == "Prima, 30 minuten langer. Om 11:04 vraag ik het opnieuw. Klaar eerder? Stuur /done."
        # The old question cannot extend twice.
        update_id = h.api.press_data(VERA, first, f"vis:more:{(await the_visit(h)).id}:1")
        await h.settle()
        assert h.api.callback_answer_for(update_id) is not None
        assert (await the_visit(h)).ends_at == START + timedelta(minutes=64)
        # Past the first answer deadline: no alert, the timer now runs to 11:04.
        await h.advance(timedelta(minutes=25))
        assert await questions(h) == 1 and visit_alerts(h, PIET) == []
        await h.advance(timedelta(minutes=5))
        assert await questions(h) == 2 and len(prompts(h)) == 1
        [finished] = await h.send(VERA, "/done")
        assert "Het bezoek is afgerond" in finished.text
        await h.advance(timedelta(minutes=30))
        assert visit_alerts(h, PIET) == [] and await escalation_count(h) == 0


async def test_no_answer_alerts_the_professional_once(tmp_path: Path, storage_url: str | None) -> None:
    async with running_bot(tmp_path, storage_url=storage_url) as h:
        await seed_organisation(h)
        await start_visit(h)
        await h.advance(timedelta(minutes=60))
        [prompt] = prompts(h)
        await h.advance(timedelta(minutes=9))
        assert visit_alerts(h, PIET) == []
        await h.advance(timedelta(minutes=1))
        [alert] = visit_alerts(h, PIET)
        assert alert.text.startswith(
            "🔴 Dringend: bezoekmelding van Vera · C-12 · Geen reactie na bezoek · vandaag 11:10"
        )
        assert "Het bezoek van Vera aan C-12 had om 11:00 klaar moeten zijn. Geen reactie" in alert.text
        assert alert.button_texts() == ["Ik pak het op", "Overdragen", "Afronden"]
        assert visit_alerts(h, FATIMA) == [] and visit_alerts(h, ANNA) == []
        told = h.texts(VERA)[-1]
        assert told.startswith("🔴 Ik hoorde niets van je, daarom heb ik Piet gewaarschuwd.")
        assert h.api.last(VERA.id).button_texts() == ["Alles goed, klaar", "Ik heb hulp nodig"]
        # More ticks, also at once: still one alert.
        await asyncio.gather(h.services.scheduler.tick(), h.services.visits.tick(h.clock.now()))
        await h.services.visits.tick(h.clock.now())
        await h.settle()
        assert len(visit_alerts(h, PIET)) == 1 and await escalation_count(h) == 1
        # Too late for "longer": the old question lost its buttons; pressed anyway (an old client), the button
        # says so and changes nothing.
        assert next(m for m in h.api.messages(VERA.id) if m.message_id == prompt.message_id).button_texts() == []
        update_id = h.api.press_data(VERA, prompt, dict(prompt.buttons())["30 min langer"])
        await h.settle()
        answer = h.api.callback_answer_for(update_id)
        assert answer is not None and "al gewaarschuwd" in answer.get("text", "")
        assert (await the_visit(h)).state is VisitState.OVERDUE
        # Vera answers after all: Piet hears that all is well.
        h.clock.advance(timedelta(minutes=3))
        done = await h.tap(VERA, h.api.last(VERA.id), "Alles goed, klaar")
        assert done.text == "🟢 Fijn dat alles goed is, Vera. Ik laat Piet weten dat het goed gaat. Dank je wel."
        assert h.texts(PIET)[-1] == "🟢 Vera meldt zich alsnog: alles goed na het bezoek aan C-12 (11:13)."
        assert (await the_visit(h)).state is VisitState.DONE
        # The alert is closed: it says why, loses its buttons, and no longer climbs to Fatima.
        closed = next(m for m in h.api.messages(PIET.id) if m.message_id == alert.message_id)
        assert "Afgesloten om 11:13: de vrijwilliger meldde zich alsnog" in closed.text and closed.button_texts() == []
        await h.advance(timedelta(minutes=30))
        assert visit_alerts(h, FATIMA) == []


async def test_help_alerts_at_once_and_tells_the_volunteer(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await start_visit(h, duration="2 uur")
        await h.advance(timedelta(hours=2))
        [prompt] = prompts(h)
        answer = await h.tap(VERA, prompt, "Ik heb hulp nodig")
        assert answer.text.startswith("🔴 Ik heb Piet gewaarschuwd.") and "Bel meteen 112" in answer.text
        [alert] = visit_alerts(h, PIET)
        assert alert.text.startswith(
            "🔴 Dringend: bezoekmelding van Vera · C-12 · Hulp nodig tijdens bezoek · vandaag 12:00"
        )
        assert "Vera vraagt om hulp tijdens het bezoek aan C-12 (begonnen om 10:00)." in alert.text
        assert (await the_visit(h)).state is VisitState.HELP
        # The timer has stopped: no overdue alert on top of it; a second press only points to 112.
        await h.advance(timedelta(minutes=30))
        assert len(visit_alerts(h, PIET)) == 1 and await escalation_count(h) == 1
        update_id = h.api.press_data(VERA, prompt, f"vis:help:{(await the_visit(h)).id}:1")
        await h.settle()
        toast = h.api.callback_answer_for(update_id)
        assert toast is not None and "112" in toast.get("text", "") and toast.get("show_alert")
        # Unanswered, the help alert climbs like any urgent item (here: Fatima was told after 10 min).
        assert len(visit_alerts(h, FATIMA)) == 1


async def test_done_early_and_one_visit_at_a_time(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        [nothing] = await h.send(VERA, "/done")
        assert nothing.text == "Er loopt geen bezoek. Ga je op bezoek? Stuur /visit."
        await start_visit(h)
        [second] = await h.send(VERA, "/visit")
        assert "Je hebt al een bezoek lopen (C-12, klaar om 11:00)" in second.text
        assert second.button_texts() == ["Bezoek afronden"]
        await h.advance(timedelta(minutes=20))
        ended = await h.tap(VERA, second, "Bezoek afronden")
        assert ended.text == "🟢 Fijn, Vera! Het bezoek is afgerond. Dank je wel."
        await h.advance(timedelta(hours=2))
        assert await questions(h) == 0 and await escalation_count(h) == 0
        # A new visit can start; /done ends it early.
        await start_visit(h, client="Geen specifieke cliënt", duration="30 min")
        [done] = await h.send(VERA, "/done")
        assert "Het bezoek is afgerond" in done.text
        await h.advance(timedelta(hours=1))
        assert await questions(h) == 0 and await escalation_count(h) == 0


async def test_a_restart_during_the_visit_loses_nothing(tmp_path: Path, storage_url: str | None) -> None:
    api = FaultyBotApi()
    clock = FakeClock(START)
    async with api:
        async with running_bot(tmp_path, storage_url=storage_url, api=api, clock=clock) as h:
            await seed_organisation(h)
            await start_visit(h)
        clock.advance(timedelta(minutes=45))  # down for a while, back before the end
        async with running_bot(tmp_path, storage_url=storage_url, api=api, clock=clock) as h:
            await h.advance(timedelta(minutes=14))
            assert prompts(h) == []
            await h.advance(timedelta(minutes=1))
            assert len(prompts(h)) == 1  # at 11:00, as promised
        clock.advance(timedelta(minutes=20))  # down again, past the answer deadline
        async with running_bot(tmp_path, storage_url=storage_url, api=api, clock=clock) as h:
            # No advance(): the JobQueue's first tick at start-up raises the alert.
            for _ in range(100):
                if visit_alerts(h, PIET):
                    break
                await asyncio.sleep(0.05)
            await h.settle()
            [alert] = visit_alerts(h, PIET)
            assert "had om 11:00 klaar moeten zijn" in alert.text
            await h.advance(timedelta(minutes=1))
            assert len(visit_alerts(h, PIET)) == 1 and await questions(h) == 1


async def test_down_past_the_end_the_question_comes_first(tmp_path: Path) -> None:
    api = FaultyBotApi()
    clock = FakeClock(START)
    async with api:
        async with running_bot(tmp_path, api=api, clock=clock) as h:
            await seed_organisation(h)
            await start_visit(h, duration="30 min")
        clock.advance(timedelta(hours=1))  # the end and its grace period passed while down
        async with running_bot(tmp_path, api=api, clock=clock) as h:
            for _ in range(100):
                if prompts(h):
                    break
                await asyncio.sleep(0.05)
            await h.settle()
            # Asked late, so Vera gets her ten minutes to answer before Piet is alerted.
            assert len(prompts(h)) == 1 and visit_alerts(h, PIET) == []
            await h.advance(timedelta(minutes=10))
            assert len(visit_alerts(h, PIET)) == 1


async def test_forged_and_foreign_buttons_change_nothing(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        h.api.register_user(TOM)
        issued = await h.services.people.create_invite(by=None, role=Role.VOLUNTEER, name="Tom", team_id=None)
        await h.services.people.redeem(telegram_id=TOM.id, language_code="nl", code=issued.code)
        await start_visit(h)
        await h.advance(timedelta(minutes=60))
        visit = await the_visit(h)
        before = len(h.api.messages(VERA.id))
        for user, data in (
            (TOM, f"vis:ok:{visit.id}:1"),  # another volunteer
            (TOM, f"vis:help:{visit.id}:1"),
            (TOM, f"vis:end:{visit.id}"),
            (KEES, f"vis:ok:{visit.id}:1"),  # not a volunteer at all
            (VERA, f"vis:more:{visit.id}:2"),  # a question that was never asked
            (VERA, f"vis:more:{visit.id}:-1"),
            (VERA, "vis:ok:999999:1"),
            (VERA, "vis:ok:-1:1"),
            (VERA, "vis:ok:1:2:3"),
            (VERA, "vis:zz:1:1"),
            (VERA, "vis:end:abc"),
            (VERA, f"vis:c:{ids['C-12']}"),  # a flow step without the flow
            (VERA, "vis:d:7"),
            (VERA, "vis"),
        ):
            update_id = await h.tap_data(user, None, data)
            assert h.api.callback_answer_for(update_id) is not None, data
        after = await the_visit(h)
        assert after.state is VisitState.ASKED and after.ends_at == visit.ends_at and after.prompts == 1
        assert len(h.api.messages(VERA.id)) == before and await escalation_count(h) == 0
        assert not h.texts(TOM) and not visit_alerts(h, PIET)
        # In the flow, a duration that is not offered is refused too.
        [done] = await h.send(VERA, "/done")
        assert "afgerond" in done.text
        [ask_client] = await h.send(VERA, "/visit")
        ask_duration = await h.tap(VERA, ask_client, "C-12")
        update_id = await h.tap_data(VERA, ask_duration, "vis:d:7")
        assert h.api.callback_answer_for(update_id) is not None
        async with h.services.db.transaction() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM visits") == 1
