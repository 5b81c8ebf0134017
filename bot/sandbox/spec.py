"""The Bot API's rules as the simulator applies them: the official machine-readable specification
(``data/bot-api-10.0.json``), how each parameter is read from a request and typed, Telegram's limits,
and errors worded the way Telegram words them."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

JSONDict = dict[str, Any]
DEFAULT_SPEC_PATH = Path(__file__).resolve().parent / "data" / "bot-api-10.0.json"

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64


class ApiError(Exception):
    """A refused call: the HTTP status and ``description`` Telegram would answer with."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def error_body(error: ApiError) -> JSONDict:
    body: JSONDict = {"ok": False, "error_code": error.code, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return body


@dataclass
class Upload:
    """A file sent in a multipart request."""

    filename: str
    content: bytes
    content_type: str | None = None


@functools.lru_cache(maxsize=4)
def load_spec(path: str) -> dict[str, JSONDict]:
    """Every method of the specification by name: its fields (name, types, required) and return type."""
    with open(path, encoding="utf-8") as handle:
        spec = json.load(handle)
    methods: dict[str, JSONDict] = spec["methods"]
    return methods


def public_params(params: JSONDict) -> JSONDict:
    """Params as recorded in ``calls``: uploads become {"file_name", "content"} dicts."""
    return {
        key: {"file_name": value.filename, "content": value.content} if isinstance(value, Upload) else value
        for key, value in params.items()
    }


def coerce_params(method_spec: JSONDict, raw: JSONDict, files: dict[str, Upload]) -> JSONDict:
    """Turn form/query strings into the types the spec declares; resolve uploaded files."""
    params = dict(raw)
    for spec_field in method_spec.get("fields", []):
        name: str = spec_field["name"]
        types: list[str] = spec_field["types"]
        if "InputFile" in types:
            value = params.get(name)
            if isinstance(value, str) and value.startswith("attach://"):
                upload = files.get(value.removeprefix("attach://"))
                if upload is None:
                    raise bad(f"file {value} not found in the request")
                params[name] = upload
            elif value is None and name in files:
                params[name] = files[name]
            continue
        if name in params and isinstance(params[name], str):
            params[name] = _coerce_string(name, types, params[name])
    return params


def check_required(method: str, method_spec: JSONDict, params: JSONDict) -> None:
    for spec_field in method_spec.get("fields", []):
        if spec_field["required"] and spec_field["name"] not in params:
            name = spec_field["name"]
            if name == "text" and method in ("sendMessage", "editMessageText"):
                raise bad("message text is empty")
            raise bad(f"{name} is empty")


def _coerce_string(name: str, types: list[str], value: str) -> Any:
    if types == ["Integer"]:
        try:
            return int(value)
        except ValueError:
            raise bad(f'field "{name}" must be of type Integer') from None
    if types == ["Integer", "String"]:
        return int(value) if re.fullmatch(r"-?\d+", value) else value
    if types == ["Boolean"]:
        lowered = value.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0", ""):
            return False
        raise bad(f'field "{name}" must be of type Boolean')
    if types == ["Float"]:
        try:
            return float(value)
        except ValueError:
            raise bad(f'field "{name}" must be of type Float') from None
    if "String" in types:
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise bad(f"can't parse {name} JSON object") from None


async def read_params(request: web.Request) -> tuple[JSONDict, dict[str, Upload]]:
    """Query string plus JSON, urlencoded or multipart body (what PTB and other clients send)."""
    params: JSONDict = dict(request.query)
    files: dict[str, Upload] = {}
    if not request.body_exists:
        return params, files
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad("can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise bad("request body must be a JSON object")
        params.update(body)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = Upload(value.filename, value.file.read(), value.content_type)
            elif isinstance(value, bytes | bytearray):
                params[key] = bytes(value).decode("utf-8", "replace")
            else:
                params[key] = value
    return params, files
