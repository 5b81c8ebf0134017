"""Every command goes through one CommandHandler (PTB asks each handler in turn whether an update is its own), which
hands it to the command's own handler by name, read as PTB reads it."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Chat, Message, MessageEntity
from telegram.ext import ApplicationBuilder, CommandHandler

from handlers import command_name, register
from handlers.flow import ROUTER

SENT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def message(text: str, *, command_length: int | None = None, offset: int = 0) -> Message:
    entities = () if command_length is None else (MessageEntity(MessageEntity.BOT_COMMAND, offset, command_length),)
    return Message(1, SENT, Chat(1, Chat.PRIVATE), text=text, entities=entities)


def test_one_command_handler_holds_every_command() -> None:
    app = ApplicationBuilder().token("123:abc").build()
    register(app)
    command_handlers = [h for group in app.handlers.values() for h in group if isinstance(h, CommandHandler)]
    assert len(command_handlers) == 1
    assert command_handlers[0].commands == frozenset(ROUTER.commands)


def test_the_command_is_read_as_ptb_reads_it() -> None:
    assert command_name(message("/help", command_length=5)) == "help"
    assert command_name(message("/HELP@SamenspelBot extra words", command_length=18)) == "help"
    assert command_name(message("/signal now", command_length=7)) == "signal"
    assert command_name(message("say /help", command_length=5, offset=4)) == ""  # not at the start: no command
    assert command_name(message("/help")) == ""  # no entity: Telegram did not mark it as a command
    assert command_name(None) == ""
