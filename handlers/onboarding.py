"""/start with an invite code, /help, /language and /cancel."""

from __future__ import annotations

import functools

from telegram import Update

from bot.context import Context
from bot.domain.callbacks import Choice
from bot.domain.commands import EVERYONE_COMMANDS, ROLE_COMMANDS
from bot.domain.models import Person, Role
from bot.i18n import LANGUAGES, Markup, plain, t
from bot.services.invites import Redeemed, RedeemOutcome
from bot.services.notify import role_names, spoken_list
from handlers.common import CancelPressed, Rows, command_arguments, reply, say
from handlers.flow import ROUTER, Empty, Flow, FlowTurn, Turn

ROLE_ORDER = (Role.VOLUNTEER, Role.PROFESSIONAL, Role.COORDINATOR)

# Neither keeps a draft: their buttons are free, checked on the press.
language = Flow("language", Empty, command="language")
cancel = Flow("cancel", Empty, command="cancel")


LanguageChosen = Choice.at("lang")


def help_text(person: Person) -> Markup:
    return _help_text(person.language, person.roles)


@functools.cache  # a few languages times a few role sets; built once instead of on every /help
def _help_text(lang: str, roles: frozenset[Role]) -> Markup:
    parts: list[str] = [t(lang, "help.header")]
    for role in ROLE_ORDER:
        if role in roles and ROLE_COMMANDS[role]:
            lines: list[str] = [t(lang, f"help.section.{role.value}")]
            lines += [f"/{c} — {t(lang, f'cmd.{c}')}" for c in ROLE_COMMANDS[role]]
            parts.append("\n".join(lines))
    lines = [t(lang, "help.section.everyone")]
    lines += [f"/{c} — {t(lang, f'cmd.{c}')}" for c in EVERYONE_COMMANDS]
    parts.append("\n".join(lines))
    parts.append(t(lang, "help.footer"))
    return Markup("\n\n".join(parts))


@ROUTER.open_command("start")
async def start(update: Update, context: Context) -> None:
    """Redeem an invite code (the gate lets strangers through for this), or greet someone registered."""
    services = context.services
    code = command_arguments(update)
    person = context.person
    user = update.effective_user
    assert user is not None
    if not code:
        if person is not None:
            await say(update, context, _greeting(context, person, "welcome_back"))
        return
    outcome = await services.people.redeem(telegram_id=user.id, language_code=user.language_code, code=code)
    if outcome.result in (Redeemed.UNKNOWN, Redeemed.USED):
        await reply(update, context, f"invite.{outcome.result.value}")
        return
    registered = outcome.person
    assert registered is not None and outcome.role is not None
    lang = registered.language
    if outcome.result is Redeemed.ALREADY:
        await say(update, context, t(lang, "invite.already_has_role", role=role_names(lang, {outcome.role})))
    elif outcome.result is Redeemed.ROLE_ADDED:
        await say(update, context, t(lang, "invite.role_added", role=role_names(lang, {outcome.role})))
        await say(update, context, help_text(registered))
    else:
        await say(update, context, _greeting(context, registered, "welcome"))
    if outcome.professional is not None or outcome.clients:
        await say(update, context, _set_up(lang, outcome))
    await services.menus.refresh(registered)
    services.delivery.wake()


def _set_up(lang: str, outcome: RedeemOutcome) -> Markup:
    """What the coordinator prepared: the new volunteer's professional and clients, said at once."""
    professional = outcome.professional.name if outcome.professional else plain(lang, "people.nobody")
    clients = spoken_list(lang, list(outcome.clients)) if outcome.clients else plain(lang, "invite.prepared_no_clients")
    return t(lang, "invite.prepared_welcome", professional=professional, clients=clients)


def _greeting(context: Context, person: Person, key: str) -> Markup:
    lang = person.language
    return t(
        lang,
        key,
        organisation=context.services.settings.app.organisation,
        name=person.name,
        roles=role_names(lang, person.roles),
        help=help_text(person),
    )


@ROUTER.command("help")
async def help_command(turn: Turn) -> None:
    """What this person can do, by role."""
    await turn.say(help_text(turn.person))


@ROUTER.command("language")
async def language_command(turn: Turn) -> None:
    """Offer the languages, each in its own words."""
    rows: Rows = [[(plain(lang, f"button.lang.{lang}"), LanguageChosen(lang)) for lang in LANGUAGES]]
    await turn.reply("language.ask", rows)


@language.free(LanguageChosen)
async def language_chosen(turn: FlowTurn[Empty], press: Choice) -> None:
    """Switch the person's language; from the next word on the bot speaks it."""
    if press.value not in LANGUAGES:
        return await turn.expired()
    updated = await turn.services.people.set_language(turn.person, press.value)
    turn.context.person = updated
    await turn.answer()
    await turn.show(t(updated.language, "language.set"))
    await turn.services.menus.refresh(updated)


@ROUTER.command("cancel")
async def cancel_command(turn: Turn) -> None:
    """Leave whatever flow the person is in."""
    cleared = await turn.services.drafts.clear(turn.person.id)
    await turn.reply("cancel.done" if cleared else "cancel.nothing")


@cancel.free(CancelPressed)
async def cancel_pressed(turn: FlowTurn[Empty], press: CancelPressed) -> None:
    """A cancel button belongs to one flow: an old one must not stop a newer flow."""
    draft = await turn.draft()
    if draft is None or draft.flow != press.flow:
        # A toast, not an edit: the press may come from the live question of another flow.
        return await turn.expired()
    await turn.end()
    await turn.answer()
    await turn.show(t(turn.lang, "cancel.done"))
