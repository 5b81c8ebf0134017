"""`samenspel set-webhook URL` and `delete-webhook` against the fake Bot API, run in this process."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import run_cli
from tests.support.faulty_bot_api import FaultyBotApi

SECRET = "s3cret-token_for-the-webhook"


def test_set_webhook_registers_the_url_with_the_secret_and_keeps_what_is_waiting(tmp_path: Path) -> None:
    with FaultyBotApi() as api:
        env = {"SAMENSPEL_TELEGRAM__TOKEN": api.token, "SAMENSPEL_TELEGRAM__BASE_URL": api.base_url}
        refused = run_cli("set-webhook", "https://bot.example.nl/telegram", env=env, cwd=tmp_path)
        assert refused.returncode == 2 and "secret" in refused.stderr
        assert api.calls_to("setWebhook") == []

        env["SAMENSPEL_WEBHOOK__SECRET"] = SECRET
        assert run_cli("set-webhook", "http://bot.example.nl/telegram", env=env, cwd=tmp_path).returncode == 2
        done = run_cli("set-webhook", "https://bot.example.nl/telegram", env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "webhook set to https://bot.example.nl/telegram" in done.stdout
        [params] = api.calls_to("setWebhook")
        assert params["url"] == "https://bot.example.nl/telegram"
        assert params["secret_token"] == SECRET
        assert params["allowed_updates"] == ["message", "callback_query", "my_chat_member"]
        assert params.get("drop_pending_updates") in (None, False)
        assert SECRET not in done.stdout + done.stderr

        gone = run_cli("delete-webhook", env=env, cwd=tmp_path)
        assert gone.returncode == 0 and "long polling" in gone.stdout
        [deleted] = api.calls_to("deleteWebhook")
        assert deleted.get("drop_pending_updates") in (None, False)


def test_run_webhook_without_a_secret_says_how_to_set_one(tmp_path: Path) -> None:
    env = {"SAMENSPEL_TELEGRAM__TOKEN": "123456:abc", "SAMENSPEL_STORAGE__PATH": str(tmp_path / "s.db")}
    refused = run_cli("run", "--webhook", env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "SAMENSPEL_WEBHOOK__SECRET" in refused.stderr
