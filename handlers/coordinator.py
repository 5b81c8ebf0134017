"""The coordinator's tools: /invite, /people, /assign, /link, /agreement, /remove.

Each flow keeps its state in a stored draft; every button press is checked against that draft
and against the stored roles, so stale or forged buttons change nothing.
"""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.domain.callbacks import as_id, as_page, pack, unpack
from bot.domain.models import Draft, Person, Role
from bot.domain.onboarding import (
    CONTACT_LIMIT,
    MAX_HOURS_PER_WEEK,
    NAME_LIMIT,
    TEAM_LIMIT,
    clean_alias,
    clean_name,
    format_hours,
    looks_like_full_name,
    parse_hours,
    single_line,
)
from bot.domain.timefmt import say_time
from bot.i18n import Markup, plain, t
from bot.services.notify import role_names
from handlers.common import Rows, cancel_row, pick_rows, requires, say, show, toast
from handlers.flows import text_step

MESSAGE_LIMIT = 4096
INVITABLE = (Role.VOLUNTEER, Role.PROFESSIONAL, Role.COORDINATOR)


def _page_of(parts: list[str] | None) -> int | None:
    return None if parts is None else as_page(parts[-1])


async def _expired(update: Update, person: Person) -> None:
    if update.callback_query is not None:
        await toast(update.callback_query, person.language, "button.expired")


async def _draft_at(context: Context, person: Person, flow: str, *steps: str) -> Draft | None:
    draft = await context.services.drafts.get(person.id)
    if draft is None or draft.flow != flow or draft.step not in steps:
        return None
    return draft


def _int(draft: Draft, key: str) -> int:
    value = draft.data.get(key)
    if not isinstance(value, int):
        raise ValueError(f"draft lacks {key}")
    return value


# --- /invite --------------------------------------------------------------------------------------


@requires(Role.COORDINATOR)
async def invite_command(update: Update, context: Context, person: Person) -> None:
    lang = person.language
    await context.services.drafts.put(person.id, "invite", "role")
    rows: Rows = [[(plain(lang, f"button.role.{r.value}"), pack("inv", "r", r.value)) for r in INVITABLE]]
    rows.append(cancel_row(lang, "invite"))
    await say(update, context, t(lang, "invite.ask_role"), rows)


@requires(Role.COORDINATOR)
async def invite_button(update: Update, context: Context, person: Person) -> None:
    query = update.callback_query
    assert query is not None
    lang = person.language
    data = query.data
    if (parts := unpack(data, "inv", 2)) and parts[0] == "r":
        if parts[1] not in {r.value for r in INVITABLE} or not await _draft_at(context, person, "invite", "role"):
            return await _expired(update, person)
        role = Role(parts[1])
        await context.services.drafts.put(person.id, "invite", "name", role=role.value)
        await query.answer()
        await show(
            update,
            context,
            t(lang, "invite.ask_name", role=role_names(lang, {role})),
            [cancel_row(lang, "invite")],
        )
        return
    if (parts := unpack(data, "inv", 2)) and parts[0] == "t":
        draft = await _draft_at(context, person, "invite", "team")
        if draft is None:
            return await _expired(update, person)
        if parts[1] == "new":
            await context.services.drafts.put(person.id, "invite", "team_name", **draft.data)
            await query.answer()
            await show(update, context, t(lang, "invite.ask_team_name"), [cancel_row(lang, "invite")])
            return
        team_id = None if parts[1] == "none" else as_id(parts[1])
        if parts[1] != "none" and (team_id is None or await context.services.people.team(team_id) is None):
            return await _expired(update, person)
        await query.answer()
        await _issue_invite(update, context, person, draft, team_id)
        return
    if (parts := unpack(data, "inv", 2)) and parts[0] == "pg":
        draft = await _draft_at(context, person, "invite", "team")
        page = _page_of(parts)
        if draft is None or page is None:
            return await _expired(update, person)
        await query.answer()
        await show(update, context, *await _team_prompt(context, person, draft, page))
        return
    await _expired(update, person)


async def _team_prompt(context: Context, person: Person, draft: Draft, page: int) -> tuple[Markup, Rows]:
    lang = person.language
    teams = await context.services.people.teams()
    options = [(team.name, pack("inv", "t", team.id)) for team in teams]
    extra = [
        (plain(lang, "button.team.none"), pack("inv", "t", "none")),
        (plain(lang, "button.team.new"), pack("inv", "t", "new")),
    ]
    rows = pick_rows(lang, "invite", options, page=page, page_data=lambda p: pack("inv", "pg", p), extra=extra)
    return t(lang, "invite.ask_team", name=str(draft.data.get("name", ""))), rows


@text_step("invite")
async def invite_text(update: Update, context: Context, person: Person, draft: Draft, text: str) -> None:
    lang = person.language
    if draft.step == "name":
        name = clean_name(text, NAME_LIMIT)
        if name is None:
            await say(update, context, t(lang, "invite.bad_name", limit=NAME_LIMIT), [cancel_row(lang, "invite")])
            return
        draft = await context.services.drafts.put(person.id, "invite", "team", **draft.data, name=name)
        await say(update, context, *await _team_prompt(context, person, draft, 0))
        return
    if draft.step == "team_name":
        team_name = clean_name(text, TEAM_LIMIT)
        if team_name is None:
            await say(
                update,
                context,
                t(lang, "invite.bad_team_name", limit=TEAM_LIMIT),
                [cancel_row(lang, "invite")],
            )
            return
        team = await context.services.people.create_team(person, team_name)
        await _issue_invite(update, context, person, draft, team.id)
        return
    await say(update, context, t(lang, "no_flow_text"))


async def _issue_invite(update: Update, context: Context, person: Person, draft: Draft, team_id: int | None) -> None:
    lang = person.language
    role = Role(str(draft.data["role"]))
    name = str(draft.data["name"])
    issued = await context.services.people.create_invite(by=person, role=role, name=name, team_id=team_id)
    await context.services.drafts.clear(person.id)
    settings = context.services.settings
    link = f"https://t.me/{context.bot.username}?start={issued.code}"
    text = t(
        lang,
        "invite.created",
        name=name,
        role=role_names(lang, {role}),
        team=t(lang, "invite.team_suffix", team=issued.team.name) if issued.team else "",
        link=link,
        expires=say_time(issued.expires_at, context.services.clock.now(), settings.app.zone, lang),
    )
    await show(update, context, text)


# --- /people --------------------------------------------------------------------------------------


@requires(Role.COORDINATOR)
async def people_command(update: Update, context: Context, person: Person) -> None:
    lang = person.language
    overview = await context.services.people.overview()

    def team_of(p: Person) -> str:
        team = overview.teams.get(p.team_id or -1)
        return team.name if team else plain(lang, "people.no_team")

    def flags(p: Person) -> str:
        return plain(lang, "people.unreachable") if p.unreachable else ""

    sections: list[str] = [t(lang, "people.header")]
    vol_lines: list[str] = []
    for entry in sorted(overview.volunteers, key=lambda v: (team_of(v.person).lower(), v.person.name.lower())):
        p = entry.person
        line = t(
            lang,
            "people.volunteer_line",
            name=f"{p.name} ({team_of(p)})",
            professional=entry.professional.name if entry.professional else plain(lang, "people.nobody"),
            backup=t(lang, "people.backup", name=entry.backup.name) if entry.backup else "",
            agreement=t(lang, "people.agreement", hours=format_hours(entry.agreement.hours_per_week, lang))
            if entry.agreement
            else "",
            clients=t(lang, "people.clients", aliases=", ".join(link.client_alias for link in entry.links))
            if entry.links
            else "",
        )
        vol_lines.append(line + flags(p))
    sections.append(_section(lang, Role.VOLUNTEER, vol_lines))
    for role, members in (
        (Role.PROFESSIONAL, overview.professionals),
        (Role.COORDINATOR, overview.coordinators),
    ):
        lines = [str(t(lang, "people.person_line", name=f"{p.name} ({team_of(p)})", flags=flags(p))) for p in members]
        sections.append(_section(lang, role, lines))
    await say(update, context, _fit(lang, sections))


def _section(lang: str, role: Role, lines: list[str]) -> str:
    header = t(lang, "people.role_header", roles=plain(lang, f"roles.{role.value}").capitalize(), count=len(lines))
    return "\n".join([header, *(lines or [t(lang, "people.none")])])


def _fit(lang: str, sections: list[str]) -> Markup:
    """Keep the overview within one Telegram message, saying how much was left out."""
    lines = "\n\n".join(sections).split("\n")
    kept: list[str] = []
    size = 0
    reserve = 60
    for index, line in enumerate(lines):
        if size + len(line) + 1 > MESSAGE_LIMIT - reserve:
            kept.append(t(lang, "people.truncated", count=len(lines) - index))
            break
        kept.append(line)
        size += len(line) + 1
    return Markup("\n".join(kept))


# --- shared person pickers ------------------------------------------------------------------------


async def _pick(
    update: Update,
    context: Context,
    person: Person,
    *,
    flow: str,
    prefix: str,
    step: str,
    candidates: list[Person],
    question: Markup,
    page: int,
    extra: list[tuple[str, str]] | None = None,
) -> None:
    lang = person.language
    options = [(c.name, pack(prefix, step, c.id)) for c in candidates]
    rows = pick_rows(lang, flow, options, page=page, page_data=lambda p: pack(prefix, "pg", step, p), extra=extra or [])
    await show(update, context, question, rows)


async def _volunteers_or_explain(update: Update, context: Context, person: Person) -> list[Person] | None:
    volunteers = await context.services.people.with_role(Role.VOLUNTEER)
    if not volunteers:
        await say(update, context, t(person.language, "pick.none.volunteer"))
        return None
    return volunteers


# --- /assign --------------------------------------------------------------------------------------


@requires(Role.COORDINATOR)
async def assign_command(update: Update, context: Context, person: Person) -> None:
    volunteers = await _volunteers_or_explain(update, context, person)
    if volunteers is None:
        return
    await context.services.drafts.put(person.id, "assign", "v")
    await _pick(
        update,
        context,
        person,
        flow="assign",
        prefix="asg",
        step="v",
        candidates=volunteers,
        question=t(person.language, "pick.volunteer"),
        page=0,
    )


@requires(Role.COORDINATOR)
async def assign_button(update: Update, context: Context, person: Person) -> None:
    query = update.callback_query
    assert query is not None
    lang = person.language
    services = context.services
    paging = unpack(query.data, "asg", 3)
    if paging is not None and paging[0] == "pg":
        draft = await _draft_at(context, person, "assign", paging[1])
        page = _page_of(paging)
        if draft is None or page is None:
            return await _expired(update, person)
        await query.answer()
        await _assign_prompt(update, context, person, draft, page)
        return
    parts = unpack(query.data, "asg", 2)
    if parts is None:
        return await _expired(update, person)
    step, raw = parts
    draft = await _draft_at(context, person, "assign", step)
    chosen = None if raw == "none" and step == "b" else as_id(raw)
    if draft is None or (chosen is None and not (raw == "none" and step == "b")):
        return await _expired(update, person)
    if step == "v":
        volunteer = await _chosen(update, context, person, chosen, Role.VOLUNTEER)
        if volunteer is None:
            return
        await query.answer()
        professionals = await services.people.with_role(Role.PROFESSIONAL)
        if not professionals:
            await services.drafts.clear(person.id)
            await show(update, context, t(lang, "pick.none.professional"))
            return
        draft = await services.drafts.put(person.id, "assign", "p", volunteer=volunteer.id, name=volunteer.name)
        await _assign_prompt(update, context, person, draft, 0)
    elif step == "p":
        professional = await _chosen(update, context, person, chosen, Role.PROFESSIONAL)
        if professional is None:
            return
        await query.answer()
        draft = await services.drafts.put(
            person.id, "assign", "b", **draft.data, professional=professional.id, pname=professional.name
        )
        await _assign_prompt(update, context, person, draft, 0)
    else:
        if chosen is not None:
            if chosen == draft.data.get("professional"):
                return await _expired(update, person)  # not on the list: the backup is someone else
            if await _chosen(update, context, person, chosen, Role.PROFESSIONAL) is None:
                return
        # Answered only after the service: a refusal (someone removed meanwhile) answers the press itself.
        volunteer, professional, backup = await services.people.assign(
            person,
            volunteer_id=_int(draft, "volunteer"),
            professional_id=_int(draft, "professional"),
            backup_id=chosen,
        )
        await query.answer()
        await services.drafts.clear(person.id)
        await show(
            update,
            context,
            t(
                lang,
                "assign.done",
                volunteer=volunteer.name,
                professional=professional.name,
                backup=t(lang, "assign.done_backup", backup=backup.name) if backup else "",
            ),
        )


async def _assign_prompt(update: Update, context: Context, person: Person, draft: Draft, page: int) -> None:
    lang = person.language
    services = context.services
    if draft.step == "v":
        await _pick(
            update,
            context,
            person,
            flow="assign",
            prefix="asg",
            step="v",
            candidates=await services.people.with_role(Role.VOLUNTEER),
            question=t(lang, "pick.volunteer"),
            page=page,
        )
    elif draft.step == "p":
        await _pick(
            update,
            context,
            person,
            flow="assign",
            prefix="asg",
            step="p",
            candidates=await services.people.with_role(Role.PROFESSIONAL),
            question=t(lang, "assign.ask_professional", volunteer=str(draft.data["name"])),
            page=page,
        )
    else:
        others = [p for p in await services.people.with_role(Role.PROFESSIONAL) if p.id != draft.data["professional"]]
        await _pick(
            update,
            context,
            person,
            flow="assign",
            prefix="asg",
            step="b",
            candidates=others,
            question=t(lang, "assign.ask_backup", professional=str(draft.data["pname"])),
            page=page,
            extra=[(plain(lang, "button.no_backup"), pack("asg", "b", "none"))],
        )


async def _chosen(update: Update, context: Context, person: Person, person_id: int | None, role: Role) -> Person | None:
    """The active person with this role that a picker button names; otherwise None, answered without a change.

    Someone removed since the list was shown gets "gone"; an id no list of ours can hold (forged, or a
    person without the role) gets "expired". The draft stays, so another pick from the list still works.
    """
    chosen = await context.services.people.get(person_id or 0)
    if chosen is not None and chosen.active and chosen.has(role):
        return chosen
    if update.callback_query is not None:
        gone = chosen is not None and chosen.has(role)
        key = "flow.person_gone" if gone else "button.expired"
        await toast(update.callback_query, person.language, key, alert=gone)
    return None


# --- /link ----------------------------------------------------------------------------------------


@requires(Role.COORDINATOR)
async def link_command(update: Update, context: Context, person: Person) -> None:
    volunteers = await _volunteers_or_explain(update, context, person)
    if volunteers is None:
        return
    await context.services.drafts.put(person.id, "link", "v")
    await _pick(
        update,
        context,
        person,
        flow="link",
        prefix="lnk",
        step="v",
        candidates=volunteers,
        question=t(person.language, "pick.volunteer"),
        page=0,
    )


@requires(Role.COORDINATOR)
async def link_button(update: Update, context: Context, person: Person) -> None:
    query = update.callback_query
    assert query is not None
    lang = person.language
    services = context.services
    paging = unpack(query.data, "lnk", 3)
    if paging is not None and paging[0] == "pg":
        draft = await _draft_at(context, person, "link", paging[1])
        page = _page_of(paging)
        if draft is None or page is None:
            return await _expired(update, person)
        await query.answer()
        if draft.step == "v":
            await _pick(
                update,
                context,
                person,
                flow="link",
                prefix="lnk",
                step="v",
                candidates=await services.people.with_role(Role.VOLUNTEER),
                question=t(lang, "pick.volunteer"),
                page=page,
            )
        else:
            await _link_professional_prompt(update, context, person, draft, page)
        return
    parts = unpack(query.data, "lnk", 2)
    if parts is None:
        return await _expired(update, person)
    step, raw = parts
    draft = await _draft_at(context, person, "link", step)
    if draft is None:
        return await _expired(update, person)
    if step == "v":
        volunteer = await _chosen(update, context, person, as_id(raw), Role.VOLUNTEER)
        if volunteer is None:
            return
        await services.drafts.put(person.id, "link", "alias", volunteer=volunteer.id, name=volunteer.name)
        await query.answer()
        await show(update, context, t(lang, "link.ask_alias", volunteer=volunteer.name), [cancel_row(lang, "link")])
        return
    if step == "p":
        professional_id = None if raw == "same" else as_id(raw)
        if raw != "same" and await _chosen(update, context, person, professional_id, Role.PROFESSIONAL) is None:
            return
        # Answered only after the service: a refusal (a duplicate alias) answers the press itself.
        link, volunteer, effective = await services.people.link_client(
            person,
            volunteer_id=_int(draft, "volunteer"),
            alias=str(draft.data["alias"]),
            professional_id=professional_id,
        )
        await query.answer()
        await services.drafts.clear(person.id)
        responsible = effective.name if effective else plain(lang, "link.follows_volunteer", volunteer=volunteer.name)
        await show(
            update,
            context,
            t(lang, "link.done", volunteer=volunteer.name, alias=link.client_alias, professional=responsible),
        )
        return
    await _expired(update, person)


async def _link_professional_prompt(update: Update, context: Context, person: Person, draft: Draft, page: int) -> None:
    lang = person.language
    services = context.services
    volunteer = await services.people.get(_int(draft, "volunteer"))
    current = None
    if volunteer is not None and volunteer.responsible_professional_id is not None:
        current = await services.people.get(volunteer.responsible_professional_id)
    same = plain(lang, "button.link.same", name=current.name) if current else plain(lang, "button.link.same_unset")
    await _pick(
        update,
        context,
        person,
        flow="link",
        prefix="lnk",
        step="p",
        candidates=await services.people.with_role(Role.PROFESSIONAL),
        question=t(lang, "link.ask_professional", alias=str(draft.data["alias"])),
        page=page,
        extra=[(same, pack("lnk", "p", "same"))],
    )


@text_step("link")
async def link_text(update: Update, context: Context, person: Person, draft: Draft, text: str) -> None:
    lang = person.language
    if draft.step != "alias":
        await say(update, context, t(lang, "no_flow_text"))
        return
    alias = clean_alias(text)
    if alias is None:
        await say(update, context, t(lang, "link.bad_alias", limit=30), [cancel_row(lang, "link")])
        return
    if looks_like_full_name(alias):
        await say(update, context, t(lang, "link.looks_like_name"), [cancel_row(lang, "link")])
        return
    draft = await context.services.drafts.put(person.id, "link", "p", **draft.data, alias=alias)
    await _link_professional_prompt(update, context, person, draft, 0)


# --- /agreement -----------------------------------------------------------------------------------


@requires(Role.COORDINATOR)
async def agreement_command(update: Update, context: Context, person: Person) -> None:
    volunteers = await _volunteers_or_explain(update, context, person)
    if volunteers is None:
        return
    await context.services.drafts.put(person.id, "agreement", "v")
    await _pick(
        update,
        context,
        person,
        flow="agreement",
        prefix="agr",
        step="v",
        candidates=volunteers,
        question=t(person.language, "pick.volunteer"),
        page=0,
    )


@requires(Role.COORDINATOR)
async def agreement_button(update: Update, context: Context, person: Person) -> None:
    query = update.callback_query
    assert query is not None
    lang = person.language
    services = context.services
    paging = unpack(query.data, "agr", 3)
    if paging is not None and paging[0] == "pg":
        draft = await _draft_at(context, person, "agreement", "v")
        page = _page_of(paging)
        if draft is None or page is None:
            return await _expired(update, person)
        await query.answer()
        await _pick(
            update,
            context,
            person,
            flow="agreement",
            prefix="agr",
            step="v",
            candidates=await services.people.with_role(Role.VOLUNTEER),
            question=t(lang, "pick.volunteer"),
            page=page,
        )
        return
    parts = unpack(query.data, "agr", 2)
    if parts is not None and parts[0] == "v":
        if await _draft_at(context, person, "agreement", "v") is None:
            return await _expired(update, person)
        volunteer = await _chosen(update, context, person, as_id(parts[1]), Role.VOLUNTEER)
        if volunteer is None:
            return
        await query.answer()
        await services.drafts.put(person.id, "agreement", "hours", volunteer=volunteer.id, name=volunteer.name)
        current = await services.people.agreement(volunteer.id)
        current_text = (
            t(
                lang,
                "agreement.current",
                hours=format_hours(current.hours_per_week, lang),
                contact=current.contact_times or plain(lang, "agreement.no_fixed"),
            )
            if current
            else ""
        )
        await show(
            update,
            context,
            t(lang, "agreement.ask_hours", volunteer=volunteer.name, current=current_text),
            [cancel_row(lang, "agreement")],
        )
        return
    if parts is not None and parts == ["c", "none"]:
        draft = await _draft_at(context, person, "agreement", "contact")
        if draft is None:
            return await _expired(update, person)
        if await _save_agreement(update, context, person, draft, ""):
            await query.answer()  # after the service: a refusal answers the press itself
        return
    await _expired(update, person)


@text_step("agreement")
async def agreement_text(update: Update, context: Context, person: Person, draft: Draft, text: str) -> None:
    lang = person.language
    if draft.step == "hours":
        hours = parse_hours(text)
        if hours is None:
            await say(
                update,
                context,
                t(lang, "agreement.bad_hours", limit=f"{MAX_HOURS_PER_WEEK:g}"),
                [cancel_row(lang, "agreement")],
            )
            return
        await context.services.drafts.put(person.id, "agreement", "contact", **draft.data, hours=hours)
        rows: Rows = [
            [(plain(lang, "button.contact.none"), pack("agr", "c", "none"))],
            cancel_row(lang, "agreement"),
        ]
        await say(update, context, t(lang, "agreement.ask_contact", volunteer=str(draft.data["name"])), rows)
        return
    if draft.step == "contact":
        contact = single_line(text)
        if not contact or len(contact) > CONTACT_LIMIT:
            await say(
                update,
                context,
                t(lang, "agreement.bad_contact", limit=CONTACT_LIMIT),
                [cancel_row(lang, "agreement")],
            )
            return
        await _save_agreement(update, context, person, draft, contact)
        return
    await say(update, context, t(lang, "no_flow_text"))


async def _save_agreement(update: Update, context: Context, person: Person, draft: Draft, contact: str) -> bool:
    """Whether it was saved (otherwise the press has been answered already)."""
    lang = person.language
    hours = draft.data.get("hours")
    if not isinstance(hours, int | float):
        await _expired(update, person)
        return False
    volunteer = await context.services.people.set_agreement(
        person, volunteer_id=_int(draft, "volunteer"), hours_per_week=float(hours), contact_times=contact
    )
    await context.services.drafts.clear(person.id)
    await show(
        update,
        context,
        t(
            lang,
            "agreement.done",
            volunteer=volunteer.name,
            hours=format_hours(float(hours), lang),
            contact=contact or plain(lang, "agreement.no_fixed"),
        ),
    )
    return True


# --- /remove --------------------------------------------------------------------------------------


@requires(Role.COORDINATOR)
async def remove_command(update: Update, context: Context, person: Person) -> None:
    others = [p for p in await context.services.people.everyone() if p.id != person.id]
    if not others:
        await say(update, context, t(person.language, "pick.none.person"))
        return
    await context.services.drafts.put(person.id, "remove", "p")
    await _pick(
        update,
        context,
        person,
        flow="remove",
        prefix="rm",
        step="p",
        candidates=others,
        question=t(person.language, "remove.ask_person"),
        page=0,
    )


@requires(Role.COORDINATOR)
async def remove_button(update: Update, context: Context, person: Person) -> None:
    query = update.callback_query
    assert query is not None
    lang = person.language
    services = context.services
    paging = unpack(query.data, "rm", 3)
    if paging is not None and paging[0] == "pg":
        page = _page_of(paging)
        if await _draft_at(context, person, "remove", "p") is None or page is None:
            return await _expired(update, person)
        await query.answer()
        others = [p for p in await services.people.everyone() if p.id != person.id]
        await _pick(
            update,
            context,
            person,
            flow="remove",
            prefix="rm",
            step="p",
            candidates=others,
            question=t(lang, "remove.ask_person"),
            page=page,
        )
        return
    parts = unpack(query.data, "rm", 2)
    target_id = as_id(parts[1]) if parts else None
    if parts is None or target_id is None:
        return await _expired(update, person)
    if parts[0] == "p":
        if await _draft_at(context, person, "remove", "p") is None:
            return await _expired(update, person)
        target = await services.people.get(target_id)
        if target is None or not target.active or target.id == person.id:
            # Not on the list (removed meanwhile, forged, or oneself): nothing changes.
            removed_since = target is not None and target.id != person.id
            key = "flow.person_gone" if removed_since else "button.expired"
            await toast(query, lang, key, alert=removed_since)
            return
        await query.answer()
        await services.drafts.put(person.id, "remove", "confirm", target=target.id)
        rows: Rows = [
            [(plain(lang, "button.remove.yes"), pack("rm", "y", target.id))],
            [(plain(lang, "button.remove.erase"), pack("rm", "e", target.id))],
            cancel_row(lang, "remove"),
        ]
        await show(update, context, t(lang, "remove.confirm", name=target.name), rows)
        return
    if parts[0] == "y":
        draft = await _draft_at(context, person, "remove", "confirm")
        if draft is None or draft.data.get("target") != target_id:
            return await _expired(update, person)
        removed = await services.people.remove(person, target_id)
        await query.answer()  # after the service: a refusal (removed meanwhile) answers the press itself
        await services.drafts.clear(person.id)
        await show(update, context, t(lang, "remove.done", name=removed.name))
        gone = await services.people.get(removed.id)
        if gone is not None:
            await services.menus.refresh(gone)
        return
    if parts[0] == "e":
        draft = await _draft_at(context, person, "remove", "confirm")
        if draft is None or draft.data.get("target") != target_id:
            return await _expired(update, person)
        await query.answer()
        target = await services.people.get(target_id)
        name, handed = await services.privacy.offboard(person, target_id)
        await services.drafts.clear(person.id)
        await show(update, context, t(lang, "remove.erased", name=name, handed=handed))
        if target is not None and target.telegram_id is not None:
            await services.menus.clear(target.telegram_id)
        return
    await _expired(update, person)
