"""Telegram-compatible parsing of ``parse_mode`` text (HTML, MarkdownV2 and legacy Markdown).

The parsers turn the text a bot sends into what a phone shows: the plain text plus a list of
MessageEntity dicts whose offsets and lengths are counted in UTF-16 code units, like Telegram does.
They follow the structure of Telegram's own parser (tdlib's ``MessageEntity.cpp``) closely enough to
reject what Telegram rejects, raising :class:`EntityParseError` with a Telegram-like message (the part
after ``"Bad Request: can't parse entities: "``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EntityParseError",
    "ParsedText",
    "UnsupportedParseModeError",
    "parse",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "strip_text",
    "utf16_len",
]

Entity = dict[str, Any]


class EntityParseError(ValueError):
    """The text is not valid for its parse_mode; str(error) is Telegram's explanation."""


class UnsupportedParseModeError(ValueError):
    """parse_mode is not one of HTML, MarkdownV2, Markdown (case-insensitive)."""


@dataclass
class ParsedText:
    text: str
    entities: list[Entity] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (what Telegram counts)."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


class _Builder:
    """Accumulates plain text while tracking the UTF-16 position."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[Entity] = []

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.pos += utf16_len(chunk)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        length = self.pos - start
        if length <= 0:  # Telegram silently drops empty entities
            return
        entity: Entity = {"type": kind, "offset": start, "length": length}
        entity.update({key: value for key, value in extra.items() if value is not None})
        self.entities.append(entity)

    def result(self) -> ParsedText:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.parts), entities)


def parse(text: str, parse_mode: str | None, *, strict_html: bool = True) -> ParsedText:
    """Parse ``text`` according to ``parse_mode`` (None or "" = no parsing)."""
    if not parse_mode:
        return ParsedText(text, [])
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text, strict=strict_html)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise UnsupportedParseModeError(parse_mode)


_STRIP_CHARS = " \t\n\r\f\v"


def strip_text(parsed: ParsedText) -> ParsedText:
    """Trim leading/trailing whitespace as Telegram does, moving and clipping entities to match."""
    text = parsed.text
    stripped = text.strip(_STRIP_CHARS)
    if stripped == text:
        return parsed
    lead = utf16_len(text[: len(text) - len(text.lstrip(_STRIP_CHARS))])
    total = utf16_len(stripped)
    entities: list[Entity] = []
    for entity in parsed.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(stripped, entities)


# --------------------------------------------------------------------------------------------- HTML

_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "tg-time",
        "code",
        "pre",
        "blockquote",
    }
)
_SIMPLE_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
_HTML_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _decode_html_entity(text: str, index: int) -> tuple[str, int] | None:
    match = _HTML_ENTITY_RE.match(text, index)
    if match is None:
        return None
    decimal, hexadecimal, named = match.groups()
    if named:
        return _NAMED_ENTITIES[named], match.end() - index
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end() - index


def _decode_attribute(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&" and (decoded := _decode_html_entity(value, i)) is not None:
            out.append(decoded[0])
            i += decoded[1]
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    start: int  # UTF-16 offset in the output
    begin: int  # index of '<' in the source
    language: str | None = None


def parse_html(text: str, *, strict: bool = True) -> ParsedText:
    """Parse Telegram HTML.

    ``strict`` also rejects an ``&`` that does not start a supported entity (``&lt; &gt; &amp; &quot;``
    and numeric ones). Real Telegram keeps such an ``&`` literally, but a bot that forgets to escape
    user input is buggy either way, so the fake is strict by default.
    """
    out = _Builder()
    stack: list[_OpenTag] = []
    n = len(text)
    i = 0
    while i < n:
        char = text[i]
        if char == "&":
            decoded = _decode_html_entity(text, i)
            if decoded is not None:
                out.add(decoded[0])
                i += decoded[1]
                continue
            if strict:
                raise EntityParseError(
                    f'Character "&" at byte offset {_byte_offset(text, i)} does not start a supported '
                    'HTML entity; replace it with "&amp;"'
                )
        if char != "<":
            out.add(char)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and text[i] == "/":
            end = text.find(">", i)
            if end == -1:
                raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
            name = text[i + 1 : end].strip(_STRIP_CHARS).lower()
            if not stack:
                raise EntityParseError(f'Unexpected end tag "{name}" at byte offset {_byte_offset(text, begin)}')
            tag = stack.pop()
            if name != tag.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{tag.name}>", found "</{name}>"'
                )
            _close_html_tag(out, tag, stack)
            i = end + 1
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        name = text[i:j].lower()
        if name not in _HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}')
        attributes, i = _parse_attributes(text, j, name, begin)
        _check_start_tag(text, name, attributes, begin)
        stack.append(_OpenTag(name, attributes, out.pos, begin))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return out.result()


def _parse_attributes(text: str, index: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    n = len(text)
    attributes: dict[str, str] = {}
    i = index
    unclosed = f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(unclosed)
        if text[i] == ">":
            return attributes, i + 1
        start = i
        while i < n and not text[i].isspace() and text[i] not in "=>":
            i += 1
        attr = text[start:i].lower()
        if not attr:
            raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(text, i)}')
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(unclosed)
        if text[i] != "=":
            attributes[attr] = ""
            continue
        i += 1
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(unclosed)
        if text[i] in "\"'":
            end = text.find(text[i], i + 1)
            if end == -1:
                raise EntityParseError(unclosed)
            raw_value = text[i + 1 : end]
            i = end + 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] != ">":
                i += 1
            raw_value = text[start:i]
        attributes[attr] = _decode_attribute(raw_value)


def _check_start_tag(text: str, name: str, attributes: dict[str, str], begin: int) -> None:
    where = f"at byte offset {_byte_offset(text, begin)}"
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" {where}')
    if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
        raise EntityParseError(f'Tag "tg-emoji" must have a numeric attribute "emoji-id" {where}')
    if name == "tg-time" and not attributes.get("unix", "").lstrip("-").isdigit():
        raise EntityParseError(f'Tag "tg-time" must have a numeric attribute "unix" {where}')


def _close_html_tag(out: _Builder, tag: _OpenTag, stack: list[_OpenTag]) -> None:
    name = tag.name
    if name in _SIMPLE_TAG_ENTITY:
        out.entity(_SIMPLE_TAG_ENTITY[name], tag.start)
    elif name == "a":
        href = tag.attributes.get("href", "")
        if href:
            out.entity("text_link", tag.start, url=href)
    elif name == "code":
        parent = stack[-1] if stack else None
        if parent is not None and parent.name == "pre":
            css = tag.attributes.get("class", "")
            if css.startswith("language-") and parent.start == tag.start:
                parent.language = css.removeprefix("language-")
        else:
            out.entity("code", tag.start)
    elif name == "pre":
        out.entity("pre", tag.start, language=tag.language)
    elif name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in tag.attributes else "blockquote"
        out.entity(kind, tag.start)
    elif name == "tg-emoji":
        out.entity("custom_emoji", tag.start, custom_emoji_id=tag.attributes["emoji-id"])
    elif name == "tg-time":
        out.entity(
            "date_time",
            tag.start,
            unix_time=int(tag.attributes["unix"]),
            date_time_format=tag.attributes.get("format") or None,
        )


# --------------------------------------------------------------------------------------- MarkdownV2

MARKDOWN_V2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
    "code": "Code",
    "pre": "Pre",
    "blockquote": "BlockQuote",
    "expandable_blockquote": "ExpandableBlockQuote",
}


@dataclass
class _OpenEntity:
    kind: str
    start: int
    begin: int
    language: str | None = None


def _is_escapable(char: str) -> bool:
    return 0 < ord(char) <= 126


def parse_markdown_v2(text: str) -> ParsedText:
    """Parse Telegram MarkdownV2 (see https://core.telegram.org/bots/api#markdownv2-style)."""
    out = _Builder()
    stack: list[_OpenEntity] = []
    n = len(text)
    i = 0

    def error_reserved(index: int) -> EntityParseError:
        return EntityParseError(f"Character '{text[index]}' is reserved and must be escaped with the preceding '\\'")

    def quote_open() -> _OpenEntity | None:
        return next((e for e in stack if e.kind in ("blockquote", "expandable_blockquote")), None)

    def close_quote(quote: _OpenEntity) -> None:
        if stack[-1] is not quote:
            inner = stack[-1]
            raise EntityParseError(
                f"Can't find end of {_MDV2_NAMES[inner.kind]} entity at byte offset {_byte_offset(text, inner.begin)}"
            )
        stack.pop()
        out.entity(quote.kind, quote.start)

    while i < n:
        char = text[i]
        top = stack[-1] if stack else None
        if char == "\\" and i + 1 < n and _is_escapable(text[i + 1]):
            out.add(text[i + 1])
            i += 2
            continue
        if top is not None and top.kind in ("code", "pre"):
            if top.kind == "pre" and text.startswith("```", i):
                stack.pop()
                out.entity("pre", top.start, language=top.language)
                i += 3
            elif top.kind == "code" and char == "`":
                stack.pop()
                out.entity("code", top.start)
                i += 1
            else:
                out.add(char)
                i += 1
            continue
        at_line_start = i == 0 or text[i - 1] == "\n"
        if at_line_start:
            quote = quote_open()
            if char == ">":
                if quote is None:
                    stack.append(_OpenEntity("blockquote", out.pos, i))
                i += 1
                continue
            if text.startswith("**>", i) and quote is None:
                stack.append(_OpenEntity("expandable_blockquote", out.pos, i))
                i += 3
                continue
        if char == "\n":
            quote = quote_open()
            if quote is not None and not text.startswith(">", i + 1):
                close_quote(quote)
            out.add("\n")
            i += 1
            continue
        # End of the innermost entity?
        if top is not None:
            nxt = text[i + 1] if i + 1 < n else ""
            if top.kind == "bold" and char == "*":
                stack.pop()
                out.entity("bold", top.start)
                i += 1
                continue
            if top.kind == "italic" and char == "_" and nxt != "_":
                stack.pop()
                out.entity("italic", top.start)
                i += 1
                continue
            if top.kind == "underline" and char == "_" and nxt == "_":
                stack.pop()
                out.entity("underline", top.start)
                i += 2
                continue
            if top.kind == "strikethrough" and char == "~":
                stack.pop()
                out.entity("strikethrough", top.start)
                i += 1
                continue
            if top.kind == "spoiler" and char == "|" and nxt == "|":
                stack.pop()
                out.entity("spoiler", top.start)
                i += 2
                continue
            if top.kind == "expandable_blockquote" and text.startswith("||", i) and text[i + 2 : i + 3] in ("", "\n"):
                stack.pop()
                out.entity("expandable_blockquote", top.start)
                i += 2
                continue
            if top.kind in ("text_link", "custom_emoji") and char == "]":
                stack.pop()
                i = _close_markdown_link(text, i, top, out)
                continue
        if char not in MARKDOWN_V2_RESERVED:
            out.add(char)
            i += 1
            continue
        # Start of an entity.
        nxt = text[i + 1] if i + 1 < n else ""
        if char == "*":
            stack.append(_OpenEntity("bold", out.pos, i))
            i += 1
        elif char == "_":
            if nxt == "_":
                stack.append(_OpenEntity("underline", out.pos, i))
                i += 2
            else:
                stack.append(_OpenEntity("italic", out.pos, i))
                i += 1
        elif char == "~":
            stack.append(_OpenEntity("strikethrough", out.pos, i))
            i += 1
        elif char == "|" and nxt == "|":
            stack.append(_OpenEntity("spoiler", out.pos, i))
            i += 2
        elif char == "[":
            stack.append(_OpenEntity("text_link", out.pos, i))
            i += 1
        elif char == "!" and nxt == "[":
            stack.append(_OpenEntity("custom_emoji", out.pos, i))
            i += 2
        elif char == "`":
            if text.startswith("```", i):
                entity = _OpenEntity("pre", out.pos, i)
                i += 3
                lang_end = i
                while lang_end < n and not text[lang_end].isspace() and text[lang_end] != "`":
                    lang_end += 1
                if lang_end > i and lang_end < n and text[lang_end] != "`":
                    entity.language = text[i:lang_end]
                    i = lang_end
                if i < n and text[i] in "\r\n":
                    i += 2 if text[i : i + 2] in ("\r\n", "\n\r") else 1
                entity.start = out.pos
                stack.append(entity)
            else:
                stack.append(_OpenEntity("code", out.pos, i))
                i += 1
        else:
            raise error_reserved(i)
    quote = quote_open()
    if quote is not None:
        close_quote(quote)
    if stack:
        inner = stack[-1]
        where = _byte_offset(text, inner.begin)
        raise EntityParseError(f"Can't find end of {_MDV2_NAMES[inner.kind]} entity at byte offset {where}")
    return out.result()


def _close_markdown_link(text: str, index: int, entity: _OpenEntity, out: _Builder) -> int:
    """Handle the ']' at ``index`` that closes a ``[text]`` or ``![emoji]``; return the next index."""
    n = len(text)
    i = index + 1
    if i >= n or text[i] != "(":
        if entity.kind == "custom_emoji":
            where = _byte_offset(text, entity.begin)
            raise EntityParseError(f"Custom emoji entity must contain a tg://emoji URL at byte offset {where}")
        return i  # "[text]" without a URL is just text
    i += 1
    url: list[str] = []
    while i < n and text[i] != ")":
        if text[i] == "\\" and i + 1 < n and _is_escapable(text[i + 1]):
            url.append(text[i + 1])
            i += 2
        else:
            url.append(text[i])
            i += 1
    if i >= n:
        raise EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(text, index + 1)}")
    link = "".join(url)
    if entity.kind == "custom_emoji":
        emoji_id = re.fullmatch(r"tg://emoji\?id=(\d+)", link)
        time_link = re.fullmatch(r"tg://time\?unix=(-?\d+)(?:&format=(\w*))?", link)
        if emoji_id:
            out.entity("custom_emoji", entity.start, custom_emoji_id=emoji_id.group(1))
        elif time_link:
            out.entity(
                "date_time",
                entity.start,
                unix_time=int(time_link.group(1)),
                date_time_format=time_link.group(2) or None,
            )
        else:
            raise EntityParseError(
                f"Custom emoji URL must have scheme tg at byte offset {_byte_offset(text, entity.begin)}"
            )
    elif link:
        out.entity("text_link", entity.start, url=link)
    return i + 1


# ----------------------------------------------------------------------------------- legacy Markdown

_MARKDOWN_ENTITY = {"*": "bold", "_": "italic", "`": "code"}


def parse_markdown(text: str) -> ParsedText:
    """Parse legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    out = _Builder()
    n = len(text)
    i = 0
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            out.add(char)
            i += 1
            continue
        begin = i
        start = out.pos
        missing_end = EntityParseError(
            f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
        )
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end == -1:
                raise missing_end
            body = text[i + 3 : end]
            language = None
            first_line, newline, rest = body.partition("\n")
            if newline and first_line and not any(c.isspace() for c in first_line):
                language, body = first_line, rest
            out.add(body)
            out.entity("pre", start, language=language)
            i = end + 3
            continue
        closing = "]" if char == "[" else char
        end = text.find(closing, i + 1)
        if end == -1:
            raise missing_end
        out.add(text[i + 1 : end])
        i = end + 1
        if char != "[":
            out.entity(_MARKDOWN_ENTITY[char], start)
            continue
        if i < n and text[i] == "(":
            url_end = text.find(")", i + 1)
            if url_end == -1:
                raise missing_end
            url = text[i + 1 : url_end]
            if url:
                out.entity("text_link", start, url=url)
            i = url_end + 1
    return out.result()
