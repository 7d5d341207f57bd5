"""The history store as an ETL job uses it, on SQLite and on a real PostgreSQL (``store_url``):
prior duplicates across batches with evidence, a batch never matched against itself or later
batches, recorded once, forgotten cleanly, no names stored, quality over time, schema revisions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import SCHEMA_PATH
from history_batches import JUNE, MARCH, SEPTEMBER, write

import tracecheck
from tracecheck import History, HistoryError

AS_OF = dt.date(2026, 11, 22)


def prior(report: tracecheck.Report) -> dict[int, dict]:
    """TC204 findings by sheet row: reason, severity, context."""
    mine = report.findings[report.findings["rule"] == "TC204"]
    return {int(r["row"]): {"reason": r["reason"], "severity": r["severity"], "message": r["message"], **r["context"]}
            for r in mine.to_dict("records")}


def recorded(history: History, path: Path) -> tracecheck.Report:
    report = tracecheck.check(path, history=history, as_of=AS_OF)
    history.record(report)
    return report


def test_prior_duplicates_name_the_earlier_request_with_evidence(store_url: str, tmp_path: Path) -> None:
    paths = write(tmp_path, march=MARCH, june=JUNE)
    with History(store_url) as history:
        first = recorded(history, paths["march"])
        assert prior(first) == {}
        assert first.batch["history"]["batches"] == 0 and first.batch["history"]["requests"] == 0
        june = tracecheck.check(paths["june"], history=history, as_of=AS_OF)
    found = prior(june)
    # rows 2-4: resends with a dash and maker alias, an adjacent swap, a dropped character; row 5 the
    # same Ruger recovered again a year later; row 6 a consecutive serial (another gun); row 7 new
    assert sorted(found) == [2, 3, 4, 5]
    assert {row: f["reason"] for row, f in found.items()} == {2: "flag", 3: "flag", 4: "flag", 5: "re-recovery"}
    assert found[2]["severity"] == "warning" and found[5]["severity"] == "info"
    assert found[2]["earlier_request_id"] == "PE-0412" and found[2]["earlier_row"] == "2"
    assert found[2]["earlier_agency"] == "Policia Estatal" and found[2]["earlier_source"] == "march.csv"
    assert found[2]["earlier_batch"] == first.batch["sha256"][:12]
    assert "CUGIR = Romarm" in found[2]["evidence"] and found[2]["evidence"] in found[2]["message"]
    assert "two adjacent characters swapped" in found[3]["evidence"]
    assert found[5]["earlier_recovery_date"] == "2023-06-01"
    assert june.batch["history"]["batches"] == 1 and june.batch["history"]["requests"] == 5
    assert [p["source"] for p in june.batch["history"]["previous"]] == ["march.csv"]


def test_a_batch_is_matched_only_against_batches_recorded_before_it(store_url: str, tmp_path: Path) -> None:
    paths = write(tmp_path, march=MARCH, june=JUNE, september=SEPTEMBER)
    with History(store_url) as history:
        for name in ("march", "june", "september"):
            recorded(history, paths[name])
        again = {name: tracecheck.check(paths[name], history=history, as_of=AS_OF) for name in paths}
    assert prior(again["march"]) == {}  # never against itself, never against what came after it
    assert {f["earlier_source"] for f in prior(again["june"]).values()} == {"march.csv"}
    september = prior(again["september"])
    assert sorted(september) == [2]  # the third copy of the Romarm: its best match is the first request
    assert september[2]["earlier_request_id"] == "PE-0412" and september[2]["other_matches"] == 1
    assert september[2]["evidence"].endswith("; also matches 1 other earlier request")
    assert again["september"].batch["history"]["recorded"] is True


def test_recording_twice_keeps_one_copy(store_url: str, tmp_path: Path) -> None:
    paths = write(tmp_path, march=MARCH)
    with History(store_url) as history:
        report = tracecheck.check(paths["march"], history=history, as_of=AS_OF)
        first, second = history.record(report), history.record(report)
        copy = tmp_path / "copy_of_march.csv"  # the same bytes under another name: the same batch
        copy.write_bytes(paths["march"].read_bytes())
        third = history.record(tracecheck.check(copy, history=history, as_of=AS_OF))
        assert first.added and not second.added and not third.added
        assert first.number == second.number == third.number and first.requests == 5
        assert history.counts() == {"batches": 1, "requests": 5}
        assert len(history.batches()) == 1


def test_forget_removes_a_batch_and_everything_stored_of_it(store_url: str, tmp_path: Path) -> None:
    paths = write(tmp_path, march=MARCH, june=JUNE)
    with History(store_url) as history:
        recorded(history, paths["march"])
        june = recorded(history, paths["june"])
        assert prior(june)
        row = history.forget("1")
        assert row["source"] == "march.csv"
        assert history.counts() == {"batches": 1, "requests": 6}
        with history.engine.connect() as connection:
            for table in ("requests", "serial_deletions", "agency_quality"):
                left = connection.execute(sa.text(f"SELECT count(*) FROM {table} WHERE batch = 1")).scalar()
                assert left == 0, table
            assert connection.execute(sa.text("SELECT count(*) FROM serial_deletions")).scalar() > 0
        assert prior(tracecheck.check(paths["june"], history=history, as_of=AS_OF)) == {}
        with pytest.raises(HistoryError, match="no batch number 1"):
            history.forget("1")
        assert history.batch(june.batch["sha256"][:8])[0]["source"] == "june.csv"


def test_the_store_keeps_keys_never_names_and_rows_only_when_asked(store_url: str, tmp_path: Path) -> None:
    paths = write(tmp_path, march=MARCH, june=JUNE)
    with History(store_url) as history:
        recorded(history, paths["march"])
        report = tracecheck.check(paths["june"], history=history, as_of=AS_OF, store_rows=True,
                                  redact_key="s3cret")
        history.record(report)
        with history.engine.connect() as connection:
            text = json.dumps([[str(v) for v in row] for table in ("batches", "agency_quality", "requests",
                                                                    "serial_deletions")
                               for row in connection.execute(sa.text(f"SELECT * FROM {table}"))])
            kept = connection.execute(sa.text("SELECT row_data FROM requests WHERE batch = 2 ORDER BY row")).scalars()
            rows = [json.loads(r) for r in kept]
            march_rows = connection.execute(sa.text("SELECT row_data FROM requests WHERE batch = 1")).scalars().all()
    assert "Juan Perez" not in text and "Maria Garcia" not in text
    assert "1983OR7017" in text and "Policia Estatal" in text  # the matching keys are kept
    assert march_rows == [None] * 5  # without store_rows, no submitted values
    assert rows[0]["request_id"] == "SD-1187" and rows[0]["serial_number"] == "1983-0R7017"


def test_quality_over_time_per_batch_and_agency(store_url: str, tmp_path: Path) -> None:
    paths = write(tmp_path, march=MARCH, june=JUNE, september=SEPTEMBER)
    with History(store_url) as history:
        reports = [recorded(history, paths[name]) for name in ("march", "june", "september")]
        trend, agencies = history.trend(), history.trend(by_agency=True)
    assert trend["source"].tolist() == ["march.csv", "june.csv", "september.csv"]
    for report, row in zip(reports, trend.to_dict("records")):
        summary = report.summary
        assert row["rows"] == summary["rows"] and row["usable_serial"] == summary["rows_usable_serial"]
        assert row["missing_import_marking"] == summary["rows_missing_import_marking"]
        assert row["request_age_median"] == summary["age_medians_days"]["request_age_days"]
        repeats = report.findings[(report.findings["rule"] == "TC204") & (report.findings["reason"] != "re-recovery")]
        assert row["prior_duplicate_rows"] == repeats["row"].nunique()
    assert trend["prior_duplicate_share"].tolist() == [0.0, 0.5, 0.5]
    september = agencies[agencies["source"] == "september.csv"].set_index("agency")
    # FGR and its full name are one agency (the pack's agency_aliases)
    assert september.index.tolist() == ["Fiscalía General de la República"]
    assert september.loc["Fiscalía General de la República", "rows"] == 2


def test_a_report_checked_with_history_matches_the_schema(store_url: str, tmp_path: Path) -> None:
    paths = write(tmp_path, march=MARCH, june=JUNE)
    with History(store_url) as history:
        recorded(history, paths["march"])
        document = json.loads(tracecheck.check(paths["june"], history=history, as_of=AS_OF).to_json())
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert document["batch"]["history"]["previous"][0]["usable_serial_share"] == 1.0
    assert "history" not in json.loads(tracecheck.check(paths["june"], as_of=AS_OF).to_json())["batch"]


def test_without_a_store_the_rule_is_not_listed_and_record_refuses(tmp_path: Path) -> None:
    paths = write(tmp_path, june=JUNE)
    report = tracecheck.check(paths["june"], as_of=AS_OF)
    assert "TC204" not in {r["rule"] for r in report.rule_pack["rules"]}
    with History(tmp_path / "h.sqlite") as history, pytest.raises(HistoryError, match="without a history store"):
        history.record(report)


def test_a_store_newer_than_this_tracecheck_is_refused_untouched(store_url: str) -> None:
    History(store_url).close()  # creates the schema at the newest revision
    engine = sa.create_engine(store_url if "://" in store_url else f"sqlite:///{store_url}")
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(HistoryError, match="newer than this tracecheck knows"):
        History(store_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "9999_future"
    engine.dispose()


def test_an_empty_database_gets_the_schema_once(store_url: str) -> None:
    for _ in range(2):
        with History(store_url) as history:
            assert history.counts() == {"batches": 0, "requests": 0}
    engine = sa.create_engine(store_url if "://" in store_url else f"sqlite:///{store_url}")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0002"
        names = set(sa.inspect(connection).get_table_names())
    engine.dispose()
    assert {"batches", "agency_quality", "requests", "serial_deletions", "alembic_version"} <= names


def test_where_a_store_lives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracecheck.history.database import default_location, shown, store_url

    monkeypatch.delenv("TRACECHECK_HISTORY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_location() == tmp_path / "data" / "tracecheck" / "history.sqlite"
    assert store_url().database == str(tmp_path / "data" / "tracecheck" / "history.sqlite")
    monkeypatch.setenv("TRACECHECK_HISTORY", str(tmp_path / "team.sqlite"))
    assert store_url().database == str(tmp_path / "team.sqlite")
    assert store_url("postgresql://u:pw@db.example:5433/traces").drivername == "postgresql+psycopg"
    assert shown(store_url("postgres://u:pw@db.example/traces")) == "postgresql://u:***@db.example/traces"
    assert "s3cr3t" not in shown(store_url("postgresql://db.example/traces?user=u&password=s3cr3t"))
    with pytest.raises(HistoryError, match="SQLite file or a PostgreSQL URL"):
        store_url("mysql://u@db/traces")
    with pytest.raises(HistoryError, match="no history store at"):
        History(tmp_path / "missing.sqlite", create=False)


@pytest.mark.postgres
def test_an_unreachable_server_is_one_clear_error(postgres_server: str) -> None:
    url = sa.make_url(postgres_server).set(port=1, database="nowhere").render_as_string(hide_password=False)
    with pytest.raises(HistoryError, match=r"cannot open the history store postgresql://.*:1/nowhere"):
        History(url)


def test_the_migrations_build_exactly_the_tables_the_code_uses(store_url: str) -> None:
    """Alembic's revisions, run from an empty database, give the schema of tracecheck.history.tables
    (compared by Alembic's autogenerate): no drift between a migrated store and the code."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from tracecheck.history.tables import metadata

    History(store_url).close()
    engine = sa.create_engine(store_url if "://" in store_url else f"sqlite:///{store_url}")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []


def test_a_recorded_batch_rechecked_counts_only_the_batches_before_it(store_url: str, tmp_path: Path) -> None:
    paths = write(tmp_path, march=MARCH, june=JUNE)
    with History(store_url) as history:
        recorded(history, paths["march"])
        recorded(history, paths["june"])
        about = tracecheck.check(paths["june"], history=history, as_of=AS_OF).batch["history"]
    assert about["recorded"] is True and about["batches"] == 1 and about["requests"] == 5
    assert [p["source"] for p in about["previous"]] == ["march.csv"]


def test_rows_kept_with_store_rows_hold_names_only_as_redacted_tokens(store_url: str, tmp_path: Path) -> None:
    paths = write(tmp_path, march=MARCH)
    with History(store_url) as history:
        history.record(tracecheck.check(paths["march"], history=history, as_of=AS_OF, store_rows=True))
        with history.engine.connect() as connection:
            rows = [json.loads(r) for r in connection.execute(sa.text("SELECT row_data FROM requests ORDER BY row"))
                    .scalars()]
    assert rows[0]["serial_number"] == "1983OR7017" and "purchaser" not in rows[0]
    assert "Juan Perez" not in json.dumps(rows, ensure_ascii=False)


def test_two_sheets_of_one_workbook_checked_one_at_a_time_are_two_batches(store_url: str, tmp_path: Path,
                                                                         make_xlsx) -> None:
    header = ["Request ID", "Agency", "Manufacturer", "Model", "Caliber", "Serial Number", "Recovery Date"]
    book = make_xlsx(tmp_path / "fge_q3.xlsx", {
        "Julio": [header, ["J-1", "FGE", "Glock", "19", "9MM", "ZZT9981", "2024-07-02"]],
        "Agosto": [header, ["A-1", "FGE", "Colt", "1911", "45", "CC12345", "2024-08-09"]]})
    later = write(tmp_path, later="Request ID,Agency,Manufacturer,Model,Caliber,Serial Number,Recovery Date\n"
                                  "S-1,SEDENA,Colt,1911,45,CC-12345,2024-08-09\n")["later"]
    with History(store_url) as history:
        for sheet in ("Julio", "Agosto"):
            report = tracecheck.check(book, sheet=sheet, history=history, as_of=AS_OF)
            assert history.record(report).added, sheet
        found = prior(tracecheck.check(later, history=history, as_of=AS_OF))
    assert found[2]["earlier_row"] == "Agosto!2" and found[2]["earlier_request_id"] == "A-1"


def test_the_library_takes_a_store_by_path(tmp_path: Path) -> None:
    paths = write(tmp_path, march=MARCH, june=JUNE)
    with History(tmp_path / "etl.sqlite") as history:
        recorded(history, paths["march"])
    with pytest.raises(HistoryError, match="no history store at"):  # a path names a store to check against
        tracecheck.check(paths["june"], history=str(tmp_path / "typo.sqlite"), as_of=AS_OF)
    assert not (tmp_path / "typo.sqlite").exists()
    report = tracecheck.check(paths["june"], history=str(tmp_path / "etl.sqlite"), as_of=AS_OF)
    assert sorted(prior(report)) == [2, 3, 4, 5]
    with History(tmp_path / "etl.sqlite") as history:
        assert history.record(report).added


def test_a_row_with_a_serial_is_never_a_possible_copy_of_an_earlier_row_without_one(store_url: str,
                                                                                   tmp_path: Path) -> None:
    head = "Request ID,Agency,Manufacturer,Model,Caliber,Serial Number,Recovery Date\n"
    paths = write(tmp_path, earlier=head + "P-1,Policia,Glock,17,9MM,SIN MATRICULA,2024-03-01\n",
                  later=head + "".join(f"S-{k},SEDENA,Glock,17,9MM,C0343297{k},2024-03-01\n" for k in range(4)),
                  blank=head + "F-1,FGR,Glock,17,9MM,,2024-03-01\n")
    with History(store_url) as history:
        recorded(history, paths["earlier"])
        assert prior(recorded(history, paths["later"])) == {}
        # a row without a serial matches one of the serialled rows? no: four candidates, no single partner;
        # against the earlier blank row alone it would be a possible copy
        assert prior(tracecheck.check(paths["blank"], history=history, as_of=AS_OF)) == {}
        history.forget("2")
        assert [f["reason"] for f in prior(tracecheck.check(paths["blank"], history=history,
                                                            as_of=AS_OF)).values()] == ["possible"]


def test_a_store_at_an_older_revision_is_upgraded_keeping_its_batches(store_url: str, tmp_path: Path) -> None:
    """A store written at revision 0001 (no repeated_rows) opens upgraded to the newest revision: its
    batch is kept, with the new count unknown; batches recorded after carry it."""
    from alembic import command
    from alembic.config import Config

    from tracecheck.history.database import LOCATION
    from tracecheck.history.database import store_url as url_of

    engine = sa.create_engine(url_of(store_url))
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", LOCATION)
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(sa.text(
            "INSERT INTO batches (digest, source, recorded_at, as_of, tracecheck_version, rule_pack, stored_rows, "
            "rows, usable_serial, missing_import_marking, duplicate_rows, prior_duplicate_rows) VALUES "
            "(:d, 'old.csv', :t, '2026-01-01', '0.1.0', 'x', 0, 10, 9, 1, 2, 3)"),
            {"d": "ab" * 32, "t": dt.datetime(2026, 1, 2, tzinfo=dt.UTC)})
    paths = write(tmp_path, june=JUNE)
    with History(store_url) as history:
        recorded(history, paths["june"])
        trend = history.trend()
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0002"
    engine.dispose()
    assert trend["source"].tolist() == ["old.csv", "june.csv"]
    assert pd.isna(trend.loc[0, "repeated_share"]) and trend.loc[0, "prior_duplicate_share"] == 0.3
    assert trend.loc[1, "repeated_rows"] == 0


def test_repeated_rows_count_a_row_once_when_it_is_both_kinds(store_url: str, tmp_path: Path) -> None:
    head = "Request ID,Agency,Manufacturer,Model,Caliber,Serial Number,Recovery Date\n"
    paths = write(tmp_path, first=head + "P-1,Policia,Glock,19,9MM,ABX1234,2024-03-01\n",
                  again=head + "S-1,SEDENA,Glock,19,9MM,ABX1234,2024-03-01\nF-1,FGR,Glock,19,9MM,ABX-1234,2024-03-01\n")
    with History(store_url) as history:
        recorded(history, paths["first"])
        report = recorded(history, paths["again"])
        row = history.trend().iloc[-1]
    assert sorted(prior(report)) == [2, 3] and report.summary["duplicates"]["duplicate_rows"] == 2
    assert (row["duplicate_rows"], row["prior_duplicate_rows"], row["repeated_rows"]) == (2, 2, 2)
    assert row["repeated_share"] == 1.0
