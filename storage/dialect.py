"""What SQLite and PostgreSQL spell differently, and the translation of the shared SQL to PostgreSQL's.

The storage modules write every statement once, in SQLite's spelling with `?` (or `:name`) placeholders. On
PostgreSQL `to_postgres` rewrites it (once per distinct statement, cached): placeholders become `%s` (and
`%(name)s`; a literal `%` becomes `%%`, psycopg's escape), `INSERT OR IGNORE` becomes `ON CONFLICT DO
NOTHING`, the scalar two-argument `MAX`/`MIN` become `GREATEST`/`LEAST`, `group_concat(x[, sep])` becomes
`string_agg(x, sep)` (sep `','` by default), `instr` becomes `strpos`, and SQLite's `INDEXED BY name` hint
goes. `COLLATE NOCASE` needs no rewrite: PostgreSQL's migration 0001 creates a case-insensitive collation
named `nocase`. Nothing is rewritten inside string literals or quoted identifiers but the `%` escape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache


class Backend(Enum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


@dataclass(frozen=True)
class Dialect:
    """The few clauses a storage module asks for by meaning rather than by spelling."""

    backend: Backend

    def skip_locked(self, of: str | None = None) -> str:
        """Appended to a claim's SELECT: rows another transaction is claiming are left to it.

        SQLite has one writer at a time, so a claim there needs no clause at all.
        """
        if self.backend is Backend.SQLITE:
            return ""
        return f" FOR UPDATE OF {of} SKIP LOCKED" if of else " FOR UPDATE SKIP LOCKED"


def safe_url(url: str) -> str:
    """A database URL without its password, for messages, logs and check-config."""
    return _PASSWORD.sub(r"\1:***@", url)


SQLITE = Dialect(Backend.SQLITE)
POSTGRESQL = Dialect(Backend.POSTGRESQL)

_PASSWORD = re.compile(r"(://[^:/@]*):[^@]*@")
# Quoted text is copied as is; everything else is looked at token by token.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|[A-Za-z_][A-Za-z0-9_]*|\s+|.", re.DOTALL)
_INSERT_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_INSERT_INTO = re.compile(r"^\s*INSERT\s+(?:OR\s+\w+\s+)?INTO\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)


@dataclass(frozen=True)
class Translated:
    sql: str
    # The table an INSERT writes to (None for other statements): the caller adds RETURNING id where it has one.
    insert_into: str | None


@lru_cache(maxsize=4096)
def to_postgres(sql: str) -> Translated:
    """The PostgreSQL spelling of one statement written for SQLite (see the module's docstring)."""
    ignore = bool(_INSERT_OR_IGNORE.match(sql))
    if ignore:
        sql = _INSERT_OR_IGNORE.sub("INSERT INTO", sql, count=1)
    tokens = _TOKENS.findall(sql)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        lowered = token.lower()
        if token == "?":
            out.append("%s")
        elif token == ":" and i + 1 < len(tokens) and _is_name(tokens[i + 1]) and (not out or out[-1] != ":"):
            out.append(f"%({tokens[i + 1]})s")  # a named parameter, :name
            i += 2
            continue
        elif lowered in ("max", "min") and _next_code(tokens, i) == "(" and _has_top_level_comma(tokens, i):
            out.append("GREATEST" if lowered == "max" else "LEAST")
        elif lowered == "group_concat" and _next_code(tokens, i) == "(":
            i = _group_concat(tokens, i, out)
            continue
        elif lowered == "instr" and _next_code(tokens, i) == "(":
            out.append("strpos")
        elif lowered == "indexed" and (_next_code(tokens, i) or "").lower() == "by":
            i = _after_index_hint(tokens, i)  # SQLite's planner hint; PostgreSQL's planner chooses for itself
            continue
        else:
            # psycopg reads % as the start of a placeholder everywhere, quoted text included.
            out.append(token.replace("%", "%%"))
        i += 1
    translated = "".join(out).rstrip().rstrip(";")
    if ignore:
        translated = _before_returning(translated, " ON CONFLICT DO NOTHING")
    match = _INSERT_INTO.match(sql)
    return Translated(translated, match.group(1).lower() if match and not _RETURNING.search(sql) else None)


def with_returning_id(translated: str) -> str:
    return translated + " RETURNING id"


def _before_returning(sql: str, clause: str) -> str:
    match = _RETURNING.search(sql)
    if match is None:
        return sql + clause
    return sql[: match.start()].rstrip() + clause + " " + sql[match.start() :]


def _after_index_hint(tokens: list[str], i: int) -> int:
    """The index of the token after `INDEXED BY name`, which starts at tokens[i]."""
    seen = 0
    j = i
    while seen < 3 and j < len(tokens):  # INDEXED, BY, the index's name
        if not tokens[j].isspace():
            seen += 1
        j += 1
    return j


def _is_name(token: str) -> bool:
    return token[0].isalpha() or token[0] == "_"


def _next_code(tokens: list[str], i: int) -> str | None:
    for token in tokens[i + 1 :]:
        if not token.isspace():
            return token
    return None


def _call_span(tokens: list[str], i: int) -> tuple[int, int]:
    """Indices of the opening and the matching closing parenthesis of the call whose name is tokens[i]."""
    start = i + 1
    while tokens[start].isspace():
        start += 1
    depth = 0
    for j in range(start, len(tokens)):
        if tokens[j] == "(":
            depth += 1
        elif tokens[j] == ")":
            depth -= 1
            if depth == 0:
                return start, j
    raise ValueError("unbalanced parentheses in SQL")


def _has_top_level_comma(tokens: list[str], i: int) -> bool:
    start, end = _call_span(tokens, i)
    depth = 0
    for token in tokens[start + 1 : end]:
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif token == "," and depth == 0:
            return True
    return False


def _group_concat(tokens: list[str], i: int, out: list[str]) -> int:
    """group_concat(x) → string_agg(x, ','), group_concat(x, sep) → string_agg(x, sep); returns the index after
    the call."""
    start, end = _call_span(tokens, i)
    inner = "".join(_placeholders(tokens[start + 1 : end]))
    out.append(f"string_agg({inner})" if _has_top_level_comma(tokens, i) else f"string_agg({inner}, ',')")
    return end + 1


def _placeholders(tokens: list[str]) -> list[str]:
    return ["%s" if t == "?" else t.replace("%", "%%") for t in tokens]
