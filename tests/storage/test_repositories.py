"""Storage against a real SQLite file: migrations, repositories, the outbox's delivery bookkeeping."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.lanes import REPLY, Lane
from bot.domain.models import Draft, Role
from bot.services.base import load_people
from storage import audit, drafts, groups, invites, links, outbox, people
from storage.db import Database, available_migrations, backup_file, split_sql
from tests.support.postgres import INTEGRITY_ERRORS

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


async def test_migrations_from_empty_on_a_real_file(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    async with Database(path) as database:
        applied = await database.migrate()
        assert applied == [name for _, name, _ in available_migrations()]
        assert await database.schema_version() == available_migrations()[-1][0]
        assert await database.migrate() == []  # idempotent
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"people", "person_roles", "invites", "links", "agreements", "outbox", "audit", "drafts"} <= tables
    raw.close()


async def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = available_migrations()
    broken = (*good, (9999, "9999_broken.sql", "CREATE TABLE half (x INTEGER);\nTHIS IS NOT SQL;\n"))
    monkeypatch.setattr("storage.db.available_migrations", lambda: list(broken))
    async with Database(tmp_path / "m.db") as database:
        with pytest.raises(sqlite3.OperationalError):
            await database.migrate()
        assert await database.schema_version() == good[-1][0]
        async with database.transaction() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'") == 0


def test_split_sql_keeps_strings_with_semicolons() -> None:
    statements = split_sql("-- c\nCREATE TABLE a (x TEXT DEFAULT 'a;b');\n\nINSERT INTO a VALUES ('x;y');\n")
    assert len(statements) == 2 and "'a;b'" in statements[0]


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(INTEGRITY_ERRORS):
        async with db.transaction() as tx:
            await people.add_role(tx, 12345, Role.VOLUNTEER)


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await people.create(tx, name="Vera", telegram_id=1, language="nl", team_id=None, now=NOW)
            raise RuntimeError("boom")
    async with db.transaction() as tx:
        assert await people.count_telegram_id(tx, 1) == 0


async def test_people_roles_teams_and_removal(db: Database) -> None:
    async with db.transaction() as tx:
        team_id = await people.create_team(tx, "Buurtteam Oost", NOW)
        vera = await people.create(tx, name="Vera", telegram_id=101, language="nl", team_id=team_id, now=NOW)
        piet = await people.create(tx, name="Piet", telegram_id=102, language="en", team_id=None, now=NOW)
        await people.add_role(tx, vera, Role.VOLUNTEER)
        await people.add_role(tx, piet, Role.PROFESSIONAL)
        await people.add_role(tx, piet, Role.COORDINATOR)
        await people.add_role(tx, piet, Role.COORDINATOR)  # twice is harmless
        await people.assign(tx, vera, piet, None)
    async with db.transaction() as tx:
        found = await people.by_telegram_id(tx, 101)
        assert found is not None and found.roles == {Role.VOLUNTEER} and found.responsible_professional_id == piet
        assert (await people.team_by_name(tx, "buurtteam oost")) is not None  # names match case-insensitively
        pros = await people.active_with_role(tx, Role.PROFESSIONAL)
        assert [p.name for p in pros] == ["Piet"]
        assert (await people.get(tx, piet)).roles == {Role.PROFESSIONAL, Role.COORDINATOR}  # type: ignore[union-attr]
        assert await people.deactivate(tx, vera, NOW)
        assert not await people.deactivate(tx, vera, NOW)
        assert await people.by_telegram_id(tx, 101) is None  # removed = unknown
        assert await people.mark_unreachable(tx, piet, NOW)
        assert not await people.mark_unreachable(tx, piet, NOW)


async def test_people_by_id_come_in_one_query_as_each_would_alone(db: Database) -> None:
    """load_people (every alert and its edits) reads everyone in one query; what it finds is what people.get finds,
    in the order asked, without ids that have no row."""
    async with db.transaction() as tx:
        vera = await people.create(tx, name="Vera", telegram_id=201, language="nl", team_id=None, now=NOW)
        piet = await people.create(tx, name="Piet", telegram_id=202, language="en", team_id=None, now=NOW)
        await people.add_role(tx, piet, Role.PROFESSIONAL)
        await people.add_role(tx, piet, Role.COORDINATOR)
    async with db.transaction() as tx:
        found = await load_people(tx, [piet, 999_999, vera, piet])
        assert list(found) == [piet, vera]
        assert found[piet] == await people.get(tx, piet) and found[vera] == await people.get(tx, vera)
        assert found[piet].roles == {Role.PROFESSIONAL, Role.COORDINATOR}
        assert await load_people(tx, []) == {}


async def test_invites_are_claimed_once(db: Database) -> None:
    async with db.transaction() as tx:
        invite_id = await invites.create(
            tx,
            code_hash="h1",
            role=Role.VOLUNTEER,
            name="Vera",
            team_id=None,
            created_by=None,
            now=NOW,
            expires_at=NOW + timedelta(days=7),
        )
        person = await people.create(tx, name="Vera", telegram_id=5, language="nl", team_id=None, now=NOW)
        assert await invites.mark_used(tx, invite_id, person, NOW)
        assert not await invites.mark_used(tx, invite_id, person, NOW)
        stored = await invites.by_hash(tx, "h1")
        assert stored is not None and stored.used_by == person and stored.expires_at == NOW + timedelta(days=7)


async def test_links_agreements_drafts_groups_and_audit(db: Database) -> None:
    async with db.transaction() as tx:
        vera = await people.create(tx, name="Vera", telegram_id=7, language="nl", team_id=None, now=NOW)
        link_id = await links.create(tx, volunteer_id=vera, client_alias="C-12", professional_id=None, now=NOW)
        assert (await links.find_active(tx, vera, "c-12")) is not None
        await links.set_agreement(tx, volunteer_id=vera, hours_per_week=4, contact_times="di", by=None, now=NOW)
        await links.set_agreement(tx, volunteer_id=vera, hours_per_week=6, contact_times="", by=None, now=NOW)
        agreement = await links.agreement(tx, vera)
        assert agreement is not None and agreement.hours_per_week == 6 and agreement.contact_times == ""
        await drafts.put(tx, vera, Draft("link", "alias", {"volunteer": 3, "name": "Zoë <b>"}), NOW)
        assert await drafts.get(tx, vera) == Draft("link", "alias", {"volunteer": 3, "name": "Zoë <b>"})
        assert await drafts.clear(tx, vera) and not await drafts.clear(tx, vera)
        assert await groups.note_once(tx, -100, NOW) and not await groups.note_once(tx, -100, NOW)
        await audit.record(tx, now=NOW, event="link.created", subject_type="link", subject_id=link_id)
        assert [e.event for e in await audit.for_subject(tx, "link", link_id)] == ["link.created"]
    with pytest.raises(INTEGRITY_ERRORS):
        async with db.transaction() as tx:
            await links.create(tx, volunteer_id=vera, client_alias="C-12", professional_id=None, now=NOW)


async def test_outbox_claims_retries_and_marks_unknown_outcomes(db: Database) -> None:
    async with db.transaction() as tx:
        first = await outbox.enqueue(tx, chat_id=9, text="een", now=NOW)
        second = await outbox.enqueue(tx, chat_id=10, text="twee", now=NOW)
    async with db.transaction() as tx:
        claimed = await outbox.claim_due(tx, NOW, 1)
        assert [m.id for m in claimed] == [first]
        assert [m.id for m in await outbox.claim_due(tx, NOW, 10)] == [second]  # in flight: not claimed twice
        await outbox.retry_later(tx, second, at=NOW, error="test", maybe_delivered=False)
    # A crash now: the attempt's outcome is unknown, so the next send is marked as a repeat.
    async with db.transaction() as tx:
        assert await outbox.recover_in_flight(tx) == 1
        again = await outbox.claim_due(tx, NOW + timedelta(seconds=5), 10)
        # attempts counts the tries made before this one
        assert [(m.id, m.maybe_delivered, m.attempts) for m in again] == [
            (first, True, 1),
            (second, False, 1),
        ]
        await outbox.mark_sent(tx, first, 555, NOW)
        await outbox.retry_later(tx, second, at=NOW + timedelta(seconds=30), error="429", maybe_delivered=False)
        assert await outbox.claim_due(tx, NOW + timedelta(seconds=29), 10) == []
        assert await outbox.next_due_at(tx) == NOW + timedelta(seconds=30)


async def test_outbox_edits_wait_for_their_message_and_supersede_each_other(db: Database) -> None:
    async with db.transaction() as tx:
        alert = await outbox.enqueue(tx, chat_id=9, text="alert", now=NOW)
        # Not sent yet: an edit just rewrites the queued text.
        await outbox.enqueue_edit(tx, target_id=alert, text="alert v2", keyboard=None, now=NOW)
        claimed = await outbox.claim_due(tx, NOW, 10)
        assert [(m.id, m.text) for m in claimed] == [(alert, "alert v2")]
        await outbox.mark_sent(tx, alert, 77, NOW)
        await outbox.enqueue_edit(tx, target_id=alert, text="v3", keyboard=None, now=NOW)
        await outbox.enqueue_edit(tx, target_id=alert, text="v4", keyboard=None, now=NOW)
        edits = await outbox.claim_due(tx, NOW, 10)
        assert [(m.text, m.edit_target_message_id) for m in edits] == [("v4", 77)]


async def test_online_backup_copies_a_live_database(sqlite_db: Database, tmp_path: Path) -> None:
    db = sqlite_db
    async with db.transaction() as tx:
        await people.create(tx, name="Vera", telegram_id=1, language="nl", team_id=None, now=NOW)
    target = tmp_path / "copy" / "backup.db"
    await backup_file(db.path, target)
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT name FROM people").fetchall() == [("Vera",)]
    copy.close()


async def test_a_nested_transaction_fails_loudly_instead_of_hanging(db: Database) -> None:
    with pytest.raises(RuntimeError, match="nested transaction"):
        async with db.transaction():  # noqa: SIM117 - nesting is the point
            async with db.transaction():
                pass
    async with db.transaction() as tx:  # the lock was released
        assert await tx.scalar("SELECT 1") == 1


async def test_a_failed_commit_does_not_leave_the_connection_in_a_transaction(sqlite_db: Database) -> None:
    """A COMMIT that fails while SQLite keeps the transaction open (busy, I/O error) must not make every later
    BEGIN fail: the unit is rolled back, and the next transaction works."""
    db = sqlite_db
    conn = db.conn
    real_execute = conn.execute
    failing = True

    def execute(sql: str, parameters: object = None) -> object:
        nonlocal failing
        if sql == "COMMIT" and failing:
            failing = False

            async def refuse() -> None:
                raise sqlite3.OperationalError("disk I/O error")

            return refuse()
        return real_execute(sql, parameters) if parameters is not None else real_execute(sql)

    conn.execute = execute  # type: ignore[assignment,method-assign]
    try:
        with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
            async with db.transaction() as tx:
                await people.create(tx, name="Vera", telegram_id=1, language="nl", team_id=None, now=NOW)
        assert not conn.in_transaction
        async with db.transaction() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM people") == 0  # the failed unit left nothing
            await people.create(tx, name="Noor", telegram_id=2, language="nl", team_id=None, now=NOW)
        async with db.transaction() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM people") == 1
    finally:
        conn.execute = real_execute  # type: ignore[method-assign]


async def test_outbox_claims_the_lowest_lane_first_and_oldest_first_within_a_lane(db: Database) -> None:
    async with db.transaction() as tx:
        prompts = [
            await outbox.enqueue(tx, chat_id=100 + i, text=f"prompt {i}", purpose="checkin.prompt", now=NOW)
            for i in range(3)
        ]
        notice = await outbox.enqueue(tx, chat_id=200, text="notice", now=NOW)
        urgent = await outbox.enqueue(tx, chat_id=300, text="urgent", purpose="alert", lane=Lane.NOW, now=NOW)
        reply = await outbox.enqueue(tx, chat_id=301, text="reply", purpose=REPLY, now=NOW)
        claimed = await outbox.claim_due(tx, NOW, 4)
        assert [m.id for m in claimed] == [urgent, reply, notice, prompts[0]]
        assert [m.lane for m in claimed] == [Lane.NOW, Lane.NOW, Lane.SOON, Lane.BULK]
        assert [m.id for m in await outbox.claim_due(tx, NOW, 10)] == prompts[1:]


async def test_a_chats_oldest_pending_message_holds_the_rest_of_its_queue(db: Database) -> None:
    """Also across lanes, and while the oldest waits for a retry or is in flight: a chat's messages never
    overtake each other."""
    async with db.transaction() as tx:
        prompt = await outbox.enqueue(tx, chat_id=9, text="prompt", purpose="checkin.prompt", now=NOW)
        urgent = await outbox.enqueue(tx, chat_id=9, text="urgent", purpose=REPLY, now=NOW)
        other = await outbox.enqueue(tx, chat_id=10, text="other", purpose="checkin.prompt", now=NOW)
        assert [m.id for m in await outbox.claim_due(tx, NOW, 10)] == [prompt, other]
        assert await outbox.claim_due(tx, NOW, 10) == []  # the prompt is in flight: the urgent one waits
        await outbox.retry_later(tx, prompt, at=NOW + timedelta(seconds=5), error="429", maybe_delivered=False)
        await outbox.mark_sent(tx, other, 1, NOW)
        assert await outbox.claim_due(tx, NOW, 10) == []  # waiting for its retry, it still holds the chat
        assert await outbox.next_due_at(tx) == NOW + timedelta(seconds=5)
        assert [m.id for m in await outbox.claim_due(tx, NOW + timedelta(seconds=5), 10)] == [prompt]
        await outbox.mark_sent(tx, prompt, 2, NOW)
        assert [m.id for m in await outbox.claim_due(tx, NOW, 10)] == [urgent]


async def test_an_urgent_message_lifts_the_older_ones_of_its_chat_into_its_lane(db: Database) -> None:
    """They must go before it, so they go in its lane: else the urgent one waits for bulk to have its turn."""
    async with db.transaction() as tx:
        backlog = [
            await outbox.enqueue(tx, chat_id=100 + i, text=f"prompt {i}", purpose="checkin.prompt", now=NOW)
            for i in range(3)
        ]
        held = await outbox.enqueue(tx, chat_id=9, text="prompt", purpose="checkin.prompt", now=NOW)
        urgent = await outbox.enqueue(tx, chat_id=9, text="urgent", purpose="alert", lane=Lane.NOW, now=NOW)
        first = await outbox.claim_due(tx, NOW, 1)
        assert [(m.id, m.lane) for m in first] == [(held, Lane.NOW)]
        await outbox.mark_sent(tx, held, 1, NOW)
        assert [m.id for m in await outbox.claim_due(tx, NOW, 1)] == [urgent]
        assert [m.lane for m in await outbox.claim_due(tx, NOW, 10)] == [Lane.BULK] * len(backlog)


async def test_an_edit_travels_in_its_messages_lane_and_is_dropped_when_that_message_failed(db: Database) -> None:
    async with db.transaction() as tx:
        alert = await outbox.enqueue(tx, chat_id=9, text="alert", purpose="alert", lane=Lane.NOW, now=NOW)
        prompt = await outbox.enqueue(tx, chat_id=10, text="prompt", purpose="checkin.prompt", now=NOW)
        await outbox.claim_due(tx, NOW, 10)
        await outbox.mark_sent(tx, alert, 7, NOW)
        await outbox.mark_failed(tx, prompt, "bad request")
        await outbox.enqueue_edit(tx, target_id=alert, text="alert, picked up", keyboard=None, now=NOW)
        await outbox.enqueue(tx, chat_id=10, text="later", now=NOW)
        # An edit of the failed prompt could never go out; it must not hold chat 10 for ever.
        await tx.execute(
            "INSERT INTO outbox (chat_id, text, purpose, lane, edit_of, created_at) VALUES (10, 'x', 'edit', 2, ?, ?)",
            (prompt, NOW.isoformat()),
        )
        claimed = await outbox.claim_due(tx, NOW, 10)
        assert [(m.text, m.lane) for m in claimed] == [("alert, picked up", Lane.NOW), ("later", Lane.SOON)]


async def test_each_statement_is_one_trip_to_sqlites_thread(sqlite_db: Database) -> None:
    """Writes no longer take a second trip to close their cursor: what a climb or a pick-up costs is mostly
    these hand-overs. Their results stay what they were (the new row's id; the rows changed)."""
    conn = sqlite_db.conn
    real = conn._execute
    trips = 0

    async def counted(fn: object, *args: object, **kwargs: object) -> object:
        nonlocal trips
        trips += 1
        return await real(fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    async with sqlite_db.transaction() as tx:
        conn._execute = counted  # type: ignore[method-assign]
        try:
            vera = await tx.execute(
                "INSERT INTO people (name, telegram_id, language, created_at) VALUES ('Vera', 1, 'nl', ?)",
                ("2026-11-27T12:00:00+00:00",),
            )
            changed = await tx.changes("UPDATE people SET language = 'en' WHERE id = ?", (vera,))
            row = await tx.one("SELECT language FROM people WHERE id = ?", (vera,))
        finally:
            conn._execute = real  # type: ignore[method-assign]
    assert vera > 0 and changed == 1 and row is not None and row["language"] == "en"
    assert trips == 3
