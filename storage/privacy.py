"""Subject rights and retention: what is stored about one person, erasing it, and erasing old free text.

Erasing keeps rows (so counts and timings stay for reports) but blanks what identifies or was written by
someone: names, the Telegram id, free texts. A forgotten person keeps the neutral name "#<id>".
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Row, Tx, to_db

Record = dict[str, Any]


def _records(rows: list[Row]) -> list[Record]:
    return [dict(zip(row.keys(), tuple(row), strict=True)) for row in rows]


def erased_name(person_id: int) -> str:
    return f"#{person_id}"


def stored_forms(name: str) -> list[str]:
    """A name as it can appear in stored message texts: as typed, and escaped for Telegram HTML."""
    escaped = html.escape(name, quote=False)  # how bot.i18n.t escapes every value
    return [name] if escaped == name else [name, escaped]


async def export_person(tx: Tx, person_id: int) -> dict[str, Any]:
    """Everything stored about one person, table by table (the /mydata document)."""
    person = await tx.one(
        "SELECT id, name, telegram_id, language, timezone, active, created_at, removed_at, unreachable_since,"
        " (SELECT name FROM teams WHERE teams.id = people.team_id) AS team,"
        " (SELECT name FROM people r WHERE r.id = people.responsible_professional_id) AS responsible_professional,"
        " (SELECT name FROM people b WHERE b.id = people.backup_professional_id) AS backup_professional"
        " FROM people WHERE id = ?",
        (person_id,),
    )
    roles = [r["role"] for r in await tx.all("SELECT role FROM person_roles WHERE person_id = ?", (person_id,))]
    return {
        "person": _records([person])[0] if person else None,
        "roles": roles,
        "invite": _records(
            await tx.all("SELECT role, name, created_at, used_at FROM invites WHERE used_by = ?", (person_id,))
        ),
        "agreement": _records(
            await tx.all(
                "SELECT hours_per_week, contact_times, updated_at FROM agreements WHERE volunteer_id = ?", (person_id,)
            )
        ),
        "clients": _records(
            await tx.all(
                "SELECT client_alias, active, created_at, ended_at FROM links WHERE volunteer_id = ? ORDER BY id",
                (person_id,),
            )
        ),
        "reports": _records(
            await tx.all(
                "SELECT id, kind, client_alias, category, urgency, body, state, created_at, acknowledged_at,"
                " resolved_at, resolution FROM escalations WHERE volunteer_id = ? ORDER BY id",
                (person_id,),
            )
        ),
        "reports_handled": _records(
            await tx.all(
                "SELECT e.id, e.kind, e.client_alias, e.category, e.urgency, e.state, r.told_at,"
                " CASE WHEN e.owner_id = r.person_id THEN 1 ELSE 0 END AS picked_up,"
                " CASE WHEN e.resolved_by = r.person_id THEN e.resolution END AS your_reply"
                " FROM escalation_recipients r JOIN escalations e ON e.id = r.escalation_id"
                " WHERE r.person_id = ? ORDER BY e.id",
                (person_id,),
            )
        ),
        "checkins": _records(
            await tx.all(
                "SELECT state, prompted_at, answered_at, hours, energy, contact_outside, private_life, beyond_role,"
                " comment FROM checkins WHERE volunteer_id = ? ORDER BY id",
                (person_id,),
            )
        ),
        "checkin_pause": _records(
            await tx.all("SELECT until, created_at FROM pauses WHERE volunteer_id = ?", (person_id,))
        ),
        "visits": _records(
            await tx.all(
                "SELECT state, minutes, started_at, ends_at, extensions, ended_at FROM visits"
                " WHERE volunteer_id = ? ORDER BY id",
                (person_id,),
            )
        ),
        "availability": _records(
            await tx.all(
                "SELECT away_until, work_days, work_start, work_end FROM availability WHERE person_id = ?", (person_id,)
            )
        ),
        "unfinished_input": _records(
            await tx.all("SELECT flow, step, data, updated_at FROM drafts WHERE person_id = ?", (person_id,))
        ),
        "messages_to_you": _records(
            await tx.all(
                "SELECT created_at, sent_at, status, text FROM outbox WHERE person_id = ? AND edit_of IS NULL"
                " ORDER BY id",
                (person_id,),
            )
        ),
        "activity_log": _records(
            await tx.all(
                "SELECT at, event, subject_type, subject_id FROM audit"
                " WHERE actor_id = ? OR (subject_type = 'person' AND subject_id = ?) ORDER BY id",
                (person_id, person_id),
            )
        ),
    }


async def raised_open_items(tx: Tx, person_id: int) -> list[int]:
    rows = await tx.all(
        "SELECT id FROM escalations WHERE volunteer_id = ? AND state != 'resolved' ORDER BY id", (person_id,)
    )
    return [r["id"] for r in rows]


async def erase_person(tx: Tx, person_id: int, now: datetime) -> None:
    """Blank everything that identifies this person or that they wrote; counts and timings stay."""
    stamp = to_db(now)
    name = await tx.scalar("SELECT name FROM people WHERE id = ?", (person_id,))
    await tx.execute(
        "UPDATE people SET name = ?, telegram_id = NULL, timezone = NULL, active = 0, unreachable_since = NULL,"
        " removed_at = COALESCE(removed_at, ?) WHERE id = ?",
        (erased_name(person_id), stamp, person_id),
    )
    # The invite's prepared contact times describe her as much as her agreement's do.
    await tx.execute("UPDATE invites SET name = '', contact_times = NULL WHERE used_by = ?", (person_id,))
    await tx.execute("UPDATE agreements SET contact_times = '' WHERE volunteer_id = ?", (person_id,))
    await tx.execute(
        "UPDATE links SET active = 0, ended_at = COALESCE(ended_at, ?) WHERE volunteer_id = ?", (stamp, person_id)
    )
    # Their own words, and the replies written to them.
    await tx.execute("UPDATE escalations SET body = NULL WHERE volunteer_id = ?", (person_id,))
    await tx.execute(
        "UPDATE escalations SET resolution = NULL"
        " WHERE resolved_by IS NOT NULL AND (volunteer_id = ? OR resolved_by = ?)",
        (person_id, person_id),
    )
    await tx.execute("UPDATE checkins SET comment = NULL WHERE volunteer_id = ?", (person_id,))
    await tx.execute(
        "UPDATE checkins SET state = 'excused', prompt_at = NULL, remind_at = NULL"
        " WHERE volunteer_id = ? AND state = 'open'",
        (person_id,),
    )
    await tx.execute(
        "UPDATE visits SET state = 'done', due_at = NULL, ended_at = COALESCE(ended_at, ?)"
        " WHERE volunteer_id = ? AND state IN ('running', 'asked', 'overdue')",
        (stamp, person_id),
    )
    await tx.execute("DELETE FROM drafts WHERE person_id = ?", (person_id,))
    await tx.execute("DELETE FROM pauses WHERE volunteer_id = ?", (person_id,))
    await tx.execute("DELETE FROM availability WHERE person_id = ?", (person_id,))
    # Messages to them that have not gone out never will; what did go out is blanked. Messages to others
    # that quote them (alerts) are blanked once sent; one still pending (the hand-over) goes out first
    # and is blanked by the retention job.
    await tx.execute(
        "UPDATE outbox SET status = 'dropped', last_error = 'erased' WHERE person_id = ? AND status = 'pending'",
        (person_id,),
    )
    await tx.execute("UPDATE outbox SET text = '', keyboard = NULL, chat_id = 0 WHERE person_id = ?", (person_id,))
    if isinstance(name, str) and len(name) >= 2:
        # Messages to others that named them (e.g. "you are now Vera's backup") are history: blank them.
        # Texts are stored as sent, in Telegram HTML, so "Jansen & Zn" sits there as "Jansen &amp; Zn";
        # buttons hold the name as it is.
        for form in stored_forms(name):
            await tx.execute(
                "UPDATE outbox SET text = '', keyboard = NULL"
                " WHERE status != 'pending' AND (instr(text, ?) > 0 OR instr(COALESCE(keyboard, ''), ?) > 0)",
                (form, form),
            )
    await tx.execute(
        "UPDATE outbox SET text = '', keyboard = NULL WHERE status != 'pending' AND subject_type = 'escalation'"
        " AND subject_id IN (SELECT id FROM escalations WHERE volunteer_id = ?)",
        (person_id,),
    )
    # E-mails quoting their items: one that went out or gave up is blanked; one still pending is a
    # life-safety fallback and goes out first (sending blanks it).
    await tx.execute(
        "UPDATE emails SET body = '' WHERE status != 'pending' AND body != ''"
        " AND escalation_id IN (SELECT id FROM escalations WHERE volunteer_id = ?)",
        (person_id,),
    )


@dataclass(frozen=True)
class Erased:
    """What one retention run blanked, by kind (counts only, for the log and the audit trail)."""

    reports: int
    checkin_comments: int
    messages: int
    drafts: int
    invites: int
    people: int

    def as_dict(self) -> dict[str, object]:
        return {
            "reports": self.reports,
            "checkin_comments": self.checkin_comments,
            "messages": self.messages,
            "drafts": self.drafts,
            "invites": self.invites,
            "people": self.people,
        }


# People already erased (erase_person left them only the neutral name "#<id>").
_ERASED_IDS = "SELECT id FROM people WHERE telegram_id IS NULL AND name = '#' || id"


async def removed_before(tx: Tx, before: datetime) -> list[int]:
    """Removed people whose data has not been erased yet."""
    rows = await tx.all(
        "SELECT id FROM people WHERE active = 0 AND removed_at IS NOT NULL AND removed_at < ?"
        f" AND id NOT IN ({_ERASED_IDS})",
        (to_db(before),),
    )
    return [r["id"] for r in rows]


async def erase_old_text(tx: Tx, *, before: datetime, drafts_before: datetime) -> Erased:
    """Free text of items closed before `before`; drafts untouched since `drafts_before`."""
    cutoff = to_db(before)
    reports = await tx.changes(
        "UPDATE escalations SET body = NULL,"
        " resolution = CASE WHEN resolved_by IS NULL THEN resolution END"
        " WHERE state = 'resolved' AND resolved_at < ?"
        " AND (body IS NOT NULL OR (resolved_by IS NOT NULL AND resolution IS NOT NULL))",
        (cutoff,),
    )
    comments = await tx.changes(
        "UPDATE checkins SET comment = NULL WHERE comment IS NOT NULL AND state != 'open'"
        " AND COALESCE(answered_at, closes_at, created_at) < ?",
        (cutoff,),
    )
    messages = await tx.changes(
        "UPDATE outbox SET text = '', keyboard = NULL WHERE status != 'pending' AND created_at < ? AND text != ''",
        (cutoff,),
    )
    # A hand-over to a professional quotes a volunteer who has since been erased: once it went out,
    # the next run blanks it rather than waiting for the retention period.
    messages += await tx.changes(
        "UPDATE outbox SET text = '', keyboard = NULL WHERE status != 'pending' AND text != ''"
        " AND subject_type = 'escalation'"
        f" AND subject_id IN (SELECT id FROM escalations WHERE volunteer_id IN ({_ERASED_IDS}))",
    )
    # The goodbye to someone erased went out after their erasure: now it goes too.
    messages += await tx.changes(
        "UPDATE outbox SET text = '', keyboard = NULL, chat_id = 0 WHERE status != 'pending' AND chat_id != 0"
        f" AND person_id IN ({_ERASED_IDS})",
    )
    # An e-mail that the mail server never took keeps the alert's words; sent ones were blanked on sending.
    messages += await tx.changes(
        "UPDATE emails SET body = '' WHERE status != 'pending' AND body != ''"
        f" AND (created_at < ? OR escalation_id IN (SELECT id FROM escalations WHERE volunteer_id IN ({_ERASED_IDS})))",
        (cutoff,),
    )
    drafts = await tx.changes("DELETE FROM drafts WHERE updated_at < ?", (to_db(drafts_before),))
    invites = await tx.changes(
        "UPDATE invites SET name = '', contact_times = NULL"
        " WHERE (name != '' OR contact_times IS NOT NULL) AND COALESCE(used_at, expires_at) < ?",
        (cutoff,),
    )
    return Erased(
        reports=reports, checkin_comments=comments, messages=messages, drafts=drafts, invites=invites, people=0
    )
