"""The authorisation matrix (issue 5, item 4), end to end through the fake Bot API.

Every command in ROLE_COMMANDS / EVERYONE_COMMANDS / STRANGER_COMMANDS and every callback prefix the
Application registers is tried by every kind of actor: coordinators, professionals (responsible,
backup, unrelated), volunteers (the owner and another one), someone with two roles, an unknown user
and a removed user. Nothing here is a hand-copied list of who may do what: commands come from
`bot.domain.commands`, callback prefixes from the running Application's handlers, and the roles a
button needs from the command whose flow it belongs to (the router's registry, `handlers.flow.ROUTER`).

Each cell checks, on the server side only:
- allowed iff the stored roles (and for an item: ownership, the stored draft step) permit it;
- a refusal is answered (the button's spinner stops), reads as a refusal, changes no table and logs no
  error; an unknown user gets only the one polite stranger answer and nothing about them is stored;
- forged callback data (edited ids, other prefixes, missing or extra parts, 64-byte maxima, odd unicode)
  and buttons from old messages (a step already passed, an alert already handled, a removed person's
  buttons) change nothing.

KNOWN_GAPS (in tests/support/matrix.py, with the machinery) lists cells that fail today and wait for a fix in
a file this test does not own; each is run on its own, and the test fails when such a cell starts passing, so
the list cannot rot.
"""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import handlers  # noqa: F401 -- importing the package files every flow in ROUTER
from bot.domain.callbacks import MAX_BYTES, pack
from bot.domain.escalation import Kind, Urgency
from bot.domain.socialmap import EntryFields
from bot.domain.wellbeing import Flag
from bot.sandbox.state import FakeUser, SentMessage
from storage.db import to_db
from tests.support.harness import ANNA, FATIMA, PIET, VERA, Harness, running_bot
from tests.support.matrix import (
    ACTORS,
    BRAM,
    CORA,
    FILLERS,
    FLOW_COMMAND,
    INA,
    LOTTE,
    MO,
    RIK,
    STRANGER,
    WIM,
    Actor,
    C,
    Matrix,
    P,
    Press,
    V,
    World,
    _normal,
    _template,
    actor,
    all_commands,
    build_world,
    diff,
    gate_outcome,
    join,
    may_use,
    registered_commands,
    registered_prefixes,
    rows_mentioning,
    snapshot,
    watching_errors,
)

# --- forged data ----------------------------------------------------------------------------------

ODD = ("٣", "²", "\u202e1", "\x00", "\U0010ffff", "🙂", " 1", "1 ", "0x1")


def forgeries(data: str, prefixes: Iterable[str], ignored: Iterable[int] = ()) -> list[str]:
    """Variants of a real button's data that no button of ours carries (`ignored`: parts the server
    ignores by design, left alone)."""
    head, *rest = data.split(":")
    out: list[str] = []
    for i, part in enumerate(rest):
        if i in ignored:
            continue
        swaps = [str(int(part) + 7919), "9" * 13, "٣"] if part.isdigit() else [part.upper() + "x"]
        for swap in swaps:
            out.append(":".join([head, *rest[:i], swap, *rest[i + 1 :]]))
    out.append(":".join([head, *rest[:-1]]))  # a part missing
    out.append(f"{data}:1")  # a part too many
    out.append(data.upper())
    out += [":".join([other, *rest]) for other in sorted(prefixes) if other != head][:1]
    pad = MAX_BYTES - len(data.encode()) - 1
    if pad > 0:
        out.append(f"{data}:{'x' * pad}")  # exactly 64 bytes
    out.append(f"{data}{'9' * (MAX_BYTES + 1 - len(data.encode()))}")  # 65 bytes, digits
    out.append(f"{data}\x00")
    return list(dict.fromkeys(d for d in out if d != data))


def junk(prefix: str) -> list[str]:
    """Data any registered prefix must survive, whatever its actions are."""
    out = [prefix, f"{prefix}:", f"{prefix}::", f"{prefix}:?", f"{prefix}:a:b:c:d:e", f"{prefix}:1:2:3"]
    out += [f"{prefix}:{odd}" for odd in ODD]
    out += [f"{prefix}:{odd}:{odd}" for odd in ODD[:3]]
    out.append(f"{prefix}:" + "x" * (MAX_BYTES - len(prefix) - 1))
    out.append(f"{prefix}:" + "é" * ((MAX_BYTES - len(prefix) - 1) // 2))
    out.append(f"{prefix}:" + "9" * (MAX_BYTES - len(prefix) - 1))
    return out


# --- walking the flows ----------------------------------------------------------------------------

Expect = Callable[[Actor], str]


@dataclass
class Walker:
    m: Matrix
    w: World
    prefixes: set[str]
    covered: set[str] = field(default_factory=set)  # "prefix:action" pairs pressed legitimately

    @property
    def h(self) -> Harness:
        return self.m.h

    def data_like(self, owner: FakeUser, start: str) -> str:
        """The data of the newest button in the owner's chat that starts so (its numbers come from the bot)."""
        for message in reversed(self.h.api.messages(owner.id)):
            for _, data in message.buttons():
                if data.startswith(start):
                    return data
        raise AssertionError(f"no button {start}… for {owner.first_name}:\n{self.h.api.describe(owner.id)}")

    def button(self, owner: FakeUser, data: str) -> SentMessage | None:
        """The newest message in the owner's chat that carries this very button."""
        for message in reversed(self.h.api.messages(owner.id)):
            if data in [d for _, d in message.buttons()]:
                return message
        return None

    def expectation(self, owner: FakeUser, prefix: str, others: Callable[[Actor], str] | None) -> Expect:
        def expect(who: Actor) -> str:
            outcome = gate_outcome(who, prefix)
            if outcome is not None:
                return outcome
            if others is not None and who.user.id != owner.id:
                return others(who)
            return "refused"

        return expect

    async def step(
        self,
        name: str,
        owner: FakeUser,
        data: str,
        *,
        changes: bool = True,
        replay: str = "refused",
        constructed: bool = False,
        others: Callable[[Actor], str] | None = None,
        also: bool = True,
        foreign: Iterable[str | tuple[str, str]] = (),
        ignored: Iterable[int] = (),
    ) -> None:
        """One real button: everyone else and forged variants first (nothing may change), then the
        owner's press (allowed), then the same button again (an old message)."""
        prefix = data.split(":")[0]
        message = self.button(owner, data)
        if message is None and not constructed:
            self.m.record(f"button|{name}|{actor(owner).key}|legit", f"no real button {data!r} in the chat")
            return
        expect = self.expectation(owner, prefix, others)
        presses = [
            Press(f"button|{name}|{who.key}|other", who, data, expect(who))
            for who in ACTORS
            if who.user.id != owner.id and expect(who) != "allowed"
        ]
        me = actor(owner)
        shown = {d for _, d in message.buttons()} if message else set()
        # A forged page number only shows another (maybe empty) page of a list the owner may see.
        forged_outcome = "harmless" if ":pg:" in data else "refused"
        presses += [
            Press(f"forged|{name}|{me.key}|{forged!r}", me, forged, forged_outcome, message)
            for forged in forgeries(data, self.prefixes, ignored)
            if forged not in shown
        ]
        for item in foreign:  # valid in shape, naming something that is not the owner's (or not offered)
            label, forged = item if isinstance(item, tuple) else (repr(item), item)
            presses.append(Press(f"forged|{name}|{me.key}|foreign {label}", me, forged, "refused", message))
        await self.m.run(presses)
        # The owner's own press, then the same button once more (as from an old message), in order.
        legit = [Press(f"button|{name}|{me.key}|legit", me, data, "allowed", message, changes=changes)]
        if replay in ("refused", "stranger"):
            legit.append(Press(f"stale|{name}|{me.key}|again", me, data, replay, message))
        elif replay == "allowed":  # the same page or setting again
            legit.append(Press(f"stale|{name}|{me.key}|again", me, data, "allowed", message, quiet_ok=True))
        await self.m.run(legit)
        self.covered.add(":".join(data.split(":")[:2]))
        for who in ACTORS if also else ():
            if who.user.id != owner.id and expect(who) == "allowed":
                await self.m.allowed(Press(f"button|{name}|{who.key}|also", who, data, "allowed"), changes=False)

    async def say(self, user: FakeUser, text: str) -> list[SentMessage]:
        return await self.m.send(user, text)

    async def cancel_all(self) -> None:
        await self.m.wait([self.h.api.send_text(who.user, "/cancel") for who in ACTORS if who.registered])


def everyone_registered(who: Actor) -> str:
    return "allowed"


# The walks: each drives the owner through a flow with real buttons, one step at a time.


async def walk_common(k: Walker) -> None:
    await k.say(VERA, "/language")
    await k.step("lang:nl", VERA, pack("lang", "nl"), changes=False, replay="allowed", others=everyone_registered)
    await k.say(ANNA, "/language")
    await k.step("lang:en", ANNA, pack("lang", "en"), replay="allowed", others=everyone_registered, also=False)
    await k.say(ANNA, "/language")
    await k.step("lang:nl (back)", ANNA, pack("lang", "nl"), replay="allowed", others=everyone_registered, also=False)
    await k.say(VERA, "/signal")
    await k.step("x:cancel", VERA, pack("x", "cancel", "signal"))
    await k.say(ANNA, "/remove")
    await k.say(ANNA, "/assign")  # a newer flow: the older flow's cancel button must not stop it
    stale_cancel = pack("x", "cancel", "remove")
    await k.m.refused(
        [Press("stale|x:cancel of an older flow|coordinator|again", actor(ANNA), stale_cancel, "refused")]
    )
    await k.cancel_all()


async def walk_invite(k: Walker) -> None:
    await k.say(ANNA, "/invite")
    await k.step("inv:r", ANNA, pack("inv", "r", "volunteer"))
    await k.say(ANNA, "Joop de Vries")
    await k.step("inv:pg", ANNA, pack("inv", "pg", 0), changes=False, constructed=True, replay="allowed")
    await k.step("inv:t:new", ANNA, pack("inv", "t", "new"))
    await k.say(ANNA, "Team West")
    await k.say(ANNA, "/invite")
    await k.step("inv:r professional", ANNA, pack("inv", "r", "professional"))
    await k.say(ANNA, "Ria")
    await k.step("inv:t:none", ANNA, pack("inv", "t", "none"))
    await k.say(ANNA, "/invite")
    await k.step("inv:r coordinator", ANNA, pack("inv", "r", "coordinator"))
    await k.say(ANNA, "Henk")
    await k.step("inv:t:<team>", ANNA, pack("inv", "t", k.w.team), foreign=[pack("inv", "t", k.w.team + 7919)])


def coordinators_too(who: Actor) -> str:
    """A button any coordinator may press (it names what it acts on; coordinators share the work), such as the
    social map's review."""
    return "allowed" if C in who.roles else "refused"


async def walk_prepare(k: Walker) -> None:
    """The set-up under the volunteer invite walk_invite made: professional, backup, clients, hours."""
    ids = k.w.ids
    data = k.data_like(ANNA, "prep:i:")
    used = pack("prep", "i", 1)  # Anna's own invite, used when the world was built
    # Another coordinator may open it too (not pressed here: their own draft would then walk along).
    await k.step("prep:i", ANNA, data, others=coordinators_too, also=False, replay="allowed", foreign=[used])
    await k.step(
        "prep:pg", ANNA, pack("prep", "pg", "professional", 0), changes=False, constructed=True, replay="allowed"
    )
    await k.step("prep:p", ANNA, pack("prep", "p", ids["Piet"]), foreign=[pack("prep", "p", ids["Vera"])])
    await k.step("prep:b", ANNA, pack("prep", "b", ids["Fatima"]), foreign=[pack("prep", "b", ids["Piet"])])
    await k.say(ANNA, "J-1, J-2")
    await k.step("prep:s", ANNA, pack("prep", "s", "hours"), foreign=[pack("prep", "s", "clients")])


async def walk_invites(k: Walker) -> None:
    """/invites: revoke one, after the confirmation; a used invite cannot be chosen."""
    await k.say(ANNA, "/invites")
    data = k.data_like(ANNA, "ivl:r:")
    await k.step("ivl:r", ANNA, data, foreign=[pack("ivl", "r", 1)])
    await k.step("ivl:y", ANNA, data.replace("ivl:r:", "ivl:y:"), foreign=[pack("ivl", "y", 1)])


async def walk_teams(k: Walker) -> None:
    """/teams: a new team, someone moved, a team renamed, an empty team removed after the confirmation."""
    ids, oost = k.w.ids, k.w.team
    await k.say(ANNA, "/teams")
    await k.step("tm:a new", ANNA, pack("tm", "a", "new"))
    await k.say(ANNA, "Team Zuid")
    await k.say(ANNA, "/teams")
    await k.step("tm:a move", ANNA, pack("tm", "a", "move"))
    await k.step("tm:pg", ANNA, pack("tm", "pg", "person", 1), changes=False, replay="allowed")
    await k.step("tm:p", ANNA, pack("tm", "p", ids["Vera"]), foreign=[pack("tm", "p", ids["Rik"])])
    await k.step("tm:to", ANNA, pack("tm", "to", oost))
    async with k.h.services.db.transaction() as tx:
        zuid = int(await tx.scalar("SELECT id FROM teams WHERE name = 'Team Zuid'"))
    await k.say(ANNA, "/teams")
    await k.step("tm:m", ANNA, pack("tm", "m", zuid))
    await k.step("tm:rn", ANNA, pack("tm", "rn", zuid), foreign=[pack("tm", "rn", oost)])
    await k.say(ANNA, "Team Zuidoost")
    await k.say(ANNA, "/teams")
    await k.step("tm:m again", ANNA, pack("tm", "m", zuid))
    await k.step("tm:rm", ANNA, pack("tm", "rm", zuid), foreign=[pack("tm", "rm", oost)])
    await k.step("tm:y", ANNA, pack("tm", "y", zuid), foreign=[pack("tm", "y", oost)])


async def walk_assign(k: Walker) -> None:
    ids = k.w.ids
    await k.say(ANNA, "/assign")
    await k.step("asg:pg", ANNA, pack("asg", "pg", "v", 1), changes=False, replay="allowed")
    await k.step("asg:pg back", ANNA, pack("asg", "pg", "v", 0), changes=False, replay="allowed")
    not_volunteers = [pack("asg", "v", ids["Piet"]), pack("asg", "v", ids["Rik"]), pack("asg", "v", ids["Anna"])]
    await k.step("asg:v", ANNA, pack("asg", "v", ids["Vera"]), foreign=not_volunteers)
    not_professionals = [pack("asg", "p", ids["Vera"]), pack("asg", "p", ids["Anna"])]
    await k.step("asg:p", ANNA, pack("asg", "p", ids["Piet"]), foreign=not_professionals)
    await k.step("asg:b", ANNA, pack("asg", "b", ids["Fatima"]), foreign=[pack("asg", "b", ids["Wim"])])
    await k.say(ANNA, "/assign")
    await k.step("asg:v again", ANNA, pack("asg", "v", ids["Vera"]))
    await k.step("asg:p again", ANNA, pack("asg", "p", ids["Piet"]))
    await k.step("asg:b:none", ANNA, pack("asg", "b", "none"))
    # Vera's backup again, as the later walks expect.
    anna = await k.h.services.people.get(ids["Anna"])
    assert anna is not None
    await k.h.services.people.assign(
        anna, volunteer_id=ids["Vera"], professional_id=ids["Piet"], backup_id=ids["Fatima"]
    )
    await k.h.settle()


async def walk_link(k: Walker) -> None:
    ids = k.w.ids
    await k.say(ANNA, "/link")
    await k.step("lnk:pg", ANNA, pack("lnk", "pg", "v", 1), changes=False, replay="allowed")
    await k.step("lnk:pg back", ANNA, pack("lnk", "pg", "v", 0), changes=False, replay="allowed")
    await k.step("lnk:v", ANNA, pack("lnk", "v", ids["Vera"]), foreign=[pack("lnk", "v", ids["Kees"])])
    await k.say(ANNA, "D-4")
    await k.step("lnk:p:same", ANNA, pack("lnk", "p", "same"))
    await k.say(ANNA, "/link")
    await k.step("lnk:v again", ANNA, pack("lnk", "v", ids["Wim"]))
    await k.say(ANNA, "E-5")
    not_professionals = [pack("lnk", "p", ids["Wim"]), pack("lnk", "p", ids["Anna"])]
    await k.step("lnk:p", ANNA, pack("lnk", "p", ids["Kees"]), foreign=not_professionals)
    # A client the volunteer already has: the last press is refused by the rule, and nothing changes.
    await k.say(ANNA, "/link")
    await k.m.tap_data(ANNA, None, pack("lnk", "v", ids["Vera"]))
    await k.say(ANNA, "C-12")
    duplicate = pack("lnk", "p", "same")
    await k.m.refused([Press("button|lnk:p duplicate alias|coordinator|refused", actor(ANNA), duplicate, "refused")])


async def walk_unlink(k: Walker) -> None:
    """/unlink: volunteer, client, confirm. Only the volunteer's own active links are offered and ended."""
    ids, links = k.w.ids, k.w.links
    async with k.h.services.db.transaction() as tx:  # Vera's D-4, linked in walk_link
        d4 = int(await tx.scalar("SELECT id FROM links WHERE client_alias = 'D-4' AND active = 1"))
    await k.say(ANNA, "/unlink")
    await k.step("unl:pg", ANNA, pack("unl", "pg", "v", 0), changes=False, constructed=True, replay="allowed")
    without = [pack("unl", "v", ids["Aafke"]), pack("unl", "v", ids["Piet"]), pack("unl", "v", ids["Rik"])]
    await k.step("unl:v", ANNA, pack("unl", "v", ids["Vera"]), foreign=without)
    await k.step("unl:l", ANNA, pack("unl", "l", d4), foreign=[pack("unl", "l", links["Wim"])])
    foreign = [pack("unl", "y", links["Vera"]), pack("unl", "y", links["Wim"])]
    await k.step("unl:y", ANNA, pack("unl", "y", d4), foreign=foreign)
    async with k.h.services.db.transaction() as tx:
        ended = await tx.scalar("SELECT active FROM links WHERE id = ?", (d4,)) == 0
        kept = await tx.scalar(
            "SELECT COUNT(*) FROM links WHERE id IN (?, ?) AND active = 1", (links["Vera"], links["Wim"])
        )
    k.m.record("state|unl:y ends that link and no other|coordinator", None if ended and kept == 2 else "links changed")


async def walk_orphans(k: Walker) -> None:
    """A removed professional's volunteer, listed to the coordinators with a button: any coordinator may pick
    her professional (the /assign steps from there); once she has one, the old button says so."""
    ids = k.w.ids
    bram, ina = await join(k.h, BRAM, P), await join(k.h, INA, V)
    anna = await k.h.services.people.get(ids["Anna"])
    assert anna is not None
    await k.h.services.people.assign(anna, volunteer_id=ina, professional_id=bram, backup_id=None)
    await k.h.services.handover.remove(anna, bram)
    await k.h.settle()
    data = pack("asg", "o", ina)
    coordinators = escalation_rules(set())  # any coordinator may; the roles check refuses everyone else
    has_one = [pack("asg", "o", ids["Vera"]), pack("asg", "o", ids["Piet"]), pack("asg", "o", ids["Rik"])]
    await k.step("asg:o", ANNA, data, replay="allowed", others=coordinators, foreign=has_one)
    await k.m.tap_data(ANNA, None, pack("asg", "p", ids["Piet"]))
    await k.m.tap_data(ANNA, None, pack("asg", "b", "none"))
    stale = Press("stale|asg:o once she has a professional|coordinator|again", actor(ANNA), data, "refused")
    await k.m.refused([stale, Press("stale|asg:o once she has one|coordinator-2|again", actor(CORA), data, "refused")])
    await k.cancel_all()


async def walk_agreement(k: Walker) -> None:
    ids = k.w.ids
    await k.say(ANNA, "/agreement")
    await k.step("agr:pg", ANNA, pack("agr", "pg", "v", 1), changes=False, replay="allowed")
    await k.step("agr:pg back", ANNA, pack("agr", "pg", "v", 0), changes=False, replay="allowed")
    await k.step("agr:v", ANNA, pack("agr", "v", ids["Vera"]), foreign=[pack("agr", "v", ids["Piet"])])
    await k.say(ANNA, "4")
    await k.step("agr:c:none", ANNA, pack("agr", "c", "none"))


async def walk_remove(k: Walker) -> None:
    ids = k.w.ids
    await k.say(ANNA, "/remove")
    await k.step("rm:pg", ANNA, pack("rm", "pg", "p", 1), changes=False, replay="allowed")
    await k.step("rm:pg back", ANNA, pack("rm", "pg", "p", 0), changes=False, replay="allowed")
    await k.step("rm:p", ANNA, pack("rm", "p", ids["Aafke"]), foreign=[pack("rm", "p", ids["Rik"])])
    await k.step("rm:y", ANNA, pack("rm", "y", ids["Aafke"]), foreign=[pack("rm", "y", ids["Vera"])])


async def walk_schedule(k: Walker) -> None:
    ids = k.w.ids
    await k.say(ANNA, "/schedule")
    await k.step("sch:add", ANNA, pack("sch", "add", "new"))
    await k.step("sch:a everyone", ANNA, pack("sch", "a", "everyone"))
    await k.step("sch:d", ANNA, pack("sch", "d", 0), replay="allowed")  # a toggle: pressing again unticks
    await k.step("sch:d again", ANNA, pack("sch", "d", 3), replay="allowed")
    await k.say(ANNA, "/schedule")
    await k.step("sch:add again", ANNA, pack("sch", "add", "new"))
    await k.step("sch:a volunteer", ANNA, pack("sch", "a", "volunteer"))
    not_volunteers = [pack("sch", "v", ids["Piet"]), pack("sch", "v", ids["Rik"])]
    await k.step("sch:v", ANNA, pack("sch", "v", ids["Vera"]), foreign=not_volunteers)
    await k.step("sch:d volunteer", ANNA, pack("sch", "d", 1), replay="none")
    await k.step("sch:d:next", ANNA, pack("sch", "d", "next"))
    await k.step("sch:h", ANNA, pack("sch", "h", "1900"))
    await k.step("sch:e", ANNA, pack("sch", "e", 1))
    await k.say(ANNA, "/schedule")
    await k.step("sch:add team", ANNA, pack("sch", "add", "new"))
    await k.step("sch:a team", ANNA, pack("sch", "a", "team"))
    await k.step("sch:t", ANNA, pack("sch", "t", k.w.team), foreign=[pack("sch", "t", k.w.team + 7919)])
    await k.cancel_all()
    async with k.h.services.db.transaction() as tx:
        schedule_id = int(await tx.scalar("SELECT MAX(id) FROM schedules"))
    for action, name in (("p", "pause"), ("r", "resume"), ("x", "delete")):
        await k.say(ANNA, "/schedule")
        await k.step(
            f"sch:m ({name})", ANNA, pack("sch", "m", schedule_id), foreign=[pack("sch", "m", schedule_id + 7919)]
        )
        await k.step(f"sch:{action}", ANNA, pack("sch", action, schedule_id))
    # Deleting asks first; the undo (any coordinator's, within the minute) brings it back.
    await k.step("sch:y", ANNA, pack("sch", "y", schedule_id))
    await k.step("sch:u", ANNA, pack("sch", "u", schedule_id), others=coordinators_too, also=False)


async def signal_to_text(k: Walker, *, steps: bool) -> None:
    """Vera's /signal up to the text question (the taps as checked steps, or just done)."""
    links = k.w.links
    await k.say(VERA, "/signal")
    taps = (
        ("sig:c", pack("sig", "c", links["Vera"])),
        ("sig:k", pack("sig", "k", "money")),
        ("sig:u", pack("sig", "u", "concern")),
    )
    for name, data in taps:
        if steps:
            foreign = [pack("sig", "c", links[n]) for n in ("Wim", "Rik", "Mo")] if name == "sig:c" else []
            await k.step(name, VERA, data, foreign=foreign)
        else:
            await k.m.tap_data(VERA, k.button(VERA, data), data)


async def walk_reports(k: Walker) -> None:
    """/signal and /backup for Vera. Wim and Mo sit at the client step with signals of their own (a
    client button names a link, which must be the presser's own)."""
    links = k.w.links
    for user in (WIM, MO):
        await k.say(user, "/signal")
    await signal_to_text(k, steps=True)
    await k.say(VERA, "Bel haar op 06-12345678 over de huur")  # screening: edit or send anyway
    await k.step("sig:s:edit (screen)", VERA, pack("sig", "s", "edit"))
    await k.say(VERA, "Mevrouw maakt zich zorgen over de huur van deze maand")
    await k.step("sig:s:send", VERA, pack("sig", "s", "send"))
    await k.cancel_all()
    await signal_to_text(k, steps=False)
    await k.say(VERA, "Bel haar op 06-12345678 over de huur")
    await k.step("sig:s:anyway", VERA, pack("sig", "s", "anyway"))
    await k.step("sig:s:edit", VERA, pack("sig", "s", "edit"))
    # Typing the text again after Edit must work (and change nothing before Send).
    errors = k.m.watch.count()
    said = await k.say(VERA, "Mevrouw maakt zich zorgen over de huur")
    problem = (
        None if k.m.watch.count() == errors and said else f"errors {k.m.watch.by_update} / {[m.text for m in said]}"
    )
    k.m.record("text|signal text after Edit|volunteer|legit", problem)
    await k.cancel_all()
    await k.say(VERA, "/backup")
    await k.step("bkp:k", VERA, pack("bkp", "k", "advise"))
    bkp_others = [pack("bkp", "c", links["Wim"]), pack("bkp", "c", links["Rik"])]
    await k.step("bkp:c", VERA, pack("bkp", "c", "none"), foreign=bkp_others)
    await k.say(VERA, "Kun je meedenken over een afspraak?")
    await k.step("bkp:s:send", VERA, pack("bkp", "s", "send"))
    await k.cancel_all()


def escalation_rules(item_told: set[str]) -> Callable[[Actor], str]:
    """Who besides the owner may act on an item: coordinators always, professionals told or responsible."""

    def others(who: Actor) -> str:
        if C in who.roles or who.user.first_name in item_told:
            return "allowed"
        return "refused"

    return others


async def raise_as_vera(k: Walker, urgency: Urgency = Urgency.CONCERN) -> int:
    vera = await k.h.services.people.get(k.w.ids["Vera"])
    assert vera is not None
    raised = await k.h.services.escalations.raise_item(
        vera, kind=Kind.SIGNAL, link_id=k.w.links["Vera"], category="money", urgency=urgency, body="Huur"
    )
    assert raised is not None
    await k.h.settle()
    return raised.escalation.id


async def walk_reply_with_entry(k: Walker) -> None:
    """Resolving with an entry of the social map: the attach buttons belong to the resolving professional's draft."""
    anna = await k.h.services.people.get(k.w.ids["Anna"])
    assert anna is not None
    entry = await k.h.services.socialmap.add(anna, EntryFields(name="Schuldhulp", category="health", offer="Hulp"))
    item, other = await raise_as_vera(k), await raise_as_vera(k)
    await k.m.tap_data(PIET, None, pack("esc", "r", item))
    await k.step("esc:m", PIET, pack("esc", "m", item), foreign=[pack("esc", "m", other)])
    await k.step("esc:mc", PIET, pack("esc", "mc", 0), changes=False, replay="allowed", foreign=[pack("esc", "mc", 40)])
    await k.step("esc:me", PIET, pack("esc", "me", entry.id), foreign=[pack("esc", "me", entry.id + 7919)])
    await k.say(PIET, "Bel dit loket samen met haar.")
    async with k.h.services.db.transaction() as tx:
        attached = await tx.scalar("SELECT entry_id FROM escalation_map_entries WHERE escalation_id = ?", (item,))
    k.m.record(
        "state|esc:me sends the entry with the reply|professional-responsible",
        None if attached == entry.id else f"{attached}",
    )


async def walk_escalation(k: Walker) -> None:
    ids = k.w.ids
    item = await raise_as_vera(k)
    # Told at the first level: Piet (responsible). Coordinators may act on everything (pressed on fresh
    # items below, so that they do not take this one); Fatima (backup, not yet told), Kees and Mo may not.
    told_piet = escalation_rules({"Piet"})
    await k.step("esc:a", PIET, pack("esc", "a", item), others=told_piet, also=False)
    await k.step("esc:h", PIET, pack("esc", "h", item), replay="allowed", others=told_piet, also=False)
    not_colleagues = [pack("esc", "t", item, ids["Vera"]), pack("esc", "t", item, ids["Rik"])]
    await k.step("esc:t", PIET, pack("esc", "t", item, ids["Fatima"]), foreign=not_colleagues)
    # Fatima now holds the hand-off: her alert has its own buttons; she resolves with a reply.
    told_both = escalation_rules({"Piet", "Fatima"})
    await k.step("esc:r", FATIMA, pack("esc", "r", item), replay="allowed", others=told_both, also=False)
    await k.say(FATIMA, "Ik bel mevrouw morgen.")
    await k.m.refused(
        [
            Press(f"stale|esc:{action} on a resolved item|{who.key}|again", who, pack("esc", action, item), "refused")
            for action in ("a", "h", "r")
            for who in (actor(PIET), actor(FATIMA), actor(ANNA))
        ]
    )
    # Everyone on fresh items: only coordinators and the told professional may act.
    for action in ("a", "h", "r"):
        fresh = await raise_as_vera(k)
        presses = [
            Press(f"button|esc:{action} (fresh)|{who.key}|other", who, pack("esc", action, fresh), "") for who in ACTORS
        ]
        for press in presses:
            press.expect = gate_outcome(press.who, "esc") or told_piet(press.who)
        await k.m.refused([p for p in presses if p.expect != "allowed"])
        for press in [p for p in presses if p.expect == "allowed"]:
            press.data = pack("esc", action, await raise_as_vera(k))
            await k.m.allowed(press, changes=True)
        await k.cancel_all()
    # Mo (volunteer and professional) raises an item; nobody may hand it to Mo himself.
    mo = await k.h.services.people.get(ids["Mo"])
    assert mo is not None
    raised = await k.h.services.escalations.raise_item(
        mo, kind=Kind.SIGNAL, link_id=k.w.links["Mo"], category="money", urgency=Urgency.CONCERN, body="Huur"
    )
    assert raised is not None
    await k.h.settle()
    await k.m.tap_data(ANNA, None, pack("esc", "h", raised.escalation.id))
    to_himself = pack("esc", "t", raised.escalation.id, ids["Mo"])
    await k.m.refused(
        [Press("forged|esc:t to the item's own volunteer|coordinator|foreign", actor(ANNA), to_himself, "refused")]
    )
    await k.cancel_all()
    # Items that do not exist.
    await k.m.refused(
        [
            Press(f"forged|esc:{a} unknown item|{actor(u).key}|7919", actor(u), pack("esc", a, 7919), "refused")
            for u in (PIET, ANNA, FATIMA)
            for a in "ahrw"
        ]
    )
    await walk_follow_up(k)


async def walk_follow_up(k: Walker) -> None:
    """The follow-up question's "still on it": only the holder may answer it, once per question."""
    item = await raise_as_vera(k)
    piet = await k.h.services.people.get(k.w.ids["Piet"])
    assert piet is not None
    await k.h.services.escalations.acknowledge(piet, item)
    async with k.h.services.db.transaction() as tx:  # its follow-up time has come (without moving the clock)
        await tx.execute("UPDATE escalations SET follow_up_at = ? WHERE id = ?", (to_db(k.h.clock.now()), item))
    await k.h.services.scheduler.tick()
    await k.h.settle()
    # Coordinators may act on any item, but "still on it" is the holder's word: refused for everyone else.
    await k.step("esc:w", PIET, pack("esc", "w", item), also=False)
    k.m.record("coverage|esc:w pressed legitimately", None if "esc:w" in k.covered else "no follow-up question came")
    await k.cancel_all()


async def walk_own_wellbeing_alert(k: Walker) -> None:
    """A wellbeing alert about Lotte (coordinator and volunteer): the other coordinators see it in /open and
    may act on it; Lotte's /open leaves it out (also from its count), and her forged presses on it are refused."""
    ids = k.w.ids
    lotte = await k.h.services.people.get(ids["Lotte"])
    assert lotte is not None
    about_lotte = "Lotte gaf drie keer na elkaar aan dat ze weinig energie heeft"
    raised = await k.h.services.escalations.raise_item(
        lotte, kind=Kind.WELLBEING, link_id=None, category=Flag.ENERGY.value, urgency=Urgency.CONCERN, body=about_lotte
    )
    assert raised is not None
    await k.h.settle()
    item = raised.escalation.id

    async def overview(user: FakeUser) -> tuple[int, bool]:
        """The count in the /open header (0: nothing open) and whether the alert about Lotte is shown."""
        said = [_normal(m.text) for m in await k.say(user, "/open")]
        counts = [int(c) for text in said for c in re.findall(r"Open meldingen: (\d+)", text)]
        return (counts[0] if counts else 0), any("weinig energie" in text for text in said)

    shown = {user.first_name: await overview(user) for user in (ANNA, CORA, LOTTE)}
    for user in (ANNA, CORA):
        count, listed = shown[user.first_name]
        cell = f"open|wellbeing alert about a colleague listed|{actor(user).key}"
        k.m.record(cell, None if listed else f"not among the {count} items listed")
    (own_count, own_listed), others_count = shown["Lotte"], shown["Anna"][0]
    k.m.record(
        "open|own wellbeing alert not listed|coordinator+volunteer",
        "her own wellbeing alert is shown to her" if own_listed else None,
    )
    k.m.record(
        "open|own wellbeing alert not counted|coordinator+volunteer",
        None if own_count == others_count - 1 else f"her header counts {own_count}, Anna's {others_count}",
    )
    own = actor(LOTTE)
    forged = [pack("esc", a, item) for a in ("a", "h", "r")] + [pack("esc", "t", item, ids["Piet"])]
    await k.m.refused(
        [Press(f"forged|{d} on her own wellbeing alert|{own.key}|own", own, d, "refused") for d in forged]
    )
    # Anna picks it up from the alert she got; Lotte's press on that button is refused like the forged ones.
    coordinators = escalation_rules(set())
    await k.step(
        "esc:a (wellbeing alert about a coordinator)",
        ANNA,
        pack("esc", "a", item),
        others=lambda who: "refused" if who.user.id == LOTTE.id else coordinators(who),
        also=False,
    )
    await k.cancel_all()


async def walk_checkin(k: Walker) -> None:
    await k.say(WIM, "/checkin")  # Wim has an open check-in of his own
    async with k.h.services.db.transaction() as tx:
        wim_checkin = int(await tx.scalar("SELECT MAX(id) FROM checkins"))
    await k.say(VERA, "/checkin")
    async with k.h.services.db.transaction() as tx:
        ci = int(await tx.scalar("SELECT MAX(id) FROM checkins"))
    await k.step(
        "ci:h", VERA, pack("ci", "h", ci, "1-2"), foreign=[("Wim's check-in", pack("ci", "h", wim_checkin, "1-2"))]
    )
    old_step = ("an hours button after the hours question", pack("ci", "h", ci, "5-8"))
    await k.step(
        "ci:e", VERA, pack("ci", "e", ci, 3), foreign=[("Wim's check-in", pack("ci", "e", wim_checkin, 3)), old_step]
    )
    await k.step("ci:c", VERA, pack("ci", "c", ci, "no"))
    await k.step("ci:p", VERA, pack("ci", "p", ci, 0))
    await k.step("ci:r", VERA, pack("ci", "r", ci, 1))
    await k.step("ci:b:no", VERA, pack("ci", "b", ci, "no"))
    await k.step(
        "ci:d", VERA, pack("ci", "d", ci, "done"), foreign=[("Wim's check-in", pack("ci", "d", wim_checkin, "done"))]
    )
    await k.say(VERA, "/checkin")
    async with k.h.services.db.transaction() as tx:
        ci = int(await tx.scalar("SELECT MAX(id) FROM checkins"))
    await k.step("ci:h second", VERA, pack("ci", "h", ci, "0"))
    for step, value in (("e", 2), ("c", "once"), ("p", 1), ("r", 1)):
        await k.m.tap_data(VERA, k.button(VERA, pack("ci", step, ci, value)), pack("ci", step, ci, value))
    await k.step("ci:b:yes", VERA, pack("ci", "b", ci, "yes"))
    await k.cancel_all()


async def walk_visit(k: Walker) -> None:
    links = k.w.links
    await k.say(WIM, "/visit")
    await k.m.tap_data(WIM, None, pack("vis", "c", "none"))
    await k.m.tap_data(WIM, None, pack("vis", "d", 120))
    async with k.h.services.db.transaction() as tx:
        wim_visit = int(await tx.scalar("SELECT MAX(id) FROM visits"))
    await k.say(VERA, "/visit")
    await k.step(
        "vis:c", VERA, pack("vis", "c", links["Vera"]), foreign=[("Wim's client", pack("vis", "c", links["Wim"]))]
    )
    await k.step("vis:d", VERA, pack("vis", "d", 60), foreign=[pack("vis", "d", 45)])
    async with k.h.services.db.transaction() as tx:
        visit = int(await tx.scalar("SELECT MAX(id) FROM visits"))
    await k.say(VERA, "/visit")
    await k.step("vis:end", VERA, pack("vis", "end", visit), foreign=[("Wim's visit", pack("vis", "end", wim_visit))])
    # A visit that asks "all good?": longer, then help.
    await k.say(VERA, "/visit")
    await k.m.tap_data(VERA, None, pack("vis", "c", "none"))
    await k.m.tap_data(VERA, None, pack("vis", "d", 30))
    async with k.h.services.db.transaction() as tx:
        visit = int(await tx.scalar("SELECT MAX(id) FROM visits"))
    await k.h.advance(timedelta(minutes=30))
    more = k.data_like(VERA, f"vis:more:{visit}:")
    await k.step("vis:more", VERA, more, foreign=[("Wim's visit", more.replace(f":{visit}:", f":{wim_visit}:"))])
    await k.h.advance(timedelta(minutes=30))
    helping = k.data_like(VERA, f"vis:help:{visit}:")
    # "Help" and "all good" hold for the whole visit, whichever question they sit under: the prompt is ignored.
    wims = ("Wim's visit", helping.replace(f":{visit}:", f":{wim_visit}:"))
    await k.step("vis:help", VERA, helping, foreign=[wims], ignored=[2])
    await k.say(VERA, "/visit")
    await k.m.tap_data(VERA, None, pack("vis", "c", "none"))
    await k.m.tap_data(VERA, None, pack("vis", "d", 30))
    async with k.h.services.db.transaction() as tx:
        visit = int(await tx.scalar("SELECT MAX(id) FROM visits"))
    await k.h.advance(timedelta(minutes=30))
    ok = k.data_like(VERA, f"vis:ok:{visit}:")
    await k.step("vis:ok", VERA, ok, foreign=[("Wim's visit", ok.replace(f":{visit}:", f":{wim_visit}:"))], ignored=[2])
    await k.cancel_all()


async def end_a_link(k: Walker, user: FakeUser, alias: str) -> int:
    """A new link of this volunteer, ended by the coordinator: the item it raises (her note is asked)."""
    ids = k.w.ids
    anna = await k.h.services.people.get(ids["Anna"])
    assert anna is not None
    made, _, _ = await k.h.services.people.link_client(
        anna, volunteer_id=ids[user.first_name], alias=alias, professional_id=None
    )
    _, ended = await k.h.services.handover.end_link(anna, made.id)
    await k.h.settle()
    return ended.escalation.id


async def walk_note(k: Walker) -> None:
    """The hand-over note of an ended link: skip, start writing (asked while busy), screened edit or send
    anyway. Only the volunteer whose link it was may answer, once."""
    wims = await end_a_link(k, WIM, "N-9")
    item = await end_a_link(k, VERA, "N-1")
    await k.step("ho:k", VERA, pack("ho", "k", item), foreign=[("Wim's item", pack("ho", "k", wims))])
    await k.say(VERA, "/signal")  # busy when asked: the question offers to start writing
    item = await end_a_link(k, VERA, "N-2")
    write = pack("ho", "w", item)
    await k.step("ho:w", VERA, write, replay="allowed", foreign=[("Wim's item", pack("ho", "w", wims))])
    await k.say(VERA, "Bel haar zus op 06-12345678.")
    edit = pack("ho", "s", item, "edit")
    await k.step("ho:s:edit", VERA, edit, foreign=[("Wim's item", pack("ho", "s", wims, "edit"))])
    await k.say(VERA, "Bel haar zus op 06-12345678.")
    await k.step("ho:s:anyway", VERA, pack("ho", "s", item, "anyway"))
    await k.m.refused(
        [Press("stale|ho:k on a note sent|volunteer|again", actor(VERA), pack("ho", "k", item), "refused")]
    )
    await k.cancel_all()


async def walk_takeback(k: Walker) -> None:
    """Resolving a "take this case back" request: end the link or keep it, only in the resolver's own flow."""
    ids = k.w.ids
    anna, vera = await k.h.services.people.get(ids["Anna"]), await k.h.services.people.get(ids["Vera"])
    assert anna is not None and vera is not None
    items = []
    for alias in ("T-1", "T-2"):
        made, _, _ = await k.h.services.people.link_client(
            anna, volunteer_id=vera.id, alias=alias, professional_id=None
        )
        raised = await k.h.services.escalations.raise_item(
            vera, kind=Kind.BACKUP, link_id=made.id, category="takeback", urgency=Urgency.CONCERN, body="Te zwaar"
        )
        assert raised is not None
        items.append(raised.escalation.id)
    await k.h.settle()
    first, second = items
    await k.m.tap_data(PIET, None, pack("esc", "r", first))
    await k.step("esc:e", PIET, pack("esc", "e", first, "end"), foreign=[pack("esc", "e", second, "end")])
    await k.say(PIET, "Ik neem het over.")
    await k.m.tap_data(PIET, None, pack("esc", "r", second))
    await k.step("esc:e keep", PIET, pack("esc", "e", second, "keep"), foreign=[pack("esc", "e", first, "keep")])
    await k.cancel_all()


async def walk_map(k: Walker) -> None:
    """/map: browse, search, edit one field, remove (asked first), add step by step, the monthly review."""
    socialmap = k.h.services.socialmap
    veilig = next(e for e in await socialmap.entries() if e.name == "Veilig Thuis")
    await k.say(VERA, "/map")
    forged_add = Press(
        "forged|map:m add by a volunteer|volunteer|refused", actor(VERA), pack("map", "m", "add"), "refused"
    )
    await k.m.refused([forged_add])
    await k.cancel_all()
    await k.say(ANNA, "/map")
    await k.step("map:c", ANNA, pack("map", "c", 0), changes=False, replay="allowed", foreign=[pack("map", "c", 40)])
    await k.step("map:m search", ANNA, pack("map", "m", "search"))
    await k.say(ANNA, "veilig")
    foreign_entry = [pack("map", "e", veilig.id + 7919)]
    await k.step("map:e", ANNA, pack("map", "e", veilig.id), foreign=foreign_entry)
    await k.step("map:f", ANNA, pack("map", "f", "hours"))
    await k.step("map:skip (clears the hours)", ANNA, pack("map", "skip", "hours"))
    await k.say(ANNA, "/map")
    await k.m.tap_data(ANNA, None, pack("map", "c", 0))
    await k.m.tap_data(ANNA, None, pack("map", "e", veilig.id))
    other = next(e for e in await socialmap.entries() if e.id != veilig.id)
    await k.step("map:x", ANNA, pack("map", "x", veilig.id), foreign=[pack("map", "x", other.id)])
    await k.step("map:y", ANNA, pack("map", "y", veilig.id), foreign=[pack("map", "y", other.id)])
    await k.say(ANNA, "/map")
    await k.step("map:m add", ANNA, pack("map", "m", "add"))
    await k.say(ANNA, "Schuldhulp Oost")
    await k.step("map:k", ANNA, pack("map", "k", 1), foreign=[pack("map", "k", 99)])
    await k.say(ANNA, "Hulp bij schulden")
    for skipped in ("phone", "website", "address", "hours"):
        await k.step(f"map:skip {skipped}", ANNA, pack("map", "skip", skipped))
    await k.step("map:a", ANNA, pack("map", "a", "city"), foreign=[pack("map", "a", k.w.team + 7919)])
    async with k.h.services.db.transaction() as tx:  # this month's review not yet sent, one entry old
        await tx.execute("DELETE FROM social_map_reviews")
        await tx.execute("UPDATE social_map_entries SET checked_on = '2025-01-01' WHERE id = ?", (other.id,))
    await socialmap.review_tick(k.h.clock.now())
    await k.h.settle()
    # Editing first: once an entry is said to still hold, its row (both buttons) leaves the review.
    await k.step("map:ed", ANNA, pack("map", "ed", other.id), replay="allowed", others=coordinators_too)
    await k.step("map:ok", ANNA, pack("map", "ok", other.id), replay="allowed", others=coordinators_too)


async def walk_forget(k: Walker) -> None:
    """/forget for everyone: only the person's own confirmation erases them; afterwards they are a stranger."""
    leaving = FILLERS[0]
    await k.say(leaving, "/forget")
    await k.step("fg:yes", leaving, pack("fg", "yes"), replay="stranger")


def vera_is_theirs(who: Actor) -> str:
    """Vera's overview card and review: any coordinator and her own professional (Piet), nobody else."""
    return "allowed" if C in who.roles or who.user.id == PIET.id else "refused"


async def walk_overview(k: Walker) -> None:
    """/overview's free buttons: a page of one's own list (anyone with the command), a card only of one's own."""
    ids = k.w.ids
    await k.say(ANNA, "/overview")
    await k.step("ov:pg", ANNA, pack("ov", "pg", 1), changes=False, replay="allowed", others=everyone_registered)
    not_hers = [pack("ov", "v", ids["Piet"]), pack("ov", "v", ids["Rik"]), pack("ov", "v", ids["Anna"])]
    vera = pack("ov", "v", ids["Vera"])
    await k.step(
        "ov:v", ANNA, vera, changes=False, replay="allowed", constructed=True, others=vera_is_theirs, foreign=not_hers
    )
    own = Press(
        "forged|ov:v her own card|coordinator+volunteer", actor(LOTTE), pack("ov", "v", ids["Lotte"]), "refused"
    )
    await k.m.refused([own])


async def walk_review(k: Walker) -> None:
    """/review's volunteer buttons: only her professional or a coordinator, never one's own."""
    ids = k.w.ids
    await k.say(ANNA, "/review")
    not_hers = [pack("rv", "v", ids["Piet"]), pack("rv", "v", ids["Rik"])]
    vera = pack("rv", "v", ids["Vera"])
    await k.step("rv:v", ANNA, vera, changes=False, replay="allowed", others=vera_is_theirs, foreign=not_hers)
    own = Press(
        "forged|rv:v her own review|coordinator+volunteer", actor(LOTTE), pack("rv", "v", ids["Lotte"]), "refused"
    )
    await k.m.refused([own])


async def walk_report(k: Walker) -> None:
    """/report's month buttons: coordinators only; a month that does not exist is refused."""
    await k.say(ANNA, "/report")
    coordinators = escalation_rules(set())
    bad_month = [pack("rp", "m", 202613), pack("rp", "m", 202600)]
    await k.step(
        "rp:m", ANNA, pack("rp", "m", 202610), changes=False, replay="allowed", others=coordinators, foreign=bad_month
    )


WALKS: dict[str, list[Callable[[Walker], Awaitable[None]]]] = {
    "coordinator": [
        walk_common,
        walk_invite,
        walk_prepare,
        walk_invites,
        walk_teams,
        walk_assign,
        walk_link,
        walk_unlink,
        walk_agreement,
        walk_remove,
        walk_orphans,
        walk_schedule,
        walk_map,
        walk_overview,
        walk_review,
        walk_report,
        walk_forget,
    ],
    "volunteer": [
        walk_own_wellbeing_alert,
        walk_reports,
        walk_escalation,
        walk_checkin,
        walk_visit,
        walk_note,
        walk_takeback,
        walk_reply_with_entry,
    ],
}


async def junk_for_every_prefix(k: Walker, prefixes: set[str]) -> None:
    """Whatever the actions of a prefix (also one added later), junk after it changes nothing."""
    presses: list[Press] = []
    for prefix in sorted(prefixes | {"zz", "SIG", ""}):
        full = 0
        for who in ACTORS:
            outcome = gate_outcome(who, prefix) or "refused"
            datas = junk(prefix) if outcome == "refused" and full < 1 else junk(prefix)[1:3]
            full += outcome == "refused"
            for d in datas:  # without "prefix:" the fallback answers: only the gate's verdict still holds
                expect = outcome if d.startswith(f"{prefix}:") or outcome == "stranger" else "refused"
                presses.append(Press(f"forged|junk {d!r}|{who.key}|junk", who, d, expect))
    # Not UTF-8 at all (a lone surrogate; the Bot API would not pass it on, a forged update might).
    presses.append(Press("forged|lone surrogate|volunteer|junk", actor(VERA), "sig:\ud800", "refused"))
    await k.m.refused(presses)


async def removed_persons_buttons(k: Walker) -> None:
    rik = actor(RIK)
    await k.m.refused(
        [
            Press(f"stale|removed person's {d!r}|removed|old message", rik, d, "stranger", msg)
            for msg, d in k.w.rik_buttons
        ]
    )


# --- the tests ------------------------------------------------------------------------------------


async def test_every_command_for_every_actor(tmp_path: Path) -> None:
    started = time.perf_counter()
    async with running_bot(tmp_path) as h:
        await build_world(h)
        db_path = tmp_path / "samenspel.db"
        with watching_errors(h) as watch:
            m = Matrix(h, watch, db_path)
            commands = all_commands()
            registered = registered_commands(h.app)
            for command in commands:
                m.record(f"coverage|/{command} registered", None if command in registered else "no CommandHandler")
            for command in commands:
                text = f"/{command}"
                cells = [(f"command|{text}|{who.key}", who, text) for who in ACTORS]
                await m.commands_refused([c for c in cells if not may_use(c[1], command)])
                await m.commands_allowed([c for c in cells if may_use(c[1], command)])
                # Every allowed one leaves its actor registered and idle.
                await m.wait([h.api.send_text(who.user, "/cancel") for who in ACTORS if who.registered])
                for who in ACTORS:
                    if who.registered and await h.services.people.identify(who.user.id) is None:
                        m.record(f"command|{text}|{who.key}|still registered", "the actor was erased at once")
            # A stranger (and a removed person) trying an invite code that does not exist.
            bogus = "/start " + "A" * 32
            for who in (actor(STRANGER), actor(RIK)):
                before = snapshot(db_path)
                [said] = await m.send(who.user, bogus)
                m.record(
                    f"command|/start <bogus code>|{who.key}",
                    None
                    if _template("invite.unknown").fullmatch(_normal(said.text))
                    and diff(before, snapshot(db_path)) == ""
                    else f"got {said.text!r}, {diff(before, snapshot(db_path))}",
                )
        stored = rows_mentioning(db_path, STRANGER.id, STRANGER.username, STRANGER.first_name)
        m.record("command|nothing stored about the unknown user|unknown", f"{stored[:3]}" if stored else None)
    minimum = len(commands) * (len(ACTORS) + 1)
    m.verdict(minimum, f"commands ({time.perf_counter() - started:.1f}s)")


async def _callbacks(tmp_path: Path, walks: str) -> None:
    started = time.perf_counter()
    async with running_bot(tmp_path) as h:
        world = await build_world(h)
        with watching_errors(h) as watch:
            m = Matrix(h, watch, tmp_path / "samenspel.db")
            prefixes = registered_prefixes(h.app)
            # Every registered prefix (also one added later) needs a flow command and a walk in this file.
            sources = {name: "".join(inspect.getsource(w) for w in ws) for name, ws in WALKS.items()}
            for prefix in sorted(prefixes):
                walked = any(f'pack("{prefix}"' in source for source in sources.values())
                m.record(f"coverage|prefix {prefix} has a walk", None if walked else "add a walk for it")
                flow = None if prefix in FLOW_COMMAND else "add it to FLOW_COMMAND"
                m.record(f"coverage|prefix {prefix} has a flow", flow)
            k = Walker(m, world, prefixes)
            for walk in WALKS[walks]:
                try:
                    await walk(k)
                except Exception as exc:  # a broken walk is a failed cell, the other walks still run
                    m.record(f"walk|{walk.__name__}|crashed", repr(exc))
                await k.cancel_all()
            if walks == "coordinator":
                await junk_for_every_prefix(k, prefixes)
            await removed_persons_buttons(k)
            mine = {p for p in prefixes if f'pack("{p}"' in sources[walks]}
            for prefix in sorted(mine):
                pressed = any(c.startswith(f"{prefix}:") for c in k.covered)
                m.record(f"coverage|prefix {prefix} pressed legitimately", None if pressed else "never pressed")
        stored = rows_mentioning(tmp_path / "samenspel.db", STRANGER.id, STRANGER.username)
        m.record("button|nothing stored about the unknown user|unknown", f"{stored[:3]}" if stored else None)
    minimum = len(mine) * len(ACTORS)
    m.verdict(minimum, f"callbacks, {walks} flows ({time.perf_counter() - started:.1f}s)")


async def test_every_coordinator_button_for_every_actor(tmp_path: Path) -> None:
    await _callbacks(tmp_path, "coordinator")


async def test_every_volunteer_and_professional_button_for_every_actor(tmp_path: Path) -> None:
    await _callbacks(tmp_path, "volunteer")
