"""The annotated workbook (.xlsx): Summary, Findings, Duplicates, the submitted Data and Technical.

``write_xlsx(view, fp)`` writes these sheets, named and labelled in the report's language:

* **Summary** - one printed page in plain words: what to fix before sending, the batch facts
  (nothing to correct in the sheet), traceability, duplicates, median ages, the findings per rule
  with what to do, and the agencies with the most to fix;
* **Findings** - one row per finding: a link to its cell in the Data sheet, row, column and header
  as submitted, whether it is to fix or a batch fact, the rule's title and fix hint (autofilter);
* **Duplicates** - one filterable table, one line per request in a duplicate group: the group, its
  kind and confidence, a link to the request's row, agency, request id, identifying fields and
  the evidence tying it to the group;
* **Data** - the cells as submitted at their own letters and row numbers (so a finding's "row 10,
  column G" is cell G10 here), each flagged cell filled by its worst severity and carrying a
  comment with its findings, tracecheck's per-row columns at the right; one Data sheet per sheet
  read when several were checked together;
* **Technical** - every summary number beside its JSON field, all listed agencies and worst rows,
  and the column mapping.

Every sheet prints landscape, fitted to the page width, with its header row repeated.

The workbook is written with XlsxWriter in constant_memory mode: rows go out in order, each
finished row is flushed to a temporary file, so memory stays flat however long the batch. Cell
comments are kept in memory until the workbook is closed and each one costs a VML shape (which
also slows Excel down), so batches over ``CAP_COMMENTS_ABOVE`` rows get comments on their first
``MAX_COMMENTS`` flagged cells only; every flagged cell keeps its fill, and the Summary sheet
says what was left out.

Text is always written as text: a submitted value such as ``=HYPERLINK(...)``, ``http://...``
or ``007`` is stored as a string cell, never as a formula, link or number (tracecheck.writers.cells,
style.Sheet).
"""

from __future__ import annotations

from typing import BinaryIO

from tracecheck.report.view import ReportView
from tracecheck.writers.xlsx import style
from tracecheck.writers.xlsx.data import data_sheets, flagged_cells
from tracecheck.writers.xlsx.layout import DataLayout
from tracecheck.writers.xlsx.sheets import MAX_GROUPS, duplicates_sheet, findings_sheet
from tracecheck.writers.xlsx.summary import summary_sheet
from tracecheck.writers.xlsx.technical import technical_sheet

CAP_COMMENTS_ABOVE = 50_000  # rows; larger batches get at most MAX_COMMENTS cell comments
# Cell comments kept in large batches: each is a VML shape, slow to write and to open in Excel; the rest get fills.
MAX_COMMENTS = 5_000


def write_xlsx(view: ReportView, fp: BinaryIO) -> None:
    """Write the report of ``view`` as an annotated workbook into the binary file object ``fp``.
    ValueError when the report does not hold the submitted cells (``report.source``)."""
    report, w = view.report, view.words
    if report.source is None:
        raise ValueError("write_xlsx needs report.source, the cells as submitted (tracecheck.check sets it)")
    names = [w.text("workbook", f"sheet_{k}") for k in ("summary", "findings", "duplicates", "technical")]
    layout = DataLayout.of(view, set(names))
    flagged = flagged_cells(view, layout)
    capped = report.batch["row_count"] > CAP_COMMENTS_ABOVE
    comment_budget = min(MAX_COMMENTS, len(flagged)) if capped else len(flagged)
    book = style.Book(fp)
    try:
        summary_sheet(book.sheet(names[0]), view, _omissions(view, len(flagged) - comment_budget, layout))
        findings_sheet(book.sheet(names[1]), view, layout)
        duplicates_sheet(book.sheet(names[2]), view, layout)
        data_sheets(book, view, layout, flagged, comment_budget)
        technical_sheet(book.sheet(names[3]), view)
        book.close()
    except BaseException:
        book.discard()
        raise


def _omissions(view: ReportView, comments_dropped: int, layout: DataLayout) -> list[str]:
    """What the workbook leaves out, said on the Summary sheet."""
    w, notes = view.words, []
    if comments_dropped > 0:
        notes.append(w.text("workbook", "comments_omitted", n=w.number(MAX_COMMENTS),
                            rows=w.number(CAP_COMMENTS_ABOVE)))
    shown = min(len(view.report.duplicates), MAX_GROUPS)
    if shown < len(view.report.duplicates):
        notes.append(w.text("workbook", "groups_omitted", sheet=w.text("workbook", "sheet_duplicates"),
                            n=w.number(shown), more=w.number(len(view.report.duplicates) - shown)))
    findings = len(view.report.findings)
    _, within = layout.place(view.report.source.frame.index.to_series())
    hidden = ((w.text("workbook", "sheet_findings"), findings - (style.last_row(findings) - 1)),
              (w.text("workbook", "sheet_data"), int((within == 0).sum())))
    for sheet, n in hidden:
        if n > 0:
            notes.append(w.text("workbook", "truncated", sheet=sheet, n=w.number(n)))
    return notes
