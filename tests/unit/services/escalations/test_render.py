"""How an alert reads, rendered straight from plain values: every state for every viewer in both languages,
the reminder, the hand-off request, the emergency note, trimming at Telegram's limit, hostile text."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.escalation import BODY_LIMIT, Kind, State, Urgency
from bot.i18n import LANGUAGES
from bot.sandbox.markup import parse_html, utf16_len
from bot.services.escalations import render
from bot.services.escalations.render import MESSAGE_LIMIT, Viewer
from tests.support.items import ANNA, CREATED, FATIMA, KEES, PIET, SIGNAL, VERA

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = CREATED + timedelta(minutes=30)
NAMES = {ANNA: "Anna", PIET: "Piet", FATIMA: "Fatima", VERA: "Vera", KEES: "Kees"}
VIEWERS = {"owner": PIET, "other recipient": FATIMA, "hand-off target": KEES, "coordinator": ANNA}

ACKNOWLEDGED = replace(SIGNAL, state=State.ACKNOWLEDGED, owner_id=PIET, acknowledged_at=CREATED + timedelta(minutes=4))
STATES = {
    "open": SIGNAL,
    # Piet picked it up, then asked Kees to take it over.
    "handoff": replace(ACKNOWLEDGED, state=State.HANDOFF, handoff_from=PIET, handoff_to=KEES),
    "acknowledged": ACKNOWLEDGED,
    "resolved": replace(
        ACKNOWLEDGED, state=State.RESOLVED, resolved_at=CREATED + timedelta(minutes=20), resolved_by=PIET
    ),
    "closed": replace(
        SIGNAL,
        state=State.RESOLVED,
        resolved_at=CREATED + timedelta(minutes=20),
        resolution="status.closed_visit_ok",
    ),
}

HEADER = {
    "nl": "🔴 Dringend: signaal van Vera · C-12 · Gezondheid · vandaag 10:00",
    "en": "🔴 Urgent: signal from Vera · C-12 · Health · today 10:00",
}
BODY = "“Ze is gevallen.”"
ALL = "everyone"
STATUS: dict[str, dict[str, dict[str, str | None]]] = {
    "nl": {
        "open": {ALL: None},
        "handoff": {ALL: "↪️ Overgedragen aan Kees (10:30)."},
        "acknowledged": {
            "owner": "🟢 Opgepakt door jou om 10:04. Vera is op de hoogte.",
            ALL: "🟢 Opgepakt door Piet om 10:04.",
        },
        "resolved": {"owner": "✅ Afgerond door jou om 10:20.", ALL: "✅ Afgerond door Piet om 10:20."},
        "closed": {ALL: "✅ Afgesloten om 10:20: de vrijwilliger meldde zich alsnog, alles goed."},
    },
    "en": {
        "open": {ALL: None},
        "handoff": {ALL: "↪️ Handed off to Kees (10:30)."},
        "acknowledged": {
            "owner": "🟢 Picked up by you at 10:04. Vera has been told.",
            ALL: "🟢 Picked up by Piet at 10:04.",
        },
        "resolved": {"owner": "✅ Resolved by you at 10:20.", ALL: "✅ Resolved by Piet at 10:20."},
        "closed": {ALL: "✅ Closed at 10:20: the volunteer reported in after all, all is well."},
    },
}
LABELS = {
    "nl": {"a": "Ik pak het op", "h": "Overdragen", "r": "Afronden", "take": "Ik neem het over"},
    "en": {"a": "I'll take it", "h": "Hand off", "r": "Resolve", "take": "I'll take it over"},
}
EVERY_BUTTON = [["a", "h"], ["r"]]
BUTTONS: dict[str, dict[str, list[list[str]] | None]] = {
    "open": {ALL: EVERY_BUTTON},
    "handoff": {"hand-off target": [["take"], ["r"]], ALL: EVERY_BUTTON},
    "acknowledged": {"owner": [["r", "h"]], ALL: None},
    "resolved": {ALL: None},
    "closed": {ALL: None},
}


def viewer(person_id: int, lang: str = "nl", zone: ZoneInfo = AMSTERDAM) -> Viewer:
    return Viewer(person_id=person_id, language=lang, zone=zone)


def buttons(keyboard: render.Keyboard | None) -> list[list[tuple[str, str]]] | None:
    return None if keyboard is None else [[(b["text"], b["data"]) for b in row] for row in keyboard]


def expected_buttons(lang: str, rows: list[list[str]] | None) -> list[list[tuple[str, str]]] | None:
    if rows is None:
        return None
    action = {"take": "a"}  # taking over is acknowledging
    return [[(LABELS[lang][key], f"esc:{action.get(key, key)}:7") for key in row] for row in rows]


def visible(text: str) -> str:
    """The text as Telegram shows it: parsed as HTML (strictly, as Telegram does), tags gone."""
    return parse_html(text).text


def test_both_languages_are_covered() -> None:
    assert set(LANGUAGES) == set(HEADER)


@pytest.mark.parametrize("lang", sorted(HEADER))
@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("role", list(VIEWERS))
def test_every_state_reads_right_for_every_viewer(lang: str, state: str, role: str) -> None:
    text, keyboard = render.current(STATES[state], viewer(VIEWERS[role], lang), NAMES, NOW)
    status = STATUS[lang][state].get(role, STATUS[lang][state][ALL])
    assert text == "\n".join(line for line in (HEADER[lang], BODY, status) if line is not None)
    assert buttons(keyboard) == expected_buttons(lang, BUTTONS[state].get(role, BUTTONS[state][ALL]))


def test_an_expired_handoff_says_so_once_the_item_is_open_again() -> None:
    text, keyboard = render.current(SIGNAL, viewer(PIET), NAMES, NOW, expired_handoff="Kees")
    assert text.endswith("\n↪️ Kees nam het niet op tijd over; het gaat weer verder.")
    assert buttons(keyboard) == expected_buttons("nl", EVERY_BUTTON)


def test_times_are_in_the_viewers_zone() -> None:
    text, _ = render.current(ACKNOWLEDGED, viewer(FATIMA, "en", ZoneInfo("Europe/London")), NAMES, NOW)
    header = "🔴 Urgent: signal from Vera · C-12 · Health · today 09:00"
    assert text == f"{header}\n{BODY}\n🟢 Picked up by Piet at 09:04."


def test_a_reminder_says_how_long_nobody_picked_it_up() -> None:
    nl, _ = render.alert(SIGNAL, viewer(FATIMA), NAMES, NOW, reminder=True)
    en, keyboard = render.alert(SIGNAL, viewer(FATIMA, "en"), NAMES, NOW + timedelta(hours=2), reminder=True)
    assert nl.split("\n")[:2] == [
        "🔁 <b>Herinnering</b>: nog niemand heeft dit opgepakt (open sinds 30 min).",
        HEADER["nl"],
    ]
    assert en.startswith("🔁 <b>Reminder</b>: nobody has picked this up yet (open for 2 h).\n🔴 Urgent: signal")
    assert buttons(keyboard) == expected_buttons("en", EVERY_BUTTON)


def test_a_handoff_request_names_who_asks_and_offers_taking_over() -> None:
    handoff = STATES["handoff"]
    text, keyboard = render.alert(handoff, viewer(KEES), NAMES, NOW, handoff_from="Piet")
    assert text == f"↪️ Piet vraagt jou dit over te nemen.\n{HEADER['nl']}\n{BODY}"
    assert buttons(keyboard) == expected_buttons("nl", [["take"], ["r"]])
    en, _ = render.alert(handoff, viewer(KEES, "en"), NAMES, NOW, handoff_from="Piet")
    assert en.startswith("↪️ Piet asks you to take this over.\n🔴 Urgent")


def test_an_emergency_signal_carries_the_112_note_before_the_status() -> None:
    emergency = replace(ACKNOWLEDGED, urgency=Urgency.EMERGENCY)
    text, _ = render.current(emergency, viewer(FATIMA), NAMES, NOW)
    assert text.split("\n")[-2:] == [
        "De vrijwilliger kreeg het advies eerst 112 te bellen bij direct gevaar.",
        "🟢 Opgepakt door Piet om 10:04.",
    ]
    en, _ = render.alert(emergency, viewer(FATIMA, "en"), NAMES, NOW)
    assert en.endswith("\nThe volunteer was told to call 112 first if anyone is in danger.")
    # Only a volunteer's signal: for other kinds the volunteer was not the one told to call.
    for kind in (Kind.BACKUP, Kind.VISIT, Kind.WELLBEING):
        other, _ = render.alert(replace(emergency, kind=kind), viewer(FATIMA), NAMES, NOW)
        assert "112" not in other


def test_other_kinds_name_their_own_category_and_an_unknown_one_reads_as_stored() -> None:
    wellbeing = replace(SIGNAL, kind=Kind.WELLBEING, category="energy", client_alias=None, urgency=Urgency.CONCERN)
    text, _ = render.alert(wellbeing, viewer(PIET), NAMES, NOW)
    assert text.startswith("🟠 Check-in van Vera (vandaag 10:00) vraagt aandacht\n")
    visit, _ = render.alert(replace(SIGNAL, kind=Kind.VISIT, category="no-such"), viewer(PIET, "en"), NAMES, NOW)
    assert visit.startswith("🔴 Urgent: visit alert from Vera · C-12 · no-such · today 10:00")


def test_an_alert_without_words_has_no_body_line() -> None:
    text, _ = render.current(replace(ACKNOWLEDGED, body=None), viewer(PIET), NAMES, NOW)
    assert text == f"{HEADER['nl']}\n🟢 Opgepakt door jou om 10:04. Vera is op de hoogte."


@pytest.mark.parametrize("lang", sorted(HEADER))
@pytest.mark.parametrize("character", ["x", "<", "&", "😀"])
def test_words_too_long_for_one_message_are_trimmed_within_telegrams_limit(lang: str, character: str) -> None:
    # The longest alert there is: a reminder of an emergency signal with a status line.
    long = replace(STATES["acknowledged"], urgency=Urgency.EMERGENCY, body=character * 5000)
    text, _ = render.alert(long, viewer(FATIMA, lang), NAMES, NOW, reminder=True, handoff_from="Piet", status="🟢 x")
    shown = visible(text)
    assert utf16_len(shown) <= MESSAGE_LIMIT
    assert (
        "(ingekort; het hele bericht staat in /open)" if lang == "nl" else "(shortened; the whole message is in /open)"
    ) in shown
    # Trimmed, not dropped: the words fill what the limit leaves, up to the headroom kept for the repeat mark.
    assert utf16_len(shown) > MESSAGE_LIMIT - 2 * render.SPARE and character * 1800 in shown


def test_the_longest_text_a_volunteer_can_send_is_not_trimmed() -> None:
    words = "w" * BODY_LIMIT
    emergency = replace(ACKNOWLEDGED, urgency=Urgency.EMERGENCY, body=words)
    text, _ = render.alert(emergency, viewer(FATIMA), NAMES, NOW, reminder=True, handoff_from="Piet", status="🟢 x")
    assert f"“{words}”" in visible(text) and "ingekort" not in text


def test_hostile_text_is_escaped_everywhere() -> None:
    hostile = '<b>x</b> & <a href="tg://user?id=1">y</a>'
    names = {i: f"<i>{name}</i>" for i, name in NAMES.items()}
    item = replace(ACKNOWLEDGED, body=hostile, client_alias="<C&12>", category="<u>cat</u>")
    for view in (viewer(PIET), viewer(FATIMA, "en")):
        text, _ = render.current(item, view, names, NOW)
        parsed = parse_html(text)
        assert hostile in parsed.text and "<C&12>" in parsed.text and "<u>cat</u>" in parsed.text
        assert "<i>Vera</i>" in parsed.text
        # Nothing the people typed became formatting: only the header's own entities remain (none here).
        assert parsed.entities == []
    other, _ = render.current(item, viewer(FATIMA), names, NOW)
    assert "<i>Piet</i>" in visible(other)
    request, _ = render.alert(STATES["handoff"], viewer(KEES), names, NOW, handoff_from="<b>Piet</b>")
    assert visible(request).startswith("↪️ <b>Piet</b> vraagt jou")


def test_the_names_needed_are_those_an_alert_may_show() -> None:
    assert render.names_needed(SIGNAL) == {VERA}
    assert render.names_needed(STATES["handoff"]) == {VERA, PIET, KEES}
    assert render.names_needed(STATES["resolved"]) == {VERA, PIET}
    text, _ = render.current(STATES["resolved"], viewer(FATIMA), {VERA: "Vera"}, NOW)
    assert text.endswith("✅ Afgerond door ? om 10:20.")  # a name not found still reads


def test_rendering_reads_no_database_and_no_clock() -> None:
    tree = ast.parse(Path(render.__file__).read_text(encoding="utf-8"))
    imported = {
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in ([a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""])
    }
    assert not {m for m in imported if m.split(".")[0] in {"storage", "aiosqlite", "telegram"} or m == "bot.clock"}
