"""The deployment files (Docker is not here to run them): they parse, use the README's install and commands,
and agree with the settings' defaults."""

from __future__ import annotations

import configparser
import re
from pathlib import Path
from typing import Any

import yaml

from bot.config import OpsSettings, Settings, WebhookSettings
from tests.support.paths import ROOT


def _readme_install() -> str:
    """The product install command of README.md's "Set up" (the first sh block)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.+?)\n```", readme, re.DOTALL)
    assert block is not None
    return block.group(1).split(" && .venv/bin/samenspel")[0]


def _dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_the_image_is_debian_slim_installs_as_the_readme_says_and_runs_as_its_own_user() -> None:
    lines = _dockerfile()
    assert re.fullmatch(r"FROM debian:[a-z]+-slim", lines[0])
    assert f"RUN {_readme_install()}" in lines
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert lines[-1] == 'CMD ["samenspel", "run", "--webhook"]'
    copied = [part for line in lines if line.startswith("COPY ") for part in line.split()[1:-1]]
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: no such file"
        assert f"!{source.rstrip('/')}" in ignored or f"!{source.rstrip('/')}/" in ignored, f"{source} is ignored"
    exposed = next(line for line in lines if line.startswith("EXPOSE ")).split()[1:]
    assert exposed == [str(WebhookSettings().port), str(OpsSettings().port)]


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_migrate_then_replicas_in_webhook_mode_on_postgresql() -> None:
    services = _compose()["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["migrate"]["command"] == ["samenspel", "migrate"]
    bot = services["bot"]
    assert bot["command"] == ["samenspel", "run", "--webhook"]
    assert bot["deploy"]["replicas"] >= 2
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert sorted(bot["expose"]) == sorted([str(WebhookSettings().port), str(OpsSettings().port)])
    environment = bot["environment"]
    # [storage] url is the PostgreSQL backend's setting; every other variable names a setting that exists.
    assert environment["SAMENSPEL_STORAGE__URL"].startswith("postgresql://")
    for variable in environment:
        section, key = variable.removeprefix("SAMENSPEL_").lower().split("__")
        if (section, key) != ("storage", "url"):
            assert key in type(getattr(Settings(), section)).model_fields, variable
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert f"handle {WebhookSettings().path} {{" in caddyfile and f"port {WebhookSettings().port}" in caddyfile


def test_the_systemd_unit_restarts_on_failure_as_its_own_user_hardened() -> None:
    unit = configparser.RawConfigParser(strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    unit.read(ROOT / "deploy" / "samenspel.service", encoding="utf-8")
    service = unit["Service"]
    assert service["Restart"] == "on-failure"
    assert service["User"] == "samenspel" and service["Group"] == "samenspel"
    # The README's install puts the command in the checkout's .venv.
    assert service["ExecStart"] == "/opt/samenspel/.venv/bin/samenspel run --webhook"
    assert service["KillSignal"] == "SIGTERM"
    for option, value in (
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("CapabilityBoundingSet", ""),
    ):
        assert service[option] == value, option
    assert Path(service["WorkingDirectory"]) == Path("/var/lib") / service["StateDirectory"]
    assert unit["Install"]["WantedBy"] == "multi-user.target"
