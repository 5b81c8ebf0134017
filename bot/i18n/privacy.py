"""Messages of privacy and subject rights (/mydata, /forget, offboarding, limits), merged into the catalogue."""

from __future__ import annotations

from typing import Final

PRIVACY_MESSAGES: Final[dict[str, dict[str, str]]] = {
    "privacy.found_comment": {
        "nl": "🔒 Ik zie iets dat op persoonsgegevens lijkt: {found}.\n\nDie zijn voor je check-in niet nodig. Pas je opmerking aan, of verstuur hem toch. Er is nog niets opgeslagen.",
        "en": "🔒 I see something that looks like personal data: {found}.\n\nYour check-in doesn't need it. Edit your comment, or send it anyway. Nothing has been saved yet.",
    },
    "cmd.mydata": {"nl": "Alles wat over jou bewaard is, als bestand", "en": "Everything stored about you, as a file"},
    "cmd.forget": {"nl": "Je gegevens laten wissen en stoppen", "en": "Erase your data and leave"},
    "mydata.caption": {
        "nl": "Dit is alles wat {organisation} in Samenspel over jou bewaart. Klopt er iets niet of heb je een vraag? Vraag het je coördinator.",
        "en": "This is everything {organisation} keeps about you in Samenspel. Something wrong, or a question? Ask your coordinator.",
    },
    "forget.confirm": {
        "nl": "<b>Je gegevens wissen?</b>\nIk wis dan je naam, je Telegram-koppeling en alles wat je hebt geschreven. Alleen anonieme aantallen blijven over.\nMeldingen van jou die nog open staan, geef ik eerst aan je professional.\nDaarna kun je de bot niet meer gebruiken, tot {organisation} je opnieuw uitnodigt.\n\nWil je eerst een kopie? Stuur dan /mydata.",
        "en": "<b>Erase your data?</b>\nI will then erase your name, your Telegram link and everything you wrote. Only anonymous counts remain.\nAny of your reports that are still open go to your professional first.\nAfter that you can no longer use the bot, until {organisation} invites you again.\n\nWant a copy first? Send /mydata.",
    },
    "button.forget.yes": {"nl": "Ja, wis mijn gegevens", "en": "Yes, erase my data"},
    "forget.done_self": {
        "nl": "Klaar: je gegevens zijn gewist. Open meldingen doorgegeven aan je professional: {handed}.\nDank je wel voor je inzet!",
        "en": "Done: your data has been erased. Open reports passed on to your professional: {handed}.\nThank you for everything you did!",
    },
    "forget.done": {
        "nl": "Je bent afgemeld bij {organisation} en je gegevens zijn gewist. Dank je wel voor je inzet!",
        "en": "You have been removed from {organisation} and your data has been erased. Thank you for everything you did!",
    },
    "forget.last_coordinator": {
        "nl": "Je bent de laatste coördinator. Nodig eerst iemand anders uit als coördinator (/invite), anders kan niemand meer mensen uitnodigen of koppelen.",
        "en": "You are the last coordinator. First invite someone else as coordinator (/invite), or nobody can invite or link people any more.",
    },
    "forget.handover": {
        "nl": "📌 <b>{name}</b> is gestopt en heeft de gegevens laten wissen. Deze open melding ligt nu bij jou. De tekst wordt hierna niet meer bewaard; neem over wat je nodig hebt.\n\n{alert}",
        "en": "📌 <b>{name}</b> has left and had their data erased. This open report is now yours. Its text is not kept after this; copy what you need.\n\n{alert}",
    },
    "button.remove.erase": {"nl": "Afmelden en gegevens wissen", "en": "Remove and erase data"},
    "remove.erased": {
        "nl": "{name} is afgemeld en de gegevens zijn gewist. Open meldingen overgedragen: {handed}.",
        "en": "{name} has been removed and their data erased. Open reports handed over: {handed}.",
    },
    "rate_limited": {
        "nl": "Ho, dat gaat wat snel! Ik kan even niet alles bijhouden. Wacht een minuutje en probeer het dan opnieuw. Bij direct gevaar: bel 112.",
        "en": "Whoa, that's a bit fast! I can't keep up for a moment. Wait a minute and try again. In immediate danger: call 112.",
    },
}
