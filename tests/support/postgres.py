"""An empty PostgreSQL schema per test, on the server the suite was given.

The server is the one `.ci/run` starts (or any you start yourself): its URL in SAMENSPEL_TEST_POSTGRESQL, a
role allowed to create schemas in that database. Without it the PostgreSQL half of the suite is skipped,
saying why; with CI=true it fails instead, so that CI never passes without having run it.

Each test gets a schema of its own (`CREATE SCHEMA`, a few milliseconds) and a URL whose search_path names
it, so everything the bot creates and reads lands there; the test's migrate fills it (some 70 ms, against
about a second for `CREATE DATABASE … TEMPLATE` on a busy machine). Dropped with everything in it afterwards.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

URL_VARIABLE = "SAMENSPEL_TEST_POSTGRESQL"
# What a broken constraint raises on either backend.
INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError)


def server_url() -> str:
    """The test server's URL; skips the test (fails it under CI=true) when there is none."""
    url = os.environ.get(URL_VARIABLE)
    if url:
        return url
    reason = f"no PostgreSQL for the tests: set {URL_VARIABLE} (.ci/run starts a throw-away server and sets it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _in_schema(url: str, schema: str) -> str:
    """`url` with the connection option that makes `schema` the only one searched (and created in)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-csearch_path={schema}"))
    return urlunsplit(parts._replace(query=urlencode(query)))


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A new, empty schema for one test; the URL that works in it."""
    url = server_url()
    name = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield _in_schema(url, name)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))
