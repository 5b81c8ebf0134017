"""Dutch first (informal je, short sentences), English mirrors it. HTML parse mode."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    # --- strangers, groups, generic ---------------------------------------------------------------
    "stranger": {
        "nl": "Deze bot is voor de vrijwilligers en beroepskrachten van {organisation}. "
        "Heb je een uitnodigingslink gekregen? Open die dan. "
        "Anders kun je je coördinator om een link vragen.",
        "en": "This bot serves the volunteers and professionals of {organisation}. "
        "Did you get an invite link? Then open it. "
        "Otherwise, ask your coordinator for a link.",
    },
    "group_only": {
        "nl": "Ik werk alleen in een privégesprek. Stuur me daar een bericht.",
        "en": "I only work in a private chat. Send me a message there.",
    },
    "invite.unknown": {
        "nl": "Deze uitnodigingslink ken ik niet. Controleer de link of vraag je coördinator om een nieuwe.",
        "en": "I don't recognise this invite link. Check the link or ask your coordinator for a new one.",
    },
    "invite.used": {
        "nl": "Deze uitnodigingslink is al gebruikt. Een link werkt maar één keer. "
        "Vraag je coördinator om een nieuwe.",
        "en": "This invite link has already been used. A link works only once. "
        "Ask your coordinator for a new one.",
    },
    "invite.expired": {
        "nl": "Deze uitnodigingslink is verlopen. Vraag je coördinator om een nieuwe.",
        "en": "This invite link has expired. Ask your coordinator for a new one.",
    },
    "invite.already_has_role": {
        "nl": "Je bent al aangemeld als {role}. Er is niets veranderd.",
        "en": "You are already registered as {role}. Nothing has changed.",
    },
    "invite.role_added": {
        "nl": "Je bent nu ook {role}.",
        "en": "You are now also {role}.",
    },
    "invite.joined_notice": {
        "nl": "🟢 {name} heeft de uitnodiging geaccepteerd en is aangemeld als {role}.",
        "en": "🟢 {name} accepted the invite and is registered as {role}.",
    },
    "error.generic": {
        "nl": "Er ging iets mis aan mijn kant. Er is niets veranderd. Probeer het zo nog eens.",
        "en": "Something went wrong on my side. Nothing has changed. Please try again in a moment.",
    },
    "not_allowed": {
        "nl": "Dat kan ik niet voor je doen: dit is voor {roles}. Kijk bij /help wat je wel kunt.",
        "en": "I can't do that for you: this is for {roles}. See /help for what you can do.",
    },
    "button.expired": {
        "nl": "Deze knop is niet meer geldig. Er is niets veranderd.",
        "en": "This button is no longer valid. Nothing has changed.",
    },
    "unknown_command": {
        "nl": "Dat commando ken ik niet. Kijk bij /help wat er kan.",
        "en": "I don't know that command. See /help for what you can do.",
    },
    "no_flow_text": {
        "nl": "Ik weet niet goed wat je bedoelt. Kijk bij /help wat er kan.",
        "en": "I'm not sure what you mean. See /help for what you can do.",
    },
    "only_text": {
        "nl": "Ik kan hier alleen tekst lezen. Typ je antwoord, of stuur /cancel om te stoppen.",
        "en": "I can only read text here. Type your answer, or send /cancel to stop.",
    },
    "not_text_idle": {
        "nl": "Foto's, spraak, stickers en bestanden kan ik niet lezen. Kijk bij /help wat er kan.",
        "en": "I can't read photos, voice messages, stickers or files. See /help for what you can do.",
    },
    "too_long": {
        "nl": "Dat is te lang: maximaal {limit} tekens (jij stuurde er {length}). Maak het wat korter.",
        "en": "That is too long: at most {limit} characters (you sent {length}). Please shorten it.",
    },
    "cancel.done": {
        "nl": "Gestopt. Er is niets opgeslagen.",
        "en": "Stopped. Nothing was saved.",
    },
    "cancel.nothing": {
        "nl": "Er loopt niets om te stoppen.",
        "en": "There is nothing to stop.",
    },
    "button.cancel": {"nl": "Annuleren", "en": "Cancel"},
    "button.more": {"nl": "Meer ›", "en": "More ›"},
    "button.back_page": {"nl": "‹ Terug", "en": "‹ Back"},
    # --- roles ------------------------------------------------------------------------------------
    "role.volunteer": {"nl": "vrijwilliger", "en": "volunteer"},
    "role.professional": {"nl": "beroepskracht", "en": "professional"},
    "role.coordinator": {"nl": "coördinator", "en": "coordinator"},
    "roles.volunteer": {"nl": "vrijwilligers", "en": "volunteers"},
    "roles.professional": {"nl": "beroepskrachten", "en": "professionals"},
    "roles.coordinator": {"nl": "coördinatoren", "en": "coordinators"},
    "button.role.volunteer": {"nl": "Vrijwilliger", "en": "Volunteer"},
    "button.role.professional": {"nl": "Beroepskracht", "en": "Professional"},
    "button.role.coordinator": {"nl": "Coördinator", "en": "Coordinator"},
    "and": {"nl": "en", "en": "and"},
    # --- welcome and help -------------------------------------------------------------------------
    "welcome": {
        "nl": "Welkom bij {organisation}, {name}! Je bent aangemeld als {roles}.\n\n{help}",
        "en": "Welcome to {organisation}, {name}! You are registered as {roles}.\n\n{help}",
    },
    "welcome_back": {
        "nl": "Hoi {name}! Je bent aangemeld als {roles}.\n\n{help}",
        "en": "Hi {name}! You are registered as {roles}.\n\n{help}",
    },
    "help.header": {
        "nl": "<b>Wat je hier kunt doen</b>",
        "en": "<b>What you can do here</b>",
    },
    "help.section.volunteer": {"nl": "<b>Als vrijwilliger</b>", "en": "<b>As a volunteer</b>"},
    "help.section.professional": {"nl": "<b>Als beroepskracht</b>", "en": "<b>As a professional</b>"},
    "help.section.coordinator": {"nl": "<b>Als coördinator</b>", "en": "<b>As a coordinator</b>"},
    "help.section.everyone": {"nl": "<b>Altijd</b>", "en": "<b>Always</b>"},
    "help.footer": {
        "nl": "Wat je hier schrijft, zien alleen de beroepskrachten en coördinatoren die het nodig hebben. "
        "Noem cliënten alleen bij hun afkorting, nooit bij volledige naam.",
        "en": "What you write here is seen only by the professionals and coordinators who need it. "
        "Refer to clients only by their alias, never by full name.",
    },
    # command descriptions: menus (plain, <= 256 chars) and /help lines
    "cmd.help": {"nl": "Wat kan ik hier doen?", "en": "What can I do here?"},
    "cmd.language": {
        "nl": "Taal kiezen (Nederlands / English)",
        "en": "Choose language (Nederlands / English)",
    },
    "cmd.cancel": {"nl": "Stoppen met wat je nu doet", "en": "Stop what you are doing"},
    "cmd.start": {"nl": "Beginnen", "en": "Start"},
    "cmd.invite": {"nl": "Iemand uitnodigen", "en": "Invite someone"},
    "cmd.people": {"nl": "Wie doet er mee?", "en": "Who takes part?"},
    "cmd.assign": {
        "nl": "Vrijwilliger aan beroepskracht koppelen",
        "en": "Assign a volunteer to a professional",
    },
    "cmd.link": {"nl": "Cliënt aan vrijwilliger koppelen", "en": "Link a client to a volunteer"},
    "cmd.agreement": {"nl": "Afspraken: uren en contacttijden", "en": "Agreement: hours and contact times"},
    "cmd.remove": {"nl": "Iemand afmelden", "en": "Remove someone"},
    # --- language ---------------------------------------------------------------------------------
    "language.ask": {"nl": "Welke taal wil je?", "en": "Which language would you like?"},
    "language.set": {
        "nl": "Ik praat voortaan Nederlands met je.",
        "en": "I'll speak English with you from now on.",
    },
    "button.lang.nl": {"nl": "Nederlands", "en": "Nederlands"},
    "button.lang.en": {"nl": "English", "en": "English"},
    # --- coordinator: invite ----------------------------------------------------------------------
    "invite.ask_role": {
        "nl": "Wie wil je uitnodigen? Kies de rol.",
        "en": "Whom do you want to invite? Choose the role.",
    },
    "invite.ask_name": {
        "nl": "Hoe heet de nieuwe {role}? Typ de voornaam (en eventueel een initiaal).",
        "en": "What is the new {role}'s name? Type the first name (and an initial if you like).",
    },
    "invite.bad_name": {
        "nl": "Typ een naam van 1 tot {limit} tekens, bijvoorbeeld: Vera B.",
        "en": "Type a name of 1 to {limit} characters, for example: Vera B.",
    },
    "invite.ask_team": {"nl": "In welk team zit {name}?", "en": "Which team is {name} in?"},
    "invite.ask_team_name": {
        "nl": "Hoe heet het nieuwe team? Bijvoorbeeld: Buurtteam Overvecht.",
        "en": "What is the new team called? For example: Buurtteam Overvecht.",
    },
    "invite.bad_team_name": {
        "nl": "Typ een teamnaam van 1 tot {limit} tekens.",
        "en": "Type a team name of 1 to {limit} characters.",
    },
    "button.team.none": {"nl": "Geen team", "en": "No team"},
    "button.team.new": {"nl": "➕ Nieuw team", "en": "➕ New team"},
    "invite.created": {
        "nl": "Uitnodiging voor <b>{name}</b> ({role}{team}) is klaar. Stuur deze link naar {name}:\n\n"
        "{link}\n\nDe link werkt één keer en is geldig tot {expires}. "
        "Je hoort het als {name} zich heeft aangemeld.",
        "en": "The invite for <b>{name}</b> ({role}{team}) is ready. Send this link to {name}:\n\n"
        "{link}\n\nThe link works once and is valid until {expires}. "
        "You'll hear when {name} has joined.",
    },
    "invite.team_suffix": {"nl": ", {team}", "en": ", {team}"},
    # --- coordinator: people ----------------------------------------------------------------------
    "people.header": {"nl": "<b>Wie doet er mee</b>", "en": "<b>Who takes part</b>"},
    "people.role_header": {"nl": "<b>{roles}</b> ({count})", "en": "<b>{roles}</b> ({count})"},
    "people.team": {"nl": "{team}", "en": "{team}"},
    "people.no_team": {"nl": "zonder team", "en": "no team"},
    "people.none": {"nl": "nog niemand", "en": "nobody yet"},
    "people.volunteer_line": {
        "nl": "• {name} — beroepskracht: {professional}{backup}{agreement}{clients}",
        "en": "• {name} — professional: {professional}{backup}{agreement}{clients}",
    },
    "people.person_line": {"nl": "• {name}{flags}", "en": "• {name}{flags}"},
    "people.backup": {"nl": ", backup: {name}", "en": ", backup: {name}"},
    "people.agreement": {"nl": ", {hours} u/week", "en": ", {hours} h/week"},
    "people.clients": {"nl": ", cliënten: {aliases}", "en": ", clients: {aliases}"},
    "people.nobody": {"nl": "nog niemand", "en": "not yet"},
    "people.unreachable": {"nl": " ⚠️ onbereikbaar", "en": " ⚠️ unreachable"},
    "people.truncated": {
        "nl": "… en nog {count} meer.",
        "en": "… and {count} more.",
    },
    # --- coordinator: shared pickers --------------------------------------------------------------
    "pick.volunteer": {"nl": "Over welke vrijwilliger gaat het?", "en": "Which volunteer is it about?"},
    "pick.none.volunteer": {
        "nl": "Er zijn nog geen vrijwilligers. Nodig er eerst een uit met /invite.",
        "en": "There are no volunteers yet. Invite one first with /invite.",
    },
    "pick.none.professional": {
        "nl": "Er zijn nog geen beroepskrachten. Nodig er eerst een uit met /invite.",
        "en": "There are no professionals yet. Invite one first with /invite.",
    },
    "pick.none.person": {
        "nl": "Er is verder niemand aangemeld.",
        "en": "Nobody else is registered.",
    },
    # --- coordinator: assign ----------------------------------------------------------------------
    "assign.ask_professional": {
        "nl": "Welke beroepskracht is verantwoordelijk voor {volunteer}?",
        "en": "Which professional is responsible for {volunteer}?",
    },
    "assign.ask_backup": {
        "nl": "Wie is de backup als {professional} niet reageert?",
        "en": "Who is the backup when {professional} does not respond?",
    },
    "button.no_backup": {"nl": "Geen backup", "en": "No backup"},
    "assign.done": {
        "nl": "Klaar: {professional} is verantwoordelijk voor {volunteer}{backup}.",
        "en": "Done: {professional} is responsible for {volunteer}{backup}.",
    },
    "assign.done_backup": {"nl": ", met {backup} als backup", "en": ", with {backup} as backup"},
    "assign.notice_professional": {
        "nl": "Je bent nu de beroepskracht van vrijwilliger {volunteer}. "
        "Signalen en vragen om hulp komen bij jou.",
        "en": "You are now the professional for volunteer {volunteer}. Signals and backup requests will "
        "come to you.",
    },
    "assign.notice_backup": {
        "nl": "Je bent nu backup voor vrijwilliger {volunteer}, als {professional} niet reageert.",
        "en": "You are now the backup for volunteer {volunteer}, when {professional} does not respond.",
    },
    "assign.notice_volunteer": {
        "nl": "{professional} is vanaf nu je beroepskracht. Die krijgt je signalen en vragen om hulp.",
        "en": "{professional} is your professional from now on "
        "and receives your signals and backup requests.",
    },
    # --- coordinator: link ------------------------------------------------------------------------
    "link.ask_alias": {
        "nl": "Welke cliënt gaat {volunteer} helpen? Typ een afkorting, bijvoorbeeld C-12 of mevr. J. "
        "Gebruik nooit een volledige naam.",
        "en": "Which client will {volunteer} help? Type an alias, for example C-12 or Mrs J. "
        "Never use a full name.",
    },
    "link.bad_alias": {
        "nl": "Typ een afkorting van 1 tot {limit} tekens, zonder regeleinden. Bijvoorbeeld: C-12.",
        "en": "Type an alias of 1 to {limit} characters, on one line. For example: C-12.",
    },
    "link.looks_like_name": {
        "nl": "Dat lijkt op een volledige naam. Gebruik een afkorting, bijvoorbeeld C-12 of mevr. J.",
        "en": "That looks like a full name. Use an alias instead, for example C-12 or Mrs J.",
    },
    "link.duplicate": {
        "nl": "{volunteer} is al gekoppeld aan {alias}. Kies een andere afkorting.",
        "en": "{volunteer} is already linked to {alias}. Choose another alias.",
    },
    "link.ask_professional": {
        "nl": "Wie is de verantwoordelijke beroepskracht voor {alias}?",
        "en": "Who is the responsible professional for {alias}?",
    },
    "button.link.same": {"nl": "Zelfde als vrijwilliger ({name})", "en": "Same as volunteer ({name})"},
    "button.link.same_unset": {"nl": "Zelfde als vrijwilliger", "en": "Same as volunteer"},
    "link.done": {
        "nl": "Klaar: {volunteer} helpt {alias}. Verantwoordelijk: {professional}.",
        "en": "Done: {volunteer} helps {alias}. Responsible: {professional}.",
    },
    "link.follows_volunteer": {
        "nl": "de beroepskracht van {volunteer}",
        "en": "{volunteer}'s professional",
    },
    "link.notice_volunteer": {
        "nl": "Je bent nu gekoppeld aan cliënt {alias}. Signalen over {alias} gaan naar {professional}.",
        "en": "You are now linked to client {alias}. Signals about {alias} go to {professional}.",
    },
    # --- coordinator: agreement -------------------------------------------------------------------
    "agreement.ask_hours": {
        "nl": "Hoeveel uur per week is {volunteer} ongeveer bezig? "
        "Typ een getal, bijvoorbeeld 4 of 2,5.{current}",
        "en": "How many hours a week does {volunteer} spend, roughly? "
        "Type a number, for example 4 or 2.5.{current}",
    },
    "agreement.current": {
        "nl": "\n\nNu afgesproken: {hours} uur per week; contact: {contact}.",
        "en": "\n\nAgreed now: {hours} hours a week; contact: {contact}.",
    },
    "agreement.bad_hours": {
        "nl": "Typ een getal van 0 tot {limit}, bijvoorbeeld 3 of 2,5.",
        "en": "Type a number from 0 to {limit}, for example 3 or 2.5.",
    },
    "agreement.ask_contact": {
        "nl": "Wanneer mogen cliënten {volunteer} benaderen? Bijvoorbeeld: di en do 10-16 uur.",
        "en": "When may clients contact {volunteer}? For example: Tue and Thu 10am-4pm.",
    },
    "agreement.bad_contact": {
        "nl": "Typ de contacttijden in maximaal {limit} tekens.",
        "en": "Type the contact times in at most {limit} characters.",
    },
    "button.contact.none": {"nl": "Geen vaste tijden", "en": "No fixed times"},
    "agreement.no_fixed": {"nl": "geen vaste tijden", "en": "no fixed times"},
    "agreement.done": {
        "nl": "Klaar: {volunteer} — {hours} uur per week; contact: {contact}.",
        "en": "Done: {volunteer} — {hours} hours a week; contact: {contact}.",
    },
    "agreement.notice_volunteer": {
        "nl": "Je afspraken zijn bijgewerkt: {hours} uur per week; contact met cliënten: {contact}.",
        "en": "Your agreement was updated: {hours} hours a week; contact with clients: {contact}.",
    },
    # --- coordinator: remove ----------------------------------------------------------------------
    "remove.ask_person": {"nl": "Wie wil je afmelden?", "en": "Whom do you want to remove?"},
    "remove.confirm": {
        "nl": "Weet je het zeker? {name} kan de bot daarna niet meer gebruiken. "
        "De geschiedenis blijft bewaard.",
        "en": "Are you sure? {name} will no longer be able to use the bot. The history is kept.",
    },
    "button.remove.yes": {"nl": "Ja, afmelden", "en": "Yes, remove"},
    "remove.done": {"nl": "{name} is afgemeld.", "en": "{name} has been removed."},
    "remove.self": {
        "nl": "Jezelf afmelden kan niet via /remove. Vraag een andere coördinator.",
        "en": "You can't remove yourself with /remove. Ask another coordinator.",
    },
    "remove.notice": {
        "nl": "Je bent afgemeld bij {organisation}. Dank je wel voor je inzet!",
        "en": "You have been removed from {organisation}. Thank you for everything you did!",
    },
    "flow.person_gone": {
        "nl": "Die persoon is niet meer actief. Er is niets veranderd.",
        "en": "That person is no longer active. Nothing has changed.",
    },
}

MESSAGES.update(
    {
        "delivery.repeat": {
            "nl": "🔁 <i>Herhaling: dit bericht kwam misschien al eerder aan.</i>\n\n{text}",
            "en": "🔁 <i>Repeat: this message may have arrived before.</i>\n\n{text}",
        },
        "unreachable.notice": {
            "nl": "⚠️ {name} ({roles}) is niet bereikbaar via Telegram: de bot is geblokkeerd of het account "
            "bestaat niet meer. Berichten aan {name} komen niet aan. Neem op een andere manier contact op.",
            "en": "⚠️ {name} ({roles}) cannot be reached on Telegram: the bot was blocked or the account is "
            "gone. Messages to {name} do not arrive. Please get in touch another way.",
        },
    }
)

_DAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

MESSAGES.update(
    {
        f"time.weekday.{i}": {"nl": f"{_DAYS_NL[i]} {{clock}}", "en": f"{_DAYS_EN[i]} {{clock}}"}
        for i in range(7)
    }
)
MESSAGES.update({f"day.{i}": {"nl": _DAYS_NL[i], "en": _DAYS_EN[i]} for i in range(7)})
MESSAGES.update({f"month.{i + 1}": {"nl": _MONTHS_NL[i], "en": _MONTHS_EN[i]} for i in range(12)})
MESSAGES.update(
    {
        "time.today": {"nl": "vandaag {clock}", "en": "today {clock}"},
        "time.tomorrow": {"nl": "morgen {clock}", "en": "tomorrow {clock}"},
        "time.yesterday": {"nl": "gisteren {clock}", "en": "yesterday {clock}"},
        "time.date": {"nl": "{day} {month} {clock}", "en": "{day} {month} {clock}"},
        "time.date_year": {"nl": "{day} {month} {year} {clock}", "en": "{day} {month} {year} {clock}"},
        "duration.minutes": {"nl": "{n} min", "en": "{n} min"},
        "duration.hours": {"nl": "{n} uur", "en": "{n} h"},
        "duration.days": {"nl": "{n} dagen", "en": "{n} days"},
    }
)
