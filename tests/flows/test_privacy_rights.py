"""Subject rights and retention end to end: /mydata, /forget, a coordinator's offboarding, the daily erasure."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from bot.sandbox.state import FakeUser
from tests.support.harness import ANNA, FATIMA, PIET, VERA, Harness, running_bot, seed_organisation, send_signal

WORDS = "Ze is gevallen en durft niet meer naar buiten, koelkast is leeg."


def mentions(dump: str, number: int) -> bool:
    """As a whole number: a random invite hash may well contain the digits."""
    return re.search(rf"(?<![0-9A-Za-z]){number}(?![0-9A-Za-z])", dump) is not None


async def table_dump(h: Harness) -> str:
    """Every value in every table, as one text, to look for what must be gone."""
    parts: list[str] = []
    async with h.services.db.transaction() as tx:
        tables = [r[0] for r in await tx.all("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in await tx.all(f"SELECT * FROM {table}"):  # table names come from sqlite_master
                parts.append(f"{table}: " + " | ".join(str(v) for v in tuple(row)))
    return "\n".join(parts)


async def test_mydata_sends_everything_stored_about_the_person(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await send_signal(h)
        document, readable = await h.send(VERA, "/mydata")  # the JSON, then the same in words (issue 14)
        assert document.document is not None and document.document["file_name"].endswith(".json")
        assert "alles wat Buurtteam Overvecht" in document.text
        data = json.loads(document.document["content"])
        assert data["person"]["name"] == "Vera" and data["person"]["telegram_id"] == VERA.id
        assert data["roles"] == ["volunteer"]
        assert [c["client_alias"] for c in data["clients"]] == ["C-12"]
        assert data["reports"][0]["body"] == WORDS and data["reports"][0]["urgency"] == "urgent"
        assert data["person"]["responsible_professional"] == "Piet"
        assert any(m["text"] for m in data["messages_to_you"])
        # Piet's own export shows the report he was told about, not Vera's private details.
        piets, _ = await h.send(PIET, "/mydata")
        assert piets.document is not None
        piet = json.loads(piets.document["content"])
        assert piet["roles"] == ["professional"] and len(piet["reports_handled"]) == 1
        assert "telegram_id" not in json.dumps(piet["reports_handled"])
        # The readable summary: what is kept and how long, in counts (the words themselves are in the file).
        assert readable.text.startswith("Wat Buurtteam Overvecht over je bewaart")
        assert "Je meldingen: 1 signalen, 0 vragen om backup" in readable.text and "180 dagen" in readable.text
        assert "koelkast" not in readable.text


async def test_a_stranger_gets_no_document(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        stranger = FakeUser(id=4242, first_name="Onbekend")
        h.api.register_user(stranger)
        [answer] = await h.send(stranger, "/mydata")
        assert answer.document is None and not mentions(await table_dump(h), 4242)


async def test_forget_hands_open_reports_over_then_erases(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await send_signal(h)  # urgent: Piet has been alerted, nobody picked it up yet
        [confirm] = await h.send(VERA, "/forget")
        assert "Je gegevens wissen?" in confirm.text and "/mydata" in confirm.text
        piet_before = len(h.api.messages(PIET.id))
        done = await h.tap(VERA, confirm, "Ja, wis mijn gegevens")
        assert "je gegevens zijn gewist" in done.text and "beroepskracht: 1" in done.text
        handover = await h.api.wait_for(PIET.id, "is gestopt", after=piet_before)
        assert "Vera" in handover.text and WORDS in handover.text and "ligt nu bij jou" in handover.text
        async with h.services.db.transaction() as tx:
            state, owner, body = tuple(await tx.one("SELECT state, owner_id, body FROM escalations"))  # type: ignore[arg-type]
            piet_id = await tx.scalar("SELECT id FROM people WHERE telegram_id = ?", (PIET.id,))
        assert (state, owner, body) == ("acknowledged", piet_id, None)
        # Vera is a stranger now, and nothing of hers is left but the hand-over Piet received ...
        [answer] = await h.send(VERA, "/help")
        assert "uitnodiging" in answer.text or "Samenspel" in answer.text
        dump = await table_dump(h)
        assert not mentions(dump, VERA.id) and "Vera" not in dump.replace(handover.raw_text, "")
        # ... which the next daily run blanks once it has gone out.
        await h.advance(timedelta(days=1))
        dump = await table_dump(h)
        assert "Vera" not in dump and WORDS not in dump
        # Counts and timings stay.
        async with h.services.db.transaction() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM escalations WHERE acknowledged_at IS NOT NULL") == 1


async def test_the_last_coordinator_cannot_leave(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        [refusal] = await h.send(ANNA, "/forget")
        assert "laatste coördinator" in refusal.text and not refusal.buttons()
        assert "Anna" in await table_dump(h)


async def test_an_old_or_forged_forget_button_changes_nothing(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        [confirm] = await h.send(VERA, "/forget")
        await h.tap(VERA, confirm, "Annuleren")
        update_id = await h.tap_data(VERA, confirm, "fg:yes")
        assert "niet meer geldig" in (h.api.callback_answer_for(update_id) or {}).get("text", "")
        await h.tap_data(PIET, None, "fg:yes")
        dump = await table_dump(h)
        assert "Vera" in dump and "Piet" in dump


async def test_a_professional_leaving_sends_their_items_back_up_the_route(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await send_signal(h)
        [alert] = [m for m in h.api.messages(PIET.id) if "signaal van Vera" in m.text]
        await h.tap(PIET, alert, "Ik pak het op")
        [confirm] = await h.send(PIET, "/forget")
        fatima_before = len(h.api.messages(FATIMA.id))
        await h.tap(PIET, confirm, "Ja, wis mijn gegevens")
        await h.advance(timedelta(seconds=1))
        await h.api.wait_for(FATIMA.id, "signaal van Vera", after=fatima_before)
        async with h.services.db.transaction() as tx:  # Vera's backup holds it now, followed up as any other
            state, owner, follow_up = tuple(await tx.one("SELECT state, owner_id, follow_up_at FROM escalations"))  # type: ignore[arg-type]
            fatima_id = await tx.scalar("SELECT id FROM people WHERE telegram_id = ?", (FATIMA.id,))
        assert (state, owner) == ("acknowledged", fatima_id) and follow_up is not None


async def test_a_coordinator_offboards_someone_with_their_data(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        [ask] = await h.send(ANNA, "/remove")
        confirm = await h.tap(ANNA, ask, "Vera")
        assert "Afmelden en gegevens wissen" in confirm.button_texts()
        done = await h.tap(ANNA, confirm, "Afmelden en gegevens wissen")
        assert "Vera is afgemeld en de gegevens zijn gewist" in done.text
        goodbye = await h.api.wait_for(VERA.id, "gegevens zijn gewist")
        assert "Buurtteam Overvecht" in goodbye.text
        await h.advance(timedelta(days=1))
        dump = await table_dump(h)
        assert not mentions(dump, VERA.id) and "Vera" not in dump


async def test_retention_erases_old_free_text_and_keeps_counts(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await send_signal(h)
        [alert] = [m for m in h.api.messages(PIET.id) if "signaal van Vera" in m.text]
        await h.tap(PIET, alert, "Afronden")
        await h.send(PIET, "Ik bel haar morgen, boodschappen geregeld.")
        await h.send(VERA, "/signal")  # left half-done: a draft
        await h.advance(timedelta(days=179))
        dump = await table_dump(h)
        assert WORDS in dump and "boodschappen geregeld" in dump
        await h.advance(timedelta(days=2))
        dump = await table_dump(h)
        assert WORDS not in dump and "boodschappen geregeld" not in dump
        async with h.services.db.transaction() as tx:
            row = await tx.one("SELECT category, urgency, created_at, acknowledged_at, resolved_at FROM escalations")
            drafts = await tx.scalar("SELECT COUNT(*) FROM drafts")
            audit = await tx.scalar("SELECT detail FROM audit WHERE event = 'privacy.retention' ORDER BY id DESC")
        assert row is not None and all(value is not None for value in tuple(row))
        assert drafts == 0 and json.loads(audit)["reports"] == 1


async def test_a_checkin_comment_is_screened_before_it_is_stored(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        [prompt] = await h.send(VERA, "/checkin")
        message = await h.tap(VERA, prompt, "3-4")
        message = await h.tap(VERA, message, "3")
        for _ in range(3):
            message = await h.tap(VERA, message, "Nee")
        [warning] = await h.send(VERA, "Haar nummer is 06-12345678, ze belt me vaak.")
        assert "persoonsgegevens" in warning.text and "telefoonnummer" in warning.text
        assert "12345678" not in await table_dump(h)  # nothing stored before the choice
        ask_again = await h.tap(VERA, warning, "Aanpassen")
        assert ask_again.button_texts() == ["Nee, klaar"] and "Wil je nog iets kwijt?" in ask_again.text
        [warning] = await h.send(VERA, "Haar nummer is 06-12345678, ze belt me vaak.")
        thanks = await h.tap(VERA, warning, "Toch versturen")
        assert "Dank je wel, Vera" in thanks.text
        async with h.services.db.transaction() as tx:
            assert await tx.scalar("SELECT comment FROM checkins") == "Haar nummer is 06-12345678, ze belt me vaak."
        # The choice is made once: the same button again changes nothing.
        update_id = await h.tap_data(VERA, warning, warning.buttons()[1][1])
        assert "niet meer geldig" in (h.api.callback_answer_for(update_id) or {}).get("text", "")
