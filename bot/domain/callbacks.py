"""Callback data for inline buttons: short, colon-separated, never trusted.

Telegram allows 64 bytes. Every press is re-authorised against stored state; the data only says
which button was pressed, never what the sender may do.

`CallbackData` subclasses describe one button each, `prefix:action:field:…`, with typed fields:

    class ClientChosen(CallbackData, prefix="sig", action="c"):
        link: int | Literal["none"]

    ClientChosen(link=12).pack() == "sig:c:12"
    ClientChosen.unpack("sig:c:12") == ClientChosen(link=12)
    ClientChosen.unpack("sig:c:012") is None  # only the form pack() writes is accepted
    BackupClient = ClientChosen.at("bkp", "c")  # the same fields under another prefix

Field types: `int` (a database id, 1 to 12 digits), `Annotated[int, Bounds(low, high)]`, `str` (non-empty,
no ':'), `Literal[…]` of strings or ints, a `StrEnum`, and unions of these (tried in order). A class whose
longest possible data exceeds 64 bytes is refused when it is defined; data with free text is checked when
packed.
"""

from __future__ import annotations

import dataclasses
import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, Self, Union, cast, dataclass_transform, get_args, get_origin
from typing import get_type_hints as _type_hints

MAX_BYTES = 64
_DIGITS = re.compile(r"[0-9]{1,12}")
SEPARATOR = ":"


def pack(*parts: str | int) -> str:
    texts = [str(p) for p in parts]
    for text in texts:
        if SEPARATOR in text or not text:
            raise ValueError(f"callback part {text!r} must be non-empty and free of ':'")
    data = SEPARATOR.join(texts)
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data {data!r} exceeds {MAX_BYTES} bytes")
    return data


def split(data: str | None) -> list[str] | None:
    """The parts of data that could come from one of our buttons (within 64 bytes, valid UTF-8)."""
    try:
        if not data or len(data.encode("utf-8")) > MAX_BYTES:
            return None
    except UnicodeEncodeError:  # a lone surrogate: no real button carries one
        return None
    return data.split(SEPARATOR)


def unpack(data: str | None, prefix: str, arity: int) -> list[str] | None:
    """The parts after `prefix`, if data has exactly that shape; otherwise None."""
    parts = split(data)
    if parts is None or parts[0] != prefix or len(parts) != arity + 1 or any(not p for p in parts):
        return None
    return parts[1:]


def as_id(text: str) -> int | None:
    """A positive database id, or None for anything else (forged data)."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value > 0 else None


# --- typed callback data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounds:
    """An int field's range, as in `Annotated[int, Bounds(0, 9999)]`."""

    low: int
    high: int


Page = Annotated[int, Bounds(0, 9999)]
ID_BOUNDS = Bounds(1, 10**12 - 1)

_INVALID: Any = object()  # what a codec's decode returns for text it does not accept


@dataclass(frozen=True)
class _Codec:
    """One field's wire form: encode gives None for a value of another type, decode _INVALID for bad text."""

    encode: Callable[[object], str | None]
    decode: Callable[[str], object]
    longest: int | None  # bytes at most; None: only known when packed (free text)


def _int_codec(bounds: Bounds) -> _Codec:
    def encode(value: object) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and bounds.low <= value <= bounds.high
        return str(value) if ok else None

    def decode(text: str) -> object:
        # Only the form str() writes: no sign, no leading zeros, ASCII digits (str.isdigit takes "٣").
        if not _DIGITS.fullmatch(text) or str(int(text)) != text:
            return _INVALID
        return int(text) if bounds.low <= int(text) <= bounds.high else _INVALID

    return _Codec(encode, decode, len(str(bounds.high)))


def _choice_codec(values: tuple[object, ...]) -> _Codec:
    wire = {str(v.value if isinstance(v, StrEnum) else v): v for v in values}
    for text in wire:
        if not text or SEPARATOR in text:
            raise TypeError(f"callback choice {text!r} must be non-empty and free of ':'")

    def encode(value: object) -> str | None:
        for text, choice in wire.items():
            if value == choice and type(value) is type(choice):
                return text
        return None

    return _Codec(encode, lambda text: wire.get(text, _INVALID), max(len(t.encode()) for t in wire))


def _text_codec() -> _Codec:
    def encode(value: object) -> str | None:
        return value if isinstance(value, str) and value and SEPARATOR not in value else None

    return _Codec(encode, lambda text: text if text else _INVALID, None)


def _union_codec(members: list[_Codec]) -> _Codec:
    def encode(value: object) -> str | None:
        return next((text for m in members if (text := m.encode(value)) is not None), None)

    def decode(text: str) -> object:
        return next((v for m in members if (v := m.decode(text)) is not _INVALID), _INVALID)

    sizes = [m.longest for m in members]
    return _Codec(encode, decode, None if None in sizes else max(s for s in sizes if s is not None))


def _codec(hint: object) -> _Codec:
    origin = get_origin(hint)
    if origin is Annotated:
        base, *extras = get_args(hint)
        bounds = [e for e in extras if isinstance(e, Bounds)]
        if base is int and len(bounds) == 1:
            return _int_codec(bounds[0])
        raise TypeError(f"unsupported callback field {hint!r}")
    if origin is Literal:
        return _choice_codec(get_args(hint))
    if origin in (Union, types.UnionType):
        return _union_codec([_codec(member) for member in get_args(hint)])
    if hint is int:
        return _int_codec(ID_BOUNDS)
    if hint is str:
        return _text_codec()
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return _choice_codec(tuple(hint))
    raise TypeError(f"unsupported callback field {hint!r}")


@dataclass_transform(frozen_default=True)
class CallbackData:
    """One kind of button: a fixed prefix (and action), then typed fields in order. Subclasses are frozen
    dataclasses; a subclass without `prefix` is an abstract base that shares its fields."""

    prefix: ClassVar[str]
    action: ClassVar[str | None]
    _codecs: ClassVar[tuple[tuple[str, _Codec], ...]] = ()

    def __init_subclass__(cls, *, prefix: str | None = None, action: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclass(frozen=True)(cls)
        if prefix is None:
            return
        cls.prefix, cls.action = prefix, action
        hints = _type_hints(cls, include_extras=True)
        cls._codecs = tuple((f.name, _codec(hints[f.name])) for f in dataclasses.fields(cls))  # type: ignore[arg-type]
        head = [prefix] if action is None else [prefix, action]
        sizes = [len(part.encode()) for part in head] + [c.longest or 1 for _, c in cls._codecs]
        if sum(sizes) + len(sizes) - 1 > MAX_BYTES:
            raise TypeError(f"{cls.__name__} can exceed {MAX_BYTES} bytes of callback data")

    @classmethod
    def at(cls, prefix: str, action: str | None = None) -> type[Self]:
        """The same kind of button under another prefix and action (the same step in another flow)."""
        name = f"{cls.__name__}_{prefix}_{action or ''}"
        made = type(name, (cls,), {"__module__": cls.__module__, "__qualname__": name}, prefix=prefix, action=action)
        return cast("type[Self]", made)

    @classmethod
    def head(cls) -> tuple[str, str | None]:
        """(prefix, action): what the router files this kind of button under."""
        return cls.prefix, cls.action

    def pack(self) -> str:
        parts = [self.prefix] if self.action is None else [self.prefix, self.action]
        for name, codec in self._codecs:
            text = codec.encode(getattr(self, name))
            if text is None:
                raise ValueError(f"{type(self).__name__}.{name} = {getattr(self, name)!r} has no callback form")
            parts.append(text)
        return pack(*parts)

    @classmethod
    def unpack(cls, data: str | None) -> Self | None:
        """The button this data stands for, or None for anything no button of this kind carries."""
        parts = split(data)
        head = [cls.prefix] if cls.action is None else [cls.prefix, cls.action]
        if parts is None or parts[: len(head)] != head or len(parts) != len(head) + len(cls._codecs):
            return None
        values: dict[str, object] = {}
        for (name, codec), text in zip(cls._codecs, parts[len(head) :], strict=True):
            value = codec.decode(text)
            if value is _INVALID:
                return None
            values[name] = value
        return cls(**values)


class Chosen(CallbackData):
    """A button that names one stored thing (a person, a team, a schedule) by its id; `Chosen.at(…)` per step."""

    id: int


class Choice(CallbackData):
    """A button that names one of a set of words the step checks (a category, a kind of help, a language)."""

    value: str
