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
        "nl": "Deze uitnodigingslink is al gebruikt. Een link werkt maar één keer. Vraag je coördinator om een nieuwe.",
        "en": "This invite link has already been used. A link works only once. Ask your coordinator for a new one.",
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
    "error.telegram": {
        "nl": "Telegram haperde even, dus mijn antwoord kwam misschien niet aan. Wat al verstuurd of opgeslagen was, blijft bewaard. Probeer het zo nog eens.",
        "en": "Telegram faltered for a moment, so my answer may not have arrived. Whatever was already sent or saved stays saved. Please try again in a moment.",
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
        "nl": "Je bent nu de beroepskracht van vrijwilliger {volunteer}. Signalen en vragen om hulp komen bij jou.",
        "en": "You are now the professional for volunteer {volunteer}. Signals and backup requests will come to you.",
    },
    "assign.notice_backup": {
        "nl": "Je bent nu backup voor vrijwilliger {volunteer}, als {professional} niet reageert.",
        "en": "You are now the backup for volunteer {volunteer}, when {professional} does not respond.",
    },
    "assign.notice_volunteer": {
        "nl": "{professional} is vanaf nu je beroepskracht. Die krijgt je signalen en vragen om hulp.",
        "en": "{professional} is your professional from now on and receives your signals and backup requests.",
    },
    # --- coordinator: link ------------------------------------------------------------------------
    "link.ask_alias": {
        "nl": "Welke cliënt gaat {volunteer} helpen? Typ een afkorting, bijvoorbeeld C-12 of mevr. J. "
        "Gebruik nooit een volledige naam.",
        "en": "Which client will {volunteer} help? Type an alias, for example C-12 or Mrs J. Never use a full name.",
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
        "nl": "Hoeveel uur per week is {volunteer} ongeveer bezig? Typ een getal, bijvoorbeeld 4 of 2,5.{current}",
        "en": "How many hours a week does {volunteer} spend, roughly? Type a number, for example 4 or 2.5.{current}",
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
        "nl": "Weet je het zeker? {name} kan de bot daarna niet meer gebruiken.\n• <i>Ja, afmelden</i>: de geschiedenis blijft bewaard (en wordt na de bewaartermijn gewist).\n• <i>Afmelden en gegevens wissen</i>: naam, Telegram-koppeling en teksten gaan nu weg; open meldingen gaan eerst naar de professional.",
        "en": "Are you sure? {name} will no longer be able to use the bot.\n• <i>Yes, remove</i>: the history is kept (and erased after the retention period).\n• <i>Remove and erase data</i>: name, Telegram link and texts go now; open reports go to the professional first.",
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
    {f"time.weekday.{i}": {"nl": f"{_DAYS_NL[i]} {{clock}}", "en": f"{_DAYS_EN[i]} {{clock}}"} for i in range(7)}
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

# --- signals, backup requests, escalations ----------------------------------------------------------
MESSAGES.update(
    {
        "cmd.signal": {"nl": "Iets melden over een cliënt", "en": "Report something about a client"},
        "cmd.backup": {"nl": "Hulp vragen aan een beroepskracht", "en": "Ask a professional for backup"},
        "cmd.mine": {
            "nl": "Wat ik meldde en wat ermee gebeurde",
            "en": "What I reported and what came of it",
        },
        "cmd.open": {"nl": "Open meldingen", "en": "Open items"},
        "cmd.away": {
            "nl": "Afwezig melden (bijv. /away 12-12)",
            "en": "Set yourself away (e.g. /away 12-12)",
        },
        "cmd.back": {"nl": "Weer aanwezig", "en": "Back again"},
        "cat.health": {"nl": "Gezondheid", "en": "Health"},
        "cat.money": {"nl": "Geld en schulden", "en": "Money and debt"},
        "cat.housing": {"nl": "Wonen", "en": "Housing"},
        "cat.safety": {"nl": "Veiligheid en geweld", "en": "Safety and violence"},
        "cat.loneliness": {"nl": "Eenzaamheid", "en": "Loneliness"},
        "cat.mental": {"nl": "Psychisch", "en": "Mental health"},
        "cat.practical": {"nl": "Praktisch en huishouden", "en": "Practical and household"},
        "cat.other": {"nl": "Anders", "en": "Other"},
        "bk.advise": {"nl": "Advies: bel of app me", "en": "Advise me (call or message)"},
        "bk.visit": {"nl": "Samen op bezoek", "en": "Visit together"},
        "bk.takeback": {"nl": "Neem deze casus terug", "en": "Take this case back"},
        "bk.now": {"nl": "Ik heb nu hulp nodig", "en": "I need help now"},
        "urg.info": {"nl": "ℹ️ Ter info", "en": "ℹ️ For information"},
        "urg.concern": {"nl": "🟠 Zorgelijk", "en": "🟠 Concern"},
        "urg.urgent": {"nl": "🔴 Dringend", "en": "🔴 Urgent"},
        "urg.emergency": {"nl": "🚨 Nood", "en": "🚨 Emergency"},
        "button.urg.emergency": {"nl": "🚨 Nood: nu gevaar", "en": "🚨 Emergency: danger now"},
        "kind.signal": {"nl": "signaal", "en": "signal"},
        "kind.backup": {"nl": "vraag om backup", "en": "backup request"},
        "kind.wellbeing": {"nl": "welzijnssignaal", "en": "wellbeing alert"},
        "kind.visit": {"nl": "bezoekmelding", "en": "visit alert"},
        "no_client": {"nl": "geen specifieke cliënt", "en": "no specific client"},
        "button.no_client": {"nl": "Geen specifieke cliënt", "en": "No specific client"},
        "signal.ask_client": {"nl": "Over wie gaat het?", "en": "Who is it about?"},
        "signal.ask_category": {"nl": "Waar gaat het over?", "en": "What is it about?"},
        "signal.ask_urgency": {"nl": "Hoe dringend is het?", "en": "How urgent is it?"},
        "signal.emergency_first": {
            "nl": "🚨 <b>Is er nu direct gevaar? Bel eerst 112.</b>\n\n"
            "Vertel daarna kort wat er is. Ik stuur het meteen naar iedereen die kan helpen.",
            "en": "🚨 <b>Is anyone in danger right now? Call 112 first.</b>\n\n"
            "Then tell me briefly what is going on. I'll send it to everyone who can help at once.",
        },
        "signal.ask_text": {
            "nl": "Vertel in je eigen woorden wat je zag of hoorde. Gebruik geen volledige namen.",
            "en": "Tell me in your own words what you saw or heard. Don't use full names.",
        },
        "signal.confirm": {
            "nl": "<b>Klopt dit?</b>\n{urgency} · {category} · {client}\n“{text}”\n\n{routing}",
            "en": "<b>Is this right?</b>\n{urgency} · {category} · {client}\n“{text}”\n\n{routing}",
        },
        "button.send": {"nl": "Versturen", "en": "Send"},
        "button.edit": {"nl": "Aanpassen", "en": "Edit"},
        "signal.sent": {
            "nl": "Verstuurd naar {names}. Je hoort het zodra iemand het oppakt. Dank je dat je dit meldt.",
            "en": "Sent to {names}. You'll hear as soon as someone picks it up. Thank you for reporting this.",
        },
        "signal.sent_later": {
            "nl": "Opgeslagen. {names} krijgt het {when}, binnen werktijd. "
            "Je hoort het zodra iemand het oppakt. Dank je dat je dit meldt.",
            "en": "Saved. {names} will get it {when}, within working hours. "
            "You'll hear as soon as someone picks it up. Thank you for reporting this.",
        },
        "signal.sent_nobody": {
            "nl": "Opgeslagen, maar ik kan nu niemand bereiken. Ik blijf het proberen en de coördinator krijgt "
            "het zodra het kan. Is er direct gevaar? Bel 112.",
            "en": "Saved, but I can't reach anyone right now. I'll keep trying and the coordinator will get it "
            "as soon as possible. Is anyone in danger? Call 112.",
        },
        "backup.sent": {
            "nl": "Je vraag is verstuurd naar {names}. Je hoort het zodra iemand het oppakt.",
            "en": "Your request was sent to {names}. You'll hear as soon as someone picks it up.",
        },
        "routing.first": {
            "nl": "{name} ({role}) krijgt dit meteen.",
            "en": "{name} ({role}) gets this right away.",
        },
        "routing.first_later": {
            "nl": "{name} ({role}) krijgt dit {when}, binnen werktijd.",
            "en": "{name} ({role}) gets this {when}, within working hours.",
        },
        "routing.next": {
            "nl": " Reageert {name} niet binnen {wait}, dan gaat het naar {next}.",
            "en": " If {name} does not respond within {wait}, it goes to {next}.",
        },
        "routing.all": {
            "nl": "Iedereen krijgt dit tegelijk: {names}.",
            "en": "Everyone gets this at once: {names}.",
        },
        "routing.nobody": {
            "nl": "Er is nu niemand bereikbaar. Ik blijf het proberen.",
            "en": "Nobody can be reached right now. I'll keep trying.",
        },
        "routing.role.responsible": {"nl": "je beroepskracht", "en": "your professional"},
        "routing.role.backup": {"nl": "backup", "en": "backup"},
        "routing.role.coordinator": {"nl": "coördinator", "en": "coordinator"},
        "routing.coordinators": {"nl": "de coördinatoren", "en": "the coordinators"},
        "wait.minutes": {"nl": "{n} minuten", "en": "{n} minutes"},
        "wait.hours": {"nl": "{n} uur", "en": "{n} hours"},
        "wait.working_hours": {"nl": "{n} werkuren", "en": "{n} working hours"},
        "text.empty": {
            "nl": "Typ wat je zag of hoorde, in een paar zinnen.",
            "en": "Type what you saw or heard, in a few sentences.",
        },
        "signal.no_links_note": {
            "nl": "Je bent nog niet aan een cliënt gekoppeld; je kunt wel iets algemeens melden.",
            "en": "You are not linked to a client yet; you can still report something general.",
        },
        "backup.ask_kind": {
            "nl": "Waarmee kan een beroepskracht je helpen?",
            "en": "How can a professional help you?",
        },
        "backup.now_first": {
            "nl": "<b>Is er direct gevaar? Bel 112.</b>\n\nVertel kort wat er is; ik waarschuw meteen je beroepskracht.",
            "en": "<b>Is anyone in danger? Call 112.</b>\n\nTell me briefly what is going on; "
            "I'll alert your professional at once.",
        },
        "backup.ask_text": {
            "nl": "Vertel kort wat er speelt. Gebruik geen volledige namen.",
            "en": "Tell me briefly what is going on. Don't use full names.",
        },
        # alerts to professionals
        "alert.header": {
            "nl": "{urgency}: {kind} van {volunteer} · {client} · {category} · {time}",
            "en": "{urgency}: {kind} from {volunteer} · {client} · {category} · {time}",
        },
        "alert.body": {"nl": "“{text}”", "en": "“{text}”"},
        "alert.trimmed": {
            "nl": "… <i>(ingekort; het hele bericht staat in /open)</i>",
            "en": "… <i>(shortened; the whole message is in /open)</i>",
        },
        "alert.reminder": {
            "nl": "🔁 <b>Herinnering</b>: nog niemand heeft dit opgepakt (open sinds {age}).",
            "en": "🔁 <b>Reminder</b>: nobody has picked this up yet (open for {age}).",
        },
        "alert.emergency_note": {
            "nl": "De vrijwilliger kreeg het advies eerst 112 te bellen bij direct gevaar.",
            "en": "The volunteer was told to call 112 first if anyone is in danger.",
        },
        "alert.handoff_request": {
            "nl": "↪️ {name} vraagt jou dit over te nemen.",
            "en": "↪️ {name} asks you to take this over.",
        },
        "alert.team": {
            "nl": "{header}\nNog niemand heeft dit opgepakt. Bekijk het in een privégesprek met mij: /open",
            "en": "{header}\nNobody has picked this up yet. See it in a private chat with me: /open",
        },
        "button.ack": {"nl": "Ik pak het op", "en": "I'll take it"},
        "button.handoff": {"nl": "Overdragen", "en": "Hand off"},
        "button.resolve": {"nl": "Afronden", "en": "Resolve"},
        "button.takeover": {"nl": "Ik neem het over", "en": "I'll take it over"},
        "status.acknowledged_you": {
            "nl": "🟢 Opgepakt door jou om {time}. {volunteer} is op de hoogte.",
            "en": "🟢 Picked up by you at {time}. {volunteer} has been told.",
        },
        "status.acknowledged": {
            "nl": "🟢 Opgepakt door {name} om {time}.",
            "en": "🟢 Picked up by {name} at {time}.",
        },
        "status.handoff": {
            "nl": "↪️ Overgedragen aan {name} ({time}).",
            "en": "↪️ Handed off to {name} ({time}).",
        },
        "status.handoff_expired": {
            "nl": "↪️ {name} nam het niet op tijd over; het gaat weer verder.",
            "en": "↪️ {name} did not take it over in time; it moves on again.",
        },
        "status.closed": {"nl": "✅ Afgesloten om {time}: {reason}", "en": "✅ Closed at {time}: {reason}"},
        "status.closed_default": {"nl": "niet meer nodig.", "en": "no longer needed."},
        "status.closed_visit_ok": {
            "nl": "de vrijwilliger meldde zich alsnog, alles goed.",
            "en": "the volunteer reported in after all, all is well.",
        },
        "status.resolved": {
            "nl": "✅ Afgerond door {name} om {time}.",
            "en": "✅ Resolved by {name} at {time}.",
        },
        # to the volunteer
        "vol.acknowledged": {
            "nl": "🟢 {name} heeft je {kind} over {client} opgepakt ({time}).",
            "en": "🟢 {name} picked up your {kind} about {client} ({time}).",
        },
        "vol.resolved": {
            "nl": "{name} reageerde op je {kind} over {client}: “{reply}”",
            "en": "{name} replied to your {kind} about {client}: “{reply}”",
        },
        "vol.nobody": {
            "nl": "Ik kon nog niemand bereiken voor je {kind} over {client}. Ik blijf het proberen. "
            "Is er direct gevaar? Bel 112.",
            "en": "I couldn't reach anyone yet for your {kind} about {client}. I'll keep trying. "
            "Is anyone in danger? Call 112.",
        },
        # the professional's actions
        "ack.done": {"nl": "Je hebt dit opgepakt.", "en": "You picked this up."},
        "ack.already_you": {"nl": "Je had dit al opgepakt.", "en": "You had already picked this up."},
        "ack.already": {"nl": "Al opgepakt door {name}.", "en": "Already picked up by {name}."},
        "esc.resolved_already": {"nl": "Dit is al afgerond.", "en": "This has already been resolved."},
        "esc.not_yours": {
            "nl": "Dit is niet aan jou gericht. Er is niets veranderd.",
            "en": "This was not addressed to you. Nothing has changed.",
        },
        "esc.gone": {"nl": "Deze melding bestaat niet (meer).", "en": "This item does not exist (any more)."},
        "resolve.ask": {
            "nl": "Wat wil je {volunteer} laten weten? Typ een kort antwoord; {volunteer} krijgt het te zien.",
            "en": "What would you like to tell {volunteer}? Type a short reply; {volunteer} will see it.",
        },
        "resolve.ask_wellbeing": {
            "nl": "Wat heb je gedaan of afgesproken? Typ een korte notitie (alleen voor beroepskrachten).",
            "en": "What did you do or agree? Type a short note (for professionals only).",
        },
        "resolve.done": {
            "nl": "✅ Afgerond. {volunteer} krijgt je antwoord.",
            "en": "✅ Resolved. {volunteer} gets your reply.",
        },
        "resolve.done_note": {"nl": "✅ Afgerond.", "en": "✅ Resolved."},
        "resolve.bad": {
            "nl": "Typ een antwoord van 1 tot {limit} tekens.",
            "en": "Type a reply of 1 to {limit} characters.",
        },
        "handoff.ask": {
            "nl": "Aan wie wil je dit overdragen?",
            "en": "Whom do you want to hand this off to?",
        },
        "handoff.done": {
            "nl": "↪️ Overgedragen aan {name}. Neemt {name} het niet binnen {wait} over, dan gaat het weer verder.",
            "en": "↪️ Handed off to {name}. If {name} does not take it over within {wait}, it moves on again.",
        },
        "handoff.none": {
            "nl": "Er is geen andere beroepskracht om aan over te dragen.",
            "en": "There is no other professional to hand this off to.",
        },
        # overviews
        "open.none": {"nl": "Er staat niets open. 🟢", "en": "Nothing is open. 🟢"},
        "open.header": {"nl": "<b>Open meldingen: {count}</b>", "en": "<b>Open items: {count}</b>"},
        "open.more": {
            "nl": "En nog {count} meer; handel eerst deze af.",
            "en": "And {count} more; deal with these first.",
        },
        "open.item": {
            "nl": "{header}\n{body}\n<i>{state} · open sinds {age}</i>",
            "en": "{header}\n{body}\n<i>{state} · open for {age}</i>",
        },
        "state.open": {"nl": "wacht op iemand", "en": "waiting for someone"},
        "state.handoff": {"nl": "overdracht aan {name}", "en": "being handed off to {name}"},
        "state.acknowledged": {"nl": "opgepakt door {name}", "en": "picked up by {name}"},
        "mine.none": {
            "nl": "Je hebt nog niets gemeld. Met /signal meld je iets, met /backup vraag je hulp.",
            "en": "You haven't reported anything yet. Use /signal to report, /backup to ask for help.",
        },
        "mine.header": {"nl": "<b>Wat je meldde</b>", "en": "<b>What you reported</b>"},
        "mine.item": {
            "nl": "{urgency} · {when} · {kind} · {client} · {category}\n   {status}",
            "en": "{urgency} · {when} · {kind} · {client} · {category}\n   {status}",
        },
        "mine.open": {"nl": "nog niet opgepakt", "en": "not picked up yet"},
        "mine.handoff": {"nl": "wordt overgedragen", "en": "being handed over"},
        "mine.acknowledged": {"nl": "opgepakt door {name}", "en": "picked up by {name}"},
        "mine.resolved": {"nl": "afgerond door {name}: “{reply}”", "en": "resolved by {name}: “{reply}”"},
        # availability
        "away.set": {
            "nl": "Je staat op afwezig tot {until}. Nieuwe meldingen gaan zolang naar je backup of de "
            "coördinatoren. Eerder terug? Stuur /back.",
            "en": "You are away until {until}. New items go to your backup or the coordinators meanwhile. "
            "Back earlier? Send /back.",
        },
        "away.set_open": {
            "nl": "Je staat op afwezig tot je /back stuurt. Nieuwe meldingen gaan zolang naar je backup of de "
            "coördinatoren.",
            "en": "You are away until you send /back. New items go to your backup or the coordinators meanwhile.",
        },
        "away.bad": {
            "nl": "Dat begrijp ik niet als datum. Typ bijvoorbeeld /away 12-12 of /away 2026-12-12, of alleen /away.",
            "en": "I don't understand that date. Type for example /away 12-12 or /away 2026-12-12, or just /away.",
        },
        "away.past": {
            "nl": "Die datum is al voorbij. Kies een datum in de toekomst.",
            "en": "That date has passed. Choose a date in the future.",
        },
        "back.done": {
            "nl": "Welkom terug! Je krijgt weer meldingen.",
            "en": "Welcome back! You'll get items again.",
        },
        "back.not_away": {"nl": "Je stond niet op afwezig.", "en": "You were not set as away."},
    }
)

MESSAGES.update(
    {
        "date.day": {"nl": "{weekday} {day} {month}", "en": "{weekday} {day} {month}"},
    }
)

MESSAGES.update(
    {
        "cmd.workhours": {
            "nl": "Je werktijden (bijv. /workhours ma-vr 08:30-17:00)",
            "en": "Your working hours (e.g. /workhours mon-fri 08:30-17:00)",
        },
        "workhours.current": {
            "nl": "Je werktijden: {days}, {start}-{end}.",
            "en": "Your working hours: {days}, {start}-{end}.",
        },
        "workhours.how": {
            "nl": "Meldingen ter info en zorgelijke meldingen wachten tot je werktijd begint; dringende en noodmeldingen nooit. Wijzigen: /workhours ma-vr 08:30-17:00 of /workhours ma,di,do 9-13.",
            "en": "Informational and concern items wait until your working hours begin; urgent and emergency items never wait. To change: /workhours mon-fri 08:30-17:00 or /workhours mon,tue,thu 9-13.",
        },
        "workhours.set": {"nl": "Opgeslagen.", "en": "Saved."},
        "workhours.bad": {
            "nl": "Dat begrijp ik niet. Typ bijvoorbeeld /workhours ma-vr 08:30-17:00 of /workhours ma,di,do 9-13.",
            "en": "I don't understand that. Type for example /workhours mon-fri 08:30-17:00 or /workhours mon,tue,thu 9-13.",
        },
    }
)

# --- check-ins and wellbeing ----------------------------------------------------------------------
MESSAGES.update(
    {
        "cmd.checkin": {"nl": "Inchecken: hoe gaat het?", "en": "Check in: how are things?"},
        "cmd.pause": {"nl": "Check-ins pauzeren (bijv. /pause 5-1)", "en": "Pause check-ins (e.g. /pause 5-1)"},
        "cmd.resume": {"nl": "Check-ins weer aan", "en": "Resume check-ins"},
        "cmd.me": {"nl": "Mijn check-ins en meldingen", "en": "My check-ins and reports"},
        "cmd.schedule": {"nl": "Check-in-schema's", "en": "Check-in schedules"},
        "ci.prompt": {
            "nl": "Hoi {name}, even inchecken. Hoeveel uur was je bezig als vrijwilliger sinds de vorige keer?\n<i>Tik een knop, of typ een getal.</i>",
            "en": "Hi {name}, time to check in. How many hours did you spend volunteering since last time?\n<i>Tap a button, or type a number.</i>",
        },
        "ci.reminder": {
            "nl": "Hoi {name}, je check-in staat nog open. Het duurt minder dan een minuut. Hoeveel uur was je bezig?",
            "en": "Hi {name}, your check-in is still open. It takes less than a minute. How many hours did you spend?",
        },
        "ci.start": {
            "nl": "Even inchecken. Hoeveel uur was je bezig als vrijwilliger sinds de vorige keer?\n<i>Tik een knop, of typ een getal.</i>",
            "en": "Let's check in. How many hours did you spend volunteering since last time?\n<i>Tap a button, or type a number.</i>",
        },
        "ci.more_than_12": {"nl": "meer dan 12", "en": "more than 12"},
        "ci.bad_hours": {
            "nl": "Typ een getal, bijvoorbeeld 3 of 2,5. Of tik een knop.",
            "en": "Type a number, for example 3 or 2.5. Or tap a button.",
        },
        "ci.use_buttons": {
            "nl": "Tik een van de knoppen bij de vraag hierboven. Stoppen kan met /cancel.",
            "en": "Tap one of the buttons under the question above. Send /cancel to stop.",
        },
        "ci.energy": {"nl": "Hoeveel energie heb je?", "en": "How is your energy?"},
        "ci.contact": {
            "nl": "Nam een cliënt contact op buiten de afgesproken tijden?",
            "en": "Did a client contact you outside the agreed times?",
        },
        "ci.private": {
            "nl": "Leunde een cliënt op je privéleven: thuis, familie, geld, sociale media?",
            "en": "Did a client lean on your private life: home, family, money, social media?",
        },
        "ci.role": {
            "nl": "Werd je gevraagd iets te doen dat buiten je rol valt of wat je niet kunt?",
            "en": "Were you asked to do something beyond your role or what you feel able to do?",
        },
        "ci.offer_backup": {
            "nl": "Wil je dat je beroepskracht dit met je oppakt?",
            "en": "Would you like your professional to pick this up with you?",
        },
        "ci.comment": {
            "nl": "Wil je nog iets kwijt? Typ het, of tik op Nee, klaar.",
            "en": "Anything else on your mind? Type it, or tap No, done.",
        },
        "ci.thanks": {
            "nl": "Dank je wel, {name}! Deze maand {hours} van de {agreed} afgesproken uren. Fijn dat je er bent.",
            "en": "Thank you, {name}! This month {hours} of the {agreed} agreed hours. Glad you're with us.",
        },
        "ci.thanks_no_agreement": {
            "nl": "Dank je wel, {name}! Deze maand {hours} uur. Fijn dat je er bent.",
            "en": "Thank you, {name}! {hours} hours this month. Glad you're with us.",
        },
        "ci.already_closed": {
            "nl": "Deze check-in is al afgesloten. Met /checkin kun je opnieuw inchecken.",
            "en": "This check-in is already closed. Use /checkin to check in again.",
        },
        "button.ci.no": {"nl": "Nee", "en": "No"},
        "button.ci.yes": {"nl": "Ja", "en": "Yes"},
        "button.ci.once": {"nl": "Eén keer", "en": "Once"},
        "button.ci.several": {"nl": "Vaker", "en": "Several times"},
        "button.ci.done": {"nl": "Nee, klaar", "en": "No, done"},
        "button.ci.backup": {"nl": "Vraag backup", "en": "Ask for backup"},
        "button.ci.not_now": {"nl": "Nu niet", "en": "Not now"},
        "ci.backup_started": {
            "nl": "Je check-in is opgeslagen. Nu je vraag om backup:",
            "en": "Your check-in is saved. Now your backup request:",
        },
        "pause.set": {
            "nl": "Check-ins staan op pauze tot {until}. Een gemiste check-in telt dan niet. Eerder terug? Stuur /resume.",
            "en": "Check-ins are paused until {until}. A check-in in that time does not count as missed. Back earlier? Send /resume.",
        },
        "pause.set_open": {
            "nl": "Check-ins staan op pauze tot je /resume stuurt. Een gemiste check-in telt dan niet.",
            "en": "Check-ins are paused until you send /resume. A check-in in that time does not count as missed.",
        },
        "pause.bad": {
            "nl": "Dat begrijp ik niet als datum. Typ bijvoorbeeld /pause 5-1 of alleen /pause.",
            "en": "I don't understand that date. Type for example /pause 5-1 or just /pause.",
        },
        "resume.done": {"nl": "Check-ins staan weer aan. Welkom terug!", "en": "Check-ins are on again. Welcome back!"},
        "resume.not_paused": {"nl": "Je check-ins stonden niet op pauze.", "en": "Your check-ins were not paused."},
        "me.header": {"nl": "<b>Je laatste check-ins</b>", "en": "<b>Your latest check-ins</b>"},
        "me.none": {
            "nl": "Nog geen check-ins. Met /checkin kun je nu inchecken.",
            "en": "No check-ins yet. Use /checkin to check in now.",
        },
        "me.answered": {"nl": "• {when}: {hours} uur", "en": "• {when}: {hours} hours"},
        "me.missed": {"nl": "• {when}: niet ingevuld", "en": "• {when}: not filled in"},
        "me.month": {
            "nl": "Deze maand: {hours} van de {agreed} afgesproken uren.",
            "en": "This month: {hours} of the {agreed} agreed hours.",
        },
        "me.month_no_agreement": {"nl": "Deze maand: {hours} uur.", "en": "This month: {hours} hours."},
        "me.paused": {"nl": "Je check-ins staan op pauze.", "en": "Your check-ins are paused."},
        "me.signals": {
            "nl": "Wat je meldde en wat ermee gebeurde: /mine",
            "en": "What you reported and what came of it: /mine",
        },
        # wellbeing alerts (to professionals only)
        "wb.time_overload": {"nl": "Veel uren", "en": "Many hours"},
        "wb.boundaries": {"nl": "Grenzen in contact", "en": "Contact boundaries"},
        "wb.private_life": {"nl": "Privéleven", "en": "Private life"},
        "wb.competence": {"nl": "Buiten de rol", "en": "Beyond the role"},
        "wb.energy": {"nl": "Weinig energie", "en": "Low energy"},
        "wb.missed": {"nl": "Check-ins gemist", "en": "Missed check-ins"},
        "wb.body.time_window": {
            "nl": "{name} was de afgelopen {weeks} weken {hours} uur bezig; afgesproken is {agreed} uur in die tijd. Wordt er niet te zwaar op {name} geleund?",
            "en": "{name} spent {hours} hours in the last {weeks} weeks; {agreed} hours were agreed for that time. Is too much resting on {name}?",
        },
        "wb.body.time_week": {
            "nl": "{name} was in week {week} {hours} uur bezig; afgesproken is {agreed} uur per week.",
            "en": "{name} spent {hours} hours in week {week}; {agreed} hours a week were agreed.",
        },
        "wb.body.boundaries": {
            "nl": "{name} gaf {count} keer in {days} dagen aan dat een cliënt contact zocht buiten de afgesproken tijden.",
            "en": "{name} said {count} times in {days} days that a client made contact outside the agreed times.",
        },
        "wb.body.boundaries_several": {
            "nl": "{name} gaf aan dat een cliënt vaker contact zocht buiten de afgesproken tijden.",
            "en": "{name} said a client made contact outside the agreed times several times.",
        },
        "wb.body.private_life": {
            "nl": "{name} gaf {count} keer in {days} dagen aan dat een cliënt leunt op het privéleven (thuis, familie, geld, sociale media).",
            "en": "{name} said {count} times in {days} days that a client leans on their private life (home, family, money, social media).",
        },
        "wb.body.competence": {
            "nl": "{name} gaf aan gevraagd te zijn iets te doen dat buiten de rol valt of wat {name} niet kan.",
            "en": "{name} said they were asked to do something beyond their role or ability.",
        },
        "wb.body.energy_low": {
            "nl": "{name} gaf de laatste {count} check-ins weinig energie aan (laatst: {latest} van 5).",
            "en": "{name} reported low energy in the last {count} check-ins (latest: {latest} of 5).",
        },
        "wb.body.energy_drop": {
            "nl": "{name} gaf energie {latest} van 5 aan, tegen gemiddeld {average} in de weken ervoor.",
            "en": "{name} reported energy {latest} of 5, against an average of {average} in the weeks before.",
        },
        "wb.body.missed": {
            "nl": "{name} heeft de laatste {count} check-ins niet ingevuld.",
            "en": "{name} did not fill in the last {count} check-ins.",
        },
        # coordinator: schedules
        "schedule.none": {
            "nl": "Er zijn nog geen check-in-schema's.",
            "en": "There are no check-in schedules yet.",
        },
        "schedule.header": {"nl": "<b>Check-in-schema's</b>", "en": "<b>Check-in schedules</b>"},
        "schedule.line": {
            "nl": "{icon} {audience}: {days} om {time}{every} — volgende: {next}",
            "en": "{icon} {audience}: {days} at {time}{every} — next: {next}",
        },
        "schedule.every": {"nl": ", om de {n} weken", "en": ", every {n} weeks"},
        "schedule.paused_next": {"nl": "gepauzeerd", "en": "paused"},
        "schedule.audience.everyone": {"nl": "iedereen", "en": "everyone"},
        "schedule.audience.team": {"nl": "team {name}", "en": "team {name}"},
        "schedule.audience.volunteer": {"nl": "{name}", "en": "{name}"},
        "button.schedule.add": {"nl": "➕ Nieuw schema", "en": "➕ New schedule"},
        "button.schedule.manage": {"nl": "{n}: pauze/aan/weg", "en": "{n}: pause/resume/delete"},
        "schedule.ask_audience": {"nl": "Voor wie is de check-in?", "en": "Who is the check-in for?"},
        "button.audience.everyone": {"nl": "Alle vrijwilligers", "en": "All volunteers"},
        "button.audience.team": {"nl": "Eén team", "en": "One team"},
        "button.audience.volunteer": {"nl": "Eén vrijwilliger", "en": "One volunteer"},
        "schedule.ask_team": {"nl": "Welk team?", "en": "Which team?"},
        "schedule.no_teams": {"nl": "Er zijn nog geen teams.", "en": "There are no teams yet."},
        "schedule.ask_days": {
            "nl": "Op welke dagen? Tik de dagen aan en dan op Verder.",
            "en": "On which days? Tap the days, then Next.",
        },
        "button.next": {"nl": "Verder", "en": "Next"},
        "schedule.need_day": {"nl": "Kies minstens één dag.", "en": "Choose at least one day."},
        "schedule.ask_time": {
            "nl": "Hoe laat? Tik een tijd of typ er een, bijvoorbeeld 19:00.",
            "en": "At what time? Tap a time or type one, for example 19:00.",
        },
        "schedule.bad_time": {"nl": "Typ een tijd als 19:00 of 9:30.", "en": "Type a time like 19:00 or 9:30."},
        "schedule.ask_every": {"nl": "Hoe vaak?", "en": "How often?"},
        "button.every.1": {"nl": "Elke week", "en": "Every week"},
        "button.every.2": {"nl": "Om de week", "en": "Every other week"},
        "button.every.4": {"nl": "Elke 4 weken", "en": "Every 4 weeks"},
        "schedule.created": {
            "nl": "Opgeslagen: {audience}, {days} om {time}{every}. De eerste check-in gaat {next}. Een herinnering volgt na {remind} uur; na {close} uur telt hij als gemist.",
            "en": "Saved: {audience}, {days} at {time}{every}. The first check-in goes out {next}. A reminder follows after {remind} hours; after {close} hours it counts as missed.",
        },
        "schedule.ask_manage": {"nl": "Wat wil je met schema {n}?", "en": "What do you want to do with schedule {n}?"},
        "button.schedule.pause": {"nl": "Pauzeren", "en": "Pause"},
        "button.schedule.resume": {"nl": "Weer aanzetten", "en": "Resume"},
        "button.schedule.delete": {"nl": "Verwijderen", "en": "Delete"},
        "schedule.paused": {"nl": "Schema {n} staat op pauze.", "en": "Schedule {n} is paused."},
        "schedule.resumed": {
            "nl": "Schema {n} staat weer aan. Volgende: {next}.",
            "en": "Schedule {n} is on again. Next: {next}.",
        },
        "schedule.deleted": {"nl": "Schema {n} is verwijderd.", "en": "Schedule {n} has been deleted."},
        "schedule.gone": {"nl": "Dat schema bestaat niet (meer).", "en": "That schedule does not exist (any more)."},
    }
)

# --- privacy screening ----------------------------------------------------------------------------
MESSAGES.update(
    {
        "privacy.found": {
            "nl": "🔒 Ik zie iets dat op persoonsgegevens lijkt: {found}.\n\nBeroepskrachten hebben die meestal niet nodig in een melding. Pas je tekst aan, of verstuur hem toch. Er is nog niets opgeslagen.",
            "en": "🔒 I see something that looks like personal data: {found}.\n\nProfessionals usually don't need it in a report. Edit your text, or send it anyway. Nothing has been saved yet.",
        },
        "button.send_anyway": {"nl": "Toch versturen", "en": "Send anyway"},
        "privacy.kind.bsn": {"nl": "BSN", "en": "citizen service number (BSN)"},
        "privacy.kind.phone": {"nl": "telefoonnummer", "en": "phone number"},
        "privacy.kind.email": {"nl": "e-mailadres", "en": "e-mail address"},
        "privacy.kind.iban": {"nl": "rekeningnummer", "en": "bank account number"},
        "privacy.kind.birth_date": {"nl": "geboortedatum", "en": "date of birth"},
        "privacy.kind.address": {"nl": "adres", "en": "address"},
    }
)

# Kept in their own modules so that each area's wording can be read (and changed) together.
from bot.i18n.privacy import PRIVACY_MESSAGES  # noqa: E402
from bot.i18n.sandbox import SANDBOX_MESSAGES  # noqa: E402
from bot.i18n.visits import VISIT_MESSAGES  # noqa: E402

for _area in (VISIT_MESSAGES, PRIVACY_MESSAGES, SANDBOX_MESSAGES):
    _clash = MESSAGES.keys() & _area.keys()
    assert not _clash, f"message keys defined twice: {sorted(_clash)}"
    MESSAGES.update(_area)
