"""Flows over stored drafts: typed buttons, typed draft payloads, one router for every press and typed text.

A flow is a named series of steps, like the states table of PTB's ConversationHandler, but the state lives
in the `drafts` table (flow, step, JSON payload), so a restart in the middle of a flow loses nothing.

    signal = Flow("signal", ReportDraft, command="signal")

    @signal.button(ClientChosen, "client")
    async def client_chosen(turn: FlowTurn[ReportDraft], press: ClientChosen, draft: ReportDraft) -> None:
        ...  # a one-line docstring, then: check, store, answer, show the next question

The router files each step under (flow, step, action). For every press it re-checks the roles of the flow's
command (`requires`), loads the person's draft, checks that it is this flow at this step, unpacks the data
into the step's CallbackData class and the draft into the flow's payload dataclass, and only then calls the
step. Anything else (a stale, forged or foreign button, a draft from an older version) gets the one
"expired" answer here. `free` buttons need no draft (an alert, a visit question, a scheduled check-in):
they outlive any flow, so their service re-checks the stored item instead.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeAlias, TypeVar

from pydantic import TypeAdapter, ValidationError
from telegram import CallbackQuery, Update

from bot.context import Context, Services
from bot.domain.callbacks import CallbackData, split
from bot.domain.commands import roles_for_command
from bot.domain.models import Draft, Person
from bot.i18n import Markup, t
from bot.services.errors import Refused
from handlers.common import Button, Handler, Keyboard, cancel_row, refusal_text, requires, say, show, toast

P = TypeVar("P")  # a flow's draft payload: a dataclass, stored as the draft's JSON data
D = TypeVar("D", bound=CallbackData)
T = TypeVar("T")
TEXT_LIMIT = 4000


def given(value: T | None) -> T:
    """A payload field an earlier step filled in; missing only in a draft of another version: expired."""
    if value is None:
        raise Refused("button.expired")
    return value


@dataclass(frozen=True)
class Empty:
    """The payload of a flow that carries nothing from one step to the next."""


class Turn:
    """One update from a registered person, and the ways to answer it."""

    def __init__(self, update: Update, context: Context, person: Person) -> None:
        self.update = update
        self.context = context
        self.person = person

    @property
    def lang(self) -> str:
        return self.person.language

    @property
    def services(self) -> Services:
        return self.context.services

    @property
    def query(self) -> CallbackQuery | None:
        return self.update.callback_query

    async def say(self, text: Markup | str, rows: Keyboard | None = None) -> None:
        """A new message in the chat."""
        await say(self.update, self.context, str(text), rows)

    async def reply(self, key: str, rows: Keyboard | None = None, **values: object) -> None:
        await self.say(t(self.lang, key, **values), rows)

    async def show(self, text: Markup | str, rows: Keyboard | None = None) -> None:
        """The pressed message edited in place (a new message for typed input)."""
        await show(self.update, self.context, str(text), rows)

    async def answer(self) -> None:
        """Stop the pressed button's spinner without a word."""
        if self.query is not None:
            await self.query.answer()

    async def toast(self, key: str, *, alert: bool = False, **values: object) -> None:
        if self.query is not None:
            await toast(self.query, self.lang, key, alert=alert, **values)

    async def expired(self) -> None:
        """The answer to a button that no longer (or never) fits: nothing changes."""
        await self.toast("button.expired")

    async def draft(self) -> Draft | None:
        return await self.services.drafts.get(self.person.id)


class FlowTurn(Turn, Generic[P]):
    """A turn inside one flow: it can move the flow on or end it."""

    def __init__(self, turn: Turn, flow: Flow[P], step: str | None) -> None:
        super().__init__(turn.update, turn.context, turn.person)
        self.flow = flow
        self.step = step  # the stored step the person is at; None for a free button

    async def go(self, step: str, payload: P) -> None:
        """Move the flow on: from here on the turn is at `step`."""
        await self.flow.start(self, step, payload)
        self.step = step

    async def end(self) -> None:
        await self.services.drafts.clear(self.person.id)

    def cancel_row(self) -> list[Button]:
        return self.flow.cancel_row(self.lang)


@dataclass(frozen=True)
class Toasts:
    """How a flow answers a refused press: a toast on the button, the message left as it was."""

    alert: frozenset[str] = frozenset()  # reasons shown as an alert the person must dismiss
    ends_flow: bool = False  # the draft is cleared first


ButtonStep: TypeAlias = Callable[[FlowTurn[P], D, P], Awaitable[None]]
FreeButton: TypeAlias = Callable[[FlowTurn[P], D], Awaitable[None]]
TextStep: TypeAlias = Callable[[FlowTurn[P], str, P], Awaitable[None]]
Command: TypeAlias = Callable[[Turn], Awaitable[None]]
Guard: TypeAlias = Callable[[D, P], bool]


@dataclass(frozen=True)
class Route:
    flow: Flow[Any]
    data: type[CallbackData]
    steps: frozenset[str] | None  # None: a free button, pressed without a draft
    call: Callable[[FlowTurn[Any], Any, Any], Awaitable[None]]
    guard: Callable[[Any, Any], bool] | None = None
    step: Callable[..., Awaitable[None]] | None = None  # the step function as written (call may wrap it)


class Flow(Generic[P]):
    """A named flow: its payload type, the command whose roles its buttons need, and its steps."""

    def __init__(
        self,
        name: str,
        payload: type[P],
        *,
        command: str,
        refusals: Toasts | None = None,
        text_refusal_ends: bool = False,
        elsewhere: str = "flow.use_buttons",
        elsewhere_cancel: bool = False,
        router: Router | None = None,
    ) -> None:
        self.name = name
        self.command = command
        self.refusals = refusals  # None: `requires` edits the message to say why
        self.text_refusal_ends = text_refusal_ends
        # The answer to text at a step that takes none: the person is in the middle of this flow, and the way on
        # is its buttons (or /cancel), not /help.
        self.elsewhere = (elsewhere, elsewhere_cancel)
        self.texts: dict[str, TextStep[P]] = {}
        self._payload = TypeAdapter(payload)
        self.router = router or ROUTER
        self.router.add_flow(self)

    def load(self, draft: Draft) -> P | None:
        """The draft's payload, or None when it does not have this flow's shape (say, an older version's)."""
        try:
            return self._payload.validate_json(json.dumps(draft.data), strict=True)
        except ValidationError:
            return None

    async def start(self, turn: Turn, step: str, payload: P) -> None:
        """Put the person at this step of this flow (from any flow, or none)."""
        data = self._payload.dump_python(payload, mode="json")
        await turn.services.drafts.put(turn.person.id, self.name, step, **data)

    def cancel_row(self, lang: str) -> list[Button]:
        return cancel_row(lang, self.name)

    def button(
        self, data: type[D], *steps: str, when: Guard[D, P] | None = None
    ) -> Callable[[ButtonStep[P, D]], ButtonStep[P, D]]:
        """A step taken by pressing `data` while the draft is at one of `steps` (and `when` holds)."""

        def register(func: ButtonStep[P, D]) -> ButtonStep[P, D]:
            self.router.add(Route(self, data, frozenset(steps), func, when, func))
            return func

        return register

    def free(self, data: type[D]) -> Callable[[FreeButton[P, D]], FreeButton[P, D]]:
        """A button that needs no draft: it names what it acts on, and the service checks that."""

        def register(func: FreeButton[P, D]) -> FreeButton[P, D]:
            async def call(turn: FlowTurn[P], press: D, _: object) -> None:
                await func(turn, press)

            self.router.add(Route(self, data, None, call, step=func))
            return func

        return register

    def text(self, *steps: str) -> Callable[[TextStep[P]], TextStep[P]]:
        """The step taken by typing while the draft is at one of `steps`."""

        def register(func: TextStep[P]) -> TextStep[P]:
            for step in steps:
                if step in self.texts:
                    raise RuntimeError(f"flow {self.name} already takes text at {step}")
                self.texts[step] = func
            return func

        return register


@dataclass
class Router:
    """Every flow's steps, filed by (prefix, action); every command by name."""

    flows: dict[str, Flow[Any]] = field(default_factory=dict)
    routes: dict[tuple[str, str | None], list[Route]] = field(default_factory=dict)
    commands: dict[str, Handler] = field(default_factory=dict)
    command_steps: dict[str, Callable[..., Awaitable[None]]] = field(default_factory=dict)  # as written
    _prefix_command: dict[str, str] = field(default_factory=dict)

    def add_flow(self, flow: Flow[Any]) -> None:
        if flow.name in self.flows:
            raise RuntimeError(f"two flows are called {flow.name}")
        self.flows[flow.name] = flow

    def add(self, route: Route) -> None:
        prefix, action = route.data.head()
        command = self._prefix_command.setdefault(prefix, route.flow.command)
        if command != route.flow.command:
            raise RuntimeError(f"prefix {prefix} belongs to /{command}, not /{route.flow.command}")
        filed = self.routes.setdefault((prefix, action), [])
        for other in filed:  # a free button stands alone; a flow's steps may share a button, not a step
            if route.steps is None or other.steps is None or (other.flow is route.flow and other.steps & route.steps):
                raise RuntimeError(f"{prefix}:{action} is filed twice")
        filed.append(route)

    def prefix_commands(self) -> dict[str, str]:
        """Each callback prefix and the command whose roles its buttons need."""
        return dict(self._prefix_command)

    def command(self, name: str) -> Callable[[Command], Command]:
        """A command for registered people with the roles `bot.domain.commands` gives it."""

        def register(func: Command) -> Command:
            roles = roles_for_command(name) or frozenset()

            @requires(*sorted(roles))
            async def handler(update: Update, context: Context, person: Person) -> None:
                await func(Turn(update, context, person))

            self.commands[name] = handler
            self.command_steps[name] = func
            return func

        return register

    def open_command(self, name: str) -> Callable[[Handler], Handler]:
        """A command strangers may send too (the gate lets an invite through): it checks for itself."""

        def register(func: Handler) -> Handler:
            self.commands[name] = self.command_steps[name] = func
            return func

        return register

    def button_handlers(self) -> dict[str, Handler]:
        """One handler per callback prefix, the roles checked before anything is read."""
        handlers: dict[str, Handler] = {}
        for prefix, command in self._prefix_command.items():
            roles = roles_for_command(command) or frozenset()

            async def pressed(update: Update, context: Context, person: Person, prefix: str = prefix) -> None:
                await self.press(Turn(update, context, person), prefix)

            handlers[prefix] = requires(*sorted(roles))(pressed)
        return handlers

    async def press(self, turn: Turn, prefix: str) -> None:
        parts = split(turn.query.data if turn.query else None) or [prefix]
        routes = self.routes.get((prefix, parts[1] if len(parts) > 1 else None)) or self.routes.get((prefix, None))
        draft = None if routes is None or routes[0].steps is None else await turn.draft()
        route = _matching(routes or [], draft)
        data = route.data.unpack(turn.query.data if turn.query else None) if route else None
        payload = route.flow.load(draft) if route and draft else None
        if route is None or data is None or (draft is not None and payload is None):
            return await turn.expired()
        if route.guard is not None and not route.guard(data, payload):
            return await turn.expired()
        flow_turn = FlowTurn(turn, route.flow, draft.step if draft else None)
        try:
            await route.call(flow_turn, data, payload)
        except Refused as refused:
            policy = route.flow.refusals
            if policy is None:
                raise
            if policy.ends_flow:
                await flow_turn.end()
            await turn.toast(refused.reason, alert=refused.reason in policy.alert, **refused.values)

    async def typed(self, turn: Turn, text: str) -> None:
        """Typed text goes to the step the person's draft is at."""
        draft = await turn.draft()
        flow = self.flows.get(draft.flow) if draft else None
        if draft is None or flow is None or not flow.texts:
            return await turn.reply("no_flow_text")
        if len(text) > TEXT_LIMIT:
            return await turn.reply("too_long", limit=TEXT_LIMIT, length=len(text))
        step, payload = flow.texts.get(draft.step), flow.load(draft)
        if step is None or payload is None:
            key, cancel = flow.elsewhere if payload is not None else ("no_flow_text", False)
            return await turn.reply(key, [flow.cancel_row(turn.lang)] if cancel else None)
        flow_turn = FlowTurn(turn, flow, draft.step)
        try:
            await step(flow_turn, text, payload)
        except Refused as refused:
            if not flow.text_refusal_ends:
                raise
            await flow_turn.end()
            await turn.say(refusal_text(turn.lang, refused))


def _matching(routes: list[Route], draft: Draft | None) -> Route | None:
    """The free route, or the one for the flow and step the draft is at."""
    for route in routes:
        if route.steps is None:
            return route
        if draft is not None and draft.flow == route.flow.name and draft.step in route.steps:
            return route
    return None


ROUTER = Router()
