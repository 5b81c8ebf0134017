"""Messages of the sandbox web page (``samenspel sandbox``), merged into the catalogue. Dutch first.

The page gets them as JSON (keys without the ``sandbox.`` prefix) and fills ``{name}`` placeholders
itself; they are plain text there, never HTML.
"""

from __future__ import annotations

from typing import Final

SANDBOX_MESSAGES: Final[dict[str, dict[str, str]]] = {
    "sandbox.title": {"nl": "Samenspel proeftuin", "en": "Samenspel sandbox"},
    "sandbox.intro": {
        "nl": "Dit zijn de telefoons van {organisation}, met de echte bot erin. Begin bij Vera: tik /signal "
        "en meld iets dringends over C-12. Kijk hoe het bij Piet binnenkomt en tik daar op Ik pak het op. "
        "Of zet de klok vooruit en zie het doorschuiven naar Fatima en Anna.",
        "en": "These are the phones of {organisation}, with the real bot inside. Start with Vera: tap /signal "
        "and report something urgent about C-12. Watch it arrive on Piet's phone and tap I'll take it there. "
        "Or move the clock forward and see it climb to Fatima and Anna.",
    },
    "sandbox.offline_note": {
        "nl": "Alles draait op deze computer. Er gaat niets naar Telegram; het is verzonnen.",
        "en": "Everything runs on this computer. Nothing goes to Telegram; it is all made up.",
    },
    "sandbox.clock.label": {"nl": "Klok van de bot", "en": "The bot's clock"},
    "sandbox.clock.plus15": {"nl": "+15 minuten", "en": "+15 minutes"},
    "sandbox.clock.plus1h": {"nl": "+1 uur", "en": "+1 hour"},
    "sandbox.clock.monday": {"nl": "Volgende maandag 19:00", "en": "Next Monday 19:00"},
    "sandbox.clock.hint": {
        "nl": "Zo klimmen onbeantwoorde signalen door en komt de wekelijkse check-in (maandag 19:00).",
        "en": "This makes unanswered signals climb and brings the weekly check-in (Monday 19:00).",
    },
    "sandbox.phones": {"nl": "Telefoons", "en": "Phones"},
    "sandbox.language": {"nl": "Taal van deze pagina", "en": "Language of this page"},
    "sandbox.role.volunteer": {"nl": "vrijwilliger", "en": "volunteer"},
    "sandbox.role.professional": {"nl": "beroepskracht", "en": "professional"},
    "sandbox.role.coordinator": {"nl": "coördinator", "en": "coordinator"},
    "sandbox.hint.vera": {
        "nl": "Helpt C-12 en C-31. Probeer /signal.",
        "en": "Helps C-12 and C-31. Try /signal.",
    },
    "sandbox.hint.piet": {
        "nl": "Beroepskracht van Vera en Noor. Hun signalen komen hier binnen.",
        "en": "Professional for Vera and Noor. Their signals arrive here.",
    },
    "sandbox.hint.fatima": {
        "nl": "Backup voor Vera en Noor, beroepskracht van Kees.",
        "en": "Backup for Vera and Noor, professional for Kees.",
    },
    "sandbox.hint.anna": {
        "nl": "Coördinator. Krijgt wat blijft liggen. Probeer /people.",
        "en": "Coordinator. Gets what nobody picks up. Try /people.",
    },
    "sandbox.hint.kees": {"nl": "Helpt C-07. Probeer /backup.", "en": "Helps C-07. Try /backup."},
    "sandbox.hint.noor": {"nl": "Helpt C-18. Probeer /checkin.", "en": "Helps C-18. Try /checkin."},
    "sandbox.bot_subtitle": {"nl": "bot", "en": "bot"},
    "sandbox.input.placeholder": {"nl": "Bericht", "en": "Message"},
    "sandbox.send": {"nl": "Versturen", "en": "Send"},
    "sandbox.menu": {"nl": "Menu", "en": "Menu"},
    "sandbox.menu.empty": {"nl": "Nog geen opdrachten", "en": "No commands yet"},
    "sandbox.edited": {"nl": "bewerkt", "en": "edited"},
    "sandbox.file": {"nl": "Bestand: {name}", "en": "File: {name}"},
    "sandbox.ok": {"nl": "OK", "en": "OK"},
    "sandbox.today": {"nl": "Vandaag", "en": "Today"},
    "sandbox.failed": {
        "nl": "Dat lukte niet. Kijk in het venster waar de proeftuin draait.",
        "en": "That did not work. Look in the window where the sandbox runs.",
    },
    "sandbox.disconnected": {
        "nl": "Geen verbinding met de proeftuin. Draait samenspel sandbox nog?",
        "en": "No connection to the sandbox. Is samenspel sandbox still running?",
    },
    "sandbox.cli.ready": {
        "nl": "De proeftuin draait: open {url} in je browser. Stoppen: Ctrl-C.",
        "en": "The sandbox is running: open {url} in your browser. To stop: Ctrl-C.",
    },
    "sandbox.cli.stopped": {
        "nl": "Proeftuin gestopt; de oefendatabase is weggegooid.",
        "en": "Sandbox stopped; the practice database was thrown away.",
    },
    "sandbox.cli.stopped_kept": {
        "nl": "Proeftuin gestopt; de database staat in {path}.",
        "en": "Sandbox stopped; the database is in {path}.",
    },
    "sandbox.cli.port_busy": {
        "nl": "kan niet luisteren op 127.0.0.1:{port} ({reason}). Kies een andere poort met --port.",
        "en": "cannot listen on 127.0.0.1:{port} ({reason}). Choose another port with --port.",
    },
    "sandbox.cli.db_exists": {
        "nl": "{path} bestaat al. De proeftuin begint met een nieuw databasebestand; kies een andere naam.",
        "en": "{path} already exists. The sandbox starts with a new database file; choose another name.",
    },
    "sandbox.cli.db_in_use": {
        "nl": "{path} is in gebruik door een ander Samenspel-proces (pid {pid}). Kies een ander bestand of stop dat proces.",
        "en": "{path} is in use by another Samenspel process (pid {pid}). Choose another file or stop that process.",
    },
    # What the coordinator agreed with each demo volunteer (shown on their phone when seeded).
    "sandbox.demo.contact.vera": {"nl": "di en do 10-16 uur", "en": "Tue and Thu 10am-4pm"},
    "sandbox.demo.contact.kees": {"nl": "ma-vr 9-17 uur", "en": "Mon-Fri 9am-5pm"},
    "sandbox.demo.contact.noor": {"nl": "wo 13-17 uur", "en": "Wed 1pm-5pm"},
}
