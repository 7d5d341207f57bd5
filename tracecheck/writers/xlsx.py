"""The annotated workbook (.xlsx): Summary, Findings, Duplicates and the submitted Data.

``write_xlsx(report, fp)`` writes four sheets:

* **Summary** - batch facts, headline numbers (each with the JSON field it comes from, so it
  can be checked against the JSON report), age buckets and the findings per rule with why
  the rule matters;
* **Findings** - one row per finding with the rule's fix hint (autofilter, frozen header);
* **Duplicates** - one block per duplicate group: the member rows side by side, then each
  scored pair's explanation;
* **Data** - the cells as submitted, each flagged cell filled by its worst severity and
  carrying a comment with its findings, plus tracecheck's per-row columns at the right.

Batches over ``WRITE_ONLY_ABOVE`` rows are streamed with openpyxl's write-only mode. Fills,
comments, column widths, freeze panes and autofilters all work there too; what changes is
that cell comments stop after ``MAX_COMMENTS`` flagged cells (each comment costs memory and
a VML shape that slows Excel down), which the Summary sheet says.

Text is always written as text: a submitted value such as ``=HYPERLINK(...)`` is stored as a
string cell, never as a formula (see ``safe_cell_text`` and ``csv_safe``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO
from weakref import WeakKeyDictionary

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from tracecheck.findings import SEVERITY_RANK
from tracecheck.writers.i18n import WORKBOOK_LABELS

WRITE_ONLY_ABOVE = 50_000  # rows; larger batches are streamed (openpyxl write-only mode)
MAX_COMMENTS = 20_000  # cell comments kept in write-only mode; the rest of the flagged cells only get fills
MAX_SHEET_ROWS = 1_048_576  # Excel's limit per sheet, header row included
MAX_CELL_TEXT = 32_767  # Excel's limit per cell
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
STRONG_LEAD_MAX_DAYS = 3 * 365
UNUSABLE_SERIAL_RULES = ("TC101", "TC102")  # serial-missing, serial-malformed (at severity error)
IMPORT_MARKING_RULE = "TC110"
ADDED_COLUMNS = ("status", "request_age_days", "time_to_crime_days", "duplicate_group")
DUPLICATE_FIELDS = ("request_id", "agency", "serial_number", "manufacturer", "model", "caliber", "recovery_date")

FILLS = {sev: PatternFill("solid", start_color=rgb, end_color=rgb)
         for sev, rgb in (("error", "FFC7CE"), ("warning", "FFEB9C"), ("info", "DDEBF7"))}
HEADER_FILL = PatternFill("solid", start_color="D9D9D9", end_color="D9D9D9")
ADDED_FILL = PatternFill("solid", start_color="E2EFDA", end_color="E2EFDA")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
GREY = Font(color="808080", size=9)
NOTE_FONT = Font(italic=True)  # a label that carries a note

LABELS = WORKBOOK_LABELS  # the workbook's sheet names and labels, in tracecheck/writers/i18n.py


# --------------------------------------------------------------------------- safe text


def is_formula_like(value: Any) -> bool:
    """True for text a spreadsheet program could run as a formula (=, +, -, @, tab, CR first)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def safe_cell_text(value: Any) -> Any:
    """The value to put in a workbook cell: text loses the control characters XML cannot hold
    and is cut to Excel's 32,767 characters; other values pass unchanged. The text itself is
    kept exactly (no quote added): formula-like text is made safe by writing the cell with
    string type (``text_cell``), so it reads back as the same string."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)[:MAX_CELL_TEXT]
    return value


def csv_safe(value: Any) -> Any:
    """For csv output: formula-like text gets a leading single quote (the usual convention)."""
    return "'" + value if is_formula_like(value) else value


def text_cell(ws: Any, value: str) -> Cell:
    """A cell holding ``value`` as a string, even when it starts like a formula."""
    cell = WriteOnlyCell(ws)
    cell.value = value
    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    return cell


def _plain(value: Any) -> Any:
    """A pandas/numpy scalar as a value openpyxl can store (None when missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return _plain(value.item())
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    if isinstance(value, (str, int, float, bool, dt.date, dt.time, dt.timedelta)):
        return safe_cell_text(value)
    return safe_cell_text(str(value))


def _cell(ws: Any, value: Any, *, fill: PatternFill | None = None, font: Font | None = None,
          comment: str | None = None, number_format: str | None = None) -> Any:
    """A plain value when no styling is needed, else a Cell (styled, commented, or forced text)."""
    value = _plain(value)
    number_format = number_format or _date_format(value)
    if comment and fill is None and font is None:
        # A write-only sheet reuses an unstyled Cell for the next value of the row, comment and
        # all; a styled one it leaves alone. So a commented cell always has a style.
        font = NOTE_FONT
    if fill is None and font is None and comment is None and number_format is None and not is_formula_like(value):
        return value
    cell = Cell(ws, row=1, column=1, style_array=_style_array(ws, fill, font, number_format))
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"  # text, never a formula
    if comment:
        cell.comment = _comment(comment)
    return cell


def _date_format(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return "yyyy-mm-dd" if value.time() == dt.time() else "yyyy-mm-dd hh:mm:ss"
    if isinstance(value, dt.date):
        return "yyyy-mm-dd"
    return "hh:mm:ss" if isinstance(value, dt.time) else None


_STYLE_ARRAYS: WeakKeyDictionary = WeakKeyDictionary()  # workbook -> {(fill, font, format): StyleArray}


def _style_array(ws: Any, fill: PatternFill | None, font: Font | None, number_format: str | None) -> Any:
    """The style of a (fill, font, number format), looked up once per workbook: setting .fill
    on each cell hashes the fill every time (about 7% of the time on a 100,000-row batch)."""
    styles = _STYLE_ARRAYS.setdefault(ws.parent, {})
    key = (id(fill), id(font), number_format)  # fills and fonts are the module's constants
    if key not in styles:
        template = WriteOnlyCell(ws)
        if fill is not None:
            template.fill = fill
        if font is not None:
            template.font = font
        if number_format is not None:
            template.number_format = number_format
        styles[key] = template._style
    return styles[key]


def _comment(text: str) -> Comment:
    lines = text.splitlines() or [""]
    comment = Comment(safe_cell_text(text), "tracecheck")
    comment.width = min(480, max(200, 6 * max(map(len, lines))))
    comment.height = min(400, 22 + 16 * sum(1 + len(line) // 80 for line in lines))
    return comment


# --------------------------------------------------------------------------- entry point


def write_xlsx(report: Any, fp: BinaryIO, *, lang: str = "en") -> None:
    """Write ``report`` as an annotated workbook into the binary file object ``fp``."""
    if lang not in LABELS:
        raise ValueError(f"lang must be one of {', '.join(LABELS)}")
    if report.source is None:
        raise ValueError("write_xlsx needs report.source, the cells as submitted (tracecheck.check sets it)")
    labels = LABELS[lang]
    streaming = report.batch["row_count"] > WRITE_ONLY_ABOVE
    wb = Workbook(write_only=streaming)
    if not streaming:
        wb.remove(wb.active)
    flagged = _flagged_cells(report)
    comment_budget = MAX_COMMENTS if streaming else len(flagged)
    _summary_sheet(wb.create_sheet(labels["summary"]), report, labels,
                   _omissions(report, labels, len(flagged) - comment_budget))
    _findings_sheet(wb.create_sheet(labels["findings"]), report, labels)
    _duplicates_sheet(wb.create_sheet(labels["duplicates"]), report, labels)
    _data_sheet(wb.create_sheet(labels["data"]), report, labels, flagged, comment_budget)
    wb.save(fp)


def _omissions(report: Any, labels: dict, comments_dropped: int) -> list[str]:
    """What the workbook leaves out, said on the Summary sheet."""
    notes = []
    if comments_dropped > 0:
        notes.append(labels["comments_omitted"].format(n=f"{MAX_COMMENTS:,}", rows=f"{WRITE_ONLY_ABOVE:,}"))
    for key, n in ((labels["findings"], len(report.findings)), (labels["data"], len(report.source.frame))):
        if n > MAX_SHEET_ROWS - 1:
            notes.append(labels["truncated"].format(sheet=key, n=f"{n - (MAX_SHEET_ROWS - 2):,}"))
    return notes


def _setup(ws: Any, widths: Iterable[float], *, freeze: str | None = "A2") -> None:
    """Column widths and frozen panes: set before any row (write-only sheets need that)."""
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    if freeze:
        ws.freeze_panes = freeze


def _header(ws: Any, names: Iterable[str], fill: PatternFill = HEADER_FILL) -> list:
    return [_cell(ws, name, fill=fill, font=BOLD) for name in names]


def _last_row(n: int) -> int:
    """Sheet row of the last of ``n`` data rows under a header, within Excel's limit."""
    return n + 1 if n <= MAX_SHEET_ROWS - 1 else MAX_SHEET_ROWS - 1


def _capped(ws: Any, rows: Iterator[list], n: int, labels: dict) -> None:
    """Append rows up to Excel's sheet limit; say how many were left out."""
    room = MAX_SHEET_ROWS - 2  # header row + the "more rows" line
    for i, row in enumerate(rows):
        if i == room and n > room + 1:
            ws.append([_cell(ws, labels["more_rows"].format(n=f"{n - room:,}"), font=BOLD)])
            return
        ws.append(row)


# --------------------------------------------------------------------------- summary


def headline_numbers(report: Any) -> dict[str, Any]:
    """The derived headline numbers (not in the JSON summary): usable serials, missing import
    marking, strong leads and their share."""
    findings, rows = report.findings, report.rows
    bad = findings["rule"].isin(UNUSABLE_SERIAL_RULES) & findings["severity"].eq("error") & findings["row"].notna()
    bad_rows = set(findings.loc[bad, "row"].astype("int64"))
    later_duplicates = {r for g in report.duplicate_groups
                        if g["kind"] == "duplicate-request" and g["confidence"] == "flag" for r in g["rows"][1:]}
    ttc = rows["time_to_crime_days"].astype("float64")
    short = ((ttc >= 0) & (ttc <= STRONG_LEAD_MAX_DAYS)).to_numpy()
    row_numbers = rows["row"].astype("int64")
    usable = ~row_numbers.isin(bad_rows).to_numpy()
    strong = int((usable & ~row_numbers.isin(later_duplicates).to_numpy() & short).sum())
    n = len(rows)
    return {"usable_serial": int(usable.sum()),
            "import_missing": int(findings["rule"].eq(IMPORT_MARKING_RULE).sum()),
            "strong_leads": strong,
            "strong_share": round(strong / n, 4) if n else 0.0}


def _summary_sheet(ws: Any, report: Any, labels: dict, notes: list[str]) -> None:
    _setup(ws, (38, 22, 44, 14, 90), freeze=None)
    ws.append([_cell(ws, labels["title"], font=TITLE)])
    sections = (("batch", _batch_items), ("headline", _headline_items), ("dupes", _duplicate_items),
                ("ages", _age_items))
    for title, items in sections:
        ws.append([])
        ws.append([_cell(ws, labels[title], font=BOLD), None, _cell(ws, labels["json"], font=GREY)])
        for label, value, key, note in items(report, labels):
            fmt = "0.0%" if isinstance(value, float) and "share" in key else None
            ws.append([_cell(ws, label, comment=note), _cell(ws, value, number_format=fmt),
                       _cell(ws, key, font=GREY)])
    ws.append([])
    _by_rule_table(ws, report, labels)
    if notes:
        ws.append([])
        ws.append([_cell(ws, labels["notes"], font=BOLD)])
        for note in notes:
            ws.append([_cell(ws, note, fill=FILLS["warning"])])


# Summary items: (label, value, JSON field - or how a derived number is computed, cell note).

def _batch_items(report: Any, labels: dict) -> list[tuple]:
    b, p = report.batch, report.rule_pack
    facts = [("file", "source"), ("sheet", "sheet"), ("sha256", "sha256"), ("rows", "row_count"),
             ("as_of", "as_of"), ("checked_at", "checked_at"), ("version", "tracecheck_version")]
    return [*[(labels[label], b[key], f"batch.{key}", None) for label, key in facts],
            (labels["pack"], p["name"], "rule_pack.name", None),
            (labels["pack_version"], p["version"], "rule_pack.version", None)]


def _headline_items(report: Any, labels: dict) -> list[tuple]:
    s, derived = report.summary, headline_numbers(report)
    serial_how = f"rows - rows with a {'/'.join(UNUSABLE_SERIAL_RULES)} error"
    strong_how = (f"Strong lead: a row with a usable serial (no {' or '.join(UNUSABLE_SERIAL_RULES)} error), "
                  f"not a later member of a flagged duplicate-request group (the group's first row counts), "
                  f"with time-to-crime known and between 0 and {STRONG_LEAD_MAX_DAYS} days (3 years). "
                  f"Share = strong leads / requests.")
    severities = (("errors", "error"), ("warnings", "warning"), ("infos", "info"))
    return [(labels["requests"], s["rows"], "summary.rows", None),
            (labels["n_findings"], s["findings"], "summary.findings", None),
            *[(labels[k], s["by_severity"][sev], f"summary.by_severity.{sev}", None) for k, sev in severities],
            *[(labels[k], s[k], f"summary.{k}", None)
              for k in ("batch_errors", "rows_with_errors", "rows_with_warnings")],
            (labels["usable_serial"], derived["usable_serial"], serial_how, None),
            (labels["import_missing"], derived["import_missing"], f"{IMPORT_MARKING_RULE} findings", None),
            (labels["obliterated"], s["rows_obliterated"], "summary.rows_obliterated", None),
            (labels["traceable"], s["rows_traceable"], "summary.rows_traceable", None),
            (labels["traceable_share"], s["traceable_share"], "summary.traceable_share", None),
            (labels["strong_leads"], derived["strong_leads"], "strong leads (see note)", strong_how),
            (labels["strong_share"], derived["strong_share"], "strong leads / requests: share", strong_how)]


def _duplicate_items(report: Any, labels: dict) -> list[tuple]:
    d = report.summary["duplicates"]
    kinds = (("dr_groups", "duplicate-request"), ("rr_groups", "re-recovery"), ("pd_groups", "possible-duplicate"))
    counts = (("review_groups", "review_groups"), ("duplicate_rows", "duplicate_rows"),
              ("after_dupes", "requests_after_removing_duplicates"))
    return [*[(labels[k], d["groups"][kind], f"summary.duplicates.groups.{kind}", None) for k, kind in kinds],
            *[(labels[k], d[key], f"summary.duplicates.{key}", None) for k, key in counts]]


def _age_items(report: Any, labels: dict) -> list[tuple]:
    s, items = report.summary, []
    for metric, counts in s["age_buckets"].items():
        items += [(f"{metric}: {bucket}", n, f"summary.age_buckets.{metric}.{bucket}", None)
                  for bucket, n in counts.items()]
        items.append((f"{metric}: {labels['median']}", s["age_medians_days"][metric],
                      f"summary.age_medians_days.{metric}", None))
    return items


def _by_rule_table(ws: Any, report: Any, labels: dict) -> None:
    ws.append([_cell(ws, labels["by_rule"], font=BOLD)])
    ws.append(_header(ws, [labels[k] for k in ("rule", "count", "name", "severity", "why")]))
    why = _why_texts()
    for item in report.summary["by_rule"]:
        ws.append([item["rule"], item["count"], item["name"],
                   _cell(ws, item["severity"], fill=FILLS.get(item["severity"])), why.get(item["rule"], "")])


def _why_texts() -> dict[str, str]:
    """Each rule's ``why`` from the default pack, cut to its first sentence."""
    from tracecheck.ruleset import load_pack

    texts = {}
    for rule in load_pack().all_rules:
        text = " ".join((rule.why or "").split())
        texts[rule.code] = re.split(r"(?<=[.!?])\s+", text, maxsplit=1)[0]
    return texts


# --------------------------------------------------------------------------- findings


FINDING_SHEET_COLUMNS = ("row", "column", "field", "value", "rule", "name", "severity", "message", "fix")
FINDING_WIDTHS = (8, 8, 18, 28, 8, 26, 10, 80, 70)


def _findings_sheet(ws: Any, report: Any, labels: dict) -> None:
    findings = report.findings
    last = get_column_letter(len(FINDING_SHEET_COLUMNS))
    _setup(ws, FINDING_WIDTHS)
    ws.auto_filter.ref = f"A1:{last}{_last_row(len(findings))}"
    ws.append(_header(ws, [labels[k] for k in FINDING_SHEET_COLUMNS]))
    fixes = {r["rule"]: r.get("fix") for r in report.rule_pack["rules"]}
    columns = [findings[k].astype(object).to_numpy() for k in FINDING_SHEET_COLUMNS[:-1]]
    rows = (_finding_row(ws, values, fixes) for values in zip(*columns))
    _capped(ws, rows, len(findings), labels)


def _finding_row(ws: Any, values: tuple, fixes: dict[str, str | None]) -> list:
    *plain, severity, message = values  # row, column, field, value, rule, name
    return [*(_cell(ws, v) for v in plain), _cell(ws, severity, fill=FILLS.get(severity)), _cell(ws, message),
            _cell(ws, fixes.get(plain[4]))]


# --------------------------------------------------------------------------- duplicates


def _duplicates_sheet(ws: Any, report: Any, labels: dict) -> None:
    groups = report.duplicate_groups
    widths = max((len(g["rows"]) for g in groups), default=2)
    _setup(ws, (16, *[24] * widths, 100), freeze=None)
    if not groups:
        ws.append([labels["no_groups"]])
    for group in groups:
        for row in _group_block(ws, group, report, labels):
            ws.append(row)
        ws.append([])


def _group_block(ws: Any, group: dict, report: Any, labels: dict) -> Iterator[list]:
    """Header line, the members side by side (one column each), then each pair's explanation."""
    fill = FILLS["warning"] if group["confidence"] == "flag" else FILLS["info"]
    yield [_cell(ws, group["id"], font=BOLD, fill=fill), _cell(ws, group["kind"], fill=fill),
           _cell(ws, group["confidence"], fill=fill), _cell(ws, group["score"], fill=fill)]
    yield [_cell(ws, labels["row"], font=BOLD), *[_cell(ws, r, font=BOLD) for r in group["rows"]]]
    canonical = report.canonical
    for name in DUPLICATE_FIELDS:
        values = [_member_value(canonical, row, name) for row in group["rows"]]
        yield [_cell(ws, name, font=BOLD), *[_cell(ws, v) for v in values]]
    for pair in group["pairs"]:
        a, b = pair["rows"]
        yield [_cell(ws, f"{labels['pair']} {a}-{b}"), pair["score"], _cell(ws, pair["explanation"])]


def _member_value(canonical: pd.DataFrame | None, row: int, name: str) -> Any:
    """A member's canonical value; for a date, the parsed date or else the text as submitted."""
    if canonical is None or name not in canonical.columns or row not in canonical.index:
        return None
    value = _plain(canonical.at[row, name])
    if value is None and f"{name}__raw" in canonical.columns:
        value = _plain(canonical.at[row, f"{name}__raw"])
    if isinstance(value, dt.datetime) and value == dt.datetime.combine(value.date(), dt.time()):
        value = value.date()
    return value


# --------------------------------------------------------------------------- data


def _flagged_cells(report: Any) -> dict[tuple[int, int], tuple[str, list[str]]]:
    """(sheet row, position in the source frame) -> (worst severity, comment lines). A finding on a
    row but on no submitted column (or on a column letter no header has) goes on the Row cell (-1)."""
    findings = report.findings
    findings = findings[findings["row"].notna()]
    letters = report.source.column_letters
    position = {letters[h]: i for i, h in enumerate(report.source.frame.columns) if h in letters}
    cells: dict[tuple[int, int], tuple[str, list[str]]] = {}
    lines = (findings["rule"] + " " + findings["name"] + ": " + findings["message"]).to_numpy(dtype=object)
    keys = zip(findings["row"].astype("int64").to_numpy(), findings["column"].astype(object).to_numpy(),
               findings["severity"].to_numpy(dtype=object), lines)
    for row, letter, severity, line in keys:
        key = (int(row), position.get(letter, -1))
        worst, texts = cells.get(key, (severity, []))
        if SEVERITY_RANK[severity] > SEVERITY_RANK[worst]:
            worst = severity
        texts.append(line)
        cells[key] = (worst, texts)
    return cells


def _data_sheet(ws: Any, report: Any, labels: dict, flagged: dict, comment_budget: int) -> None:
    frame = report.source.frame
    added = report.rows.set_index("row").reindex(frame.index)[list(ADDED_COLUMNS)]
    _setup(ws, (7, *_data_widths(frame), 10, 12, 12, 14), freeze="B2")
    last = get_column_letter(len(frame.columns) + len(ADDED_COLUMNS) + 1)
    ws.auto_filter.ref = f"A1:{last}{_last_row(len(frame))}"
    ws.append([*_header(ws, [labels["row"], *frame.columns]), *_header(ws, ADDED_COLUMNS, ADDED_FILL)])
    budget = [comment_budget]  # comments left to write (write-only mode caps them)
    rows = (_data_row(ws, values, extra, flagged, budget)
            for values, extra in zip(frame.itertuples(name=None), added.itertuples(index=False, name=None)))
    _capped(ws, rows, len(frame), labels)


def _data_row(ws: Any, values: tuple, extra: tuple, flagged: dict, budget: list[int]) -> list:
    """Row number, the submitted cells (flagged ones filled and commented), then the added columns."""
    row = values[0]
    out = []
    for i, value in enumerate(values, -1):  # -1: the Row cell
        mark = flagged.get((row, i))
        if mark is None:
            out.append(_cell(ws, value))
            continue
        budget[0] -= 1
        out.append(_cell(ws, value, fill=FILLS[mark[0]], comment="\n".join(mark[1]) if budget[0] >= 0 else None))
    status = extra[0]
    return [*out, _cell(ws, status, fill=FILLS.get(status)), *(_cell(ws, v) for v in extra[1:])]


def _data_widths(frame: pd.DataFrame, sample: int = 200) -> list[float]:
    """Width per submitted column from its header and the first rows' text, 8 to 40 characters."""
    head = frame.head(sample)
    widths = []
    for i, name in enumerate(frame.columns):
        longest = head.iloc[:, i].map(lambda v: len(str(v)) if _plain(v) is not None else 0).max()
        widths.append(min(40, max(8, len(str(name)) + 2, (0 if pd.isna(longest) else longest) + 2)))
    return widths
