"""Shared fixtures for the CLI, API and report-schema tests: small batches written to tmp_path."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import postgres
import pytest
from workbooks import write_xlsx

AS_OF = dt.date(2026, 11, 22)
CHROMIUM_PATH = Path(shutil.which("chromium") or "/usr/bin/chromium")
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "docs" / "report.schema.json"

HEADER = ("Request ID,Agency,Manufacturer,Model,Caliber,Type,Serial Number,Country of Origin,Importer,"
          "Purchase Date,Recovery Date,Request Date\n")

# No finding at all as of 2026-11-22: every column, valid serials, US makers (or an import marking),
# time-to-crime over 3 years (no TC311 info), request age under 5 years, lag under a year, unique ids.
CLEAN_CSV = HEADER + (
    "TR-2024-0001,Laredo PD,Ruger,LCP,.380,PISTOL,371-12345,US,,2021-01-10,2024-06-01,2024-06-20\n"
    "TR-2024-0002,Laredo PD,Smith & Wesson,M&P Shield,9MM,PISTOL,HKR4521,US,,2020-11-02,2024-05-14,2024-06-03\n"
    "TR-2024-0003,Laredo PD,Glock,19,9MM,PISTOL,BXYZ123,Austria,GLOCK INC SMYRNA GA,2020-08-15,2024-02-01,"
    "2024-02-20\n")

# The clean batch with one warning-level defect (caliber placeholder) and nothing worse.
WARNINGS_CSV = CLEAN_CSV.replace("Ruger,LCP,.380,", "Ruger,LCP,N/A,")

# Several defects: duplicate id, placeholder / obliterated / scientific / short / non-ASCII serials,
# missing import marking, unknown maker, multi-line model, impossible and future dates, an extra
# unmapped column and a duplicated header.
MESSY_CSV = (
    "Request ID,Agency,Manufacturer,Model,Caliber,Type,Serial Number,Obliterated,Country of Origin,Importer,"
    "Purchase Date,Recovery Date,Request Date,Notes,Serial Number\n"
    "R-001,Policia Municipal,Glock,19,9MM,PISTOL,BXYZ123,N,Austria,,2020-01-02,2021-03-04,2021-03-10,checkpoint,X\n"
    "R-001,Policia Municipal,Norinco,MAK90,7.62X39,RIFLE,SIN MATRICULA,N,China,,2009-04-13,2021-03-04,2023-03-10,,\n"
    "R-003,SEDENA,Ruger,LCP,380,PISTOL,1.23457E+11,N,US,,2020-01-02,2019-03-04,2021-03-10,,\n"
    "R-004,SEDENA,UNKNOWN,,N/A,?,LIMADO,N,,,2015-05-05,2020-06-06,2020-06-07,,\n"
    'R-005,SEDENA,Smith & Wesson,"M&P\nseized with two magazines",9MM,PISTOL,S/N: 12,N,US,,31/02/2021,2021-03-04,'
    "2021-03-10,,\n"
    "R-006,SEDENA,Colt,1911,45,PISTOL,\u00c1BC1234,N,US,,2018-01-01,2020-01-01,2026-11-30,,\n")


@pytest.fixture
def as_of() -> dt.date:
    return AS_OF


@pytest.fixture
def clean_csv(tmp_path: Path) -> Path:
    path = tmp_path / "clean_batch.csv"
    path.write_text(CLEAN_CSV, encoding="utf-8")
    return path


@pytest.fixture
def warnings_csv(tmp_path: Path) -> Path:
    path = tmp_path / "warnings_batch.csv"
    path.write_text(WARNINGS_CSV, encoding="utf-8")
    return path


@pytest.fixture
def messy_csv(tmp_path: Path) -> Path:
    path = tmp_path / "messy_batch.csv"
    path.write_text(MESSY_CSV, encoding="utf-8")
    return path


@pytest.fixture
def make_xlsx():
    """make_xlsx(path, {"Sheet": [[row values], ...], ...}) writes a workbook and returns its path."""

    return write_xlsx


@pytest.fixture(scope="session")
def report_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="Rewrite tests/golden/*.report.json from the current output.")


def require_client(name: str, path: Path, install: str) -> Path:
    """A real client program a test needs (a browser, LibreOffice, a database server). Missing: under
    ``CI=true`` the test fails (CI installs every client, see .ci/run); elsewhere it skips, saying how
    to install it."""
    if path.exists() and os.access(path, os.X_OK):
        return path
    message = f"{name} not found at {path} ({install})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}: CI must install it", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Headless Chromium for the HTML report tests (Debian package chromium)."""
    return require_client("chromium", CHROMIUM_PATH, "apt-get install chromium")


# A real PostgreSQL server for the history store tests (tests/postgres.py; select them with -m postgres).
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs a real PostgreSQL server")


def skip_or_fail(message: str) -> NoReturn:
    """What require_client does with a client that is missing: fail under ``CI=true``, else skip."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}: CI must install it", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """SQLAlchemy URL (postgresql+psycopg) of a server database on which one can CREATE DATABASE: the
    server named by TRACECHECK_TEST_POSTGRES, else a throw-away cluster started for this session (local
    initdb, see tests/postgres.py) and removed at its end."""
    for module, install in (("sqlalchemy", "pip install sqlalchemy"), ("psycopg", "pip install 'psycopg[binary]'")):
        if importlib.util.find_spec(module) is None:
            skip_or_fail(f"{module} not installed ({install})")
    if url := os.environ.get(postgres.ENV):
        yield url
        return
    initdb = postgres.find_initdb()
    if initdb is None:
        skip_or_fail(f"no PostgreSQL server: set {postgres.ENV}=postgresql+psycopg://... or install postgresql")
    with postgres.throwaway_cluster(initdb) as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """SQLAlchemy URL of a new, empty database on ``postgres_server``, dropped after the test."""
    with postgres.fresh_database(postgres_server) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty history store on each engine: a SQLite file, and a database on a real PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "history.sqlite")
    return str(request.getfixturevalue("postgres_url"))
