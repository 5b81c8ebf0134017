"""A fresh, migrated PostgreSQL database per test, cloned from a template (fast: no migrations per test).

The server is the one `.ci/run` starts (or any you start yourself): its URL in SAMENSPEL_TEST_POSTGRESQL, a
role allowed to create databases. Without it the PostgreSQL half of the suite is skipped, saying why; with
CI=true it fails instead, so that CI never passes without having run it.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from storage.db import Database

URL_VARIABLE = "SAMENSPEL_TEST_POSTGRESQL"
# What a broken constraint raises on either backend.
INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError)
_templates: dict[str, str] = {}


def server_url() -> str:
    """The test server's URL; skips the test (fails it under CI=true) when there is none."""
    url = os.environ.get(URL_VARIABLE)
    if url:
        return url
    reason = f"no PostgreSQL for the tests: set {URL_VARIABLE} (.ci/run starts a throw-away server and sets it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def url_of(database: str) -> str:
    """The server's URL (postgresql://...) naming another database."""
    return urlunsplit(urlsplit(server_url())._replace(path=f"/{database}"))


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(server_url(), autocommit=True)


def _template() -> str:
    """This worker's migrated template database, built once per test process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if worker not in _templates:
        name = f"samenspel_template_{worker}_{os.getpid()}"
        with _admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))

        async def migrate() -> None:
            async with Database(url=url_of(name)) as database:
                await database.migrate()

        # A fresh loop of its own: the test's loop is not running yet when this fixture is set up.
        asyncio.run(migrate())
        _templates[worker] = name
    return _templates[worker]


@contextmanager
def fresh_database(*, migrated: bool = True) -> Iterator[str]:
    """A new database for one test (a copy of the migrated template, or empty); its URL. Dropped afterwards."""
    name = f"samenspel_test_{uuid.uuid4().hex[:16]}"
    template = _template() if migrated else "template0"
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    try:
        yield url_of(name)
    finally:
        with _admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def database_name(url: str) -> str:
    return str(conninfo_to_dict(url).get("dbname", ""))
