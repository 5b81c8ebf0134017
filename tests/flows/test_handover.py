"""Issue 12, items 3 and 4, end to end with the fake clock: away means handed over (/away and /back, a backup
who is away too, the coordinators as the last resort), removing a professional (hand-over, and the volunteers
left without one listed with a button each), and ending a link as a warm hand-over (/unlink with a screened note
or without one, a note that comes late, removing and erasing a volunteer, and a "take this case back" request
resolved by ending the link)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.domain.escalation import Kind, Urgency
from bot.domain.models import Role
from bot.sandbox.state import FakeUser, SentMessage
from storage import escalations
from tests.support.harness import (
    ANNA,
    FATIMA,
    KEES,
    PIET,
    VERA,
    Harness,
    alerts,
    report_signal,
    running_bot,
    seed_organisation,
    send_signal,
)

NOOR = FakeUser(id=1021, first_name="Noor")  # Piet's volunteer, Fatima her backup, client C-31
JAN = FakeUser(id=1022, first_name="Jan")  # Piet's volunteer without a backup, client C-07

NOTE = "Ze houdt van koffie om tien uur; dinsdag gaan we samen naar de markt."


async def organisation(h: Harness) -> dict[str, int]:
    """The harness's team, and Noor and Jan as Piet's volunteers too."""
    ids = await seed_organisation(h)
    people = h.services.people
    anna = await people.get(ids["Anna"])
    assert anna is not None
    for user, alias, backup in ((NOOR, "C-31", ids["Fatima"]), (JAN, "C-07", None)):
        h.api.register_user(user)
        issued = await people.create_invite(by=None, role=Role.VOLUNTEER, name=user.first_name, team_id=None)
        joined = await people.redeem(telegram_id=user.id, language_code="nl", code=issued.code)
        assert joined.person is not None
        ids[user.first_name] = joined.person.id
        await people.assign(anna, volunteer_id=joined.person.id, professional_id=ids["Piet"], backup_id=backup)
        link, _, _ = await people.link_client(anna, volunteer_id=joined.person.id, alias=alias, professional_id=None)
        ids[alias] = link.id
    await h.settle()
    return ids


async def raise_as(h: Harness, volunteer_id: int, link_id: int, **kwargs: object) -> int:
    volunteer = await h.services.people.get(volunteer_id)
    assert volunteer is not None
    values: dict[str, object] = {
        "kind": Kind.SIGNAL,
        "category": "health",
        "urgency": Urgency.URGENT,
        "body": "Gevallen",
    }
    values.update(kwargs)
    raised = await h.services.escalations.raise_item(volunteer, link_id=link_id, **values)  # type: ignore[arg-type]
    assert raised is not None
    await h.settle()
    return raised.escalation.id


async def item(h: Harness, escalation_id: int) -> tuple[str, int | None, str | None, str]:
    """State, owner, follow-up time (stored text) and category of an item."""
    async with h.services.db.transaction() as tx:
        row = await tx.one(
            "SELECT state, owner_id, follow_up_at, category FROM escalations WHERE id = ?", (escalation_id,)
        )
    assert row is not None
    return row["state"], row["owner_id"], row["follow_up_at"], row["category"]


def newest(h: Harness, user: FakeUser) -> SentMessage:
    return h.api.messages(user.id)[-1]


def message(h: Harness, user: FakeUser, sent: SentMessage) -> SentMessage:
    """The message as it reads now (edits included)."""
    return next(m for m in h.api.messages(user.id) if m.message_id == sent.message_id)


def link_ended(h: Harness, user: FakeUser) -> list[SentMessage]:
    """The alerts saying a client has no volunteer any more (not the same item shown again by /open)."""
    return [m for m in h.api.messages(user.id) if "geen vrijwilliger meer" in m.text and " · gemeld " not in m.text]


async def link_active(h: Harness, link_id: int) -> bool:
    async with h.services.db.transaction() as tx:
        return bool(await tx.scalar("SELECT active FROM links WHERE id = ?", (link_id,)))


# --- away means handed over -----------------------------------------------------------------------


async def test_away_hands_held_and_waiting_items_to_the_backup_and_back_restores_routing(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await organisation(h)
        waiting = await raise_as(h, ids["Vera"], ids["C-12"])  # urgent: told to Piet alone, not picked up
        held = await raise_as(h, ids["Noor"], ids["C-31"], kind=Kind.BACKUP, category="advise", urgency=Urgency.CONCERN)
        piet = await h.services.people.get(ids["Piet"])
        assert piet is not None
        await h.services.escalations.acknowledge(piet, held)
        h.clock.advance(timedelta(minutes=5))  # Monday 10:05
        [piet_alert] = alerts(h, PIET)
        fatima_before = len(h.api.messages(FATIMA.id))

        [away] = await h.send(PIET, "/away tot vrijdag")
        assert away.text == (
            "Je bent afwezig tot vrijdag 17:00. Fatima vangt je op en krijgt zolang 2 open meldingen en"
            " 2 vrijwilligers. De coördinatoren vangen je op en krijgen zolang 1 vrijwilliger. Met /back ben je er"
            " weer."
        )
        [cover] = h.api.messages(FATIMA.id)[fatima_before:]
        assert cover.text == (
            "Je vangt Piet op tot vrijdag 17:00: Noor en Vera.\n"
            "Deze 2 meldingen zijn nu van jou:\n"
            "• 🔴 Dringend: signaal van Vera · C-12 · Gezondheid · vandaag 10:00\n"
            "• 🟠 Zorgelijk: vraag om backup van Noor · C-31 · Advies: bel of app me · vandaag 10:00\n"
            "Je vindt alles met de knoppen in /open."
        )
        assert h.texts(ANNA)[-1] == (
            "Piet is afwezig tot vrijdag 17:00 en heeft geen backup die er is: de coördinatoren vangen Piet op"
            " voor Jan."
        )
        # Both are Fatima's now, followed up like any item she picked up; Piet's copy says so, without buttons.
        for escalation_id in (waiting, held):
            state, owner, follow_up, _ = await item(h, escalation_id)
            assert (state, owner) == ("acknowledged", ids["Fatima"]) and follow_up is not None
        piet_copy = message(h, PIET, piet_alert)
        assert piet_copy.text.endswith("🟢 Opgepakt door Fatima om 10:05.") and piet_copy.button_texts() == []
        assert h.texts(VERA)[-1] == (
            "Piet is afwezig tot vrijdag 17:00. Fatima (vervangt Piet) heeft je signaal over C-12 nu."
            " Je hoort het als Fatima het afrondt."
        )
        assert h.texts(NOOR)[-1].startswith("Piet is afwezig tot vrijdag 17:00. Fatima (vervangt Piet) heeft je")
        [header, *shown] = await h.send(FATIMA, "/open")
        assert header.text == "Open meldingen: 2" and all(m.button_texts()[0] == "Afronden" for m in shown)

        # Vera's next signal names who stands in, on the summary and once sent.
        summary = await report_signal(h, text="Ze heeft hoge koorts.")
        assert "Fatima (vervangt Piet) krijgt dit meteen." in summary.text
        sent = await h.tap(VERA, summary, "Versturen")
        assert sent.text.startswith("Verstuurd naar Fatima (vervangt Piet). Je hoort het zodra iemand het oppakt.")

        # The urgent one taken over is followed up with Fatima after its follow-up time (24 hours).
        await h.advance(timedelta(hours=24))
        assert any(
            m.text.startswith("🕒 Je pakte gisteren 10:05 Vera's signaal over C-12 op.")
            for m in h.api.messages(FATIMA.id)
        )

        [back] = await h.send(PIET, "/back")
        assert back.text == (
            "Welkom terug! Nieuwe meldingen komen weer bij jou. De 2 meldingen die Fatima voor je overnam, blijven"
            " bij Fatima; Fatima kan ze aan je teruggeven met Overdragen."
        )
        assert h.texts(FATIMA)[-1] == (
            "Piet is terug en krijgt weer nieuwe meldingen. De 2 meldingen die je voor Piet overnam, blijven bij"
            " jou; geef ze terug met Overdragen als dat beter is."
        )
        before = len(alerts(h, PIET))
        await send_signal(h, text="Na terugkomst")
        assert len(alerts(h, PIET)) == before + 1
        [again] = await h.send(PIET, "/back")
        assert again.text == "Je stond niet op afwezig."


async def test_away_with_the_backup_away_too_goes_to_the_coordinators(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        [fatima_away] = await h.send(FATIMA, "/away")
        assert fatima_away.text == (
            "Je bent afwezig tot je terug bent. Er staat niets open bij je; nieuwe meldingen gaan zolang naar je"
            " backup of de coördinatoren. Met /back ben je er weer."
        )
        await send_signal(h)
        escalation_id = (await h.services.escalations.mine(await _person(h, ids["Vera"])))[0][0].id
        await h.tap(PIET, alerts(h, PIET)[0], "Ik pak het op")
        anna_before = len(h.api.messages(ANNA.id))

        [away] = await h.send(PIET, "/away morgen 12:00")
        assert away.text == (
            "Je bent afwezig tot morgen 12:00. De coördinatoren vangen je op en krijgen zolang 1 open melding en"
            " 1 vrijwilliger. Met /back ben je er weer."
        )
        told = [m.text for m in h.api.messages(ANNA.id)[anna_before:]]
        assert told[0].startswith("🔴 Dringend: signaal van Vera · C-12 · Gezondheid · vandaag 10:00")
        assert told[1] == (
            "Piet is afwezig tot morgen 12:00 en heeft geen backup die er is: de coördinatoren vangen Piet op"
            " voor Vera.\n"
            "Deze melding staat weer open bij de coördinatoren:\n"
            "• 🔴 Dringend: signaal van Vera · C-12 · Gezondheid · vandaag 10:00\n"
            "Alles komt bij jullie binnen als melding met knoppen, en staat in /open."
        )
        assert h.texts(VERA)[-1] == (
            "Piet is afwezig tot morgen 12:00. Je signaal over C-12 gaat nu naar Anna. Je hoort het zodra iemand"
            " het oppakt."
        )
        assert (await item(h, escalation_id))[:2] == ("open", None)
        anna_alert = h.api.messages(ANNA.id)[anna_before]
        assert anna_alert.button_texts() == ["Ik pak het op", "Overdragen", "Afronden"]
        await h.tap(ANNA, anna_alert, "Ik pak het op")
        assert (await item(h, escalation_id))[:2] == ("acknowledged", ids["Anna"])
        # Tomorrow 12:00 Piet is back by himself: a new signal reaches him.
        await h.advance(timedelta(hours=26))
        summary = await report_signal(h, text="Weer iets")
        assert "Piet (je beroepskracht) krijgt dit meteen." in summary.text


async def test_an_item_held_for_working_hours_reaches_whoever_stands_in_when_they_begin(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        h.clock.advance(timedelta(hours=10))  # Monday 20:00
        held = await h.tap(VERA, await report_signal(h, urgency="Zorgelijk"), "Versturen")
        assert held.text.startswith("Opgeslagen. Het komt morgen 08:30 bij Piet, binnen werktijd.")
        [away] = await h.send(PIET, "/away tot woensdag")
        # Not handed over now (nobody is told outside working hours): the route skips Piet when they begin.
        assert away.text == (
            "Je bent afwezig tot woensdag 17:00. Fatima vangt je op en krijgt zolang 1 vrijwilliger."
            " Met /back ben je er weer."
        )
        [mine] = await h.send(VERA, "/mine")
        assert mine.text.endswith("   komt morgen 08:30 bij Fatima binnen (werktijd)")
        summary = await report_signal(h, urgency="Zorgelijk", text="Ze eet slecht.")
        assert "Fatima (vervangt Piet) krijgt dit morgen 08:30, binnen werktijd." in summary.text
        later = await h.tap(VERA, summary, "Versturen")
        assert later.text.startswith("Opgeslagen. Het komt morgen 08:30 bij Fatima (vervangt Piet), binnen werktijd.")
        await h.advance(timedelta(hours=12, minutes=30))  # Tuesday 08:30
        assert len(alerts(h, FATIMA)) == 2 and alerts(h, PIET) == []


async def test_an_item_that_climbed_past_a_professional_does_not_go_back_to_them(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await organisation(h)
        anna = await _person(h, ids["Anna"])
        await h.services.people.assign(
            anna, volunteer_id=ids["Jan"], professional_id=ids["Kees"], backup_id=ids["Piet"]
        )
        escalation_id = await raise_as(h, ids["Jan"], ids["C-07"])
        await h.advance(timedelta(minutes=10))  # Kees did not react: Piet, Jan's backup, has it now
        assert any("signaal van Jan" in m.text for m in h.api.messages(PIET.id))
        await h.send(PIET, "/away tot morgen")
        assert (await item(h, escalation_id))[:2] == ("open", None)  # not Kees's: he had his turn
        assert not any("nu van jou" in text for text in h.texts(KEES))
        assert any(m.text.startswith("🔴 Dringend: signaal van Jan") for m in h.api.messages(ANNA.id))
        assert h.texts(JAN)[-1] == (
            "Piet is afwezig tot morgen 17:00. Je signaal over C-07 gaat nu naar Anna. Je hoort het zodra iemand"
            " het oppakt."
        )


async def _person(h: Harness, person_id: int):  # type: ignore[no-untyped-def]
    person = await h.services.people.get(person_id)
    assert person is not None
    return person


async def test_away_ends_as_professionals_type_them_and_refuses_what_is_not_an_end(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        for typed, until in (
            ("/away vrijdag 12:00", "vrijdag 12:00"),
            ("/away tot morgen", "morgen 17:00"),
            ("/away 4-12", "4 dec 17:00"),
            ("/away tot maandag", "30 nov 17:00"),  # a Monday: the next one
            ("/away tot ik terug ben", "je terug bent"),
        ):
            [said] = await h.send(PIET, typed)
            assert said.text.startswith(f"Je bent afwezig tot {until}."), (typed, said.text)
        for typed, answer in (
            ("/away morgen-ish", "Dat begrijp ik niet. Typ bijvoorbeeld /away tot vrijdag"),
            ("/away 1-1-2020", "Dat moment is al voorbij."),
            ("/away vandaag 09:00", "Dat moment is al voorbij."),
        ):
            [said] = await h.send(PIET, typed)
            assert said.text.startswith(answer), (typed, said.text)


# --- removing a professional ----------------------------------------------------------------------


async def test_removing_a_professional_hands_over_and_lists_the_volunteers_left_without_one(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await organisation(h)
        await send_signal(h)
        await h.tap(PIET, alerts(h, PIET)[0], "Ik pak het op")
        escalation_id = (await h.services.escalations.mine(await _person(h, ids["Vera"])))[0][0].id
        fatima_before = len(h.api.messages(FATIMA.id))
        [ask] = await h.send(ANNA, "/remove")
        confirm = await h.tap(ANNA, ask, "Piet")
        await h.tap(ANNA, confirm, "Ja, afmelden")
        assert message(h, ANNA, confirm).text == (
            "Piet is afgemeld. Fatima neemt 1 open melding over. Deze 3 vrijwilligers hebben nu geen beroepskracht:"
            " Jan, Noor en Vera. Kies er een in het bericht hieronder."
        )
        [cover] = h.api.messages(FATIMA.id)[fatima_before:]
        assert cover.text == (
            "Piet is gestopt. Tot er een nieuwe beroepskracht is, vang jij Piet op voor Noor en Vera.\n"
            "Deze melding is nu van jou:\n"
            "• 🔴 Dringend: signaal van Vera · C-12 · Gezondheid · vandaag 10:00\n"
            "Je vindt alles met de knoppen in /open."
        )
        state, owner, follow_up, _ = await item(h, escalation_id)
        assert (state, owner) == ("acknowledged", ids["Fatima"]) and follow_up is not None
        assert (
            "Piet is niet meer je beroepskracht. Tot de coördinator een nieuwe kiest, gaan je meldingen naar Fatima."
            in h.texts(VERA)
        )
        assert h.texts(JAN)[-1] == (
            "Piet is niet meer je beroepskracht. Tot de coördinator een nieuwe kiest, gaan je meldingen naar de"
            " coördinatoren."
        )
        orphans = next(m for m in h.api.messages(ANNA.id) if m.text.startswith("Piet is afgemeld. Deze vrijwilligers"))
        assert orphans.text == (
            "Piet is afgemeld. Deze vrijwilligers hebben daardoor geen beroepskracht meer; tik op een naam om er een"
            " te kiezen."
        )
        assert orphans.button_texts() == ["Jan", "Noor", "Vera"]
        # A button per volunteer: the /assign steps from the professional on, in a new message.
        pick = await h.tap(ANNA, orphans, "Vera")
        assert pick.text == "Welke beroepskracht is verantwoordelijk voor Vera?" and "Kees" in pick.button_texts()
        pick = await h.tap(ANNA, pick, "Kees")
        done = await h.tap(ANNA, pick, "Fatima")
        assert done.text == "Klaar: Kees is verantwoordelijk voor Vera, met Fatima als backup."
        assert message(h, ANNA, orphans).button_texts() == ["Jan", "Noor", "Vera"]  # the list stays
        update = h.api.press(ANNA, orphans, "Vera")
        await h.settle()
        answer = h.api.callback_answer_for(update)
        assert answer is not None and answer["text"] == (
            "Vera heeft inmiddels een beroepskracht: Kees. Wijzigen kan met /assign."
        )
        # Vera's next signal reaches Kees; Piet's link-less routing is gone.
        summary = await report_signal(h, text="Nog iets")
        assert "Kees (je beroepskracht) krijgt dit meteen." in summary.text


# --- ending a link --------------------------------------------------------------------------------


async def unlink(h: Harness, volunteer: str = "Vera", alias: str = "C-12") -> SentMessage:
    [ask] = await h.send(ANNA, "/unlink")
    assert ask.text == "Over welke vrijwilliger gaat het?" and volunteer in ask.button_texts()
    clients = await h.tap(ANNA, ask, volunteer)
    assert clients.text == f"Welke koppeling van {volunteer} wil je beëindigen?"
    confirm = await h.tap(ANNA, clients, alias)
    assert confirm.text == (
        f"Koppeling beëindigen?\n{volunteer} stopt dan met {alias}. Ik vraag {volunteer} om een korte overdracht,"
        f" en de beroepskracht krijgt een melding dat {alias} geen vrijwilliger meer heeft."
    )
    assert confirm.button_texts() == ["Ja, beëindigen", "Annuleren"]
    return await h.tap(ANNA, confirm, "Ja, beëindigen")


async def test_unlink_asks_a_screened_note_that_reaches_the_professional(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        done = await unlink(h)
        assert done.text == (
            "De koppeling van Vera met C-12 is beëindigd. Ik vraag Vera om een korte overdracht; er gaat een"
            " melding naar Piet dat C-12 geen vrijwilliger meer heeft, met de overdracht zodra die er is."
        )
        asked = newest(h, VERA)
        assert asked.text == (
            "Je koppeling met C-12 stopt. Wil je in een paar zinnen opschrijven wat de volgende moet weten?"
            " (geen namen of nummers)"
        )
        assert asked.button_texts() == ["Overslaan"] and not await link_active(h, ids["C-12"])
        assert link_ended(h, PIET) == []  # it waits for her note
        [piet_open] = (await h.send(PIET, "/open"))[1:]
        assert "wacht op Vera's overdracht: komt uiterlijk vandaag 12:00 binnen" in piet_open.text

        # Screened like a report: held in memory until she edits it.
        [screened] = await h.send(VERA, "Bel haar dochter op 06-12345678 als er iets is.")
        assert screened.text.startswith("🔒 Ik zie iets dat op persoonsgegevens lijkt: telefoonnummer")
        assert "De volgende heeft die niet nodig." in screened.text
        assert screened.button_texts() == ["Aanpassen", "Toch versturen", "Overslaan"]
        async with h.services.db.transaction() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM escalations WHERE body LIKE '%12345678%'") == 0
            assert await tx.scalar("SELECT COUNT(*) FROM drafts WHERE data LIKE '%12345678%'") == 0
        again = await h.tap(VERA, screened, "Aanpassen")
        assert again.text == "Typ je overdracht opnieuw, zonder namen of nummers."
        [thanks] = await h.send(VERA, NOTE)
        assert thanks.text == "Dank je wel. Je overdracht over C-12 gaat naar Piet."
        [alert] = link_ended(h, PIET)
        assert alert.text == f"🟠 C-12 heeft geen vrijwilliger meer. Vera's overdracht: “{NOTE}”"
        assert alert.button_texts() == ["Ik pak het op", "Overdragen", "Afronden"]
        retired = message(h, VERA, asked)  # the question loses its button and says it was answered
        assert retired.text == asked.text + "\n\n✅ Je hebt hierop geantwoord." and retired.button_texts() == []
        update = await h.tap_data(VERA, retired, asked.buttons()[0][1])  # its old button, pressed anyway
        answer = h.api.callback_answer_for(update)
        assert answer is not None and answer["text"] == "Je hebt al geantwoord over C-12. Er is niets veranderd."
        assert message(h, VERA, asked).text == retired.text

        # The alias leaves her choices at once.
        [signal] = await h.send(VERA, "/signal")
        assert "C-12" not in signal.button_texts()
        [visit] = await h.send(VERA, "/visit")
        assert "C-12" not in visit.button_texts()
        [mine] = await h.send(VERA, "/mine")
        assert "geen vrijwilliger" not in mine.text and "overdracht" not in mine.text
        del update

        # It escalates like any other item until picked up: 4 working hours later to Fatima.
        await h.advance(timedelta(hours=4))
        [fatima_alert] = link_ended(h, FATIMA)
        assert fatima_alert.text == alert.text
        await h.tap(FATIMA, fatima_alert, "Ik pak het op")
        edited = message(h, FATIMA, fatima_alert)
        assert edited.text.endswith("🟢 Opgepakt door jou om 14:00. Ik vraag je donderdag 14:00 hoe het staat.")


async def test_unlink_without_a_note_and_a_note_that_comes_late(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await organisation(h)
        await unlink(h)
        skipped = await h.tap(VERA, newest(h, VERA), "Overslaan")
        assert skipped.text == "Goed, geen overdracht. Ik laat Piet weten dat C-12 geen vrijwilliger meer heeft."
        [alert] = link_ended(h, PIET)
        assert alert.text == "🟠 C-12 heeft geen vrijwilliger meer. Vera schreef geen overdracht."

        # Noor does not answer: after two hours it goes to Piet without a note, and her late note follows.
        await unlink(h, "Noor", "C-31")
        await h.advance(timedelta(hours=2))
        late = [m for m in link_ended(h, PIET) if "C-31" in m.text]
        assert [m.text for m in late] == [
            "🟠 C-31 heeft geen vrijwilliger meer. Noor is gevraagd om een korte overdracht; die komt hier zodra"
            " Noor hem stuurt."
        ]
        [thanks] = await h.send(NOOR, NOTE)
        assert thanks.text == "Dank je wel. Je overdracht over C-31 gaat naar Piet."
        assert h.texts(PIET)[-1] == f"📝 Noors overdracht over C-31: “{NOTE}”"
        assert message(h, PIET, late[0]).text == f"🟠 C-31 heeft geen vrijwilliger meer. Noors overdracht: “{NOTE}”"

        # Jan is busy with a signal when his link ends: his draft stays, a button starts the note.
        [ask_client] = await h.send(JAN, "/signal")
        await unlink(h, "Jan", "C-07")
        asked = newest(h, JAN)
        assert asked.button_texts() == ["Overdracht schrijven", "Overslaan"]
        async with h.services.db.transaction() as tx:
            assert await tx.scalar("SELECT flow FROM drafts WHERE person_id = ?", (ids["Jan"],)) == "signal"
        write = await h.tap(JAN, asked, "Overdracht schrijven")
        assert write.text == "Typ je overdracht over C-07 in een paar zinnen (geen namen of nummers)."
        [thanks] = await h.send(JAN, "Hij belt graag op maandag.")
        assert thanks.text == "Dank je wel. Je overdracht over C-07 gaat naar Piet."
        del ask_client


async def test_removing_or_erasing_a_volunteer_ends_her_links(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await organisation(h)
        [ask] = await h.send(ANNA, "/remove")
        confirm = await h.tap(ANNA, ask, "Vera")
        done = await h.tap(ANNA, confirm, "Ja, afmelden")
        assert done.text == "Vera is afgemeld. De koppeling met C-12 is beëindigd; de beroepskracht krijgt een melding."
        assert not await link_active(h, ids["C-12"])
        [alert] = link_ended(h, PIET)
        assert alert.text == "🟠 C-12 heeft geen vrijwilliger meer. Vera is afgemeld; er is geen overdracht."

        # Noor erases herself: the professional hears without her name.
        [forget] = await h.send(NOOR, "/forget")
        await h.tap(NOOR, forget, "Ja, wis mijn gegevens")
        assert not await link_active(h, ids["C-31"])
        [erased] = [m for m in link_ended(h, PIET) if "C-31" in m.text]
        assert erased.text == (
            "🟠 C-31 heeft geen vrijwilliger meer. De vrijwilliger is gestopt en heeft de gegevens laten wissen;"
            " er is geen overdracht."
        )
        # A coordinator's "remove and erase" ends them the same way.
        [ask] = await h.send(ANNA, "/remove")
        confirm = await h.tap(ANNA, ask, "Jan")
        await h.tap(ANNA, confirm, "Afmelden en gegevens wissen")
        assert not await link_active(h, ids["C-07"])
        assert any("C-07 heeft geen vrijwilliger meer" in m.text for m in link_ended(h, PIET))


async def test_a_take_back_request_resolved_by_ending_the_link(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await organisation(h)
        [ask_kind] = await h.send(VERA, "/backup")
        ask_client = await h.tap(VERA, ask_kind, "Neem deze casus terug")
        await h.tap(VERA, ask_client, "C-12")
        [summary] = await h.send(VERA, "Het wordt me te zwaar met haar.")
        await h.tap(VERA, summary, "Versturen")
        [request] = alerts(h, PIET)
        choose = await h.tap(PIET, request, "Afronden")
        assert choose.text == (
            "Neem je C-12 terug van Vera? Dan stopt de koppeling van Vera met C-12, en vraag ik Vera om een korte"
            " overdracht."
        )
        assert choose.button_texts() == ["Ja, koppeling beëindigen", "Nee, koppeling blijft", "Annuleren"]
        ask_reply = await h.tap(PIET, choose, "Ja, koppeling beëindigen")
        assert ask_reply.text == "Wat wil je Vera laten weten? Typ een kort antwoord; Vera krijgt het te zien."
        [done] = await h.send(PIET, "Ik neem het over, dank je voor alles.")
        assert done.text == (
            "✅ Afgerond. Vera krijgt je antwoord. De koppeling met C-12 is beëindigd; de melding daarover staat bij"
            " jou in /open, met Vera's overdracht zodra die er is."
        )
        assert not await link_active(h, ids["C-12"])
        vera = h.texts(VERA)[-2:]
        assert vera[0].startswith(
            "Piet reageerde op je vraag om backup over C-12: “Ik neem het over, dank je voor alles.”"
        )
        assert vera[1].startswith("Je koppeling met C-12 stopt.")
        async with h.services.db.transaction() as tx:
            row = await tx.one("SELECT id, state, owner_id, follow_up_at FROM escalations WHERE kind = 'link_ended'")
        assert row is not None and (row["state"], row["owner_id"]) == ("acknowledged", ids["Piet"])
        assert row["follow_up_at"] is not None
        [header, held] = await h.send(PIET, "/open")
        assert held.text.startswith("🟠 C-12 heeft geen vrijwilliger meer. Vera is gevraagd om een korte overdracht")
        await h.send(VERA, NOTE)
        assert h.texts(PIET)[-1] == f"📝 Vera's overdracht over C-12: “{NOTE}”"

        # Noor's request resolved keeping the link: it stays.
        [ask_kind] = await h.send(NOOR, "/backup")
        ask_client = await h.tap(NOOR, ask_kind, "Neem deze casus terug")
        await h.tap(NOOR, ask_client, "C-31")
        [summary] = await h.send(NOOR, "Ik weet het niet meer.")
        await h.tap(NOOR, summary, "Versturen")
        noor_request = [m for m in h.api.messages(PIET.id) if "backup van Noor" in m.text][-1]
        choose = await h.tap(PIET, noor_request, "Afronden")
        await h.tap(PIET, choose, "Nee, koppeling blijft")
        [done] = await h.send(PIET, "Laten we morgen bellen.")
        assert done.text == "✅ Afgerond. Noor krijgt je antwoord."
        assert await link_active(h, ids["C-31"])
        del header


async def test_a_link_ended_item_is_erased_with_its_note_by_the_retention_run(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await unlink(h)
        await h.send(VERA, NOTE)
        [alert] = link_ended(h, PIET)
        await h.tap(PIET, alert, "Afronden")
        await h.send(PIET, "Noor neemt het over.")
        async with h.services.db.transaction() as tx:
            escalation = await escalations.get(tx, int(await tx.scalar("SELECT MAX(id) FROM escalations")))
        assert escalation is not None and escalation.body == NOTE and escalation.state.value == "resolved"
        await h.advance(timedelta(days=181))
        async with h.services.db.transaction() as tx:
            assert await tx.scalar("SELECT body FROM escalations WHERE id = ?", (escalation.id,)) is None
            assert await tx.scalar("SELECT COUNT(*) FROM outbox WHERE text LIKE ?", (f"%{NOTE[:20]}%",)) == 0
