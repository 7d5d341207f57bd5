"""Command line: ``tracecheck check INPUT... [--out DIR] [--format json,csv] [--rules PACK] ...``.

Exit codes (documented in README, never renumbered): 0 no finding at or above --fail-on;
1 findings at or above it; 2 usage error (click's code: a bad or contradictory option value, a
selection that runs no rule, inputs whose reports would share names), unreadable input or bad rule
pack, or a check plugin that fails to load; 3 a report could not be written (init-pack: the pack file exists,
without --force); 70 an internal error (a bug: please report it); 128 + the
signal number when interrupted.
"""

from __future__ import annotations

import functools
import sys
import traceback
from pathlib import Path
from typing import TextIO

import click

from tracecheck import __version__
from tracecheck.catalogue import catalogue
from tracecheck.cli_history import _HISTORY, history, history_line, open_history
from tracecheck.cli_options import (
    _HEADER_ROW,
    _LANG,
    _LOCALE,
    _SHEET,
    _Group,
    _language,
    _parse_formats,
    _parse_limits,
    _parse_map,
    _split,
)
from tracecheck.cli_packs import init_pack
from tracecheck.cli_spark import spark_check
from tracecheck.errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, TracecheckError
from tracecheck.interrupt import interruptible
from tracecheck.stages import Stages


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tracecheck")
def main() -> None:
    """Check firearm trace-request spreadsheets before they are submitted."""


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--out", "out_dir", default=".", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the reports (<input stem>.report.json, .findings.csv, ...). Inputs whose reports "
                   "would share names are refused; the tool's own reports are skipped.")
@click.option("--format", "formats", default="json", show_default=True,
              help="Comma-separated report formats: json, xlsx (annotated workbook), html (page with "
                   "charts), csv (findings table), parquet (findings, rows, duplicate groups and pairs as four "
                   "Parquet tables, for data jobs), or all (every format but parquet).")
@_LANG
@_LOCALE
@click.option("--csv-delimiter", "csv_delimiter", type=click.Choice([",", ";", "tab"]), default=None,
              help="Delimiter of the findings csv (default: ';' for --lang es, as Spanish Excel expects, ',' "
                   "otherwise). The csv is UTF-8 with a byte-order mark, so Excel reads accents right.")
@click.option("--rules", "rules", default=None, help="Rule pack YAML (usually `extends: default`).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default="error",
              show_default=True, help="Exit 1 when any finding is at or above this severity.")
@_SHEET
@_HEADER_ROW
@click.option("--map", "maps", multiple=True, metavar='FIELD="Header"',
              help='Force a header for a field, e.g. --map serial_number="S/N #". Repeatable.')
@click.option("--dayfirst", is_flag=True, help="Read numeric dates day first (default: inferred per column).")
@click.option("--monthfirst", is_flag=True, help="Read numeric dates month first (not with --dayfirst).")
@click.option("--select", multiple=True, help="Only these rules: codes, prefixes (TC1), names or families.")
@click.option("--ignore", multiple=True, help="Skip these rules: codes, prefixes, names or families.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Reference date for future dates and two-digit years (default: today).")
@click.option("--limit", "limit_pairs", multiple=True, metavar="NAME=VALUE",
              help="Raise or lower a safety limit, e.g. --limit max_rows=10000000 (max_file_mb, max_unpacked_mb, "
                   "max_unpack_ratio, max_rows, max_columns, max_cell_chars).")
@click.option("--redact", is_flag=True,
              help="Replace purchaser and possessor names in every report with stable keyed hashes "
                   "(key from --redact-key or the TRACECHECK_REDACT_KEY environment variable; a key alone "
                   "turns this on).")
@click.option("--redact-key", default=None, envvar="TRACECHECK_REDACT_KEY", show_envvar=True,
              help="Secret for --redact, and implies it; the same key gives the same hash for the same name.")
@_HISTORY
@click.option("--record", is_flag=True, help="After each input is checked and its reports written, add it to the "
              "history store (--history's, else the default): later batches are checked against it.")
@click.option("--store-rows", "store_rows", is_flag=True,
              help="With --record, keep each row's submitted values in the store too (after --redact); by default "
                   "only the matching keys, sheet row and request id are kept, never names.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the summary.")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks for internal errors.")
def check(inputs, out_dir, formats, lang, locale, csv_delimiter, rules, fail_on, sheet, header_row, maps, dayfirst,
          monthfirst, select, ignore, as_of, limit_pairs, redact, redact_key, history, record, store_rows, quiet,
          debug):
    """Check each INPUT (a workbook: .xlsx, .xlsm, .xls, .xlsb, .ods; or text: .csv, .tsv, .txt) and
    write a report per input into --out."""
    from tracecheck.ruleset import load_pack

    fmt = _parse_formats(formats)
    language = _language(lang, locale)
    mapping = _parse_map(maps)
    limits = _parse_limits(limit_pairs)
    # a key has no other use: giving one (option or environment) redacts, rather than silently not
    redact = redact or bool(redact_key)
    if redact and not redact_key:
        raise click.BadParameter("needs a key: --redact-key SECRET or TRACECHECK_REDACT_KEY", param_hint="--redact")
    if dayfirst and monthfirst:
        raise click.UsageError("--dayfirst and --monthfirst contradict each other; give one (or neither: the "
                               "order is then inferred per column)")
    order = "dayfirst" if dayfirst else "monthfirst" if monthfirst else "auto"
    for option, values in (("--select", select), ("--ignore", ignore)):
        if values and not _split(values):
            raise click.BadParameter("names no rule; give codes (TC101), prefixes (TC1), names or families",
                                     param_hint=option)
    try:
        pack = load_pack(rules)
    except TracecheckError as exc:
        _fail(exc)
    selection = (_split(select), _split(ignore)) if (select or ignore) else ([], [])
    try:  # checked here; the check itself takes the whole pack and the selection (the traceable share
        # is computed from the identification rules whatever the selection: tracecheck.api.check)
        active = len((pack.with_selection(*selection) if (select or ignore) else pack).rules)
    except TracecheckError as exc:  # an unknown selector, or a selection that runs no rule
        raise click.UsageError(str(exc)) from None
    try:
        pack = pack.with_map(mapping) if mapping else pack
    except TracecheckError as exc:
        _fail(exc)
    if store_rows and not record:
        raise click.UsageError("--store-rows keeps rows in the history store: it needs --record")
    inputs = _inputs(inputs, catalogue(*language))
    worst = EXIT_OK
    path = None
    # only --record makes a store: checking against a mistyped path must not find "no prior duplicates"
    with interruptible() as stopped, open_history(history, record, create=record) as store:
        for path in inputs:
            code = _check_one(path, (pack, *selection, active), out_dir, (fmt, csv_delimiter), language, fail_on,
                              (sheet, header_row), order, as_of.date() if as_of else None, quiet, debug, limits,
                              redact_key if redact else None, (store, record, store_rows))
            worst = max(worst, code)
    if stopped:
        click.echo(f"tracecheck: {catalogue(*language).text('terminal', 'interrupted', path=path)}", err=True)
        sys.exit(128 + stopped[0])
    sys.exit(worst)


def _inputs(given: tuple[str, ...], words) -> list[str]:
    """The inputs to check: the tool's own reports skipped with a note each; a usage error when none
    is left, or when two inputs would write reports of the same names (the second would replace the
    first), before anything is read or written."""
    from tracecheck.inputs import own_reports, report_clash

    inputs, skipped = own_reports(given)
    for path, suffix in skipped:
        click.echo(f"tracecheck: {words.text('terminal', 'skipped_report', path=path, suffix=suffix)}", err=True)
    if not inputs:
        raise click.UsageError("every INPUT is a report tracecheck wrote; nothing to check")
    clash = report_clash(inputs)
    if clash:
        first, second, stem = clash
        raise click.UsageError(f"{first} and {second} would both write {stem}.report.* (report names ignore the "
                               f"extension and case); check them into different --out folders, or rename one")
    return inputs


def _check_one(path, rules, out_dir, output, language, fail_on, where, order, as_of, quiet, debug, limits,
               redact_key, history) -> int:
    """Check one input; ``rules`` is (the whole pack, --select list, --ignore list, rules that run);
    ``history`` (the open store or None, --record, --store-rows)."""
    sheet, header_row = where
    pack, selected, ignored, active = rules
    fmt, csv_delimiter = output
    store, record, store_rows = history
    from tracecheck.api import check as run_check
    from tracecheck.api import gc_paused
    from tracecheck.read import ALL_SHEETS
    from tracecheck.report.view import ReportView
    from tracecheck.writers import write_report
    from tracecheck.writers.text import summary_text

    try:
        with Stages(path, active + 3 + len(fmt) + (store is not None)) as step:
            report = run_check(path, pack, select=selected or None, ignore=ignored or None, sheet=sheet,
                               header_row=header_row, date_order=order, as_of=as_of,
                               lang=language[0], locale=language[1], limits=limits, redact_key=redact_key,
                               history=store, store_rows=store_rows, progress=step)
            with gc_paused():
                written = write_report(report, out_dir, fmt, csv_delimiter=csv_delimiter, progress=step)
            recorded = store.record(report) if record else None
    except TracecheckError as exc:
        click.echo(f"tracecheck: error: {exc}", err=True)
        return exc.exit_code
    except Exception as exc:  # a bug: one line, a distinct code, traceback only with --debug
        if debug:
            traceback.print_exc()
        click.echo(f"tracecheck: internal error while checking {path}: {type(exc).__name__}: "
                   f"{' '.join(str(exc).split())} (please report this)", err=True)
        return EXIT_INTERNAL
    if not quiet:
        click.echo(summary_text(ReportView(report), written, sheet_all=sheet == ALL_SHEETS), err=True)
        if recorded is not None:
            click.echo(history_line(recorded, catalogue(*language)), err=True)
    return EXIT_FINDINGS if report.has_findings_at(fail_on) else EXIT_OK


def _write_text(text: str, fp: TextIO) -> None:
    fp.write(text)


def _fail(exc: TracecheckError) -> None:
    click.echo(f"tracecheck: error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _pack(rules):
    from tracecheck.ruleset import load_pack

    try:
        return load_pack(rules)
    except TracecheckError as exc:
        _fail(exc)


@main.command("map")
@click.argument("input_path", metavar="INPUT")
@click.option("--rules", "rules", default=None, help="Rule pack YAML (default: the shipped pack).")
@_SHEET
@_HEADER_ROW
@click.option("--map", "maps", multiple=True, metavar='FIELD="Header"', help="Fix a field's header, as for check.")
@click.option("--out", "out_path", default=None, type=click.Path(dir_okay=False),
              help="Write the map: snippet (a rule pack) to this file instead of standard output.")
@click.option("--pack", "draft", is_flag=True,
              help="Draft a fuller pack: also columns: (aliases for headers found without being a known name) "
                   "and agency_aliases: (spellings of one agency in this sheet).")
def map_headers(input_path, rules, sheet, header_row, maps, out_path, draft):
    """Show how INPUT's headers map to the trace fields, with the evidence (on standard error), and
    print a pack with a map: that keeps this mapping (on standard output, or --out). INPUT is read as
    `check` reads it (the same sheet and header), so `check --rules` accepts the pack on that file.
    With --pack the pack also has header aliases and agency names drafted from INPUT."""
    from tracecheck.api import read_source
    from tracecheck.mapping import map_batch
    from tracecheck.mapping.draft import pack_draft
    from tracecheck.mapping.show import decision_table, map_snippet
    from tracecheck.mapping.table import expected_fields
    from tracecheck.writers import write_atomic

    mapping = _parse_map(maps)
    try:
        pack = _pack(rules)
        pack = pack.with_map(mapping) if mapping else pack
        raw = read_source(input_path, pack, sheet=sheet, header_row=header_row)
        decided = map_batch(raw, pack)
        snippet = map_snippet(decided, Path(input_path).name)
        if draft:
            agency = decided.header_for("agency")
            snippet = pack_draft(decided, Path(input_path).name, raw.frame[agency] if agency is not None else (),
                                 pack.reference.get("agency_aliases"))
        click.echo(decision_table(decided, raw.column_letters, expected_fields(pack)), err=True)
        if out_path:
            write_atomic(Path(out_path), functools.partial(_write_text, snippet))
        else:
            click.echo(snippet, nl=False)
    except TracecheckError as exc:
        _fail(exc)


@main.command("rules")
@click.option("--rules", "rules", default=None, help="Rule pack YAML (default: the shipped pack).")
@_LANG
@_LOCALE
def list_rules(rules, lang, locale):
    """List the rules of a pack: code, name, title, severity, family and one line on why."""
    from tracecheck.docs import rules_table

    words = catalogue(*_language(lang, locale))
    for line in rules_table(_pack(rules), words):
        click.echo(line)


def _explain(key, rules, lang, locale):
    from tracecheck.docs import rule_markdown

    words = catalogue(*_language(lang, locale))
    pack = _pack(rules)
    try:
        page = rule_markdown(pack.rule(key), words, pack=pack, shipped=_pack(None) if rules else None)
    except TracecheckError as exc:
        _fail(exc)
    click.echo(page, nl=False)


@main.command("explain")
@click.argument("key")
@click.option("--rules", "rules", default=None, help="Rule pack YAML (default: the shipped pack).")
@_LANG
@_LOCALE
def explain(key, rules, lang, locale):
    """Document one rule (by code or name): where it lives, why, fix, parameters, messages, bad/good example."""
    _explain(key, rules, lang, locale)


@main.command("rule", hidden=True)
@click.argument("key")
@click.option("--rules", "rules", default=None, help="Rule pack YAML (default: the shipped pack).")
@_LANG
@_LOCALE
def show_rule(key, rules, lang, locale):
    """Same as `explain` (kept for compatibility)."""
    _explain(key, rules, lang, locale)


@main.command("docs")
@click.option("--out", "out_dir", default="docs/rules", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the generated rule pages.")
@click.option("--schema", "schema_path", default=None, type=click.Path(dir_okay=False),
              help="Where to write the rule pack JSON Schema (default: rule-pack.schema.json beside --out).")
@click.option("--rules", "rules", default=None, help="Rule pack YAML (default: the shipped pack).")
def docs(out_dir, schema_path, rules):
    """Generate one Markdown page per rule (in English), plus an index, from the rule packs, and the
    JSON Schema of a rule pack file (for editors) from the pack models."""
    from tracecheck.docs import index_markdown, pack_schema_json, rule_markdown
    from tracecheck.writers import write_atomic

    words = catalogue("en")
    pack = _pack(rules)
    out = Path(out_dir)
    shipped = _pack(None) if rules else None
    pages = {f"{r.code}.md": rule_markdown(r, words, pack=pack, shipped=shipped) for r in pack.all_rules}
    pages["README.md"] = index_markdown(pack, words)
    schema = Path(schema_path) if schema_path else out.parent / "rule-pack.schema.json"
    try:
        for name, text in pages.items():
            write_atomic(out / name, functools.partial(_write_text, text))
        write_atomic(schema, functools.partial(_write_text, pack_schema_json()))
    except TracecheckError as exc:
        _fail(exc)
    click.echo(f"wrote {len(pages)} pages to {out} and the pack schema to {schema}", err=True)


main.add_command(history)
main.add_command(init_pack)
main.add_command(spark_check)
