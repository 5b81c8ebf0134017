"""Handlers stay thin (issue 11, item 2): no function in handlers/ over 40 lines, and every step, text step
and command the router holds is a function with a one-line docstring that says what the step does."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path

import handlers  # noqa: F401 -- importing the package files every flow in ROUTER
from handlers.flow import ROUTER
from tests.support.paths import ROOT

MAX_LINES = 40


def long_functions(folder: Path, limit: int = MAX_LINES) -> list[str]:
    """Every function (also nested, also methods) longer than `limit` lines, from `def` to its last line."""
    found: list[str] = []
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > limit:
                    found.append(f"{path.relative_to(folder.parent)}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_function_in_handlers_is_longer_than_40_lines() -> None:
    assert not long_functions(ROOT / "handlers"), long_functions(ROOT / "handlers")


def test_the_length_check_sees_a_long_function(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    (tmp_path / "long.py").write_text(f"async def long_step() -> None:\n{body}\n\n\ndef short() -> None:\n    pass\n")
    assert long_functions(tmp_path) == [f"{tmp_path.name}/long.py:1 long_step ({MAX_LINES + 1} lines)"]


def registered_steps() -> Iterator[tuple[str, Callable[..., object]]]:
    for (prefix, action), routes in ROUTER.routes.items():
        for route in routes:
            assert route.step is not None
            yield f"{route.flow.name} {prefix}:{action} at {sorted(route.steps or ['(free)'])}", route.step
    for flow in ROUTER.flows.values():
        for step, func in flow.texts.items():
            yield f"{flow.name} text at {step}", func
    for name, func in ROUTER.command_steps.items():
        yield f"/{name}", func


def test_every_step_has_a_one_line_docstring() -> None:
    steps = list(registered_steps())
    assert len(steps) > 60  # every flow is filed: buttons, texts and commands
    missing = [where for where, func in steps if len((inspect.getdoc(func) or "").splitlines()) != 1]
    assert not missing, f"steps without a one-line docstring: {missing}"
