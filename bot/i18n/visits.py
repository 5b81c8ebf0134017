"""Messages of the visit safety timer, to be merged into the catalogue. Dutch first, English mirrors it."""

from __future__ import annotations

from typing import Final

VISIT_MESSAGES: Final[dict[str, dict[str, str]]] = {
    "cmd.visit": {"nl": "Op bezoek: ik vraag na afloop of alles goed is", "en": "Going on a visit: I check in after"},
    "cmd.done": {"nl": "Bezoek klaar", "en": "Visit finished"},
    # categories in the professional's alert ("🔴 Dringend: bezoekmelding van Vera · C-12 · Geen reactie · …")
    "vk.overdue": {"nl": "Geen reactie na bezoek", "en": "No answer after visit"},
    "vk.help": {"nl": "Hulp nodig tijdens bezoek", "en": "Help needed during visit"},
    # the flow
    "visit.ask_client": {"nl": "Bij wie ga je op bezoek?", "en": "Who are you visiting?"},
    "visit.ask_duration": {
        "nl": "Hoe lang ongeveer? Kies hieronder, of typ het aantal minuten.",
        "en": "About how long? Choose below, or type the number of minutes.",
    },
    "visit.bad_duration": {
        "nl": "Typ het aantal minuten, bijvoorbeeld 45. Een bezoek duurt {min} minuten tot {max} uur.",
        "en": "Type the number of minutes, for example 45. A visit lasts {min} minutes to {max} hours.",
    },
    "visit.use_buttons": {
        "nl": "Kies met de knoppen hierboven bij wie je op bezoek gaat, of stuur /cancel om te stoppen.",
        "en": "Use the buttons above to choose who you are visiting, or send /cancel to stop.",
    },
    "visit.started": {
        "nl": "Veel succes! Om {time} vraag ik of alles goed is. Klaar eerder? Stuur /done.",
        "en": "Good luck! At {time} I'll ask if everything is all right. Done earlier? Send /done.",
    },
    "visit.already": {
        "nl": "Je hebt al een bezoek lopen ({client}, klaar om {time}). Is het klaar? Rond het dan eerst af.",
        "en": "You already have a visit running ({client}, done at {time}). Finished? Then end it first.",
    },
    "visit.running": {
        "nl": "Er loopt al een bezoek. Stuur /done om het af te ronden.",
        "en": "A visit is already running. Send /done to end it.",
    },
    "visit.none": {
        "nl": "Er loopt geen bezoek. Ga je op bezoek? Stuur /visit.",
        "en": "No visit is running. Going on a visit? Send /visit.",
    },
    # at the expected end
    "visit.prompt": {
        "nl": "Alles goed, {name}?\n<i>Hoor ik binnen {grace} minuten niets, dan waarschuw ik je beroepskracht.</i>",
        "en": "All good, {name}?\n"
        "<i>If I don't hear from you within {grace} minutes, I'll alert your professional.</i>",
    },
    "visit.done": {
        "nl": "🟢 Fijn, {name}! Het bezoek is afgerond. Dank je wel.",
        "en": "🟢 Good, {name}! The visit is finished. Thank you.",
    },
    "visit.done_late": {
        "nl": "🟢 Fijn dat alles goed is, {name}. Ik laat {names} weten dat het goed gaat. Dank je wel.",
        "en": "🟢 Glad all is well, {name}. I'll let {names} know you're fine. Thank you.",
    },
    "visit.extended": {
        "nl": "Prima, 30 minuten langer. Om {time} vraag ik het opnieuw. Klaar eerder? Stuur /done.",
        "en": "Fine, 30 minutes longer. At {time} I'll ask again. Done earlier? Send /done.",
    },
    "visit.help_sent": {
        "nl": "🔴 Ik heb {names} gewaarschuwd. Je hoort zo snel mogelijk van ze.\n"
        "<b>Ben je in gevaar? Bel meteen 112.</b>",
        "en": "🔴 I've alerted {names}. You'll hear from them as soon as possible.\n"
        "<b>Are you in danger? Call 112 now.</b>",
    },
    "visit.help_nobody": {
        "nl": "🔴 Je hulpvraag is verstuurd, maar ik kan nu niemand bereiken. Ik blijf het proberen.\n"
        "<b>Ben je in gevaar? Bel meteen 112.</b>",
        "en": "🔴 Your call for help went out, but I can't reach anyone right now. I'll keep trying.\n"
        "<b>Are you in danger? Call 112 now.</b>",
    },
    "visit.overdue_told": {
        "nl": "🔴 Ik hoorde niets van je, daarom heb ik {names} gewaarschuwd. Alles goed? Laat het even weten.",
        "en": "🔴 I didn't hear from you, so I've alerted {names}. All good? Please let me know.",
    },
    "visit.overdue_nobody": {
        "nl": "🔴 Ik hoorde niets van je en probeer je beroepskracht te bereiken. Alles goed? Laat het even weten. "
        "Ben je in gevaar? Bel 112.",
        "en": "🔴 I didn't hear from you and I'm trying to reach your professional. All good? Please let me know. "
        "Are you in danger? Call 112.",
    },
    # toasts (plain text, at most 200 characters)
    "visit.over": {
        "nl": "Dit bezoek is al afgerond. Er is niets veranderd.",
        "en": "This visit has already ended. Nothing has changed.",
    },
    "visit.help_over": {
        "nl": "Dit bezoek is al afgerond. Hulp nodig? Stuur /backup. Ben je in gevaar? Bel 112.",
        "en": "This visit has already ended. Need help? Send /backup. In danger? Call 112.",
    },
    "visit.extend_too_late": {
        "nl": "Ik heb je beroepskracht al gewaarschuwd. Kies ‘Alles goed, klaar’ of ‘Ik heb hulp nodig’.",
        "en": "I've already alerted your professional. Choose ‘All good, done’ or ‘I need help’.",
    },
    # to the professionals who were alerted, when the volunteer answers after all
    "visit.all_clear": {
        "nl": "🟢 {volunteer} meldt zich alsnog: alles goed na het bezoek aan {client} ({time}).",
        "en": "🟢 {volunteer} has answered after all: all good after the visit to {client} ({time}).",
    },
    # alert bodies: plain text in the organisation's language, shown quoted in the alert
    "visit.body.overdue": {
        "nl": "Het bezoek van {volunteer} aan {client} had om {time} klaar moeten zijn. "
        "Geen reactie op mijn vraag of alles goed is.",
        "en": "{volunteer}'s visit to {client} should have ended at {time}. "
        "No answer to my question whether all is well.",
    },
    "visit.body.overdue_general": {
        "nl": "Het bezoek van {volunteer} had om {time} klaar moeten zijn. "
        "Geen reactie op mijn vraag of alles goed is.",
        "en": "{volunteer}'s visit should have ended at {time}. No answer to my question whether all is well.",
    },
    "visit.body.help": {
        "nl": "{volunteer} vraagt om hulp tijdens het bezoek aan {client} (begonnen om {time}).",
        "en": "{volunteer} asks for help during the visit to {client} (started at {time}).",
    },
    "visit.body.help_general": {
        "nl": "{volunteer} vraagt om hulp tijdens een bezoek (begonnen om {time}).",
        "en": "{volunteer} asks for help during a visit (started at {time}).",
    },
    # buttons
    "button.visit.30": {"nl": "30 min", "en": "30 min"},
    "button.visit.60": {"nl": "1 uur", "en": "1 hour"},
    "button.visit.90": {"nl": "1,5 uur", "en": "1.5 hours"},
    "button.visit.120": {"nl": "2 uur", "en": "2 hours"},
    "button.visit.ok": {"nl": "Alles goed, klaar", "en": "All good, done"},
    "button.visit.more": {"nl": "30 min langer", "en": "30 min longer"},
    "button.visit.help": {"nl": "Ik heb hulp nodig", "en": "I need help"},
    "button.visit.end": {"nl": "Bezoek afronden", "en": "End the visit"},
}
