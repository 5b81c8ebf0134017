"""Retention and erasure SQL against a real SQLite file: what goes, what stays, and the boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.escalation import Kind, Urgency
from bot.domain.models import Prepared, Role
from storage import emails, escalations, invites, outbox, people, privacy
from storage.db import Database

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
RETAIN = timedelta(days=180)


async def _volunteer(db: Database, name: str, telegram_id: int) -> int:
    async with db.transaction() as tx:
        return await people.create(tx, name=name, telegram_id=telegram_id, language="nl", team_id=None, now=NOW)


async def _resolved_report(db: Database, volunteer: int, body: str, closed: datetime, resolver: int | None) -> int:
    async with db.transaction() as tx:
        item = await escalations.create(
            tx,
            kind=Kind.SIGNAL,
            volunteer_id=volunteer,
            link_id=None,
            client_alias="C-1",
            category="health",
            urgency=Urgency.URGENT,
            body=body,
            now=closed - timedelta(hours=1),
        )
        assert item is not None
        if resolver is None:
            await escalations.close(tx, item, reason_key="visit.closed_ok", now=closed)
        else:
            await escalations.resolve(tx, item, by=resolver, reply=f"reply to {body}", now=closed)
        return item


async def test_old_closed_text_goes_recent_and_open_text_stays(db: Database) -> None:
    vera = await _volunteer(db, "Vera", 1)
    piet = await _volunteer(db, "Piet", 2)
    old = await _resolved_report(db, vera, "old words", NOW - RETAIN - timedelta(days=1), piet)
    recent = await _resolved_report(db, vera, "recent words", NOW - RETAIN + timedelta(days=1), piet)
    closed_by_system = await _resolved_report(db, vera, "system words", NOW - RETAIN - timedelta(days=1), None)
    async with db.transaction() as tx:
        still_open = await escalations.create(
            tx,
            kind=Kind.SIGNAL,
            volunteer_id=vera,
            link_id=None,
            client_alias="C-1",
            category="health",
            urgency=Urgency.INFO,
            body="open words",
            now=NOW - RETAIN - timedelta(days=30),
        )
        sent = await outbox.enqueue(tx, chat_id=1, text="old message", now=NOW - RETAIN - timedelta(days=1))
        await outbox.mark_sent(tx, sent, 5, NOW - RETAIN - timedelta(days=1))
        pending = await outbox.enqueue(tx, chat_id=1, text="queued message", now=NOW - RETAIN - timedelta(days=1))
        erased = await privacy.erase_old_text(tx, before=NOW - RETAIN, drafts_before=NOW - timedelta(days=7))
        rows = {
            r["id"]: (r["body"], r["resolution"]) for r in await tx.all("SELECT id, body, resolution FROM escalations")
        }
        texts = {r["id"]: r["text"] for r in await tx.all("SELECT id, text FROM outbox")}
        again = await privacy.erase_old_text(tx, before=NOW - RETAIN, drafts_before=NOW - timedelta(days=7))
    assert rows[old] == (None, None)
    assert rows[recent] == ("recent words", "reply to recent words")
    # A system closure keeps its reason key (it is not free text; old alerts render from it).
    assert rows[closed_by_system] == (None, "visit.closed_ok")
    assert rows[still_open] == ("open words", None)
    assert texts[sent] == "" and texts[pending] == "queued message"
    assert (erased.reports, erased.messages) == (2, 1)
    assert not any(again.as_dict().values())  # idempotent: a second run finds nothing


async def test_erasing_a_person_keeps_counts_and_blanks_what_names_them(db: Database) -> None:
    vera = await _volunteer(db, "Vera", 1)
    piet = await _volunteer(db, "Piet", 2)
    report = await _resolved_report(db, vera, "her words", NOW, piet)
    async with db.transaction() as tx:
        to_piet = await outbox.enqueue(tx, chat_id=2, person_id=piet, text="Vera needs you", now=NOW)
        await outbox.mark_sent(tx, to_piet, 9, NOW)
        queued = await outbox.enqueue(tx, chat_id=1, person_id=vera, text="for Vera", now=NOW)
        await privacy.erase_person(tx, vera, NOW)
        person = await tx.one("SELECT name, telegram_id, active FROM people WHERE id = ?", (vera,))
        item = await tx.one("SELECT body, resolution, category, created_at FROM escalations WHERE id = ?", (report,))
        message = await tx.one("SELECT status, text, chat_id FROM outbox WHERE id = ?", (queued,))
        piets = await tx.scalar("SELECT text FROM outbox WHERE id = ?", (to_piet,))
        exported = await privacy.export_person(tx, vera)
    assert person is not None and tuple(person) == (f"#{vera}", None, 0)
    assert item is not None and tuple(item)[:3] == (None, None, "health") and item["created_at"]
    assert message is not None and tuple(message) == ("dropped", "", 0)
    assert piets == ""
    assert exported["person"]["name"] == f"#{vera}" and exported["reports"][0]["body"] is None


async def _email(db: Database, item: int, body: str, *, failed: bool, at: datetime) -> int:
    async with db.transaction() as tx:
        email = await emails.enqueue(
            tx, escalation_id=item, reason="unpicked", recipients=["zorg@example.org"], subject="s", body=body, now=at
        )
        assert email is not None
        if failed:
            await emails.mark_failed(tx, email, "550 refused")
        return email


async def _bodies(db: Database) -> dict[int, str]:
    async with db.transaction() as tx:
        return {r["id"]: r["body"] for r in await tx.all("SELECT id, body FROM emails")}


async def test_retention_blanks_e_mails_that_never_went_out_and_keeps_pending_ones(db: Database) -> None:
    vera = await _volunteer(db, "Vera", 1)
    old_item = await _resolved_report(db, vera, "old words", NOW - RETAIN - timedelta(days=1), None)
    new_item = await _resolved_report(db, vera, "new words", NOW - timedelta(days=1), None)
    old_failed = await _email(db, old_item, "old words", failed=True, at=NOW - RETAIN - timedelta(days=1))
    recent_failed = await _email(db, new_item, "new words", failed=True, at=NOW - timedelta(days=1))
    async with db.transaction() as tx:
        erased = await privacy.erase_old_text(tx, before=NOW - RETAIN, drafts_before=NOW - timedelta(days=7))
    assert await _bodies(db) == {old_failed: "", recent_failed: "new words"}
    assert erased.messages == 1


async def test_erasing_a_volunteer_blanks_her_failed_e_mails_and_lets_a_pending_one_go_out_first(
    db: Database,
) -> None:
    vera = await _volunteer(db, "Vera", 1)
    failed_item = await _resolved_report(db, vera, "her words", NOW, None)
    pending_item = await _resolved_report(db, vera, "more words", NOW, None)
    failed = await _email(db, failed_item, "her words", failed=True, at=NOW)
    pending = await _email(db, pending_item, "more words", failed=False, at=NOW)
    async with db.transaction() as tx:
        await privacy.erase_person(tx, vera, NOW)
    assert await _bodies(db) == {failed: "", pending: "more words"}
    async with db.transaction() as tx:
        await emails.mark_failed(tx, pending, "550 refused")  # it gave up after her erasure
        await privacy.erase_old_text(tx, before=NOW - RETAIN, drafts_before=NOW - timedelta(days=7))
    assert await _bodies(db) == {failed: "", pending: ""}


async def _prepared_invite(db: Database, code: str, *, made: datetime) -> int:
    async with db.transaction() as tx:
        return await invites.create(
            tx,
            code_hash=code,
            role=Role.VOLUNTEER,
            name="Vera de Vries",
            team_id=None,
            created_by=None,
            now=made,
            expires_at=made + timedelta(days=7),
            prepared=Prepared(hours_per_week=4, contact_times="ma-avond na 19:00, niet op zondag"),
        )


async def _invite_texts(db: Database) -> dict[int, tuple[str, str | None]]:
    async with db.transaction() as tx:
        return {r["id"]: (r["name"], r["contact_times"]) for r in await tx.all("SELECT * FROM invites")}


async def test_retention_blanks_an_old_invites_name_and_prepared_contact_times(db: Database) -> None:
    old = await _prepared_invite(db, "h-old", made=NOW - RETAIN - timedelta(days=10))
    recent = await _prepared_invite(db, "h-new", made=NOW - timedelta(days=1))
    async with db.transaction() as tx:
        erased = await privacy.erase_old_text(tx, before=NOW - RETAIN, drafts_before=NOW - timedelta(days=7))
    texts = await _invite_texts(db)
    assert texts[old] == ("", None)
    assert texts[recent] == ("Vera de Vries", "ma-avond na 19:00, niet op zondag")
    assert erased.invites == 1


async def test_erasing_a_volunteer_blanks_the_contact_times_of_the_invite_she_came_with(db: Database) -> None:
    invite = await _prepared_invite(db, "h-vera", made=NOW - timedelta(days=2))
    vera = await _volunteer(db, "Vera de Vries", 1)
    async with db.transaction() as tx:
        assert await invites.mark_used(tx, invite, vera, NOW - timedelta(days=1))
        await privacy.erase_person(tx, vera, NOW)
    assert (await _invite_texts(db))[invite] == ("", None)
