"""The volunteer's hand-over note when her link with a client ends: a few sentences for whoever comes next,
screened for personal data like a report's text, or skipped.

The question comes from the service that ended the link, with the draft at the note step when she was not
busy with another flow (then her next text is the note), else with a button to start it. Skip and start
name the item the link raised; the service checks it is hers and still waiting for her note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.domain.callbacks import CallbackData
from bot.domain.models import Person
from bot.domain.screening import screen
from bot.i18n import plain, t
from bot.services.escalations.handover import NOTE_FLOW, NOTE_LIMIT, NOTE_STEP, SkipNote, WriteNote
from bot.services.notify import spoken_list
from handlers.common import Rows
from handlers.flow import Flow, FlowTurn, Toasts
from handlers.reports import screening_text
from handlers.visits import pressed_message


@dataclass(frozen=True)
class NoteDraft:
    escalation: int  # the item her ended link raised


# Her roles are a volunteer's: the buttons need the ones /signal needs. A refused press gets a toast and leaves
# the message, and whatever flow she is busy with, as they were.
note = Flow(
    NOTE_FLOW, NoteDraft, command="signal", refusals=Toasts(alert=frozenset({"note.answered"})), text_refusal_ends=True
)


class NoteScreened(CallbackData, prefix="ho", action="s"):
    """Screening found what looks like personal data: type the note again, or send it as it is."""

    escalation: int
    choice: Literal["edit", "anyway"]


def _skip_row(turn: FlowTurn[NoteDraft], escalation_id: int) -> Rows:
    return [[(plain(turn.lang, "button.note.skip"), SkipNote(escalation_id))]]


def _names(turn: FlowTurn[NoteDraft], people: list[Person]) -> str:
    """Who gets the note: their names, or "je beroepskracht" while nobody is known by name."""
    return spoken_list(turn.lang, [p.name for p in people]) or plain(turn.lang, "routing.role.responsible")


@note.free(SkipNote)
async def note_skipped(turn: FlowTurn[NoteDraft], press: SkipNote) -> None:
    """No note: the professional hears now that the client has no volunteer any more."""
    shown_in = pressed_message(turn)
    alias, told = await turn.services.handover.note(turn.person, press.escalation, None, shown_in=shown_in)
    await turn.answer()
    await turn.show(t(turn.lang, "note.skipped", client=alias, names=_names(turn, told)))


@note.free(WriteNote)
async def note_started(turn: FlowTurn[NoteDraft], press: WriteNote) -> None:
    """She writes the note now (she was busy with another flow when asked): her next text is the note."""
    alias = await turn.services.handover.write_note(turn.person, press.escalation)
    await note.start(turn, NOTE_STEP, NoteDraft(press.escalation))
    await turn.answer()
    await turn.show(t(turn.lang, "note.write", client=alias), _skip_row(turn, press.escalation))


@note.text(NOTE_STEP)
async def note_typed(turn: FlowTurn[NoteDraft], text: str, draft: NoteDraft) -> None:
    """The note: screened for personal data first, held in memory until she edits it or sends it anyway."""
    body = text.strip()
    if not body or len(body) > NOTE_LIMIT:
        return await turn.reply("note.bad", _skip_row(turn, draft.escalation), limit=NOTE_LIMIT)
    findings = screen(body, current_year=turn.services.clock.now().year)
    if findings:
        turn.services.drafts.hold(turn.person.id, body)
        await turn.go("screen", draft)
        edit, anyway = NoteScreened(draft.escalation, "edit"), NoteScreened(draft.escalation, "anyway")
        rows: Rows = [
            [(plain(turn.lang, "button.edit"), edit), (plain(turn.lang, "button.send_anyway"), anyway)],
            *_skip_row(turn, draft.escalation),
        ]
        return await turn.say(screening_text(turn.lang, findings, "privacy.found_note"), rows)
    await _send(turn, draft.escalation, body)


@note.button(NoteScreened, "screen", when=lambda press, draft: press.escalation == draft.escalation)
async def note_screened(turn: FlowTurn[NoteDraft], press: NoteScreened, draft: NoteDraft) -> None:
    """After screening: send the held note as it is, or type it again."""
    held = turn.services.drafts.take(turn.person.id)
    if press.choice == "anyway" and held is not None:
        return await _send(turn, draft.escalation, held)
    await turn.answer()
    await turn.go(NOTE_STEP, draft)
    await turn.show(t(turn.lang, "note.again"), _skip_row(turn, draft.escalation))


async def _send(turn: FlowTurn[NoteDraft], escalation_id: int, body: str) -> None:
    """The note goes to the item and whoever has it; she is thanked and told who reads it."""
    shown_in = pressed_message(turn)
    alias, told = await turn.services.handover.note(turn.person, escalation_id, body, shown_in=shown_in)
    await turn.answer()
    await turn.show(t(turn.lang, "note.thanks", client=alias, names=_names(turn, told)))
