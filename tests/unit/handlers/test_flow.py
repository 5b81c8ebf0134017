"""The flow framework (`handlers/flow.py`, issue 11, item 2): typed callback data, the router's registry, and
wire compatibility with buttons sent before the upgrade.

Drafts stored before the upgrade: tests/flows/test_drafts_from_before_the_upgrade.py. The flows themselves are
walked end to end by tests/flows (the e2e tests, the authorisation matrix and the fuzz tests).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import handlers  # noqa: F401 -- importing the package files every flow in ROUTER
from bot.domain.callbacks import MAX_BYTES, Bounds, CallbackData, Chosen, Page
from bot.services.checkins import hours_keyboard
from handlers.flow import ROUTER, Empty, Flow, Route, Router

FAST = settings(max_examples=200, deadline=None, derandomize=True, database=None)


def filed_classes() -> list[type[CallbackData]]:
    """Every kind of button the router files, once."""
    return list(dict.fromkeys(route.data for routes in ROUTER.routes.values() for route in routes))


def _strategy(hint: object) -> st.SearchStrategy[Any]:
    """Values a field of this type may hold (the ones a button of ours can carry)."""
    origin = get_origin(hint)
    if origin is Annotated:
        base, bounds = get_args(hint)
        assert base is int and isinstance(bounds, Bounds)
        return st.integers(bounds.low, bounds.high)
    if origin is Literal:
        return st.sampled_from(get_args(hint))
    if get_args(hint) and origin is not None:  # a union
        return st.one_of([_strategy(member) for member in get_args(hint)])
    if hint is int:
        return st.integers(1, 10**12 - 1)
    if hint is str:
        return st.text(st.characters(blacklist_characters=":", blacklist_categories=["Cs"]), min_size=1, max_size=12)
    assert isinstance(hint, type) and issubclass(hint, StrEnum), hint
    return st.sampled_from(list(hint))


def instances(cls: type[CallbackData]) -> st.SearchStrategy[CallbackData]:
    hints = get_type_hints(cls, include_extras=True)
    fields = [name for name, _ in cls._codecs]
    return st.builds(lambda values: cls(**values), st.fixed_dictionaries({f: _strategy(hints[f]) for f in fields}))


every_button = st.sampled_from(filed_classes()).flatmap(instances)


# --- typed callback data ---------------------------------------------------------------------------


def test_the_router_files_every_kind_of_button() -> None:
    classes = filed_classes()
    assert len(classes) >= 45
    assert {cls.prefix for cls in classes} == set(ROUTER.prefix_commands())


@FAST
@given(button=every_button)
def test_every_button_packs_within_64_bytes_and_unpacks_to_itself(button: CallbackData) -> None:
    data = button.pack()
    assert len(data.encode("utf-8")) <= MAX_BYTES
    assert type(button).unpack(data) == button


@FAST
@given(cls=st.sampled_from(filed_classes()), data=st.text(max_size=70))
def test_data_unpacks_only_in_the_form_pack_writes(cls: type[CallbackData], data: str) -> None:
    """Forged data is None; whatever does unpack is exactly what our own button would carry."""
    button = cls.unpack(data)
    assert button is None or button.pack() == data


@FAST
@given(button=every_button, where=st.integers(0, 20), junk=st.sampled_from(["0", "007", "+1", "٣", "²", " 1", "x", ""]))
def test_a_button_with_one_part_changed_is_refused_or_another_real_button(
    button: CallbackData, where: int, junk: str
) -> None:
    parts = button.pack().split(":")
    index = where % len(parts)
    forged = ":".join([*parts[:index], junk, *parts[index + 1 :]])
    again = type(button).unpack(forged)
    assert again is None or again.pack() == forged


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "esc:a",  # a part missing
        "esc:a:12:1",  # a part too many
        "esc:a:012",  # not the form str() writes
        "esc:a:0",  # no database id is 0
        "esc:a:-1",
        "esc:a:٣",  # a digit to str.isdigit, not to us
        "esc:a:1" + "0" * 12,  # 13 digits
        "ESC:a:12",
        "esc:A:12",
        "esc:a:12\x00",
        "esc:a:\ud800",  # a lone surrogate
        "esc:a:" + "9" * 60,  # over 64 bytes
    ],
)
def test_forged_alert_data_unpacks_to_none(data: str | None) -> None:
    acknowledge = next(r.data for r in ROUTER.routes[("esc", "a")])
    assert acknowledge.unpack("esc:a:12") is not None
    assert acknowledge.unpack(data) is None


def test_a_kind_of_button_that_can_exceed_64_bytes_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match="64 bytes"):

        class TooLong(CallbackData, prefix="toolong", action="a"):
            first: int
            second: int
            third: int
            fourth: int
            fifth: Page

    with pytest.raises(TypeError, match="64 bytes"):
        Chosen.at("x" * 50, "y" * 10)


def test_free_text_over_64_bytes_is_refused_when_packed() -> None:
    class Named(CallbackData, prefix="nm"):
        name: str

    assert Named("é" * 29).pack() == "nm:" + "é" * 29  # 61 bytes
    with pytest.raises(ValueError, match="64 bytes"):
        Named("é" * 31).pack()
    with pytest.raises(ValueError, match="no callback form"):
        Named("a:b").pack()


def test_a_value_outside_the_fields_type_has_no_callback_form() -> None:
    class Answer(CallbackData, prefix="an"):
        value: Annotated[int, Bounds(1, 5)] | Literal["none"]

    assert Answer(5).pack() == "an:5" and Answer("none").pack() == "an:none"
    for wrong in (0, 6, "five", True):
        with pytest.raises(ValueError, match="no callback form"):
            Answer(wrong).pack()  # type: ignore[arg-type]


def test_an_unsupported_field_type_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match="unsupported callback field"):

        class Floating(CallbackData, prefix="fl"):
            hours: float


# --- the registry ----------------------------------------------------------------------------------


def test_a_button_filed_twice_is_refused() -> None:
    router = Router()
    flow = Flow("walk", Empty, command="visit", router=router)
    press = Chosen.at("wk", "a")

    async def step(turn: object, data: object, draft: object) -> None:
        """A step."""

    router.add(Route(flow, press, frozenset({"one"}), step))
    router.add(Route(flow, press, frozenset({"two"}), step))  # the same button at another step: fine
    with pytest.raises(RuntimeError, match="filed twice"):
        router.add(Route(flow, press, frozenset({"two"}), step))
    with pytest.raises(RuntimeError, match="filed twice"):
        router.add(Route(flow, press, None, step))  # a free button stands alone
    with pytest.raises(RuntimeError, match="belongs to /visit"):
        router.add(Route(Flow("other", Empty, command="signal", router=router), Chosen.at("wk", "b"), None, step))
    with pytest.raises(RuntimeError, match="two flows"):
        Flow("walk", Empty, command="visit", router=router)


def test_every_prefix_needs_the_roles_of_one_command() -> None:
    commands = ROUTER.prefix_commands()
    for (prefix, _), routes in ROUTER.routes.items():
        assert {route.flow.command for route in routes} == {commands[prefix]}
    assert set(ROUTER.button_handlers()) == set(commands)


# --- wire compatibility: buttons already on people's phones -------------------------------------

# Data exactly as the code before the router wrote it (`pack(...)` by hand), for every button that can
# outlive a flow: alerts, hand-offs, check-in questions (also on scheduled prompts), visit questions.
OLD_BUTTONS: list[tuple[str, str, dict[str, object]]] = [
    ("esc:a:12", "alert", {"escalation": 12}),
    ("esc:h:12", "alert", {"escalation": 12}),
    ("esc:r:12", "alert", {"escalation": 12}),
    ("esc:t:12:34", "handoff", {"escalation": 12, "colleague": 34}),
    ("ci:h:5:1-2", "checkin", {"checkin": 5, "bucket": "1-2"}),
    ("ci:h:5:12p", "checkin", {"checkin": 5, "bucket": "12p"}),
    ("ci:e:5:3", "checkin", {"checkin": 5, "value": 3}),
    ("ci:c:5:several", "checkin", {"checkin": 5, "value": "several"}),
    ("ci:p:5:0", "checkin", {"checkin": 5, "value": 0}),
    ("ci:r:5:1", "checkin", {"checkin": 5, "value": 1}),
    ("ci:b:5:yes", "checkin", {"checkin": 5, "choice": "yes"}),
    ("ci:s:5:anyway", "checkin", {"checkin": 5, "choice": "anyway"}),
    ("ci:d:5:done", "checkin", {"checkin": 5, "choice": "done"}),
    ("vis:ok:7:0", "running_visit", {"visit": 7, "prompt": 0}),
    ("vis:more:7:2", "running_visit", {"visit": 7, "prompt": 2}),
    ("vis:help:7:1", "running_visit", {"visit": 7, "prompt": 1}),
    ("vis:end:7", "running_visit", {"visit": 7}),
    ("x:cancel:handoff", "cancel", {"flow": "handoff"}),
]


def understood(data: str) -> list[tuple[Route, CallbackData]]:
    """Each route whose kind of button reads this data, with what it read."""
    parts = data.split(":")
    routes = ROUTER.routes.get((parts[0], parts[1])) or ROUTER.routes.get((parts[0], None), [])
    return [(route, button) for route in routes if (button := route.data.unpack(data)) is not None]


@pytest.mark.parametrize(("data", "flow", "fields"), OLD_BUTTONS, ids=[d for d, _, _ in OLD_BUTTONS])
def test_a_button_sent_before_the_upgrade_means_the_same(data: str, flow: str, fields: dict[str, object]) -> None:
    [(route, button)] = understood(data)
    assert route.flow.name == flow
    assert {name: getattr(button, name) for name, _ in button._codecs} == fields
    assert button.pack() == data


def test_the_services_buttons_are_read_by_the_router() -> None:
    """Check-in prompts and visit questions are built by the services, which the router must read."""
    from bot.domain.visits import Action
    from bot.services.visits.render import answer_keyboard

    keyboards = [hours_keyboard("nl", 5), answer_keyboard("nl", 7, 3, longer=True)]
    datas = [button["data"] for keyboard in keyboards for row in keyboard for button in row]
    assert len(datas) == 6 + 3 and {d.split(":")[1] for d in datas[6:]} == {a.value for a in Action} - {"end"}
    for data in datas:
        [(route, button)] = understood(data)
        assert route.steps is None and button.pack() == data  # free: no draft needed
