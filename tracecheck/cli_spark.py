"""``tracecheck spark-check INPUT... --out DIR``: the checks on Apache Spark (tracecheck.spark), for
archives too large for one process. Needs the extra: ``pip install 'tracecheck[spark]'`` and Java 17.

Each INPUT (a csv file, read as text with its header, or a Parquet file or directory) is one batch.
DIR gets ``findings/`` and ``rows/`` as Parquet, partitioned by ``batch`` (the input's file name) or
by ``agency`` (``--partition-by agency``), and ``summary.json`` (per batch: the summary and what
the driver decided). Runs on a local Spark (``local[*]``) unless ``--master`` names a cluster.
Exit codes as for ``check``: 0, 1 when a batch has findings at ``--fail-on``, 2 a usage error (a
missing input, a bad pack, no pyspark or no Java), 3 the output cannot be written.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from tracecheck.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, EXIT_WRITE, TracecheckError

LEVELS = {"error": ("error",), "warning": ("error", "warning"), "info": ("error", "warning", "info"), "never": ()}


def session(master: str | None, app: str = "tracecheck") -> Any:
    """A Spark session on ``master`` (default local[*]) whose Python workers run this interpreter."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.appName(app).master(master or "local[*]")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               # Spark 4 reads only a few charsets by name (windows-1252 is not one) unless Java's are allowed
               .config("spark.sql.legacy.javaCharsets", "true"))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


# Python codec names (tracecheck.read.decode) as Java charsets (Spark's csv reader)
_CHARSETS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1252": "windows-1252", "utf-16": "UTF-16",
             "utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE", "latin-1": "ISO-8859-1"}


def _read(spark: Any, path: Path) -> Any:
    """The batch in ``path`` as a Spark DataFrame: Parquet as stored; csv as text with its header, in
    the encoding and with the delimiter tracecheck's own csv reader would detect."""
    if path.is_dir() or path.suffix.lower() == ".parquet":
        return spark.read.parquet(str(path))
    if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        _fail(f"{path}: spark-check reads csv and Parquet; check a workbook with 'tracecheck check'", EXIT_USAGE)
    from tracecheck.read.csv import sniff_csv

    with path.open("rb") as handle:
        encoding, delimiter = sniff_csv(handle.read(1 << 16), str(path))
    # text as written (no type inference: "007" stays "007"); quoted values may hold line breaks
    frame = spark.read.csv(str(path), header=True, inferSchema=False, multiLine=True, escape='"', sep=delimiter,
                           encoding=_CHARSETS.get(encoding.lower(), encoding))
    return frame.toDF(*[str(c).lstrip("\ufeff") for c in frame.columns])  # a byte-order mark is no header text


@click.command("spark-check")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for findings/, rows/ (Parquet) and summary.json.")
@click.option("--master", default=None, help="Spark master URL (default: local[*]).")
@click.option("--partition-by", type=click.Choice(["batch", "agency"]), default="batch", show_default=True)
@click.option("--rules", "rules", default=None, type=click.Path(dir_okay=False, path_type=Path), help="Rule pack.")
@click.option("--lang", type=click.Choice(["en", "es"]), default="en", show_default=True)
@click.option("--as-of", default=None, help="Reference date (YYYY-MM-DD); default today.")
@click.option("--select", default=None, help="Rules to run (codes, prefixes, names, families).")
@click.option("--ignore", default=None, help="Rules to skip.")
@click.option("--dayfirst", "date_order", flag_value="dayfirst", default=None)
@click.option("--monthfirst", "date_order", flag_value="monthfirst")
@click.option("--fail-on", type=click.Choice(list(LEVELS)), default="error", show_default=True)
def spark_check(inputs: tuple[Path, ...], out_dir: Path, master: str | None, partition_by: str, rules: Path | None,
                lang: str, as_of: str | None, select: str | None, ignore: str | None, date_order: str | None,
                fail_on: str) -> None:
    """Check csv or Parquet batches on Apache Spark; write findings and rows as Parquet."""
    _refuse(inputs)
    try:
        import pyspark  # noqa: F401
    except ImportError:
        _fail("spark-check needs pyspark: pip install 'tracecheck[spark]'", EXIT_USAGE)
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _fail("spark-check needs Java 17 or later (apt-get install openjdk-17-jre-headless)", EXIT_USAGE)
    from tracecheck import spark as engine

    spark = session(master)
    summaries, failing, results = {}, False, []
    for path in inputs:
        try:
            result = engine.check(_read(spark, path), os.fspath(rules) if rules else None, date_order=date_order
                                  or "auto", select=select, ignore=ignore, as_of=as_of, lang=lang, name=path.name,
                                  progress=_stage_log())
        except (TracecheckError, ValueError) as exc:
            _fail(" ".join(str(exc).split()), getattr(exc, "exit_code", EXIT_USAGE))
        except Exception as exc:  # Spark's own errors (a file it cannot read, a lost executor): one line
            if not _from_spark(exc):
                raise
            _fail(f"{path}: Spark could not read or check it: {_first_line(exc)}", EXIT_USAGE)
        results.append((path.name, result))
        summaries[path.name] = {"batch": result.batch, "summary": result.summary}
        failing |= any(result.summary["by_severity"][s] for s in LEVELS[fail_on])
    _write(results, summaries, out_dir, partition_by)
    for name, result in results:
        s = result.summary
        click.echo(f"{name}: {s['rows']} rows, {s['by_severity']['error']} errors, "
                   f"{s['by_severity']['warning']} warnings, {s['by_severity']['info']} info; "
                   f"traceable {s['traceable_share']:.1%}")
    click.echo(f"written: {out_dir}")
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)


def _refuse(inputs: tuple[Path, ...]) -> None:
    """Exit 2 (one line) on an input Spark cannot take as a batch, before Spark starts: a missing
    path, an empty file, a directory without Parquet files, two inputs of one name (one batch name)."""
    seen: dict[str, Path] = {}
    for path in inputs:
        if not path.exists():
            _fail(f"{path}: no such file or directory", EXIT_USAGE)
        if path.is_file() and path.stat().st_size == 0:
            _fail(f"{path}: empty file (0 bytes): nothing to check", EXIT_USAGE)
        if path.is_dir() and not any(path.rglob("*.parquet")):
            _fail(f"{path}: a directory is read as a Parquet dataset and this one holds no .parquet file; "
                  "name the csv files instead", EXIT_USAGE)
        if path.name in seen:
            _fail(f"{seen[path.name]} and {path}: both would be batch {path.name!r} (the file name names the "
                  "batch); rename one", EXIT_USAGE)
        seen[path.name] = path


def _stage_log() -> Any:
    """With TRACECHECK_STAGE_LOG set (tracecheck.stages), a callback appending ``stage<TAB>seconds<TAB>MB``
    per Spark stage (seconds since the check began, peak RSS of this driver process): for benchmarks."""
    import resource
    import time

    from tracecheck.stages import STAGE_LOG

    path, start = os.environ.get(STAGE_LOG), time.monotonic()
    if not path:
        return None

    def log(stage: str) -> None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"spark:{stage}\t{time.monotonic() - start:.2f}\t{peak:.0f}\n")
    return log


def _from_spark(exc: Exception) -> bool:
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    return isinstance(exc, (PySparkException, Py4JError))


def _first_line(exc: Exception) -> str:
    """The first telling line of a Spark error (Java's own message when Py4J wraps it), at most 300
    characters."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    told = [line for line in lines if not line.startswith("An error occurred while calling")]
    return (told or lines or [type(exc).__name__])[0][:300]


def _write(results: list, summaries: dict, out_dir: Path, partition_by: str) -> None:
    """Both tables and the summary, into a temporary directory beside ``out_dir`` first, then moved in:
    a reader never sees half a report."""
    from pyspark.sql import functions as F

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for table in ("findings", "rows"):
            frames = []
            for name, result in results:
                frame = getattr(result, table).withColumn("batch", F.lit(name))
                if partition_by == "agency" and table == "findings":
                    agency = result.rows.select(F.col("row").alias("_r"), "agency")
                    frame = frame.join(agency, frame["row"] == agency["_r"], "left").drop("_r")
                frames.append(frame)
            joined = frames[0]
            for frame in frames[1:]:
                joined = joined.unionByName(frame)
            joined.write.partitionBy(partition_by).parquet(str(staging / table))
        (staging / "summary.json").write_text(json.dumps(summaries, indent=2, ensure_ascii=False), encoding="utf-8")
        out_dir.mkdir(parents=True, exist_ok=True)
        for item in ("findings", "rows", "summary.json"):
            target = out_dir / item
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(staging / item, target)
    except OSError as exc:
        _fail(f"{out_dir}: cannot write the report ({exc.strerror or exc})", EXIT_WRITE)
    except Exception as exc:  # Spark's writer failed (a partition value too long for a directory name, a full disk)
        if not _from_spark(exc):
            raise
        _fail(f"{out_dir}: Spark could not write the report: {_first_line(exc)}", EXIT_WRITE)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _fail(message: str, code: int) -> None:
    click.echo(f"tracecheck: {message}", err=True)
    sys.exit(code)
