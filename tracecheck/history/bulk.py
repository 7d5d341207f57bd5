"""Bulk inserts into the history store: many rows into one table, inside the caller's transaction.

SQLAlchemy Core's executemany handles every row's parameters in Python (about 10 µs a row), which
made recording slower than checking. Here the rows are plain tuples handed to the driver: SQLite's
``executemany`` with positional parameters, PostgreSQL's ``COPY ... FROM STDIN`` (psycopg's
``cursor.copy``). Both run on the connection's own DBAPI connection, so the rows belong to the
transaction the caller began (and roll back with it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table


def insert_rows(connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``; None for NULL) into ``table``."""
    quote = connection.dialect.identifier_preparer
    names = ", ".join(quote.quote(name) for name in columns)
    into = f"{quote.format_table(table)} ({names})"
    raw: Any = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {into} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    cursor = raw.cursor()
    try:
        cursor.executemany(f"INSERT INTO {into} VALUES ({', '.join('?' * len(columns))})", rows)
    finally:
        cursor.close()
