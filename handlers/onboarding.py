"""/start with an invite code, /help, /language and /cancel."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.domain.callbacks import pack, unpack
from bot.domain.commands import EVERYONE_COMMANDS, ROLE_COMMANDS
from bot.domain.models import Person, Role
from bot.i18n import LANGUAGES, Markup, plain, t
from bot.services.notify import role_names
from bot.services.people import Redeemed
from handlers.common import command_arguments, reply, requires, say, show, toast

ROLE_ORDER = (Role.VOLUNTEER, Role.PROFESSIONAL, Role.COORDINATOR)


def help_text(person: Person) -> Markup:
    lang = person.language
    parts: list[str] = [t(lang, "help.header")]
    for role in ROLE_ORDER:
        if person.has(role) and ROLE_COMMANDS[role]:
            lines: list[str] = [t(lang, f"help.section.{role.value}")]
            lines += [f"/{c} — {t(lang, f'cmd.{c}')}" for c in ROLE_COMMANDS[role]]
            parts.append("\n".join(lines))
    lines = [t(lang, "help.section.everyone")]
    lines += [f"/{c} — {t(lang, f'cmd.{c}')}" for c in EVERYONE_COMMANDS]
    parts.append("\n".join(lines))
    parts.append(t(lang, "help.footer"))
    return Markup("\n\n".join(parts))


async def start(update: Update, context: Context) -> None:
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
    if outcome.result in (Redeemed.UNKNOWN, Redeemed.USED, Redeemed.EXPIRED):
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
    await services.menus.refresh(registered)
    services.delivery.wake()


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


@requires()
async def help_command(update: Update, context: Context, person: Person) -> None:
    await say(update, context, help_text(person))


@requires()
async def language_command(update: Update, context: Context, person: Person) -> None:
    rows = [[(plain(lang, f"button.lang.{lang}"), pack("lang", lang)) for lang in LANGUAGES]]
    await say(update, context, t(person.language, "language.ask"), rows)


@requires()
async def language_chosen(update: Update, context: Context, person: Person) -> None:
    query = update.callback_query
    assert query is not None
    parts = unpack(query.data, "lang", 1)
    if parts is None or parts[0] not in LANGUAGES:
        await toast(query, person.language, "button.expired")
        return
    updated = await context.services.people.set_language(person, parts[0])
    context.person = updated
    await query.answer()
    await show(update, context, t(updated.language, "language.set"))
    await context.services.menus.refresh(updated)


@requires()
async def cancel_command(update: Update, context: Context, person: Person) -> None:
    cleared = await context.services.drafts.clear(person.id)
    await say(update, context, t(person.language, "cancel.done" if cleared else "cancel.nothing"))


@requires()
async def cancel_button(update: Update, context: Context, person: Person) -> None:
    """A cancel button belongs to one flow: an old one must not stop a newer flow."""
    query = update.callback_query
    assert query is not None
    parts = unpack(query.data, "x", 2)
    draft = await context.services.drafts.get(person.id)
    if parts is None or parts[0] != "cancel" or draft is None or draft.flow != parts[1]:
        # A toast, not an edit: the press may come from the live question of another flow.
        await toast(query, person.language, "button.expired")
        return
    await context.services.drafts.clear(person.id)
    await query.answer()
    await show(update, context, t(person.language, "cancel.done"))
