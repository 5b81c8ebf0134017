"""End to end through the fake Bot API: strangers, invites, the coordinator's tools, help, groups."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta
from pathlib import Path

from bot.sandbox.state import FakeUser, SentMessage
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.harness import Harness, running_bot
from tests.support.processes import cli, invite_code

ANNA = FakeUser(id=1001, first_name="Anna", language_code="nl")
PIET = FakeUser(id=1002, first_name="Piet", language_code="nl")
FATIMA = FakeUser(id=1003, first_name="Fatima", language_code="nl")
VERA = FakeUser(id=1004, first_name="Vera", language_code="nl")
STRANGER = FakeUser(id=6666, first_name="Onbekend", username="nieuwsgierig", language_code="nl")


def _has_token(text: str, needle: object) -> bool:
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(str(needle))}(?![0-9A-Za-z])", text) is not None


def rows_mentioning(db_path: Path, *needles: object) -> list[tuple[str, tuple[object, ...]]]:
    """Every row in every table that contains one of the needles (as value or inside text)."""
    found: list[tuple[str, tuple[object, ...]]] = []
    conn = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):
                for value in row:
                    # Inside text as a whole token: a random invite hash may well contain "6666".
                    if any(value == n or (isinstance(value, str) and _has_token(value, n)) for n in needles):
                        found.append((table, row))
                        break
    finally:
        conn.close()
    return found


async def join(h: Harness, user: FakeUser, code: str) -> list[SentMessage]:
    return await h.send(user, f"/start {code}")


async def invite_in_bot(h: Harness, coordinator: FakeUser, role_label: str, name: str, team_label: str) -> str:
    """The coordinator's /invite flow, returning the code from the link."""
    [ask_role] = await h.send(coordinator, "/invite")
    assert ask_role.button_texts()[:3] == ["Vrijwilliger", "Beroepskracht", "Coördinator"]
    ask_name = await h.tap(coordinator, ask_role, role_label)
    assert "Hoe heet" in ask_name.text
    [ask_team] = await h.send(coordinator, name)
    assert f"In welk team zit {name}?" in ask_team.text
    if team_label.startswith("new:"):
        ask_team_name = await h.tap(coordinator, ask_team, "Nieuw team")
        assert "Hoe heet het nieuwe team" in ask_team_name.text
        [created] = await h.send(coordinator, team_label.removeprefix("new:"))
    else:
        created = await h.tap(coordinator, ask_team, team_label)
    assert "https://t.me/samenspel_test_bot?start=" in created.text, created.text
    return created.text.split("?start=")[1].split()[0]


async def test_a_stranger_learns_nothing_and_nothing_is_stored(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        [answer] = await h.send(STRANGER, "Hallo, wie ben jij?")
        assert "vrijwilligers en beroepskrachten van Buurtteam Overvecht" in answer.text
        assert "uitnodigingslink" in answer.text
        [again] = await h.send(STRANGER, "/help")
        assert again.text == answer.text
        [bad_code] = await h.send(STRANGER, "/start nietbestaandecode123")
        assert "ken ik niet" in bad_code.text
        [weird] = await h.send(STRANGER, "/start <b>&amp;")
        assert "ken ik niet" in weird.text
        update_id = await h.tap_data(STRANGER, None, "asg:b:none")
        answered = h.api.callback_answer_for(update_id)
        assert answered is not None and "Buurtteam Overvecht" in answered.get("text", "")
        h.api.send_photo(STRANGER)
        await h.settle()
        assert len(h.api.messages(STRANGER.id)) == 5  # a photo gets the same one polite answer
        english = FakeUser(id=6667, first_name="Visitor", language_code="en-GB")
        [answer_en] = await h.send(english, "hello")
        assert "This bot serves the volunteers and professionals of Buurtteam Overvecht" in answer_en.text
    assert rows_mentioning(tmp_path / "samenspel.db", STRANGER.id, "nieuwsgierig", "Onbekend", 6667) == []


async def test_coordinator_invites_assigns_links_and_sets_agreement(tmp_path: Path) -> None:
    api = FaultyBotApi()
    async with api:
        db_path = tmp_path / "samenspel.db"
        output = await cli(api, db_path, "invite", "--role", "coordinator", "--name", "Anna")
        assert "https://t.me/samenspel_test_bot?start=" in output
        async with running_bot(tmp_path, api=api) as h:
            [welcome] = await join(h, ANNA, invite_code(output))
            assert "Welkom bij Buurtteam Overvecht, Anna!" in welcome.text
            assert "coördinator" in welcome.text and "/invite" in welcome.text and "/agreement" in welcome.text

            piet_code = await invite_in_bot(h, ANNA, "Beroepskracht", "Piet", "new:Buurtteam Overvecht")
            [piet_welcome] = await join(h, PIET, piet_code)
            assert "Je bent aangemeld als beroepskracht" in piet_welcome.text
            assert "/invite" not in piet_welcome.text
            assert any("Piet heeft de uitnodiging geaccepteerd" in t for t in h.texts(ANNA))

            fatima_code = await invite_in_bot(h, ANNA, "Beroepskracht", "Fatima", "Buurtteam Overvecht")
            await join(h, FATIMA, fatima_code)
            vera_code = await invite_in_bot(h, ANNA, "Vrijwilliger", "Vera", "Geen team")
            [vera_welcome] = await join(h, VERA, vera_code)
            assert "vrijwilliger" in vera_welcome.text

            # A reused code is refused and stores nothing about the second person.
            [reused] = await join(h, STRANGER, vera_code)
            assert "al gebruikt" in reused.text

            # /assign: Vera -> Piet, Fatima as backup.
            [pick_volunteer] = await h.send(ANNA, "/assign")
            pick_pro = await h.tap(ANNA, pick_volunteer, "Vera")
            assert "Welke beroepskracht is verantwoordelijk voor Vera?" in pick_pro.text
            pick_backup = await h.tap(ANNA, pick_pro, "Piet")
            assert "Fatima" in pick_backup.button_texts() and "Piet" not in pick_backup.button_texts()
            done = await h.tap(ANNA, pick_backup, "Fatima")
            assert "Piet is verantwoordelijk voor Vera, met Fatima als backup" in done.text
            assert any("Je bent nu de beroepskracht van vrijwilliger Vera" in t for t in h.texts(PIET))
            assert any("Je bent nu backup voor vrijwilliger Vera" in t for t in h.texts(FATIMA))
            assert any("Piet is vanaf nu je beroepskracht" in t for t in h.texts(VERA))

            # /link: Vera helps C-12; a full name is refused as an alias.
            [pick_volunteer] = await h.send(ANNA, "/link")
            ask_alias = await h.tap(ANNA, pick_volunteer, "Vera")
            assert "Gebruik nooit een volledige naam" in ask_alias.text
            [refused] = await h.send(ANNA, "Jannie Smit")
            assert "lijkt op een volledige naam" in refused.text
            [pick_link_pro] = await h.send(ANNA, "C-12")
            assert "Zelfde als vrijwilliger (Piet)" in pick_link_pro.button_texts()
            linked = await h.tap(ANNA, pick_link_pro, "Zelfde als vrijwilliger")
            assert "Vera helpt C-12. Verantwoordelijk: Piet." in linked.text
            assert any("gekoppeld aan cliënt C-12" in t for t in h.texts(VERA))

            # /agreement: bad input gets a clear answer and changes nothing.
            [pick_volunteer] = await h.send(ANNA, "/agreement")
            ask_hours = await h.tap(ANNA, pick_volunteer, "Vera")
            assert "Hoeveel uur per week" in ask_hours.text
            [bad_hours] = await h.send(ANNA, "veel")
            assert "Typ een getal van 0 tot 60" in bad_hours.text
            [ask_contact] = await h.send(ANNA, "4,5")
            assert "Wanneer mogen cliënten Vera benaderen?" in ask_contact.text
            [agreed] = await h.send(ANNA, "di en do 10-16 uur")
            assert "Vera — 4,5 uur per week; contact: di en do 10-16 uur." in agreed.text
            assert any("4,5 uur per week" in t for t in h.texts(VERA))

            [people_list] = await h.send(ANNA, "/people")
            assert "Zonder team (1)\n• Vera — beroepskracht: Piet, backup: Fatima, 4,5 u/week, cliënten: C-12" in (
                people_list.text
            )
            assert "Piet (Buurtteam Overvecht)" in people_list.text
            assert "Anna (zonder team)" in people_list.text

            # Each person sees their own /help, and their own command menu.
            [vera_help] = await h.send(VERA, "/help")
            assert "/invite" not in vera_help.text and "/language" in vera_help.text
            [anna_help] = await h.send(ANNA, "/help")
            assert "/assign" in anna_help.text
            anna_menu = h.api.commands[f"chat:{ANNA.id}:"]
            assert [c["command"] for c in anna_menu][:3] == ["open", "invite", "people"]
            vera_menu = h.api.commands[f"chat:{VERA.id}:"]
            assert "invite" not in [c["command"] for c in vera_menu]

            # A volunteer cannot use coordinator tools, by command or by a crafted button.
            [no] = await h.send(VERA, "/invite")
            assert "dit is voor coördinatoren" in no.text
            before = h.api.messages(VERA.id)
            update_id = await h.tap_data(VERA, before[-1], "asg:b:none")
            answer = h.api.callback_answer_for(update_id)
            assert answer is not None and "coördinatoren" in answer.get("text", "")
            # A coordinator's stale button from a finished flow changes nothing.
            update_id = await h.tap_data(ANNA, done, "asg:b:3")
            answer = h.api.callback_answer_for(update_id)
            assert answer is not None and "niet meer geldig" in answer.get("text", "")

        stored = rows_mentioning(db_path, STRANGER.id)
        assert stored == []


async def test_language_cancel_group_and_removal(tmp_path: Path) -> None:
    api = FaultyBotApi()
    async with api:
        db_path = tmp_path / "samenspel.db"
        output = await cli(api, db_path, "invite", "--role", "coordinator", "--name", "Anna")
        async with running_bot(tmp_path, api=api) as h:
            await join(h, ANNA, invite_code(output))
            vera_code = await invite_in_bot(h, ANNA, "Vrijwilliger", "Vera", "Geen team")
            english = FakeUser(id=VERA.id, first_name="Vera", language_code="en")
            [welcome] = await join(h, english, vera_code)
            assert "Welcome to Buurtteam Overvecht, Vera!" in welcome.text  # phone language decides first
            [ask] = await h.send(VERA, "/language")
            chosen = await h.tap(VERA, ask, "Nederlands")
            assert chosen.text == "Ik praat voortaan Nederlands met je."
            descriptions = [c["description"] for c in h.api.commands[f"chat:{VERA.id}:"]]
            assert (
                "Stoppen met wat je nu doet" in descriptions
                and descriptions[-1] == "Je gegevens laten wissen en stoppen"
            )

            # /cancel leaves a flow cleanly; typed text afterwards is not taken as a name.
            await h.send(ANNA, "/invite")
            [stopped] = await h.send(ANNA, "/cancel")
            assert "Gestopt" in stopped.text
            [confused] = await h.send(ANNA, "Piet")
            assert "/help" in confused.text
            [nothing] = await h.send(ANNA, "/cancel")
            assert "niets om te stoppen" in nothing.text
            [unknown] = await h.send(ANNA, "/bestaatniet")
            assert "commando ken ik niet" in unknown.text
            h.api.send_sticker(ANNA)
            await h.settle()
            assert "stickers" in h.last(ANNA).text

            # Groups: one answer that the bot works in private, then silence.
            h.api.send_group_text(ANNA, -5001, "/help")
            await h.settle()
            h.api.send_group_text(ANNA, -5001, "/invite")
            await h.settle()
            group = h.api.messages(-5001)
            assert [m.text for m in group] == ["Ik werk alleen in een privégesprek. Stuur me daar een bericht."]

            # An invite that is not used within its validity expires.
            code = await invite_in_bot(h, ANNA, "Vrijwilliger", "Kees", "Geen team")
            h.clock.advance(timedelta(days=7, minutes=1))
            [expired] = await join(h, FakeUser(id=1010, first_name="Kees"), code)
            assert "ken ik niet" in expired.text  # an expired code is answered as an unknown one

            # Removal: the removed person is treated as unknown from then on.
            [pick] = await h.send(ANNA, "/remove")
            confirm = await h.tap(ANNA, pick, "Vera")
            assert "Weet je het zeker?" in confirm.text
            removed = await h.tap(ANNA, confirm, "Ja, afmelden")
            assert removed.text == "Vera is afgemeld."
            assert any("Je bent afgemeld bij Buurtteam Overvecht" in t for t in h.texts(VERA)), h.texts(VERA)
            [stranger] = await h.send(VERA, "/help")
            assert "uitnodigingslink" in stranger.text
            assert f"chat:{VERA.id}:" not in h.api.commands
