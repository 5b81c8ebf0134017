"""Queue messages to people in the outbox, rendered in each recipient's own language."""

from __future__ import annotations

from datetime import datetime

from bot.domain.lanes import Lane
from bot.domain.models import Person, Role
from bot.i18n import plain, t
from storage import outbox
from storage.db import Tx
from storage.outbox import OutboxMessage


async def notify(
    tx: Tx,
    person: Person,
    key: str,
    now: datetime,
    *,
    keyboard: list[list[dict[str, str]]] | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    purpose: str = "notice",
    lane: Lane | None = None,
    **values: object,
) -> int | None:
    """Returns the outbox id, or None when the person has no Telegram account (erased) or is inactive.

    The lane follows from the purpose (`bot.domain.lanes.lane_of`) unless given."""
    if person.telegram_id is None or not person.active:
        return None
    return await outbox.enqueue(
        tx,
        chat_id=person.telegram_id,
        person_id=person.id,
        language=person.language,
        text=t(person.language, key, **values),
        keyboard=keyboard,
        subject_type=subject_type,
        subject_id=subject_id,
        purpose=purpose,
        lane=lane,
        now=now,
    )


def role_names(language: str, roles: frozenset[Role] | set[Role]) -> str:
    ordered = [r for r in (Role.VOLUNTEER, Role.PROFESSIONAL, Role.COORDINATOR) if r in roles]
    return spoken_list(language, [plain(language, f"role.{r.value}") for r in ordered])


def spoken_list(language: str, items: list[str]) -> str:
    """The items as a sentence says them: "Piet, Fatima and Anna"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {plain(language, 'and')} {items[-1]}"


async def retire_buttons(tx: Tx, message: OutboxMessage, note_key: str, now: datetime, **values: object) -> None:
    """An earlier message whose buttons no longer fit (answered elsewhere, closed): the same text with a line
    saying what became of it, and no buttons."""
    note = t(message.language, note_key, **values)
    await outbox.enqueue_edit(tx, target_id=message.id, text=f"{message.text}\n\n{note}", keyboard=None, now=now)
