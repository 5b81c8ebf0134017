"""Configuration (`bot.config`): TOML file, environment overrides, clear errors, secrets masked, the per-person
limit's keys and the old one they replace."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings, masked
from tests.support.paths import ROOT


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("SAMENSPEL_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_defaults_without_any_file() -> None:
    settings = load_settings()
    assert settings.storage.path == Path("samenspel.db")
    assert settings.app.timezone == "Europe/Amsterdam" and settings.app.language == "nl"
    assert settings.telegram.base_url == "https://api.telegram.org/bot"
    assert settings.telegram.token is None


def test_toml_file_then_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "custom.toml"
    config.write_text('[telegram]\ntoken = "111:file"\n[app]\norganisation = "Buurtteam Oost"\nlanguage = "en"\n')
    settings = load_settings(config)
    assert settings.telegram.token is not None and settings.telegram.token.get_secret_value() == "111:file"
    assert settings.app.organisation == "Buurtteam Oost"
    monkeypatch.setenv("SAMENSPEL_TELEGRAM__TOKEN", "222:env")
    monkeypatch.setenv("SAMENSPEL_APP__LANGUAGE", "nl")
    settings = load_settings(config)
    assert settings.telegram.token is not None and settings.telegram.token.get_secret_value() == "222:env"
    assert settings.app.language == "nl" and settings.app.organisation == "Buurtteam Oost"


def test_config_file_found_through_env_or_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.toml").write_text('[app]\norganisation = "Uit map"\n')
    assert load_settings().app.organisation == "Uit map"
    other = tmp_path / "elders.toml"
    other.write_text('[app]\norganisation = "Uit env"\n')
    monkeypatch.setenv("SAMENSPEL_CONFIG", str(other))
    assert load_settings().app.organisation == "Uit env"
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ('[app]\ntimezone = "Mars/Olympus"\n', "app.timezone: unknown time zone"),
        ('[app]\nlanguage = "de"\n', "app.language: must be 'nl' or 'en'"),
        ("[app]\ninvite_valid_days = 0\n", "app.invite_valid_days"),
        ('[telegram]\nbase_url = "ftp://x"\n', "telegram.base_url: must start with http"),
        ('[storage]\npaht = "x.db"\n', "storage.paht: unknown setting"),
        ("[app\n", "custom.toml"),
    ],
)
def test_invalid_values_name_the_key(tmp_path: Path, toml: str, fragment: str) -> None:
    config = tmp_path / "custom.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_masking_never_shows_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMENSPEL_TELEGRAM__TOKEN", "123456789:AAverysecretvalue")
    shown = json.dumps(masked(load_settings()))
    assert "verysecret" not in shown and "123***ue" in shown


# --- the per-person limit's keys, and an old config.toml (issue 12 item 8) -----------------------------


def _app_from(tmp_path: Path, lines: str) -> tuple[int, float]:
    config = tmp_path / "config.toml"
    config.write_text(f"[app]\n{lines}\n")
    app = load_settings(config).app
    return app.updates_burst, app.updates_per_second


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("", (30, 1.0)),
        ("updates_burst = 50\nupdates_per_second = 2", (50, 2.0)),
        ("updates_burst = 0", (0, 1.0)),
        # Older config.toml files: they load, 0 keeps the limit off, the old 20 no longer stops anyone.
        ("updates_per_minute = 20", (30, 1.0)),
        ("updates_per_minute = 0", (0, 1.0)),
        ("updates_per_minute = 120", (120, 2.0)),
        ("updates_per_minute = 0\nupdates_burst = 40", (40, 1.0)),  # the new key wins
    ],
)
def test_limit_settings_and_the_old_key(tmp_path: Path, lines: str, expected: tuple[int, float]) -> None:
    assert _app_from(tmp_path, lines) == expected


def test_the_old_key_is_named_in_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.config"):
        _app_from(tmp_path, "updates_per_minute = 20")
    assert "updates_per_minute is obsolete: replace it with updates_burst = 30 and updates_per_second = 1" in (
        caplog.text
    )
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.config"):
        _app_from(tmp_path, "updates_burst = 30")
    assert not caplog.text


def test_the_example_config_sets_the_new_keys_only() -> None:
    example = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    assert "\nupdates_burst = 30\n" in example and "\nupdates_per_second = 1.0\n" in example
    assert "\nupdates_per_minute" not in example


def test_a_settings_built_after_load_settings_reads_no_config_file(tmp_path: Path) -> None:
    """load_settings names its file for its own construction only: a later Settings() (the sandbox's, a
    default) does not pick up the last file loaded, valid or not."""
    config = tmp_path / "custom.toml"
    config.write_text('[app]\nlanguage = "de"\n')
    with pytest.raises(ConfigError):
        load_settings(config)
    assert Settings().app.language == "nl"
    config.write_text('[app]\norganisation = "Uit bestand"\n')
    assert load_settings(config).app.organisation == "Uit bestand"
    assert Settings().app.organisation != "Uit bestand"
