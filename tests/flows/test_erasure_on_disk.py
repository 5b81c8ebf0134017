"""Erased means gone from the bytes on disk: after /forget, a coordinator's "remove and erase" and the
retention run, no text or name is left in the database file or its WAL."""

from __future__ import annotations

import html
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.models import Role
from tests.support.harness import ANNA, PIET, VERA, Harness, running_bot, send_signal

WORDS = "Ze is gevallen en durft niet meer naar buiten, koelkast is leeg."


REPLY = "Ik bel haar morgen, boodschappen geregeld."


COMMENT = "Zwaar weekje, de buurman belt me steeds."


# Telegram HTML stores "&" as "&amp;": the name must be found in both forms.
NAME = "Jansen & Zn"


def disk_bytes(db_path: Path) -> bytes:
    """The database file and its WAL as they are on disk right now."""
    wal = db_path.with_name(db_path.name + "-wal")
    return db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def left_on_disk(db_path: Path, *texts: str) -> list[str]:
    raw = disk_bytes(db_path)
    return [text for text in texts if text.encode() in raw]


async def seed_named_volunteer(h: Harness) -> None:
    """Anna (coordinator), Piet (professional) and Vera's phone registered as NAME, Piet's volunteer for C-12."""
    people = h.services.people
    ids: dict[str, int] = {}
    for user, role, name in (
        (ANNA, Role.COORDINATOR, "Anna"),
        (PIET, Role.PROFESSIONAL, "Piet"),
        (VERA, Role.VOLUNTEER, NAME),
    ):
        h.api.register_user(user)
        issued = await people.create_invite(by=None, role=role, name=name, team_id=None)
        outcome = await people.redeem(telegram_id=user.id, language_code="nl", code=issued.code)
        assert outcome.person is not None
        ids[name] = outcome.person.id
    anna = await people.get(ids["Anna"])
    assert anna is not None
    await people.assign(anna, volunteer_id=ids[NAME], professional_id=ids["Piet"], backup_id=None)
    await people.link_client(anna, volunteer_id=ids[NAME], alias="C-12", professional_id=None)
    await h.settle()


async def closed_signal_and_checkin(h: Harness) -> None:
    """A signal Piet resolves with a reply, and a check-in with a comment: three texts to erase later."""
    await send_signal(h)
    [alert] = [m for m in h.api.messages(PIET.id) if "signaal van" in m.text]
    await h.tap(PIET, alert, "Afronden")
    await h.send(PIET, REPLY)
    [prompt] = await h.send(VERA, "/checkin")
    message = await h.tap(VERA, prompt, "3-4")
    message = await h.tap(VERA, message, "3")
    for _ in range(3):
        message = await h.tap(VERA, message, "Nee")
    await h.send(VERA, COMMENT)


@pytest.mark.parametrize("who", ["self", "coordinator"])
async def test_after_forget_or_offboarding_the_texts_and_name_are_gone_from_the_files(tmp_path: Path, who: str) -> None:
    db_path = tmp_path / "samenspel.db"
    async with running_bot(tmp_path) as h:
        await seed_named_volunteer(h)
        await closed_signal_and_checkin(h)
        everything = (WORDS, REPLY, COMMENT, NAME, html.escape(NAME, quote=False))
        assert left_on_disk(db_path, *everything) == list(everything)  # the test sees them before
        if who == "self":
            [confirm] = await h.send(VERA, "/forget")
            await h.tap(VERA, confirm, "Ja, wis mijn gegevens")
        else:
            [ask] = await h.send(ANNA, "/remove")
            confirm = await h.tap(ANNA, ask, NAME)
            await h.tap(ANNA, confirm, "Afmelden en gegevens wissen")
        # The bot is still running: the erasure itself must have emptied the WAL.
        assert h.app.running
        assert left_on_disk(db_path, *everything) == []


async def test_after_the_retention_run_old_texts_and_removed_names_are_gone_from_the_files(tmp_path: Path) -> None:
    db_path = tmp_path / "samenspel.db"
    async with running_bot(tmp_path) as h:
        await seed_named_volunteer(h)
        await closed_signal_and_checkin(h)
        # Removed without erasing: the name stays until the retention period has passed.
        [ask] = await h.send(ANNA, "/remove")
        confirm = await h.tap(ANNA, ask, NAME)
        await h.tap(ANNA, confirm, "Ja, afmelden")
        everything = (WORDS, REPLY, COMMENT, NAME, html.escape(NAME, quote=False))
        await h.advance(timedelta(days=179))
        assert left_on_disk(db_path, *everything) == list(everything)
        await h.advance(timedelta(days=2))
        assert h.app.running
        assert left_on_disk(db_path, *everything) == []
