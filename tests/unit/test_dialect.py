"""The translation of the shared SQL (SQLite's spelling) to PostgreSQL's, statement by statement."""

from __future__ import annotations

import pytest

from storage.dialect import POSTGRESQL, SQLITE, safe_url, to_postgres


@pytest.mark.parametrize(
    ("shared", "postgres"),
    [
        ("SELECT * FROM people WHERE id = ? AND active = ?", "SELECT * FROM people WHERE id = %s AND active = %s"),
        # Inside quotes nothing changes: a question mark in a literal is not a placeholder.
        ("SELECT '?' || name FROM teams WHERE name = ?", "SELECT '?' || name FROM teams WHERE name = %s"),
        ("SELECT 'it''s ?' WHERE x LIKE '%a'", "SELECT 'it''s ?' WHERE x LIKE '%%a'"),
        (
            "SELECT * FROM e WHERE e.id != :p AND r.person_id = :p",
            "SELECT * FROM e WHERE e.id != %(p)s AND r.person_id = %(p)s",
        ),
        (
            "INSERT OR IGNORE INTO person_roles (person_id, role) VALUES (?, ?)",
            "INSERT INTO person_roles (person_id, role) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        ),
        (
            "UPDATE outbox SET maybe_delivered = MAX(maybe_delivered, ?) WHERE id = ?",
            "UPDATE outbox SET maybe_delivered = GREATEST(maybe_delivered, %s) WHERE id = %s",
        ),
        # The aggregates keep their name; only the two-argument (scalar) forms change.
        ("SELECT MAX(id), MIN(COALESCE(a, '')) FROM t", "SELECT MAX(id), MIN(COALESCE(a, '')) FROM t"),
        ("SELECT min(a, b), max(f(x, y)) FROM t", "SELECT LEAST(a, b), max(f(x, y)) FROM t"),
        (
            "SELECT (SELECT group_concat(role) FROM person_roles r WHERE r.person_id = p.id) AS roles FROM people p",
            "SELECT (SELECT string_agg(role, ',') FROM person_roles r WHERE r.person_id = p.id) AS roles FROM people p",
        ),
        ("SELECT group_concat(flag, ' ') FROM f", "SELECT string_agg(flag, ' ') FROM f"),
        ("SELECT instr(name, ?) FROM t", "SELECT strpos(name, %s) FROM t"),
        (
            "SELECT o.* FROM outbox o INDEXED BY outbox_queue LEFT JOIN outbox t ON t.id = o.edit_of",
            "SELECT o.* FROM outbox o  LEFT JOIN outbox t ON t.id = o.edit_of",
        ),
        (
            "SELECT * FROM links ORDER BY client_alias COLLATE NOCASE",
            "SELECT * FROM links ORDER BY client_alias COLLATE NOCASE",
        ),
    ],
)
def test_shared_sql_reads_as_postgresql(shared: str, postgres: str) -> None:
    assert to_postgres(shared).sql == postgres


def test_an_insert_names_its_table_so_that_its_new_id_can_be_returned() -> None:
    assert to_postgres("INSERT INTO outbox (chat_id) VALUES (?)").insert_into == "outbox"
    assert to_postgres("INSERT OR IGNORE INTO drafts (person_id) VALUES (?)").insert_into == "drafts"
    assert to_postgres("INSERT INTO t (a) VALUES (?) RETURNING a").insert_into is None  # it asks for its own
    assert to_postgres("UPDATE outbox SET text = ?").insert_into is None


def test_claims_lock_and_skip_on_postgresql_only() -> None:
    assert SQLITE.skip_locked() == ""
    assert POSTGRESQL.skip_locked() == " FOR UPDATE SKIP LOCKED"
    assert POSTGRESQL.skip_locked("o") == " FOR UPDATE OF o SKIP LOCKED"


def test_a_url_is_shown_without_its_password() -> None:
    assert safe_url("postgresql://bot:s3cr%40t@db:5432/samenspel") == "postgresql://bot:***@db:5432/samenspel"
    assert safe_url("postgresql://bot@/samenspel?host=/run") == "postgresql://bot@/samenspel?host=/run"
