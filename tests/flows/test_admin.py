"""Coordinator administration end to end (issue 18): open invites and revoking them, the reminder before an
unused invite expires, a volunteer prepared before they arrive, teams, and a confirmation before each
deletion (with an undo for schedules)."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

from bot.domain.models import Person, Prepared, Role
from bot.i18n import plain
from bot.sandbox.state import FakeUser, SentMessage
from storage import links, people
from tests.support.clock import FakeClock
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.harness import ANNA, FATIMA, PIET, START, VERA, Harness, running_bot, seed_organisation
from tests.support.matrix import rows_mentioning, snapshot

JOOP = FakeUser(id=1201, first_name="Joop")  # invited in these tests
UNKNOWN = plain("nl", "invite.unknown")


async def invite_volunteer(h: Harness, name: str = "Joop") -> tuple[str, SentMessage]:
    """Anna's /invite for a volunteer without a team: the code, and the message with the link."""
    [ask_role] = await h.send(ANNA, "/invite")
    await h.tap(ANNA, ask_role, "Vrijwilliger")
    [ask_team] = await h.send(ANNA, name)
    created = await h.tap(ANNA, ask_team, "Geen team")
    assert "?start=" in created.text, created.text
    return created.text.split("?start=")[1].split()[0], created


async def joop_joins(h: Harness, code: str) -> tuple[list[str], Person]:
    """Joop opens the link: what the bot answered, and the person he now is."""
    h.api.register_user(JOOP)
    answers = [m.text for m in await h.send(JOOP, f"/start {code}")]
    joop = await h.services.people.identify(JOOP.id)
    assert joop is not None, answers
    return answers, joop


SET_UP = "Je coördinator heeft alvast alles voor je klaargezet."


async def test_a_revoked_code_is_answered_as_an_unknown_one_and_stores_nothing(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        code, _ = await invite_volunteer(h)

        [listed] = await h.send(ANNA, "/invites")
        assert "1 uitnodiging staat open" in listed.text
        assert "1. Joop (vrijwilliger), gemaakt door Anna, geldig tot" in listed.text, listed.text
        ask = await h.tap(ANNA, listed, "Intrekken: 1. Joop")
        assert "Weet je het zeker? De uitnodigingslink voor Joop (vrijwilliger) werkt daarna niet meer" in ask.text
        assert ask.button_texts() == ["Ja, intrekken", "Annuleren"]
        done = await h.tap(ANNA, ask, "Ja, intrekken")
        assert done.text == "De uitnodiging voor Joop is ingetrokken. De link werkt niet meer."
        [none] = await h.send(ANNA, "/invites")
        assert "Er staan geen uitnodigingen open" in none.text

        h.api.register_user(JOOP)
        before = snapshot(tmp_path / "samenspel.db")
        [answer] = await h.send(JOOP, f"/start {code}")
        assert answer.text == UNKNOWN
        [bogus] = await h.send(JOOP, "/start " + "B" * 32)
        assert bogus.text == answer.text  # nothing to tell a revoked code from one never made
        assert snapshot(tmp_path / "samenspel.db") == before
        assert rows_mentioning(tmp_path / "samenspel.db", JOOP.id) == []
        assert await h.services.people.identify(JOOP.id) is None

        # An expired code is answered the same way.
        expiring, _ = await invite_volunteer(h, "Kim")
        h.clock.advance(timedelta(days=7, minutes=1))
        [expired] = await h.send(JOOP, f"/start {expiring}")
        assert expired.text == UNKNOWN
        assert rows_mentioning(tmp_path / "samenspel.db", JOOP.id) == []


async def test_revoking_an_invite_already_used_changes_nothing(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        code, _ = await invite_volunteer(h)
        [listed] = await h.send(ANNA, "/invites")
        ask = await h.tap(ANNA, listed, "Intrekken: 1. Joop")
        answers, _ = await joop_joins(h, code)
        assert "Welkom" in answers[0]
        refused = await h.tap(ANNA, ask, "Ja, intrekken")
        assert "staat niet meer open" in refused.text
        assert await h.services.people.identify(JOOP.id) is not None


async def test_the_maker_is_told_once_a_day_before_an_unused_invite_expires_also_after_a_restart(
    tmp_path: Path,
) -> None:
    clock, api = FakeClock(START), FaultyBotApi()
    await api.start()
    try:
        async with running_bot(tmp_path, clock=clock, api=api) as h:
            await seed_organisation(h)
            await invite_volunteer(h)
            used, _ = await invite_volunteer(h, "Kim")
            h.api.register_user(JOOP)
            await h.send(JOOP, f"/start {used}")  # Kim's invite is used: no reminder for it
            await h.advance(timedelta(days=5, hours=23))
            assert not [t for t in h.texts(ANNA) if "verloopt over een dag" in t]
        # The bot is down when the reminder falls due; the first tick after the restart catches up.
        clock.advance(timedelta(hours=2))
        async with running_bot(tmp_path, clock=clock, api=api) as h:
            await h.advance(timedelta(seconds=1))
            reminders = [t for t in h.texts(ANNA) if "verloopt over een dag" in t]
            assert reminders == [
                "⏳ De uitnodiging voor Joop (vrijwilliger) is nog niet gebruikt en verloopt over een dag. Stuur de"
                " link nog eens, of maak later een nieuwe met /invite. Met /invites zie je wat openstaat."
            ]
            await h.advance(timedelta(hours=12))
            assert len([t for t in h.texts(ANNA) if "verloopt over een dag" in t]) == 1
    finally:
        await api.stop()


async def test_a_prepared_volunteer_arrives_with_professional_backup_links_and_agreement(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        code, created = await invite_volunteer(h)
        assert created.button_texts() == ["Alvast klaarzetten"]
        await h.tap(ANNA, created, "Alvast klaarzetten")
        ask_professional = h.last(ANNA)
        assert "Wie wordt de beroepskracht van Joop?" in ask_professional.text
        assert "?start=" in h.api.messages(ANNA.id)[-2].text  # the link stays, to be copied
        ask_backup = await h.tap(ANNA, ask_professional, "Piet")
        ask_clients = await h.tap(ANNA, ask_backup, "Fatima")
        assert "Typ hun aliassen met komma's" in ask_clients.text
        [ask_hours] = await h.send(ANNA, "J-1, J-2")
        assert "Hoeveel uur per week doet Joop mee?" in ask_hours.text
        [done] = await h.send(ANNA, "4")
        assert "Joop staat klaar" in done.text
        [listed] = await h.send(ANNA, "/invites")
        assert listed.text.split("\n")[1].endswith(" · klaargezet"), listed.text
        assert "beroepskracht Piet, backup: Fatima; cliënten: J-1 en J-2; 4 uur per week" in done.text, done.text

        answers, joop = await joop_joins(h, code)
        assert f"{SET_UP} Je beroepskracht: Piet. Je cliënten: J-1 en J-2." in answers
        assert (joop.responsible_professional_id, joop.backup_professional_id) == (ids["Piet"], ids["Fatima"])
        async with h.services.db.transaction() as tx:
            aliases = [link.client_alias for link in await links.active_for_volunteer(tx, joop.id)]
            agreement = await links.agreement(tx, joop.id)
        assert aliases == ["J-1", "J-2"] and agreement is not None and agreement.hours_per_week == 4
        assert "🟢 Joop is aangemeld en is jouw vrijwilliger. Cliënten: J-1 en J-2." in h.texts(PIET)
        assert any("Joop" in t and "backup" in t for t in h.texts(FATIMA)), h.texts(FATIMA)
        assert any(t.startswith("Joop is klaargezet zoals je had voorbereid") for t in h.texts(ANNA))
        # Joop can report about his clients at once.
        [ask_client] = await h.send(JOOP, "/signal")
        assert {"J-1", "J-2"} <= set(ask_client.button_texts())


async def test_preparing_is_optional_and_a_volunteer_without_it_arrives_bare(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        code, created = await invite_volunteer(h)
        await h.tap(ANNA, created, "Alvast klaarzetten")
        ask_clients = await h.tap(ANNA, h.last(ANNA), "Nog geen beroepskracht")
        ask_hours = await h.tap(ANNA, ask_clients, "Nog geen cliënten")
        done = await h.tap(ANNA, ask_hours, "Uren later afspreken")
        assert "Joop staat klaar" in done.text
        answers, joop = await joop_joins(h, code)
        assert not [a for a in answers if SET_UP in a]
        assert joop.responsible_professional_id is None


async def test_teams_are_made_renamed_and_removed_and_a_move_shows_in_people_and_check_ins(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        for name in ("Team Oost", "Team West"):
            [menu] = await h.send(ANNA, "/teams")
            ask = await h.tap(ANNA, menu, "Nieuw team")
            [made] = await h.send(ANNA, name)
            assert made.text == f"Nieuw team gemaakt: {name}."
        [menu] = await h.send(ANNA, "/teams")
        ask_person = await h.tap(ANNA, menu, "Iemand verplaatsen")
        ask_team = await h.tap(ANNA, ask_person, "Vera")
        moved = await h.tap(ANNA, ask_team, "Team Oost")
        assert moved.text.startswith("Vera zit nu in Team Oost.")
        assert "Je coördinator heeft je in Team Oost gezet." in h.texts(VERA)
        [overview] = await h.send(ANNA, "/people")
        assert "Team Oost (1)\n• Vera — beroepskracht: Piet" in overview.text, overview.text

        teams = {t.name: t.id for t in await h.services.people.teams()}
        await h.services.checkins.add_schedule(
            None, audience="team", team_id=teams["Team Oost"], weekdays=frozenset(range(7)), local_time=time(19, 0)
        )
        await h.advance(timedelta(hours=10))  # 19:00 in Amsterdam
        assert len(_checkins(h)) == 1

        # A team with people cannot be removed: it says who is in it.
        [menu] = await h.send(ANNA, "/teams")
        manage = await h.tap(ANNA, menu, "Beheren: Team Oost")
        refused = await h.tap(ANNA, manage, "Verwijderen")
        assert "Ik kan Team Oost niet verwijderen: er zit nog 1 persoon in (Vera)" in refused.text

        # Vera moves to West: the Oost check-in no longer reaches her, /people follows.
        [menu] = await h.send(ANNA, "/teams")
        ask_person = await h.tap(ANNA, menu, "Iemand verplaatsen")
        await h.tap(ANNA, await h.tap(ANNA, ask_person, "Vera"), "Team West")
        [overview] = await h.send(ANNA, "/people")
        assert "Team West (1)\n• Vera — beroepskracht: Piet" in overview.text
        assert "Team Oost (" not in overview.text  # a team without volunteers has no heading
        await h.advance(timedelta(days=1))
        assert len(_checkins(h)) == 1  # the next day's Oost check-in passes her by
        assert "Je coördinator heeft je in Team West gezet." in h.texts(VERA)

        # Rename, then remove the empty team after a confirmation (its schedule first).
        [menu] = await h.send(ANNA, "/teams")
        rename = await h.tap(ANNA, await h.tap(ANNA, menu, "Beheren: Team West"), "Hernoemen")
        assert "Hoe moet het team gaan heten?" in rename.text
        [renamed] = await h.send(ANNA, "Team Noord")
        assert renamed.text == "Team hernoemd: Team West heet nu Team Noord."
        async with h.services.db.transaction() as tx:
            vera = await people.get(tx, ids["Vera"])
        assert vera is not None and vera.team_id == teams["Team West"]
        [menu] = await h.send(ANNA, "/teams")
        blocked = await h.tap(ANNA, await h.tap(ANNA, menu, "Beheren: Team Oost"), "Verwijderen")
        assert "Weet je het zeker? Team Oost verdwijnt" in blocked.text
        schedules_left = await h.tap(ANNA, blocked, "Ja, verwijderen")
        assert "er is nog 1 check-in-schema voor dit team" in schedules_left.text
        for schedule in await h.services.checkins.schedules():
            await h.services.checkins.delete_schedule(None, schedule.id)
        [menu] = await h.send(ANNA, "/teams")
        ask = await h.tap(ANNA, await h.tap(ANNA, menu, "Beheren: Team Oost"), "Verwijderen")
        removed = await h.tap(ANNA, ask, "Ja, verwijderen")
        assert removed.text == "Team verwijderd: Team Oost."
        assert [t.name for t in await h.services.people.teams()] == ["Team Noord"]


def _checkins(h: Harness) -> list[str]:
    return [t for t in h.texts(VERA) if t.startswith("Hoi Vera, even inchecken.")]


async def test_deleting_a_schedule_asks_first_and_can_be_undone_for_a_minute(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        monday = frozenset({0})
        await h.services.checkins.add_schedule(None, audience="everyone", weekdays=monday, local_time=time(19, 0))
        [menu] = await h.send(ANNA, "/schedule")
        manage = await h.tap(ANNA, menu, "1: pauze/aan/weg")
        ask = await h.tap(ANNA, manage, "Verwijderen")
        assert ask.text.startswith("Weet je het zeker? Dit schema wordt verwijderd:\n1. iedereen"), ask.text
        assert "Je kunt het nog een minuut ongedaan maken." in ask.text
        assert len(await h.services.checkins.schedules()) == 1  # asking deletes nothing
        deleted = await h.tap(ANNA, ask, "Ja, verwijderen")
        assert deleted.text == "Schema 1 is verwijderd." and deleted.button_texts() == ["↩️ Ongedaan maken"]
        assert await h.services.checkins.schedules() == []
        h.clock.advance(timedelta(seconds=59))
        restored = await h.tap(ANNA, deleted, "Ongedaan maken")
        assert restored.text.startswith("Het schema is terug. De volgende check-in is")
        assert len(await h.services.checkins.schedules()) == 1

        [menu] = await h.send(ANNA, "/schedule")
        ask = await h.tap(ANNA, await h.tap(ANNA, menu, "1: pauze/aan/weg"), "Verwijderen")
        deleted = await h.tap(ANNA, ask, "Ja, verwijderen")
        h.clock.advance(timedelta(seconds=61))
        update_id = await h.tap_data(ANNA, deleted, deleted.buttons()[0][1])
        answer = h.api.callback_answer_for(update_id)
        assert answer is not None and "langer dan een minuut geleden" in str(answer.get("text"))
        assert await h.services.checkins.schedules() == []


async def test_a_prepared_professional_who_left_meanwhile_is_not_assigned(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        anna = await h.services.people.get(ids["Anna"])
        prepared = Prepared(professional_id=ids["Kees"], clients=("J-1",))
        issued = await h.services.people.create_invite(
            by=anna, role=Role.VOLUNTEER, name="Joop", team_id=None, prepared=prepared
        )
        assert anna is not None
        await h.services.handover.remove(anna, ids["Kees"])
        answers, joop = await joop_joins(h, issued.code)
        assert f"{SET_UP} Je beroepskracht: nog niemand. Je cliënten: J-1." in answers
        assert joop.responsible_professional_id is None
        assert any(t.startswith("Joop is klaargezet") and "beroepskracht nog niemand" in t for t in h.texts(ANNA))


async def test_an_invite_to_a_team_removed_meanwhile_joins_no_team(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        anna = await h.services.people.get(ids["Anna"])
        team = await h.services.people.team_admin.create(anna, "Team Zuid")
        issued = await h.services.people.create_invite(by=anna, role=Role.VOLUNTEER, name="Joop", team_id=team.id)
        await h.services.people.team_admin.remove(anna, team.id)
        _, joop = await joop_joins(h, issued.code)
        assert joop.team_id is None
