"""The people's side of the chaos runs: volunteers who report signals, ask for backup, check in and run
visits (/visit … /done), and professionals who pick alerts up with the alert's button, all through the fake
Telegram. `Ledger` keeps what the bot confirmed to them, as they saw it, for the checks afterwards
(tests/system/test_chaos.py, benchmarks/replicas.py)."""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.domain.callbacks import pack
from bot.sandbox.state import FakeUser, SentMessage
from tests.support.faulty_bot_api import FaultyBotApi

BODY = re.compile(r"“(chaos-[^”]+)”")
ACK_DONE = "Je hebt dit opgepakt."
PICK_UP = "Ik pak het op"


@dataclass
class Ledger:
    """What the bot confirmed to people, as they saw it; `alias` is each volunteer's client, `step_timeout` how
    long a person waits for each answer before giving the flow up (the bot may be down)."""

    alias: dict[int, str]
    step_timeout: float = 3.0
    urgencies: tuple[str, ...] = ("Dringend",)  # what a signal's urgency button is chosen from
    signals: set[str] = field(default_factory=set)  # signal texts confirmed with "Verstuurd naar …"
    backups: set[str] = field(default_factory=set)  # backup request texts confirmed the same way
    acks: set[str] = field(default_factory=set)  # texts whose button press said "Je hebt dit opgepakt."
    checkins: set[int] = field(default_factory=set)  # check-ins thanked for
    visit_starts: Counter[int] = field(default_factory=Counter)  # telegram id -> "Veel succes!" seen
    visit_ends: Counter[int] = field(default_factory=Counter)  # telegram id -> "Het bezoek is afgerond" seen
    attempts: Counter[str] = field(default_factory=Counter)

    def every_kind(self) -> bool:
        return bool(self.signals and self.acks and self.checkins and self.visit_starts and self.visit_ends)

    def total(self) -> int:
        return (
            len(self.signals)
            + len(self.backups)
            + len(self.acks)
            + len(self.checkins)
            + sum(self.visit_starts.values())
            + sum(self.visit_ends.values())
        )


async def reply(
    api: FaultyBotApi, user: FakeUser, match: str | Callable[[SentMessage], bool], after: int, ledger: Ledger
) -> SentMessage:
    return await api.wait_for(user.id, match, after=after, timeout=ledger.step_timeout)


async def _describe_and_send(
    api: FaultyBotApi, user: FakeUser, text: str, ledger: Ledger, n: int, ask: str = "eigen woorden"
) -> None:
    """Type the report's own words when `ask`ed, confirm the summary and wait until this summary turns into
    "Sent" ("Verstuurd naar …", "Je vraag is verstuurd naar …")."""
    await reply(api, user, ask, n, ledger)
    m = len(api.messages(user.id))
    api.send_text(user, text)
    summary = await reply(api, user, "Klopt dit?", m, ledger)
    api.press(user, summary, "Versturen")
    # This summary turning into "Sent" (not an older one, whose press was handled late).
    await reply(api, user, lambda s: s.message_id == summary.message_id and "erstuurd naar" in s.text, m, ledger)


async def signal_flow(api: FaultyBotApi, user: FakeUser, text: str, ledger: Ledger, urgency: str = "Dringend") -> None:
    n = len(api.messages(user.id))
    api.send_text(user, "/signal")
    ask = await reply(api, user, "Over wie gaat het?", n, ledger)
    api.press(user, ask, ledger.alias[user.id])
    ask = await reply(api, user, "Waar gaat het over?", n, ledger)
    api.press(user, ask, "Gezondheid")
    ask = await reply(api, user, "Hoe dringend is het?", n, ledger)
    api.press(user, ask, urgency)
    await _describe_and_send(api, user, text, ledger, n)
    ledger.signals.add(text)


async def backup_flow(api: FaultyBotApi, user: FakeUser, text: str, ledger: Ledger) -> None:
    """Ask the professional for advice about the client (/backup)."""
    n = len(api.messages(user.id))
    api.send_text(user, "/backup")
    ask = await reply(api, user, lambda m: "Advies: bel of app me" in m.button_texts(), n, ledger)
    api.press(user, ask, "Advies: bel of app me")
    ask = await reply(api, user, lambda m: ledger.alias[user.id] in m.button_texts(), n, ledger)
    api.press(user, ask, ledger.alias[user.id])
    await _describe_and_send(api, user, text, ledger, n, ask="Vertel kort wat er speelt")
    ledger.backups.add(text)


async def checkin_flow(api: FaultyBotApi, user: FakeUser, ledger: Ledger) -> None:
    n = len(api.messages(user.id))
    api.send_text(user, "/checkin")
    prompt = await reply(api, user, "Even inchecken", n, ledger)
    checkin = int(next(data for _, data in prompt.buttons() if data.startswith("ci:h:")).split(":")[2])
    # Five taps and "done", pressed as fast as a person can: handled in order, whatever the screen shows.
    for step, value in (("h", "3-4"), ("e", "4"), ("c", "no"), ("p", "0"), ("r", "0"), ("d", "done")):
        api.press_data(user, prompt, pack("ci", step, checkin, value))
    thanks = f"Dank je wel, {user.first_name}!"
    await reply(api, user, lambda m: m.message_id == prompt.message_id and thanks in m.text, n, ledger)
    ledger.checkins.add(checkin)


async def end_visit(api: FaultyBotApi, user: FakeUser, ledger: Ledger) -> None:
    n = len(api.messages(user.id))
    api.send_text(user, "/done")
    done = await reply(
        api, user, lambda m: "Het bezoek is afgerond" in m.text or "Er loopt geen bezoek" in m.text, n, ledger
    )
    if "Het bezoek is afgerond" in done.text:
        ledger.visit_ends[user.id] += 1


async def visit_flow(api: FaultyBotApi, user: FakeUser, rng: random.Random, ledger: Ledger) -> None:
    n = len(api.messages(user.id))
    api.send_text(user, "/visit")
    ask = await reply(
        api, user, lambda m: "Bij wie ga je op bezoek?" in m.text or "al een bezoek lopen" in m.text, n, ledger
    )
    if "al een bezoek lopen" in ask.text:  # one started before a crash, never confirmed: end it first
        await end_visit(api, user, ledger)
        return
    api.press(user, ask, ledger.alias[user.id])
    ask = await reply(api, user, "Hoe lang ongeveer?", n, ledger)
    api.press(user, ask, "2 uur")
    await reply(api, user, lambda m: m.message_id == ask.message_id and "Veel succes!" in m.text, n, ledger)
    ledger.visit_starts[user.id] += 1
    await asyncio.sleep(rng.uniform(0, 0.5))
    await end_visit(api, user, ledger)


async def volunteer(
    api: FaultyBotApi,
    user: FakeUser,
    rng: random.Random,
    ledger: Ledger,
    done: asyncio.Event,
    actions: tuple[str, ...] = ("signal", "signal", "checkin", "visit"),
) -> None:
    n = 0
    while not done.is_set():
        action = rng.choice(actions)
        ledger.attempts[action] += 1
        n += 1
        try:
            if action == "signal":
                urgency = rng.choice(ledger.urgencies)
                await signal_flow(api, user, f"chaos-{user.first_name}-{n}", ledger, urgency)
            elif action == "backup":
                await backup_flow(api, user, f"chaos-{user.first_name}-{n}", ledger)
            elif action == "checkin":
                await checkin_flow(api, user, ledger)
            else:
                await visit_flow(api, user, rng, ledger)
        except AssertionError:  # a step timed out (the bot was down) or a button went stale
            await asyncio.sleep(0.1)


async def professional(
    api: FaultyBotApi, user: FakeUser, rng: random.Random, ledger: Ledger, done: asyncio.Event, share: float = 0.7
) -> None:
    """Picks up about `share` of the alerts reaching `user` with the alert's button; an answered press is a
    confirmation."""
    pressed: dict[int, str] = {}  # update id -> signal text
    seen: set[int] = set()
    while not done.is_set():
        for message in api.messages(user.id):
            found = BODY.search(message.text)
            if message.message_id in seen or found is None or PICK_UP not in message.button_texts():
                continue
            seen.add(message.message_id)
            if rng.random() < share:
                try:
                    pressed[api.press(user, message, PICK_UP)] = found.group(1)
                except AssertionError:  # the alert was edited meanwhile (someone else picked it up)
                    continue
        for update_id, text in list(pressed.items()):
            answer = api.callback_answer_for(update_id)
            if answer is not None:
                del pressed[update_id]
                if answer.get("text") == ACK_DONE:
                    ledger.acks.add(text)
        await asyncio.sleep(0.1)
