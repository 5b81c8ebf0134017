"""Hand-overs: the items waiting for someone who goes away or leaves, who took them over, and the note of a
volunteer whose link ended (the category and body of the item the link raised)."""

from __future__ import annotations

from datetime import datetime

from storage.db import Tx, to_db


async def waiting_for(tx: Tx, person_id: int) -> list[int]:
    """Open items this person holds, is asked to take over, or that wait for them alone at the level they
    reached (told to nobody else there who is still active); never one about themselves. Oldest first."""
    rows = await tx.all(
        "SELECT e.id FROM escalations e WHERE e.state != 'resolved' AND e.volunteer_id != :p AND ("
        " (e.state = 'acknowledged' AND e.owner_id = :p) OR (e.state = 'handoff' AND e.handoff_to = :p)"
        " OR (e.state = 'open' AND e.level >= 0"
        "  AND EXISTS (SELECT 1 FROM escalation_recipients r"
        "   WHERE r.escalation_id = e.id AND r.person_id = :p AND r.level = e.level)"
        "  AND NOT EXISTS (SELECT 1 FROM escalation_recipients r JOIN people o ON o.id = r.person_id"
        "   WHERE r.escalation_id = e.id AND r.level = e.level AND r.person_id != :p AND o.active = 1)))"
        " ORDER BY e.created_at, e.id",
        {"p": person_id},
    )
    return [r["id"] for r in rows]


async def take_over(tx: Tx, escalation_id: int, person_id: int, now: datetime, *, follow_up_at: datetime) -> bool:
    """The item is this person's now, picked up as of now and followed up like any picked-up item; whatever
    state it was in (open, handed off, held by someone else). False once it is resolved."""
    changed = await tx.changes(
        "UPDATE escalations SET state = 'acknowledged', owner_id = ?, acknowledged_at = COALESCE(acknowledged_at, ?),"
        " held_since = ?, follow_up_at = ?, follow_ups = 0, next_step_at = NULL, handoff_to = NULL,"
        " handoff_from = NULL WHERE id = ? AND state != 'resolved'",
        (person_id, to_db(now), to_db(now), to_db(follow_up_at), escalation_id),
    )
    return changed == 1


async def start_over(tx: Tx, escalation_id: int, now: datetime) -> bool:
    """Nobody holds the item any more and it climbs its route again from the first level, at once."""
    changed = await tx.changes(
        "UPDATE escalations SET state = 'open', owner_id = NULL, handoff_to = NULL, handoff_from = NULL,"
        " held_since = NULL, follow_up_at = NULL, follow_ups = 0, level = -1, next_step_at = ?"
        " WHERE id = ? AND state != 'resolved'",
        (to_db(now), escalation_id),
    )
    return changed == 1


async def record_cover(
    tx: Tx, escalation_id: int, *, absent_id: int, coverer_id: int | None, reason: str, now: datetime
) -> None:
    await tx.execute(
        "INSERT INTO escalation_covers (escalation_id, absent_id, coverer_id, reason, covered_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (escalation_id, absent_id, coverer_id, reason, to_db(now)),
    )


async def still_covering(tx: Tx, absent_id: int) -> list[tuple[int, int]]:
    """(item, holder) for the open items taken over from this person while they were away, still held by the
    colleague who took them over."""
    rows = await tx.all(
        "SELECT DISTINCT c.escalation_id, c.coverer_id FROM escalation_covers c"
        " JOIN escalations e ON e.id = c.escalation_id"
        " WHERE c.absent_id = ? AND c.reason = 'away' AND e.state = 'acknowledged' AND e.owner_id = c.coverer_id"
        " ORDER BY c.escalation_id",
        (absent_id,),
    )
    return [(r["escalation_id"], r["coverer_id"]) for r in rows]


async def set_note(tx: Tx, escalation_id: int, *, state: str, body: str | None) -> bool:
    """The volunteer answered the question for a hand-over note (state 'note' with her words, or 'skipped');
    False when it was answered before."""
    changed = await tx.changes(
        "UPDATE escalations SET category = ?, body = ? WHERE id = ? AND kind = 'link_ended' AND category = 'asked'",
        (state, body, escalation_id),
    )
    return changed == 1


async def note_asked_of(tx: Tx, volunteer_id: int) -> list[int]:
    """The link-ended items still waiting for this volunteer's note."""
    rows = await tx.all(
        "SELECT id FROM escalations WHERE kind = 'link_ended' AND category = 'asked' AND volunteer_id = ? ORDER BY id",
        (volunteer_id,),
    )
    return [r["id"] for r in rows]
