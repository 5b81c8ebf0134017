"""Issue 12, items 6 and 10 for check-ins and visits, through the fake Bot API with the fake clock.

A check-in question answered elsewhere loses its buttons on every copy (prompt, reminder); so does one that
closed unanswered. A visit's "Alles goed?" loses them once answered, ended with /done or escalated, and the
notice of the alert once the visit ends. An old button (an old client, a slow edit) says what became of it.
Typed hours out of range get the range.
"""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

from bot.domain.visits import VisitState
from bot.sandbox.state import SentMessage
from tests.support.harness import PIET, VERA, Harness, prompts, running_bot, seed_organisation, start_visit, the_visit

PROMPT = "Hoi Vera, even inchecken. Hoeveel uur was je bezig als vrijwilliger sinds de vorige keer?\n"
PROMPT += "Tik een knop, of typ een getal."
REMINDER = "Hoi Vera, je check-in staat nog open. Het duurt minder dan een minuut. Hoeveel uur was je bezig?"
ANSWERED_HERE = "\n\nDeze vraag heb je al beantwoord."
CLOSED_HERE = "\n\nDeze check-in is gesloten. Inchecken kan altijd met /checkin."


def now_as(h: Harness, message: SentMessage) -> SentMessage:
    """The message as the chat shows it now (edited or not)."""
    return next(m for m in h.api.messages(message.chat_id) if m.message_id == message.message_id)


def with_buttons(h: Harness) -> list[str]:
    """Vera's messages that still carry buttons, by their first line."""
    return [m.text.split("\n")[0] for m in h.api.messages(VERA.id) if m.buttons()]


async def press_old(h: Harness, message: SentMessage, label: str) -> str:
    """Press a button the message had when it arrived (an old client still shows it); the toast."""
    update_id = h.api.press_data(VERA, message, dict(message.buttons())[label])
    await h.settle()
    answer = h.api.callback_answer_for(update_id)
    assert answer is not None
    return str(answer.get("text", ""))


async def monday_1900_check_ins(h: Harness, ids: dict[str, int]) -> None:
    anna = await h.services.people.get(ids["Anna"])
    assert anna is not None
    await h.services.checkins.add_schedule(anna, audience="everyone", weekdays=frozenset({0}), local_time=time(19, 0))


async def prompted_at_1900(h: Harness) -> SentMessage:
    """Vera's Monday 19:00 check-in prompt (the bot seeded at Monday 10:00)."""
    ids = await seed_organisation(h)
    await monday_1900_check_ins(h, ids)
    await h.advance(timedelta(hours=9))
    [prompt] = [m for m in h.api.messages(VERA.id) if m.text == PROMPT]
    return prompt


async def asked_all_good(h: Harness) -> SentMessage:
    """A visit of an hour from 10:00; its "Alles goed?" at 11:00."""
    await seed_organisation(h)
    await start_visit(h)
    await h.advance(timedelta(minutes=60))
    [prompt] = prompts(h)
    return prompt


async def hours_of_latest_checkin(h: Harness) -> float | None:
    async with h.services.db.transaction() as tx:
        value = await tx.scalar("SELECT hours FROM checkins ORDER BY id DESC LIMIT 1")
    return None if value is None else float(value)


# --- check-ins ------------------------------------------------------------------------------------


async def test_answered_on_the_reminder_the_prompt_loses_its_buttons(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        prompt = await prompted_at_1900(h)
        await h.advance(timedelta(hours=24))  # Tuesday 19:00
        reminder = h.api.last(VERA.id)
        assert reminder.text == REMINDER and "meer dan 12" in reminder.button_texts()
        question = await h.tap(VERA, reminder, "3-4")
        assert question.message_id == reminder.message_id and "Hoeveel energie" in question.text
        assert now_as(h, prompt).text == PROMPT + ANSWERED_HERE and now_as(h, prompt).buttons() == []
        # The prompt's hours, pressed anyway: they say the question was answered, and change nothing.
        toast = await press_old(h, prompt, "1-2")
        assert toast == "Deze vraag heb je al beantwoord. Ga verder bij de laatste vraag in dit gesprek."
        assert await hours_of_latest_checkin(h) == 3.5
        for label in ("4", "Nee", "Nee", "Nee", "Nee, klaar"):
            question = await h.tap(VERA, question, label)
        assert question.text.startswith("Dank je wel, Vera!")
        assert await press_old(h, prompt, "1-2") == "Deze check-in heb je al ingevuld. Dank je wel!"
        assert await press_old(h, reminder, "0") == "Deze check-in heb je al ingevuld. Dank je wel!"
        assert await hours_of_latest_checkin(h) == 3.5 and with_buttons(h) == []


async def test_answered_with_checkin_the_prompt_loses_its_buttons_and_no_reminder_follows(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        prompt = await prompted_at_1900(h)
        h.clock.advance(timedelta(minutes=5))
        [question] = await h.send(VERA, "/checkin")
        assert prompt.buttons() and now_as(h, prompt).buttons()  # only /checkin so far: nothing answered
        # Typed hours: out of range gets the range, nonsense a plain "type a number"; neither counts.
        [too_many] = await h.send(VERA, "1000 uur")
        assert too_many.text == (
            "Dat aantal kan niet kloppen: typ een aantal uren van 0 tot 100, bijvoorbeeld 3 of 2,5. Of tik een knop."
        )
        [nonsense] = await h.send(VERA, "veel")
        assert nonsense.text == "Typ een getal, bijvoorbeeld 3 of 2,5. Of tik een knop."
        assert now_as(h, prompt).buttons()
        [energy] = await h.send(VERA, "2,5")
        assert "Hoeveel energie" in energy.text
        assert now_as(h, prompt).text == PROMPT + ANSWERED_HERE and now_as(h, prompt).buttons() == []
        assert now_as(h, question).buttons()  # the /checkin question was the one answered: left as it is
        await h.advance(timedelta(hours=25))
        assert REMINDER not in h.texts(VERA)


async def test_a_check_in_that_closes_unanswered_takes_the_buttons_of_every_copy(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        prompt = await prompted_at_1900(h)
        await h.advance(timedelta(hours=24))
        reminder = h.api.last(VERA.id)
        assert reminder.text == REMINDER
        await h.advance(timedelta(hours=48))  # Thursday 19:00: closed, missed
        assert now_as(h, prompt).text == PROMPT + CLOSED_HERE and now_as(h, prompt).buttons() == []
        assert now_as(h, reminder).text == REMINDER + CLOSED_HERE and now_as(h, reminder).buttons() == []
        toast = await press_old(h, reminder, "3-4")
        assert toast == "Deze check-in is al afgesloten. Met /checkin kun je opnieuw inchecken."
        assert await hours_of_latest_checkin(h) is None and with_buttons(h) == []


# --- visits ---------------------------------------------------------------------------------------


async def test_done_takes_the_buttons_of_the_question_and_old_ones_say_the_visit_is_over(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        prompt = await asked_all_good(h)
        assert prompt.button_texts() == ["Alles goed, klaar", "30 min langer", "Ik heb hulp nodig"]
        h.clock.advance(timedelta(minutes=2))
        [done] = await h.send(VERA, "/done")
        assert done.text == "🟢 Fijn, Vera! Het bezoek is afgerond. Dank je wel."
        await h.settle()
        assert now_as(h, prompt).text == prompt.text + "\n\n🟢 Het bezoek is afgerond (11:02)."
        assert now_as(h, prompt).buttons() == []
        assert await press_old(h, prompt, "Alles goed, klaar") == "Dit bezoek is al afgerond. Er is niets veranderd."
        assert await press_old(h, prompt, "Ik heb hulp nodig") == (
            "Dit bezoek is al afgerond. Hulp nodig? Stuur /backup. Ben je in gevaar? Bel 112."
        )
        assert (await the_visit(h)).state is VisitState.DONE and with_buttons(h) == []


async def test_a_question_answered_with_longer_says_so_when_pressed_again(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        prompt = await asked_all_good(h)
        extended = await h.tap(VERA, prompt, "30 min langer")
        assert extended.message_id == prompt.message_id and extended.buttons() == []
        assert extended.text.startswith("Prima, 30 minuten langer. Om 11:30 vraag ik het opnieuw.")
        toast = await press_old(h, prompt, "30 min langer")
        assert toast == "Deze vraag is al beantwoord. Je bezoek loopt tot 11:30; dan vraag ik het opnieuw."
        assert (await the_visit(h)).state is VisitState.RUNNING
        await h.advance(timedelta(minutes=30))
        second = h.api.last(VERA.id)
        assert second.text.startswith("Alles goed, Vera?")
        assert await press_old(h, prompt, "30 min langer") == "Er staat een nieuwere vraag hieronder; antwoord daar."
        done = await h.tap(VERA, second, "Alles goed, klaar")
        assert (
            done.message_id == second.message_id and done.text == "🟢 Fijn, Vera! Het bezoek is afgerond. Dank je wel."
        )
        assert with_buttons(h) == []


async def test_an_alerted_visit_moves_the_buttons_to_the_notice_and_done_takes_them(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        prompt = await asked_all_good(h)
        await h.advance(timedelta(minutes=10))  # 11:10: no answer, Piet alerted
        notice = h.api.last(VERA.id)
        assert notice.text.startswith("🔴 Ik hoorde niets van je, daarom heb ik Piet gewaarschuwd.")
        assert notice.button_texts() == ["Alles goed, klaar", "Ik heb hulp nodig"]
        assert now_as(h, prompt).text == prompt.text + "\n\nGeen antwoord op tijd (11:10); zie het bericht hieronder."
        assert now_as(h, prompt).buttons() == []
        h.clock.advance(timedelta(minutes=3))
        [done] = await h.send(VERA, "/done")
        assert done.text == "🟢 Fijn dat alles goed is, Vera. Ik laat Piet weten dat het goed gaat. Dank je wel."
        await h.settle()
        assert now_as(h, notice).text == notice.text + "\n\n🟢 Het bezoek is afgerond (11:13)."
        assert now_as(h, notice).buttons() == [] and with_buttons(h) == []
        assert h.texts(PIET)[-1] == "🟢 Vera meldt zich alsnog: alles goed na het bezoek aan C-12 (11:13)."
        assert await press_old(h, notice, "Alles goed, klaar") == "Dit bezoek is al afgerond. Er is niets veranderd."


async def test_help_from_the_notice_leaves_no_live_buttons(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await asked_all_good(h)
        await h.advance(timedelta(minutes=10))  # alerted at 11:10
        notice = h.api.last(VERA.id)
        assert notice.text.startswith("🔴 Ik hoorde niets van je") and notice.buttons()
        helped = await h.tap(VERA, notice, "Ik heb hulp nodig")
        assert helped.message_id == notice.message_id and helped.text.startswith("🔴 Ik heb Piet gewaarschuwd.")
        assert (await the_visit(h)).state is VisitState.HELP and with_buttons(h) == []


async def test_help_from_an_earlier_question_takes_the_buttons_of_the_current_one(tmp_path: Path) -> None:
    """Help holds for the whole visit, whichever question it sits under: pressed under the first question,
    the flow edits that one, and the question that is live now loses its buttons."""
    async with running_bot(tmp_path) as h:
        first = await asked_all_good(h)
        await h.tap(VERA, first, "30 min langer")
        await h.advance(timedelta(minutes=30))  # 11:30: the second question
        second = h.api.last(VERA.id)
        assert second.text.startswith("Alles goed, Vera?") and second.buttons()
        h.clock.advance(timedelta(minutes=1))
        update_id = h.api.press_data(VERA, first, dict(first.buttons())["Ik heb hulp nodig"])
        await h.settle()
        assert h.api.callback_answer_for(update_id) is not None
        assert now_as(h, first).text.startswith("🔴 Ik heb Piet gewaarschuwd.")
        assert now_as(h, second).text == second.text + "\n\n🔴 Je vroeg om hulp (11:31)."
        assert (await the_visit(h)).state is VisitState.HELP and with_buttons(h) == []
