"""The Bot API methods that carry messages: send, edit and delete them, answer button presses, show a
chat action. Each checks what Telegram checks (chats, text and entities, keyboards, limits) and refuses
with Telegram's own words."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from .markup import EntityParseError, ParsedText, UnsupportedParseModeError, parse, strip_text, utf16_len
from .spec import CALLBACK_DATA_LIMIT, CAPTION_LIMIT, MESSAGE_LIMIT, JSONDict, Upload, bad
from .state import SentMessage, SimulatorState, StoredFile

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


class MessageMethods(SimulatorState):
    """sendMessage, sendDocument, sendPhoto, editMessage*, deleteMessage, answerCallbackQuery,
    sendChatAction."""

    def _format(self, raw: Any, parse_mode: Any, entities: Any, *, caption: bool = False) -> tuple[str, ParsedText]:
        if raw is None or raw == "":
            if caption:
                return "", ParsedText("")
            raise bad("message text is empty")
        text = raw if isinstance(raw, str) else json.dumps(raw)
        if isinstance(entities, list):
            parsed = ParsedText(text, [dict(e) for e in entities if isinstance(e, dict)])
        else:
            try:
                parsed = parse(text, str(parse_mode) if parse_mode else None, strict_html=self.strict_html)
            except UnsupportedParseModeError as error:
                raise bad(f"unsupported parse_mode {error}") from error
            except EntityParseError as error:
                raise bad(f"can't parse entities: {error}") from error
        parsed = strip_text(parsed)
        if not parsed.text and not caption:
            raise bad("message text is empty")
        if caption and utf16_len(parsed.text) > CAPTION_LIMIT:
            raise bad("message caption is too long")
        if not caption and utf16_len(parsed.text) > MESSAGE_LIMIT:
            raise bad("message is too long")
        return text, parsed

    @staticmethod
    def _check_markup(markup: Any, *, inline_only: bool = False) -> tuple[JSONDict | None, JSONDict | None]:
        """Validate reply_markup; returns (inline keyboard or None, other keyboard or None)."""
        if markup is None:
            return None, None
        if not isinstance(markup, dict):
            raise bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad('field "inline_keyboard" must be an Array of Arrays of InlineKeyboardButton')
            for row in rows:
                for button in row:
                    _check_inline_button(button)
            return (markup if any(rows) else None), None
        if inline_only:
            raise bad("inline keyboard expected")
        if any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
            return None, markup
        raise bad("can't parse reply keyboard markup JSON object")

    def _check_reply_to(self, chat_id: int, params: JSONDict) -> None:
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict) or "message_id" not in reply or reply.get("allow_sending_without_reply"):
            return
        target = chat_id
        if re.fullmatch(r"-?\d+", str(reply.get("chat_id", ""))):
            target = int(reply["chat_id"])
        message_id = int(reply["message_id"])
        if (target, message_id) not in self._by_id and message_id not in self._incoming.get(target, set()):
            raise bad("message to be replied not found")

    def _store_bot_message(
        self,
        chat_id: int,
        params: JSONDict,
        method: str,
        *,
        raw_text: str,
        parsed: ParsedText,
        markup: JSONDict | None,
        keyboard: JSONDict | None,
        media: JSONDict | None = None,
        document: JSONDict | None = None,
        photo: JSONDict | None = None,
    ) -> JSONDict:
        self._seq += 1
        message_id = self._new_message_id(chat_id)
        parse_mode = params.get("parse_mode")
        sent = SentMessage(
            message_id=message_id,
            chat_id=chat_id,
            text=parsed.text,
            raw_text=raw_text,
            parse_mode=str(parse_mode) if parse_mode else None,
            reply_markup=markup,
            document=document,
            photo=photo,
            keyboard=keyboard,
            entities=parsed.entities,
            method=method,
            date=int(self.now()),
            created_seq=self._seq,
        )
        message: JSONDict = {
            "message_id": message_id,
            "from": self._bot_user(),
            "chat": dict(self._chats[chat_id]),
            "date": int(self.now()),
        }
        if media is not None:
            message.update(media)
            if parsed.text:
                message["caption"] = parsed.text
            if parsed.entities:
                message["caption_entities"] = parsed.entities
        else:
            message["text"] = parsed.text
            if parsed.entities:
                message["entities"] = parsed.entities
        if markup is not None:
            message["reply_markup"] = markup
        self._messages.setdefault(chat_id, []).append(sent)
        self._by_id[(chat_id, message_id)] = sent
        self._message_json[(chat_id, message_id)] = message
        self._notify()
        return message

    def _send_message(self, params: JSONDict) -> JSONDict:
        chat_id = self._resolve_chat(params["chat_id"])
        raw_text, parsed = self._format(params.get("text"), params.get("parse_mode"), params.get("entities"))
        markup, keyboard = self._check_markup(params.get("reply_markup"))
        self._check_reply_to(chat_id, params)
        return self._store_bot_message(
            chat_id, params, "sendMessage", raw_text=raw_text, parsed=parsed, markup=markup, keyboard=keyboard
        )

    def _upload_from(self, value: Any, default_name: str, folder: str) -> StoredFile:
        if isinstance(value, Upload):
            if not value.content:
                raise bad("file must be non-empty")
            return self._store_file(value.filename or default_name, value.content, value.content_type, folder)
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and re.match(r"https?://", value):
            name = value.rstrip("/").rsplit("/", 1)[-1] or default_name
            return self._store_file(name, b"", None, folder)
        raise bad("wrong file identifier/HTTP URL specified")

    def _send_document(self, params: JSONDict) -> JSONDict:
        chat_id = self._resolve_chat(params["chat_id"])
        raw_text, parsed = self._format(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        markup, keyboard = self._check_markup(params.get("reply_markup"))
        self._check_reply_to(chat_id, params)
        stored = self._upload_from(params["document"], "document", "documents")
        return self._store_bot_message(
            chat_id,
            params,
            "sendDocument",
            raw_text=raw_text,
            parsed=parsed,
            markup=markup,
            keyboard=keyboard,
            media={"document": self._document_json(stored)},
            document={
                "file_name": stored.file_name,
                "content": stored.content,
                "mime_type": stored.mime_type,
            },
        )

    def _send_photo(self, params: JSONDict) -> JSONDict:
        chat_id = self._resolve_chat(params["chat_id"])
        raw_text, parsed = self._format(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        markup, keyboard = self._check_markup(params.get("reply_markup"))
        self._check_reply_to(chat_id, params)
        stored = self._upload_from(params["photo"], "photo.jpg", "photos")
        self._files[stored.file_id + "s"] = stored
        return self._store_bot_message(
            chat_id,
            params,
            "sendPhoto",
            raw_text=raw_text,
            parsed=parsed,
            markup=markup,
            keyboard=keyboard,
            media={"photo": self._photo_sizes(stored)},
            photo={"file_name": stored.file_name, "content": stored.content},
        )

    def _editable(self, params: JSONDict) -> SentMessage | None:
        """The bot message an edit targets; None for inline messages (answered with true)."""
        if "chat_id" not in params and "message_id" not in params and params.get("inline_message_id"):
            return None
        if "chat_id" not in params:
            raise bad("chat_id is empty")
        if "message_id" not in params:
            raise bad("message identifier is not specified")
        chat_id = self._resolve_chat(params["chat_id"])
        message_id = int(params["message_id"])
        sent = self._by_id.get((chat_id, message_id))
        if sent is None or sent.deleted:
            if message_id in self._incoming.get(chat_id, set()):
                raise bad("message can't be edited")
            raise bad("message to edit not found")
        return sent

    def _apply_edit(
        self,
        sent: SentMessage,
        params: JSONDict,
        parsed: ParsedText | None,
        raw: str | None,
        markup: JSONDict | None,
    ) -> JSONDict:
        self._seq += 1
        message = self._message_json[(sent.chat_id, sent.message_id)]
        is_media = sent.document is not None or sent.photo is not None
        if parsed is not None and raw is not None:
            sent.history.append(sent.text)
            sent.text, sent.raw_text, sent.entities = parsed.text, raw, parsed.entities
            sent.parse_mode = str(params["parse_mode"]) if params.get("parse_mode") else None
            text_key, entities_key = ("caption", "caption_entities") if is_media else ("text", "entities")
            message[text_key] = parsed.text
            message.pop(entities_key, None)
            if parsed.entities:
                message[entities_key] = parsed.entities
        sent.reply_markup = markup
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup
        sent.edited = True
        sent.edited_seq = self._seq
        message["edit_date"] = int(self.now())
        self._notify()
        return copy.deepcopy(message)

    def _edit_message_text(self, params: JSONDict) -> JSONDict | bool:
        sent = self._editable(params)
        raw, parsed = self._format(params.get("text"), params.get("parse_mode"), params.get("entities"))
        markup, _ = self._check_markup(params.get("reply_markup"), inline_only=True)
        if sent is None:
            return True
        if sent.document is not None or sent.photo is not None:
            raise bad("there is no text in the message to edit")
        if parsed.text == sent.text and parsed.entities == sent.entities and markup == sent.reply_markup:
            raise bad(_NOT_MODIFIED)
        return self._apply_edit(sent, params, parsed, raw, markup)

    def _edit_message_caption(self, params: JSONDict) -> JSONDict | bool:
        sent = self._editable(params)
        raw, parsed = self._format(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        markup, _ = self._check_markup(params.get("reply_markup"), inline_only=True)
        if sent is None:
            return True
        if sent.document is None and sent.photo is None:
            raise bad("there is no caption in the message to edit")
        if parsed.text == sent.text and parsed.entities == sent.entities and markup == sent.reply_markup:
            raise bad(_NOT_MODIFIED)
        return self._apply_edit(sent, params, parsed, raw, markup)

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict | bool:
        sent = self._editable(params)
        markup, _ = self._check_markup(params.get("reply_markup"), inline_only=True)
        if sent is None:
            return True
        if markup == sent.reply_markup:
            raise bad(_NOT_MODIFIED)
        return self._apply_edit(sent, params, None, None, markup)

    def _delete_message(self, params: JSONDict) -> bool:
        chat_id = self._resolve_chat(params["chat_id"])
        message_id = int(params["message_id"])
        sent = self._by_id.get((chat_id, message_id))
        if sent is not None and not sent.deleted:
            self._seq += 1
            sent.deleted = True
            sent.edited_seq = self._seq
            self._notify()
            return True
        incoming = self._incoming.get(chat_id, set())
        if message_id in incoming:
            incoming.discard(message_id)
            return True
        raise bad("message to delete not found")

    def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params["callback_query_id"])
        if query_id not in self._open_queries:
            raise bad(_QUERY_INVALID)
        text = params.get("text")
        if isinstance(text, str) and utf16_len(text) > 200:
            raise bad("MESSAGE_TOO_LONG")
        self._open_queries.discard(query_id)
        self._seq += 1
        answer = dict(params)
        self.callback_answers.append(answer)
        self._answer_by_query[query_id] = answer
        self._notify()
        return True

    def _send_chat_action(self, params: JSONDict) -> bool:
        self._resolve_chat(params["chat_id"])
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        return True


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise bad('can\'t parse inline keyboard button: Field "text" must be of type String')
    if not text.strip():
        raise bad("BUTTON_TEXT_INVALID")
    if not any(key in button for key in _BUTTON_ACTIONS):
        raise bad("text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            raise bad("BUTTON_DATA_INVALID")
    if "url" in button and (not isinstance(button["url"], str) or not button["url"].strip()):
        raise bad("BUTTON_URL_INVALID")
