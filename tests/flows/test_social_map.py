"""The social map (issue 15) end to end: offered below a signal, sent with a reply, kept by coordinators in
the bot, browsed and searched by volunteers, and reviewed once a month."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.domain.socialmap import EntryFields
from tests.support.harness import (
    ANNA,
    PIET,
    VERA,
    Harness,
    alerts,
    report_signal,
    running_bot,
    seed_organisation,
    send_emergency,
    send_signal,
)

SCHULDHULP = EntryFields(
    name="Schuldhulp Overvecht",
    category="money",
    offer="Gratis hulp bij schulden en post op orde",
    phone="030-123 45 67",
    website="www.schuldhulp-overvecht.nl",
    address="Troosterhof 1",
    hours="ma-vr 9-17",
)


async def add(h: Harness, entry: EntryFields) -> int:
    anna = await h.services.people.identify(ANNA.id)
    assert anna is not None
    return (await h.services.socialmap.add(anna, entry)).id


async def test_a_money_signal_offers_the_debt_help_entries_below_the_confirmation(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        for n in range(1, 5):  # four fit: three are offered
            await add(h, EntryFields(name=f"Schuldhulp {n}", category="money", offer="Hulp bij schulden"))
        await add(h, EntryFields(name="Buurtkamer", category="loneliness", offer="Koffie en een praatje"))
        summary = await report_signal(h, category="Geld en schulden", urgency="Zorgelijk")
        await h.tap(VERA, summary, "Versturen")
        confirmation = next(m for m in h.api.messages(VERA.id) if m.message_id == summary.message_id)
        assert confirmation.text.startswith("Verstuurd naar Piet")
        offer = h.last(VERA)
        assert offer.message_id != summary.message_id
        assert "Schuldhulp 1" in offer.text and "Schuldhulp 3" in offer.text and "Schuldhulp 4" not in offer.text
        assert "Buurtkamer" not in offer.text and "112" not in offer.text  # no crisis lines for money
        assert "Overleg eerst met je beroepskracht" in offer.text


async def test_a_safety_signal_shows_the_national_numbers(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        sent = await send_emergency(h)
        assert sent.text.startswith("Verstuurd naar Piet, Fatima en Anna.")
        offer = h.last(VERA)
        for line in ("112 (alarmnummer)", "113 Zelfmoordpreventie", "0800-0113", "Veilig Thuis", "0800-2000"):
            assert line in offer.text
        assert "Overleg eerst met je beroepskracht" in offer.text
        # Telegram makes the number and the site tappable itself (the simulator parses like Telegram does).
        assert "https://www.113.nl" in offer.text


async def test_a_health_signal_with_nothing_on_the_map_gets_no_offer(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        sent = await send_signal(h)
        assert sent.text.startswith("Verstuurd naar Piet") and h.last(VERA).message_id == sent.message_id
        assert not [m for m in h.api.messages(VERA.id) if "Overleg eerst" in m.text]


async def test_the_own_teams_entries_come_first_and_another_wijk_is_not_offered(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        people = h.services.people
        anna = await people.get(ids["Anna"])
        assert anna is not None
        oost, west = await people.create_team(anna, "Team Oost"), await people.create_team(anna, "Team West")
        async with h.services.db.transaction() as tx:
            await tx.execute("UPDATE people SET team_id = ? WHERE id = ?", (oost.id, ids["Vera"]))
        await add(h, EntryFields(name="A stad", category="money", offer="Voor iedereen"))
        await add(h, EntryFields(name="Z oost", category="money", offer="In Oost", team_id=oost.id))
        await add(h, EntryFields(name="B west", category="money", offer="In West", team_id=west.id))
        summary = await report_signal(h, category="Geld en schulden", urgency="Zorgelijk")
        await h.tap(VERA, summary, "Versturen")
        offer = h.last(VERA).text
        assert offer.index("Z oost") < offer.index("A stad") and "B west" not in offer
        assert "Wijk: Team Oost" in offer and "Voor de hele stad" in offer


async def test_a_professionals_reply_carries_an_entry(tmp_path: Path, storage_url: str | None) -> None:
    async with running_bot(tmp_path, storage_url=storage_url) as h:
        await seed_organisation(h)
        entry_id = await add(h, SCHULDHULP)
        await send_signal(h, category="Geld en schulden", urgency="Zorgelijk")
        [alert] = alerts(h, PIET)
        ask = await h.tap(PIET, alert, "Afronden")
        categories = await h.tap(PIET, ask, "📍 Adres van de sociale kaart meesturen")
        entries = await h.tap(PIET, categories, "Geld en schulden")
        asked = await h.tap(PIET, entries, "Schuldhulp Overvecht")
        assert "Je stuurt Schuldhulp Overvecht mee" in asked.text
        await h.send(PIET, "Ik bel haar morgen; laat haar dit loket ook zelf bellen.")
        reply = h.last(VERA).text
        assert reply.startswith("Piet reageerde op je signaal over C-12: “Ik bel haar morgen")
        assert "Piet stuurt dit adres mee:" in reply and "Schuldhulp Overvecht" in reply
        assert "030-123 45 67" in reply and "https://www.schuldhulp-overvecht.nl" in reply
        async with h.services.db.transaction() as tx:
            stored = await tx.one("SELECT entry_id, name FROM escalation_map_entries")
        assert stored is not None and tuple(stored) == (entry_id, "Schuldhulp Overvecht")


async def test_a_coordinator_adds_and_edits_an_entry_in_the_bot(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        [menu] = await h.send(ANNA, "/map")
        assert "Veiligheid en geweld" in menu.button_texts()  # the defaults' categories
        await h.tap(ANNA, menu, "➕ Adres toevoegen")
        [ask_category] = await h.send(ANNA, "Voedselbank Overvecht")
        [ask_offer] = await h.send(ANNA, "Voedselhulp")  # an organisation's own category, typed
        assert "Wat bieden ze" in ask_offer.text
        [ask_phone] = await h.send(ANNA, "Een voedselpakket per week")
        [bad] = await h.send(ANNA, "bel me")
        assert "geen telefoonnummer" in bad.text
        await h.send(ANNA, "030-765 43 21")
        [ask_address] = await h.send(ANNA, "voedselbank.nl/utrecht")
        ask_hours = await h.tap(ANNA, ask_address, "Overslaan")
        [ask_area] = await h.send(ANNA, "vr 13-16")
        added = await h.tap(ANNA, ask_area, "Hele stad")
        assert added.text.startswith("🟢 Toegevoegd aan de sociale kaart:")
        assert "Voedselbank Overvecht · Voedselhulp" in added.text and "🏠" not in added.text
        [entry] = [e for e in await h.services.socialmap.entries() if e.name == "Voedselbank Overvecht"]
        assert (entry.phone, entry.website, entry.hours, entry.team_id) == (
            "030-765 43 21",
            "voedselbank.nl/utrecht",
            "vr 13-16",
            None,
        )
        # Edit it: from the category's list.
        [menu] = await h.send(ANNA, "/map")
        listed = await h.tap(ANNA, menu, "Voedselhulp")
        edit = await h.tap(ANNA, listed, "✏️ Voedselbank Overvecht")
        ask = await h.tap(ANNA, edit, "Openingstijden")
        assert "Nu: vr 13-16" in ask.text
        [changed] = await h.send(ANNA, "vr 12-17")
        assert changed.text.startswith("🟢 Aangepast") and "vr 12-17" in changed.text
        assert (await h.services.socialmap.entry(entry.id)).hours == "vr 12-17"
        assert ask_category is not None and ask_phone is not None and ask_hours is not None


async def test_removing_an_entry_asks_first(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        entry_id = await add(h, SCHULDHULP)
        [menu] = await h.send(ANNA, "/map")
        listed = await h.tap(ANNA, menu, "Geld en schulden")
        edit = await h.tap(ANNA, listed, "✏️ Schuldhulp Overvecht")
        asked = await h.tap(ANNA, edit, "🗑 Verwijderen")
        assert "Schuldhulp Overvecht van de sociale kaart halen?" in asked.text
        assert await h.services.socialmap.entry(entry_id)  # still there until confirmed
        done = await h.tap(ANNA, asked, "Ja, verwijderen")
        assert "staat niet meer op de sociale kaart" in done.text
        assert entry_id not in {e.id for e in await h.services.socialmap.entries()}


async def test_a_volunteer_browses_and_searches_and_cannot_edit(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await add(h, SCHULDHULP)
        [menu] = await h.send(VERA, "/map")
        assert "➕ Adres toevoegen" not in menu.button_texts()
        listed = await h.tap(VERA, menu, "Geld en schulden")
        assert "Schuldhulp Overvecht" in listed.text and listed.button_texts() == []
        ask = await h.tap(VERA, menu, "🔎 Zoeken")
        assert "Typ een woord" in ask.text
        [found] = await h.send(VERA, "SCHULDEN post")
        assert "1 adres gevonden" in found.text and "Schuldhulp Overvecht" in found.text
        [none] = await h.send(VERA, "tandarts")
        assert "Niets gevonden voor “tandarts”" in none.text


async def test_a_hostile_entry_name_renders_harmless(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        hostile = '<a href="https://evil.example">Klik</a> <b>&amp;'
        await add(h, EntryFields(name=hostile, category="money", offer="<i>x</i>"))
        [menu] = await h.send(VERA, "/map")
        listed = await h.tap(VERA, menu, "Geld en schulden")
        assert hostile in listed.text and "<i>x</i>" in listed.text  # shown as typed, not as markup
        assert not [e for e in listed.entities if e.get("type") == "text_link"]


async def test_old_entries_are_listed_to_the_coordinators_once_a_month(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        entry_id = await add(h, SCHULDHULP)
        async with h.services.db.transaction() as tx:  # last looked at seven months ago
            await tx.execute("UPDATE social_map_entries SET checked_on = '2026-04-01' WHERE id = ?", (entry_id,))
        await h.advance(timedelta(days=8))  # 1 December: a new month
        reviews = [m for m in h.api.messages(ANNA.id) if "niet nagekeken" in m.text]
        assert len(reviews) == 1 and "Schuldhulp Overvecht (nagekeken 2026-04-01)" in reviews[0].text
        assert "112 (alarmnummer)" not in reviews[0].text  # loaded today: not old
        await h.advance(timedelta(days=3))
        assert len([m for m in h.api.messages(ANNA.id) if "niet nagekeken" in m.text]) == 1  # never twice
        await h.tap(ANNA, reviews[0], "Klopt nog: Schuldhulp Overvecht")
        assert h.api.callback_answers[-1]["text"].startswith("Dank je: Schuldhulp Overvecht klopt nog")
        review = next(m for m in h.api.messages(ANNA.id) if m.message_id == reviews[0].message_id)
        assert review.text == reviews[0].text and review.buttons() == []  # answered: its row is gone
        assert str((await h.services.socialmap.entry(entry_id)).checked_on) == "2026-12-04"
        assert [m for m in h.api.messages(PIET.id) if "niet nagekeken" in m.text] == []


async def test_long_entries_make_a_second_message_and_no_national_number_is_lost(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        for n in range(6):  # three more crisis lines and three local entries, each as long as allowed
            name, website = f"Lang {n} " + "n" * 70, "w.nl/" + "x" * 195
            long = EntryFields(name, "safety", "o" * 200, website=website, address="a" * 200, hours="h" * 200)
            await add(h, replace(long, crisis=n < 3))
        sent = await send_emergency(h)
        offer = [m.text for m in h.api.messages(VERA.id) if m.message_id > sent.message_id]
        assert len(offer) == 2 and all(len(text) <= 4096 for text in offer)
        together = "\n".join(offer)
        for name in ("112 (alarmnummer)", "113 Zelfmoordpreventie", "Veilig Thuis", "Lang 0", "Lang 5"):
            assert name in together
        assert offer[-1].endswith("Meer adressen: /map")
