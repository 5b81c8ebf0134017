"""Both backends' migrations build the same schema: tables, columns (name, nullability, a normalised type,
default), primary keys, unique, check and foreign-key constraints, and indexes (columns, uniqueness, the rows
a partial one covers). What differs only in spelling is normalised away; anything else fails here, so a
migration written for one backend and forgotten (or written differently) for the other is caught."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from storage.db import Database, available_migrations
from storage.dialect import Backend
from tests.support.postgres import fresh_schema

_TYPES = {"integer": "integer", "bigint": "integer", "text": "text", "real": "real", "double precision": "real"}
_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")
_CASTS = re.compile(r"::[a-z_]+(?: precision)?(?:\[\])?")
_NAMES = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class Schema:
    # table -> column -> (normalised type, not null, normalised default)
    columns: dict[str, dict[str, tuple[str, bool, str | None]]] = field(default_factory=dict)
    primary_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    uniques: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    foreign_keys: set[tuple[str, tuple[str, ...], str, tuple[str, ...]]] = field(default_factory=set)
    checks: set[tuple[str, frozenset[str], frozenset[str]]] = field(default_factory=set)
    # name -> (table, columns, unique, partial: (columns, literals) of its WHERE)
    indexes: dict[str, tuple[str, tuple[str, ...], bool, tuple[frozenset[str], frozenset[str]] | None]] = field(
        default_factory=dict
    )


def _expression(text: str, columns: set[str]) -> tuple[frozenset[str], frozenset[str]]:
    """What a CHECK or an index's WHERE is about, spelling aside: the columns it names and the literals it
    compares them with (`x IN ('a', 'b')` and `x = ANY (ARRAY['a'::text, 'b'::text])` are the same)."""
    text = _CASTS.sub("", text)
    literals = frozenset(_LITERALS.findall(text))
    names = frozenset(n for n in _NAMES.findall(_LITERALS.sub(" ", text)) if n in columns)
    return names, literals


def _default(text: Any) -> str | None:
    if text is None:
        return None
    plain = _CASTS.sub("", str(text)).strip("()")
    # PostgreSQL quotes a negative number: '-1'::integer.
    return plain.strip("'") if re.fullmatch(r"'-?\d+(?:\.\d+)?'", plain) else plain


def _sqlite_checks(table_sql: str) -> list[str]:
    """The bodies of the CHECK (...) clauses in a CREATE TABLE statement."""
    found: list[str] = []
    for match in re.finditer(r"\bCHECK\s*\(", table_sql, re.IGNORECASE):
        depth, start = 1, match.end()
        for i in range(start, len(table_sql)):
            depth += {"(": 1, ")": -1}.get(table_sql[i], 0)
            if depth == 0:
                found.append(table_sql[start:i])
                break
    return found


def sqlite_schema(path: Path) -> Schema:
    schema = Schema()
    conn = sqlite3.connect(path)
    try:
        tables = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        for table, table_sql in tables:
            info = conn.execute(f"PRAGMA table_info({table})").fetchall()
            schema.columns[table] = {
                name: (_TYPES[kind.lower()], bool(notnull or pk), _default(dflt))
                for _, name, kind, notnull, dflt, pk in info
            }
            schema.primary_keys[table] = tuple(c[1] for c in sorted((c for c in info if c[5]), key=lambda c: c[5]))
            names = set(schema.columns[table])
            for body in _sqlite_checks(table_sql):
                schema.checks.add((table, *_expression(body, names)))
            keys: dict[int, list[tuple[str, str, str]]] = {}
            for fk_id, _seq, target, source, to, *_ in conn.execute(f"PRAGMA foreign_key_list({table})"):
                keys.setdefault(fk_id, []).append((target, source, to))
            for parts in keys.values():
                schema.foreign_keys.add((table, tuple(p[1] for p in parts), parts[0][0], tuple(p[2] for p in parts)))
            for _, index, unique, origin, partial in conn.execute(f"PRAGMA index_list({table})"):
                columns = tuple(r[2] for r in conn.execute(f"PRAGMA index_info({index})"))
                if origin == "u":
                    schema.uniques.add((table, columns))
                elif origin == "c":
                    index_sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (index,)).fetchone()[0]
                    where = index_sql.split(" WHERE ", 1)[1] if partial else None
                    schema.indexes[index] = (
                        table,
                        columns,
                        bool(unique),
                        None if where is None else _expression(where, names),
                    )
    finally:
        conn.close()
    return schema


def postgres_schema(url: str) -> Schema:
    schema = Schema()
    with psycopg.connect(url) as conn:
        for table, column, kind, nullable, default in conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns"
            " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        ):
            schema.columns.setdefault(table, {})[column] = (_TYPES[kind], nullable == "NO", _default(default))
        constraints = conn.execute(
            "SELECT c.conrelid::regclass::text, c.contype, pg_get_constraintdef(c.oid),"
            " ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)"
            "       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),"
            " c.confrelid::regclass::text,"
            " ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)"
            "       JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)"
            " FROM pg_constraint c JOIN pg_namespace s ON s.oid = c.connamespace"
            " WHERE s.nspname = current_schema() AND c.contype IN ('p', 'u', 'f', 'c')"
        ).fetchall()
        for table, kind, definition, columns, target, target_columns in constraints:
            if kind == "p":
                schema.primary_keys[table] = tuple(columns)
            elif kind == "u":
                schema.uniques.add((table, tuple(columns)))
            elif kind == "f":
                schema.foreign_keys.add((table, tuple(columns), target, tuple(target_columns)))
            else:
                schema.checks.add((table, *_expression(definition, set(schema.columns[table]))))
        for index, table, unique, columns, where in conn.execute(
            "SELECT i.relname, t.relname, x.indisunique,"
            " ARRAY(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k(n, o)"
            # An expression column (attnum 0) reads NULL, as SQLite's index_info gives None for it.
            "       LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.o),"
            " pg_get_expr(x.indpred, x.indrelid)"
            " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
            " JOIN pg_namespace s ON s.oid = t.relnamespace"
            " WHERE s.nspname = current_schema()"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
        ):
            names = set(schema.columns[table])
            schema.indexes[index] = (
                table,
                tuple(columns),
                unique,
                None if where is None else _expression(where, names),
            )
    return schema


async def test_both_backends_migrate_to_the_same_schema(tmp_path: Path) -> None:
    sqlite_numbers = [number for number, _, _ in available_migrations(Backend.SQLITE)]
    assert sqlite_numbers == [number for number, _, _ in available_migrations(Backend.POSTGRESQL)], (
        "every migration needs its PostgreSQL twin under storage/migrations/postgresql/, same number and name"
    )
    async with Database(tmp_path / "samenspel.db") as sqlite_db:
        await sqlite_db.migrate()
    with fresh_schema() as url:
        async with Database(url=url) as pg_db:
            await pg_db.migrate()
        expected, found = sqlite_schema(tmp_path / "samenspel.db"), postgres_schema(url)
    assert found.columns == expected.columns
    assert found.primary_keys == expected.primary_keys
    assert found.uniques == expected.uniques
    assert found.foreign_keys == expected.foreign_keys
    assert found.checks == expected.checks
    assert found.indexes == expected.indexes
