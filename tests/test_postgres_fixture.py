"""The PostgreSQL fixtures (tests/conftest.py, tests/postgres.py) give each test a real, empty database
that SQLAlchemy Core reaches through psycopg 3. Select with ``pytest -m postgres``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

try:
    import sqlalchemy as sa
except ImportError:  # the postgres_server fixture then skips, or fails under CI=true
    sa = None

pytestmark = pytest.mark.postgres
made: dict[str, str] = {}  # test -> the database its postgres_url fixture made


@contextmanager
def engine_for(url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def test_database_accepts_create_insert_select(postgres_url: str) -> None:
    metadata = sa.MetaData()
    runs = sa.Table("runs", metadata, sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("batch", sa.Text, nullable=False), sa.Column("share", sa.Float))
    with engine_for(postgres_url) as engine:
        assert engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
        with engine.begin() as conn:
            metadata.create_all(conn)
            conn.execute(runs.insert(), [{"batch": "rastreo_mx.csv", "share": 0.28},
                                         {"batch": "otro.xlsx", "share": 1.0}])
        with engine.connect() as conn:
            rows = conn.execute(sa.select(runs.c.batch, runs.c.share).order_by(runs.c.id)).all()
            database = conn.execute(sa.text("select current_database()")).scalar_one()
        assert sa.inspect(engine).get_table_names() == ["runs"]
    assert [tuple(row) for row in rows] == [("rastreo_mx.csv", 0.28), ("otro.xlsx", 1.0)]
    assert database == sa.make_url(postgres_url).database and database.startswith("tc_")


def test_each_test_gets_a_new_empty_database_first(postgres_url: str) -> None:
    """Leaves a table behind; ..._second (next in file order) must not see it."""
    made["first"] = sa.make_url(postgres_url).database
    with engine_for(postgres_url) as engine:
        assert sa.inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.execute(sa.text("create table left_behind (x int)"))


def test_each_test_gets_a_new_empty_database_second(postgres_url: str, postgres_server: str) -> None:
    """A different database from ..._first's, empty, and ..._first's has been dropped."""
    made["second"] = sa.make_url(postgres_url).database
    with engine_for(postgres_url) as engine:
        assert sa.inspect(engine).get_table_names() == []
    with engine_for(postgres_server) as server, server.connect() as conn:
        databases = set(conn.execute(sa.text("select datname from pg_database")).scalars())
    assert made["second"] in databases
    if "first" in made:  # not when this test is selected alone
        assert made["first"] != made["second"] and made["first"] not in databases
