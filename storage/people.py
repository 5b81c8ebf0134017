"""People and their roles."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.models import Person, Role, Team
from storage.db import Reader, Row, Tx, to_db

# Every table a Person is read from (below): a write to any of them makes a Person kept in memory stale
# (storage.db.WriteWatch). Neither has a trigger or a foreign key action that changes it behind the SQL's back.
PERSON_TABLES = ("people", "person_roles")

_PERSON_COLUMNS = (
    "p.id, p.name, p.telegram_id, p.language, p.team_id, p.timezone, p.active, p.unreachable_since,"
    " p.responsible_professional_id, p.backup_professional_id,"
    " (SELECT group_concat(role) FROM person_roles r WHERE r.person_id = p.id) AS roles"
)


def _person(row: Row) -> Person:
    roles = frozenset(Role(r) for r in (row["roles"] or "").split(",") if r)
    return Person(
        id=row["id"],
        name=row["name"],
        telegram_id=row["telegram_id"],
        roles=roles,
        language=row["language"],
        team_id=row["team_id"],
        timezone=row["timezone"],
        active=bool(row["active"]),
        unreachable=row["unreachable_since"] is not None,
        responsible_professional_id=row["responsible_professional_id"],
        backup_professional_id=row["backup_professional_id"],
    )


async def by_telegram_id(tx: Reader, telegram_id: int) -> Person | None:
    """The active person behind a Telegram account; removed people count as unknown."""
    row = await tx.one(
        f"SELECT {_PERSON_COLUMNS} FROM people p WHERE p.telegram_id = ? AND p.active = 1", (telegram_id,)
    )
    return None if row is None else _person(row)


async def get(tx: Tx, person_id: int) -> Person | None:
    row = await tx.one(f"SELECT {_PERSON_COLUMNS} FROM people p WHERE p.id = ?", (person_id,))
    return None if row is None else _person(row)


# Ids per query when loading people by id: well inside SQLite's bound on parameters.
_IDS_PER_QUERY = 500


async def get_many(tx: Reader, person_ids: Sequence[int]) -> dict[int, Person]:
    """The people with these ids (those that exist), in one query rather than one each: alerts and their edits
    look up everyone told about an item, and on SQLite every query is a trip to its thread."""
    found: dict[int, Person] = {}
    unique = list(dict.fromkeys(person_ids))
    for start in range(0, len(unique), _IDS_PER_QUERY):
        chunk = unique[start : start + _IDS_PER_QUERY]
        marks = ",".join("?" * len(chunk))
        for row in await tx.all(f"SELECT {_PERSON_COLUMNS} FROM people p WHERE p.id IN ({marks})", chunk):
            found[row["id"]] = _person(row)
    return found


async def active_with_role(tx: Tx, role: Role, team_id: int | None = None) -> list[Person]:
    sql = (
        f"SELECT {_PERSON_COLUMNS} FROM people p JOIN person_roles r ON r.person_id = p.id"
        " WHERE p.active = 1 AND r.role = ?"
    )
    params: list[object] = [role.value]
    if team_id is not None:
        sql += " AND p.team_id = ?"
        params.append(team_id)
    rows = await tx.all(sql + " ORDER BY p.name COLLATE NOCASE, p.id", params)
    return [_person(r) for r in rows]


async def all_active(tx: Tx) -> list[Person]:
    rows = await tx.all(
        f"SELECT {_PERSON_COLUMNS} FROM people p WHERE p.active = 1 ORDER BY p.name COLLATE NOCASE, p.id"
    )
    return [_person(r) for r in rows]


async def volunteers_of(tx: Tx, professional_id: int) -> list[Person]:
    """The active volunteers whose responsible professional this is."""
    rows = await tx.all(
        f"SELECT {_PERSON_COLUMNS} FROM people p JOIN person_roles r ON r.person_id = p.id"
        " WHERE p.active = 1 AND r.role = 'volunteer' AND p.responsible_professional_id = ?"
        " ORDER BY p.name COLLATE NOCASE, p.id",
        (professional_id,),
    )
    return [_person(r) for r in rows]


async def create(tx: Tx, *, name: str, telegram_id: int, language: str, team_id: int | None, now: datetime) -> int:
    return await tx.execute(
        "INSERT INTO people (name, telegram_id, language, team_id, created_at) VALUES (?, ?, ?, ?, ?)",
        (name, telegram_id, language, team_id, to_db(now)),
    )


async def add_role(tx: Tx, person_id: int, role: Role) -> None:
    await tx.execute("INSERT OR IGNORE INTO person_roles (person_id, role) VALUES (?, ?)", (person_id, role.value))


async def set_language(tx: Tx, person_id: int, language: str) -> None:
    await tx.execute("UPDATE people SET language = ? WHERE id = ?", (language, person_id))


async def set_team_if_missing(tx: Tx, person_id: int, team_id: int | None) -> None:
    await tx.execute("UPDATE people SET team_id = COALESCE(team_id, ?) WHERE id = ?", (team_id, person_id))


async def assign(tx: Tx, volunteer_id: int, professional_id: int, backup_id: int | None) -> None:
    await tx.execute(
        "UPDATE people SET responsible_professional_id = ?, backup_professional_id = ? WHERE id = ?",
        (professional_id, backup_id, volunteer_id),
    )


async def deactivate(tx: Tx, person_id: int, now: datetime) -> bool:
    changed = await tx.changes(
        "UPDATE people SET active = 0, removed_at = ? WHERE id = ? AND active = 1", (to_db(now), person_id)
    )
    return changed == 1


async def mark_unreachable(tx: Tx, person_id: int, now: datetime) -> bool:
    """Returns True when this is news (the person was reachable until now)."""
    changed = await tx.changes(
        "UPDATE people SET unreachable_since = ? WHERE id = ? AND unreachable_since IS NULL",
        (to_db(now), person_id),
    )
    return changed == 1


async def mark_reachable(tx: Tx, person_id: int) -> None:
    await tx.execute("UPDATE people SET unreachable_since = NULL WHERE id = ?", (person_id,))


async def count_telegram_id(tx: Tx, telegram_id: int) -> int:
    """How many rows mention this Telegram id at all (tests use it to show nothing was stored)."""
    return int(await tx.scalar("SELECT COUNT(*) FROM people WHERE telegram_id = ?", (telegram_id,)))


async def by_telegram_id_any(tx: Tx, telegram_id: int) -> Person | None:
    row = await tx.one(f"SELECT {_PERSON_COLUMNS} FROM people p WHERE p.telegram_id = ?", (telegram_id,))
    return None if row is None else _person(row)


async def release_telegram_id(tx: Tx, person_id: int) -> None:
    """A removed person may be invited again later; their old row keeps history without the id."""
    await tx.execute("UPDATE people SET telegram_id = NULL WHERE id = ? AND active = 0", (person_id,))


# Teams ---------------------------------------------------------------------------------------------


async def teams(tx: Tx) -> list[Team]:
    rows = await tx.all("SELECT id, name FROM teams WHERE removed_at IS NULL ORDER BY name COLLATE NOCASE")
    return [Team(id=r["id"], name=r["name"]) for r in rows]


async def team(tx: Tx, team_id: int) -> Team | None:
    row = await tx.one("SELECT id, name FROM teams WHERE id = ? AND removed_at IS NULL", (team_id,))
    return None if row is None else Team(id=row["id"], name=row["name"])


async def team_by_name(tx: Tx, name: str) -> Team | None:
    row = await tx.one("SELECT id, name FROM teams WHERE name = ? COLLATE NOCASE AND removed_at IS NULL", (name,))
    return None if row is None else Team(id=row["id"], name=row["name"])


async def create_team(tx: Tx, name: str, now: datetime) -> int:
    """A new team, or a removed one of that name brought back (names stay unique over removed teams too)."""
    row = await tx.one("SELECT id FROM teams WHERE name = ? COLLATE NOCASE AND removed_at IS NOT NULL", (name,))
    if row is not None:
        await tx.execute("UPDATE teams SET removed_at = NULL, name = ? WHERE id = ?", (name, row["id"]))
        return int(row["id"])
    return await tx.execute("INSERT INTO teams (name, created_at) VALUES (?, ?)", (name, to_db(now)))


async def rename_team(tx: Tx, team_id: int, name: str) -> bool:
    """False when the team is gone. A removed team holding the name lets go of it first."""
    await tx.execute(
        "UPDATE teams SET name = name || ' #' || id WHERE name = ? COLLATE NOCASE AND removed_at IS NOT NULL", (name,)
    )
    return await tx.changes("UPDATE teams SET name = ? WHERE id = ? AND removed_at IS NULL", (name, team_id)) == 1


async def remove_team(tx: Tx, team_id: int, now: datetime) -> bool:
    return (
        await tx.changes("UPDATE teams SET removed_at = ? WHERE id = ? AND removed_at IS NULL", (to_db(now), team_id))
        == 1
    )


async def team_members(tx: Tx, team_id: int) -> list[Person]:
    rows = await tx.all(
        f"SELECT {_PERSON_COLUMNS} FROM people p WHERE p.active = 1 AND p.team_id = ? ORDER BY p.name COLLATE NOCASE",
        (team_id,),
    )
    return [_person(r) for r in rows]


async def set_team(tx: Tx, person_id: int, team_id: int | None) -> None:
    await tx.execute("UPDATE people SET team_id = ? WHERE id = ?", (team_id, person_id))
