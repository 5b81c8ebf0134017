"""The Bot API simulator (`bot/sandbox/botapi.py` and its parts) and the tests' FaultyBotApi on top of it,
driven by real PTB clients."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)
from telegram.helpers import escape_markdown

from bot.sandbox.markup import parse_html, parse_markdown_v2, strip_text
from bot.sandbox.state import FakeUser, SentMessage
from tests.support.faulty_bot_api import FaultyBotApi

# PTB itself warns about RetryAfter.retry_after being an int (v22.2 deprecation) when it builds the error.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

ALICE = FakeUser(id=1001, first_name="Alice", username="alice")
BOB = FakeUser(id=1002, first_name="Bob", language_code="en")


@pytest.fixture
async def api() -> AsyncIterator[FaultyBotApi]:
    async with FaultyBotApi() as server:
        yield server


@pytest.fixture
async def bot(api: FaultyBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        api.register_user(ALICE)
        yield client


def _seconds(error: RetryAfter) -> float:
    value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# ------------------------------------------------------------------------------------------- basics


async def test_get_me(api: FaultyBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.id == 123456
    assert me.username == api.bot_username
    assert me.first_name == "Samenspel"
    assert api.calls_to("getMe")


async def test_send_message_stores_plain_text_and_entities(api: FaultyBotApi, bot: Bot) -> None:
    sent = await bot.send_message(ALICE.id, "<b>Hoi</b> &amp; <i>welkom</i>", parse_mode="HTML")
    assert sent.text == "Hoi & welkom"
    assert [e.type for e in sent.entities] == ["bold", "italic"]
    message = api.last(ALICE.id)
    assert message.text == "Hoi & welkom"
    assert message.raw_text == "<b>Hoi</b> &amp; <i>welkom</i>"
    assert message.parse_mode == "HTML"
    assert message.reply_markup is None
    assert api.calls_to("sendMessage")[0]["chat_id"] == ALICE.id  # form strings coerced by the spec


INVALID_HTML = [
    "<b>unclosed",
    "a < b",
    "<b>x</i>",
    "<div>x</div>",
    "a & b",
    '<span class="x">y</span>',
    "x</b>",
]
VALID_HTML = [
    ("a &lt; b &gt; c &quot;d&quot;", 'a < b > c "d"'),
    ("&#128512; &#x1F600;", "😀 😀"),
    ('<a href="https://example.org/?a=1&amp;b=2">link</a>', "link"),
    ('<pre><code class="language-python">x = 1</code></pre>', "x = 1"),
    ("<blockquote expandable>q</blockquote> <tg-spoiler>s</tg-spoiler>", "q s"),
]
INVALID_MARKDOWN_V2 = ["1.5", "*unclosed", "a-b", "(x)", "_a", "wow!"]


async def test_html_is_validated_and_parsed(api: FaultyBotApi, bot: Bot) -> None:
    # (One test with loops instead of parametrize: each PTB Bot costs ~0.1 s to set up.)
    for text in INVALID_HTML:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(ALICE.id, text, parse_mode="HTML")
    for text, plain in VALID_HTML:
        await bot.send_message(ALICE.id, text, parse_mode="HTML")
        assert api.last(ALICE.id).text == plain
    assert len(api.errors) == len(INVALID_HTML)


async def test_invalid_markdown_v2_is_refused(bot: Bot) -> None:
    for text in INVALID_MARKDOWN_V2:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(ALICE.id, text, parse_mode="MarkdownV2")


async def test_valid_markdown_v2_is_parsed(api: FaultyBotApi, bot: Bot) -> None:
    await bot.send_message(ALICE.id, r"*Prijs:* 1\.5 \- _ok_ [link](https://x\.org)", parse_mode="MarkdownV2")
    message = api.last(ALICE.id)
    assert message.text == "Prijs: 1.5 - ok link"
    assert [e["type"] for e in message.entities] == ["bold", "italic", "text_link"]


async def test_message_length_is_counted_in_utf16(bot: Bot) -> None:
    await bot.send_message(ALICE.id, "x" * 4096)
    await bot.send_message(ALICE.id, "😀" * 2048)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE.id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE.id, "😀" * 2049)
    # Length counts after entity parsing.
    await bot.send_message(ALICE.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")


async def test_empty_text_is_refused(bot: Bot) -> None:
    for text in ("", "   \n", "<b> </b>"):
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await bot.send_message(ALICE.id, text, parse_mode="HTML")


async def test_callback_data_limit_is_64_bytes(api: FaultyBotApi, bot: Bot) -> None:
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="x" * 64)]])
    await bot.send_message(ALICE.id, "kies", reply_markup=ok)
    assert api.last(ALICE.id).buttons() == [("Ja", "x" * 64)]
    for data in ("x" * 65, "é" * 33):
        too_long = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data=data)]])
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(ALICE.id, "kies", reply_markup=too_long)
    with pytest.raises(BadRequest, match=r"(?i)text buttons are unallowed"):
        await bot.send_message(ALICE.id, "kies", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Ja")]]))


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hallo?")


async def test_blocked_user_gives_forbidden(api: FaultyBotApi, bot: Bot) -> None:
    api.block(ALICE.id)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(ALICE.id, "hallo")
    api.unblock(ALICE.id)
    await bot.send_message(ALICE.id, "hallo")
    assert [m.text for m in api.messages(ALICE.id)] == ["hallo"]


# ------------------------------------------------------------------------------------------- faults


async def test_fail_next_429_raises_retry_after(api: FaultyBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", "429", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ALICE.id, "hallo")
    assert _seconds(caught.value) == 3
    await bot.send_message(ALICE.id, "hallo")  # only the next call fails
    assert api.faults_injected == 1
    assert len(api.messages(ALICE.id)) == 1


async def test_fail_next_5xx_raises_network_error(api: FaultyBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", "500", count=2)
    api.fail_next("sendMessage", "502")
    for _ in range(3):
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(ALICE.id, "hallo")
        assert not isinstance(caught.value, BadRequest | TimedOut)
    await bot.send_message(ALICE.id, "hallo")
    assert len(api.messages(ALICE.id)) == 1
    assert api.faults_injected == 3


async def test_fail_next_403(api: FaultyBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", "403")
    with pytest.raises(Forbidden):
        await bot.send_message(ALICE.id, "hallo")


async def test_fail_next_timeout_raises_timed_out(api: FaultyBotApi, bot: Bot) -> None:
    api.timeout_hold = 3.0
    api.fail_next("sendMessage", "timeout")
    started = time.monotonic()
    with pytest.raises(TimedOut):
        await bot.send_message(ALICE.id, "hallo", read_timeout=0.3)
    assert time.monotonic() - started < 2
    assert api.messages(ALICE.id) == []  # the held request was not carried out
    await api.wait_idle(timeout=2)  # the client gave up, so nothing is in flight any more
    await bot.send_message(ALICE.id, "hallo")


async def test_random_failures_only_hit_send_and_edit(api: FaultyBotApi, bot: Bot) -> None:
    api.set_failure_rate(0.5, seed=7, kinds=("500",))
    failures = 0
    for index in range(20):
        await bot.get_me()
        try:
            await bot.send_message(ALICE.id, f"bericht {index}")
        except NetworkError:
            failures += 1
    assert 0 < failures < 20
    assert api.faults_injected == failures
    assert len(api.messages(ALICE.id)) == 20 - failures
    api.set_failure_rate(0)


async def test_rate_limit_answers_429(api: FaultyBotApi, bot: Bot) -> None:
    api.rate_limit_per_second = 5
    results = await asyncio.gather(
        *(bot.send_message(ALICE.id, f"bericht {i}") for i in range(12)), return_exceptions=True
    )
    limited = [r for r in results if isinstance(r, RetryAfter)]
    assert limited and api.rate_limited == len(limited)
    assert len(api.messages(ALICE.id)) == 12 - len(limited)


# ------------------------------------------------------------------------------ spec and raw HTTP


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")
async def test_missing_required_parameter_and_unknown_method(api: FaultyBotApi, bot: Bot) -> None:
    async with aiohttp.ClientSession() as session:
        url = f"{api.base_url}{api.token}"
        async with session.post(f"{url}/answerCallbackQuery", json={}) as response:
            body = await response.json()
            assert response.status == 400
            assert body["ok"] is False and body["error_code"] == 400
            assert body["description"].startswith("Bad Request: callback_query_id")
        async with session.post(f"{url}/sendMessage", json={"chat_id": ALICE.id}) as response:
            assert (await response.json())["description"] == "Bad Request: message text is empty"
        async with session.post(f"{url}/frobnicate", json={}) as response:
            assert response.status == 404
            assert await response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with session.get(f"{api.base_url}123:wrong/getMe") as response:
            assert response.status == 401
    with pytest.raises(BadRequest, match=r"(?i)chat_id is empty"):
        await bot.do_api_request("sendChatAction", api_kwargs={"action": "typing"})
    with pytest.raises(TelegramError):
        await bot.do_api_request("frobnicate")


async def test_json_query_string_and_case_insensitive_methods(api: FaultyBotApi) -> None:
    api.register_user(ALICE)
    markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}
    async with aiohttp.ClientSession() as session:
        url = f"{api.base_url}{api.token}"
        async with session.post(
            f"{url}/sendmessage", json={"chat_id": str(ALICE.id), "text": "JSON", "reply_markup": markup}
        ) as response:
            body = await response.json()
            assert body["ok"] and body["result"]["reply_markup"] == markup
        query = urllib.parse.urlencode({"chat_id": ALICE.id, "text": "query", "disable_notification": "true"})
        async with session.get(f"{url}/sendMessage?{query}") as response:
            assert (await response.json())["result"]["text"] == "query"
    assert [m.text for m in api.messages(ALICE.id)] == ["JSON", "query"]
    assert api.last(ALICE.id).parse_mode is None
    assert api.calls_to("sendMessage")[1]["disable_notification"] is True


async def test_edit_message(api: FaultyBotApi, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="yes")]])
    sent = await bot.send_message(ALICE.id, "Vraag?", reply_markup=keyboard)
    edited = await bot.edit_message_text("<b>Vraag?</b> Ja", ALICE.id, sent.message_id, parse_mode="HTML")
    assert not isinstance(edited, bool) and edited.text == "Vraag? Ja"
    message = api.last(ALICE.id)
    assert message.edited and message.history == ["Vraag?"]
    assert message.reply_markup is None  # editing text without reply_markup removes the keyboard
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("<b>Vraag?</b> Ja", ALICE.id, sent.message_id, parse_mode="HTML")
    await bot.edit_message_reply_markup(ALICE.id, sent.message_id, reply_markup=keyboard)
    assert api.last(ALICE.id).button_texts() == ["Ja"]
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(ALICE.id, sent.message_id, reply_markup=keyboard)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", ALICE.id, 9999)
    after = len(api.messages(ALICE.id))
    assert await bot.delete_message(ALICE.id, sent.message_id)
    assert (await api.wait_for(ALICE.id, lambda m: m.deleted, after=after, timeout=1)).deleted
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ALICE.id, sent.message_id)


async def test_answer_callback_query_validation(api: FaultyBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")
    update_id = api.press_data(ALICE, None, "forged")
    updates = await bot.get_updates(timeout=1)
    query = updates[-1].callback_query
    assert query is not None and query.data == "forged" and query.message is not None
    assert query.message.message_id == 999999
    with pytest.raises(BadRequest):
        await bot.answer_callback_query(query.id, text="x" * 201)
    await bot.answer_callback_query(query.id, text="Klaar")
    answer = api.callback_answer_for(update_id)
    assert answer is not None and answer["text"] == "Klaar"
    assert api.callback_answers == [answer]
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)  # a query can be answered once


async def test_get_updates_long_poll_and_offset(api: FaultyBotApi, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    started = time.monotonic()
    api.send_text(BOB, "/start CODE123")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1
    (update,) = updates
    assert update.message is not None and update.message.text == "/start CODE123"
    assert update.message.chat.type == "private" and update.message.chat.id == BOB.id
    assert update.message.from_user is not None and update.message.from_user.language_code == "en"
    entity = update.message.entities[0]
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 6)
    assert api.pending_updates == 1
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
    assert api.pending_updates == 0


async def test_non_text_updates_are_parsed_by_ptb(api: FaultyBotApi, bot: Bot) -> None:
    api.send_photo(ALICE, caption="foto")
    api.send_sticker(ALICE)
    api.send_location(ALICE)
    api.send_voice(ALICE)
    api.send_group_text(BOB, -100, "/ping@samenspel_test_bot")
    updates = await bot.get_updates(timeout=1)
    messages = [u.message for u in updates if u.message is not None]
    assert len(messages) == 5
    assert messages[0].photo and messages[0].caption == "foto"
    assert messages[1].sticker is not None and messages[2].location is not None and messages[3].voice
    assert messages[4].chat.type == "group" and messages[4].entities[0].length == len("/ping@samenspel_test_bot")
    photo_file = await messages[0].photo[-1].get_file()
    assert bytes(await photo_file.download_as_bytearray()).startswith(b"\xff\xd8")


async def test_send_document_multipart(api: FaultyBotApi, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Open", callback_data="open")]])
    sent = await bot.send_document(
        ALICE.id,
        document=b"id,naam\n1,Alice\n",
        filename="export.csv",
        caption="<b>Export</b>",
        parse_mode="HTML",
        reply_markup=keyboard,
    )
    message = api.last(ALICE.id)
    assert message.document == {
        "file_name": "export.csv",
        "content": b"id,naam\n1,Alice\n",
        "mime_type": "text/csv",
    }
    assert message.text == "Export" and message.buttons() == [("Open", "open")]
    assert sent.document is not None and sent.caption == "Export"
    downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"id,naam\n1,Alice\n"
    await bot.send_photo(ALICE.id, photo=b"\x89PNG fake", caption="plaatje")
    assert api.last(ALICE.id).photo is not None and api.last(ALICE.id).text == "plaatje"


async def test_commands_menu_button_and_get_chat(api: FaultyBotApi, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Begin")])
    await bot.set_my_commands([BotCommand("help", "Hulp")], scope=BotCommandScopeChat(ALICE.id), language_code="nl")
    assert api.commands == {
        "default::": [{"command": "start", "description": "Begin"}],
        f"chat:{ALICE.id}:nl": [{"command": "help", "description": "Hulp"}],
    }
    got = await bot.get_my_commands(scope=BotCommandScopeChat(ALICE.id), language_code="nl")
    assert [c.command for c in got] == ["help"]
    await bot.delete_my_commands(scope=BotCommandScopeChat(ALICE.id), language_code="nl")
    assert list(api.commands) == ["default::"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad Command", "x")])
    assert await bot.set_chat_menu_button(ALICE.id, MenuButtonCommands())
    assert api.menu_buttons[str(ALICE.id)] == {"type": "commands"}
    await bot.send_chat_action(ALICE.id, "typing")
    chat = await bot.get_chat(ALICE.id)
    assert chat.type == "private" and chat.first_name == "Alice" and chat.username == "alice"
    assert await bot.set_my_description("Samenspel")  # other methods: validated, answer true


# ------------------------------------------------------------------------------ full Application


async def _ping(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Nog een keer", callback_data="again"),
                InlineKeyboardButton("Stop", url="https://x.org"),
            ]
        ]
    )
    await update.effective_message.reply_text("pong", reply_markup=keyboard)


async def _again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Daar gaan we")
    await query.edit_message_text(f"pong again ({query.data})")


def _application(api: FaultyBotApi) -> Application[Any, Any, Any, Any, Any, Any]:
    app = ApplicationBuilder().token(api.token).base_url(api.base_url).base_file_url(api.base_file_url).build()
    app.add_handler(CommandHandler("ping", _ping))
    app.add_handler(CallbackQueryHandler(_again))
    return app


async def test_application_end_to_end(api: FaultyBotApi) -> None:
    app = _application(api)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            before = len(api.messages(ALICE.id))
            api.send_text(ALICE, "/ping")
            pong = await api.wait_for(ALICE.id, "pong", after=before)
            assert pong.button_texts() == ["Nog een keer", "Stop"]
            with pytest.raises(AssertionError, match="Nog een keer"):
                api.press(ALICE, pong, "Bestaat niet")
            update_id = api.press(ALICE, pong, "Nog een")
            edited = await api.wait_for(ALICE.id, lambda m: m.edited, after=len(api.messages(ALICE.id)))
            assert edited.text == "pong again (again)" and edited.history == ["pong"]
            await api.wait_idle()
            assert api.callback_answer_for(update_id) == {
                "callback_query_id": api.callback_answers[0]["callback_query_id"],
                "text": "Daar gaan we",
            }
            with pytest.raises(AssertionError, match=r"(?s)received 1 bot message.*pong again"):
                await api.wait_for(ALICE.id, "nooit", timeout=0.1)
        finally:
            await app.updater.stop()
            await app.stop()
    names = [name for name, _ in api.calls]
    assert names[0] == "getMe" and "deleteWebhook" in names
    assert api.pending_updates == 0


async def test_wait_idle_reports_unconsumed_updates(api: FaultyBotApi) -> None:
    api.send_text(ALICE, "hallo?")
    with pytest.raises(AssertionError, match="1 update"):
        await api.wait_idle(timeout=0.2)


# -------------------------------------------------------------------------------------- thread mode


def _http(api: FaultyBotApi, method: str, **params: Any) -> Any:
    data = urllib.parse.urlencode({k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}).encode()
    with urllib.request.urlopen(f"{api.base_url}{api.token}/{method}", data=data, timeout=5) as response:
        return json.loads(response.read())["result"]


def test_thread_mode_with_sync_helpers() -> None:
    with FaultyBotApi() as api:  # == start_in_thread() / stop_thread()
        api.send_text(ALICE, "/start")
        updates = _http(api, "getUpdates", timeout=1)
        assert updates[0]["message"]["text"] == "/start"

        def reply_later() -> None:
            time.sleep(0.2)
            _http(api, "getUpdates", offset=updates[-1]["update_id"] + 1, timeout=0)
            _http(api, "sendMessage", chat_id=ALICE.id, text="<i>Welkom</i>", parse_mode="HTML")

        worker = threading.Thread(target=reply_later)
        worker.start()
        message = api.wait_for_sync(ALICE.id, "Welkom", timeout=3)
        worker.join()
        assert message.text == "Welkom" and message.parse_mode == "HTML"
        api.wait_idle_sync(timeout=3)
        with pytest.raises(AssertionError):
            api.wait_for_sync(ALICE.id, "nooit", timeout=0.1, after=1)


async def test_thread_mode_async_helpers_from_another_loop() -> None:
    api = FaultyBotApi()
    api.start_in_thread()
    try:
        api.register_user(ALICE)
        async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
            waiter = asyncio.create_task(api.wait_for(ALICE.id, "later"))
            await asyncio.sleep(0.05)
            await bot.send_message(ALICE.id, "later")
            assert (await asyncio.wait_for(waiter, 3)).text == "later"
            await api.wait_idle(timeout=2)
    finally:
        api.stop_thread()


# ---------------------------------------------------------------------------------- parser property


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n<>&\"'")))
def test_escaped_text_round_trips(text: str) -> None:
    expected = strip_text(parse_html(html.escape(text))).text
    assert expected == text.strip(" \t\n\r\f\v")
    assert parse_markdown_v2(escape_markdown(text, version=2)).text == text


def test_sent_message_buttons() -> None:
    message = SentMessage(
        message_id=1,
        chat_id=1,
        text="t",
        raw_text="t",
        parse_mode=None,
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}], [{"text": "B", "url": "u"}]]},
    )
    assert message.buttons() == [("A", "a"), ("B", "")]
    assert message.button_texts() == ["A", "B"]


async def test_the_simulator_answers_only_its_own_loopback_host(tmp_path: Path) -> None:
    async with FaultyBotApi() as api, aiohttp.ClientSession() as http:
        url = f"{api.base_url}{api.token}/getMe"
        async with http.get(url) as answer:
            assert answer.status == 200
        for host in (f"evil.example:{api.port}", "127.0.0.1", f"127.0.0.1:{api.port + 1}"):
            async with http.get(url, headers={"Host": host}) as answer:
                assert answer.status == 403, host
        async with http.get(url.replace("127.0.0.1", "localhost")) as answer:
            assert answer.status == 200
