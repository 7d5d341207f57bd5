"""Where the history store lives and how it is opened: one SQLAlchemy engine for SQLite or PostgreSQL,
its schema brought to the newest revision by Alembic, a newer store refused.

A store is named by a path (a SQLite file), a ``sqlite:///`` URL or a ``postgresql://`` URL (run
with psycopg 3). Without one: the ``TRACECHECK_HISTORY`` environment variable, else
``history.sqlite`` in the user's data folder (platformdirs: ``~/.local/share/tracecheck`` on Linux,
``%LOCALAPPDATA%\\tracecheck`` on Windows, ``~/Library/Application Support/tracecheck`` on macOS).

Writers never overlap: SQLite write transactions begin with ``BEGIN IMMEDIATE`` (the second writer
waits, up to ``BUSY_SECONDS``); PostgreSQL migrations hold an advisory lock. Readers never wait for
writers (SQLite in WAL mode; PostgreSQL's MVCC).
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from tracecheck.errors import HistoryError

ENV = "TRACECHECK_HISTORY"
BUSY_SECONDS = 120  # how long a SQLite writer waits for another to finish
LOCATION = "tracecheck.history:migrations"  # Alembic's scripts, found in the installed package
MIGRATION_LOCK = 7_305_114_014  # PostgreSQL advisory lock held while the schema is migrated


def default_location() -> Path:
    """The per-user store used when none is named (platformdirs' user data folder)."""
    from platformdirs import user_data_path

    return user_data_path("tracecheck", appauthor=False) / "history.sqlite"


def store_url(target: str | os.PathLike[str] | None = None) -> URL:
    """The SQLAlchemy URL of a store named by ``target`` (path or URL), ``TRACECHECK_HISTORY`` or the
    default location. ``postgresql://`` and ``postgres://`` run on psycopg 3. HistoryError for a URL
    that names neither SQLite nor PostgreSQL."""
    given = os.fspath(target) if target is not None else os.environ.get(ENV) or str(default_location())
    if "://" not in given:
        return URL.create("sqlite", database=str(Path(given).expanduser().resolve()))
    try:
        url = make_url(given)
    except ArgumentError:
        raise HistoryError(f"not a history store URL: {shown(given)}") from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and url.database and url.database != ":memory:":
        return url.set(database=str(Path(url.database).expanduser().resolve()))
    raise HistoryError(f"a history store is a SQLite file or a PostgreSQL URL (postgresql://user@host/db), "
                       f"not {shown(given)}")


def shown(url: URL | str) -> str:
    """A store's name for messages: a SQLite file's path, a server URL without its password."""
    if isinstance(url, str):
        try:
            url = make_url(url) if "://" in url else URL.create("sqlite", database=url)
        except ArgumentError:
            return "<unreadable URL>"
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    query = {k: ("***" if "pass" in k.lower() else v) for k, v in url.query.items()}  # ?password=... too
    shown_url = url.set(drivername=url.get_backend_name(), query=query).render_as_string(hide_password=True)
    return shown_url.replace("%2A%2A%2A", "***")


def open_engine(url: URL, *, create: bool) -> Engine:
    """An engine on ``url`` with the schema at the newest revision. ``create``: make a missing SQLite
    file (and its folder); otherwise a missing store is a HistoryError. Raises HistoryError when the
    server cannot be reached or the store is newer than this tracecheck."""
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        if not path.exists():
            if not create:
                raise HistoryError(f"no history store at {path} (record a batch with check --record first)")
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_SECONDS})
        _sqlite_transactions(engine)
    else:
        try:
            engine = create_engine(url, connect_args={"application_name": "tracecheck"}, pool_pre_ping=True)
        except NoSuchModuleError:
            raise HistoryError("a PostgreSQL history store needs psycopg 3: pip install 'tracecheck[postgresql]'"
                               ) from None
    try:
        migrate(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise HistoryError(f"cannot open the history store {shown(url)}: {reason(exc)}") from None
    except HistoryError:
        engine.dispose()
        raise
    return engine


def writing(connection: Connection) -> Connection:
    """``connection`` marked so its next transaction takes the write lock at once (SQLite: ``BEGIN
    IMMEDIATE``), before it reads what it then writes: two writers never both decide on stale data."""
    return connection.execution_options(tracecheck_write=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision Alembic knows, under a lock; a store whose revision
    this tracecheck does not know (written by a newer one) is a HistoryError, never touched."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(files("tracecheck.history") / "migrations"))
    head = script.get_current_head()
    with engine.connect() as connection:  # a quick look without the lock: usually already current
        current = MigrationContext.configure(connection).get_current_revision()
    if current == head:
        return
    with writing(engine.connect()) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context = MigrationContext.configure(connection)
        current = context.get_current_revision()
        if current is not None and current not in {r.revision for r in script.walk_revisions()}:
            raise HistoryError(f"the history store {shown(engine.url)} has schema revision {current}, newer than "
                               f"this tracecheck knows (newest: {head}); upgrade tracecheck to use it")
        config = Config()
        config.set_main_option("script_location", LOCATION)
        config.attributes["connection"] = connection  # migrations/env.py runs on it, inside this transaction
        command.upgrade(config, "head")


def _sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, begin transactions: ``BEGIN`` for readers and
    ``BEGIN IMMEDIATE`` for writers (``writing``), so a writer holds the lock from its first read; WAL
    so readers never wait for a writer (SQLAlchemy's documented recipe for pysqlite)."""

    @event.listens_for(engine, "connect")
    def connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", f"busy_timeout={BUSY_SECONDS * 1000}",
                       "cache_size=-65536"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("tracecheck_write")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def reason(exc: DBAPIError) -> str:
    """The first line of a driver's error, without SQLAlchemy's background links."""
    text_ = str(exc.orig) if exc.orig is not None else str(exc)
    return " ".join(text_.strip().splitlines()[0].split()) if text_.strip() else type(exc).__name__
