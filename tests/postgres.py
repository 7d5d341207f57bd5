"""A real PostgreSQL server for the tests (fixtures ``postgres_server`` and ``postgres_url`` in conftest).

The server is the one named by ``TRACECHECK_TEST_POSTGRES`` (.ci/run starts one and sets it), else a
throw-away cluster started here exactly like .ci/run does: a temporary directory, 127.0.0.1 on a free
port, trust auth, superuser ``tracecheck``. initdb and postgres refuse to run as root, so as root the
cluster runs as a dedicated system user. SQLAlchemy is imported only when a database is made, so the
rest of the suite runs without it.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENV = "TRACECHECK_TEST_POSTGRES"
SUPERUSER = "tracecheck"
SYSTEM_USER = "tracecheck-pg"
INITDB_GLOB = "/usr/lib/postgresql/*/bin/initdb"  # Debian's layout, one directory per major version


def find_initdb() -> Path | None:
    """The initdb of the newest locally installed PostgreSQL, or None."""

    def major(path: str) -> tuple[int, ...]:
        return tuple(int(part) for part in Path(path).parent.parent.name.split(".") if part.isdigit())

    found = sorted(glob.glob(INITDB_GLOB), key=major)
    return Path(found[-1]) if found else None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the kernel picks it; another process could take it before postgres)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_user_prefix() -> list[str]:
    """The command prefix that runs the server's programs: as root, ``runuser`` to the dedicated system
    user (created when missing); otherwise nothing, the current user runs them."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER],
                       check=True, capture_output=True)
    return ["runuser", "-u", SYSTEM_USER, "--"]


@contextmanager
def throwaway_cluster(initdb: Path) -> Iterator[str]:
    """Start a cluster in a new temporary directory, yield its URL (database ``postgres``), then stop it
    (``-m immediate``: nothing in it is kept) and remove the directory."""
    prefix = server_user_prefix()
    root = Path(tempfile.mkdtemp(prefix="tracecheck-pg-"))
    data, log = root / "data", root / "server.log"

    def run(*args: object) -> None:
        # cwd: the server user may not be allowed into the checkout.
        done = subprocess.run([*prefix, *map(str, args)], cwd=root, capture_output=True, text=True)
        if done.returncode:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"{Path(str(args[0])).name} failed ({done.returncode}):\n{done.stderr}{server_log}")

    try:
        if prefix:
            shutil.chown(root, SYSTEM_USER)
        # --no-sync and fsync=off: the data is thrown away, so do not wait for the disk.
        run(initdb, "-D", data, "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync")
        port = free_port()
        pg_ctl = initdb.parent / "pg_ctl"
        options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={root} -c fsync=off"
        run(pg_ctl, "-D", data, "-l", log, "-w", "-t", "60", "-o", options, "start")
        try:
            yield f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/postgres"
        finally:
            run(pg_ctl, "-D", data, "stop", "-m", "immediate")
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """Create an empty database ``tc_<random hex>`` on the server, yield its URL, drop it afterwards
    (``WITH (FORCE)``: connections a test left open do not keep it alive)."""
    import sqlalchemy as sa

    name = f"tc_{secrets.token_hex(6)}"
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")  # CREATE DATABASE cannot run in a transaction
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()
