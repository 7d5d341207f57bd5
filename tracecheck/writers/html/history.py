"""The page's "Compared with earlier batches" section, shown when the batch was checked with a history
store (``batch.history``): the store and its counts, one sentence comparing this batch with the
earlier ones, and a small inline SVG chart, one row per batch (the earlier ones oldest first, then
this batch, highlighted): the share of usable serials, and the share of repeated requests (rows in a
duplicate-request group, then the other rows repeating an earlier batch's request, stacked: each
row once), on a 0-100% axis.

Every number comes from the report view (``ReportView.history``): a JSON value is tagged
``data-metric`` with its path, a number the view works out ``data-derived`` with its name there.
"""

from __future__ import annotations

from typing import Any

from tracecheck.catalogue import Catalogue
from tracecheck.report.compare import BatchPoint, Comparison
from tracecheck.report.view import ReportView
from tracecheck.writers.html.charts import CHAR_W, e, metric

WIDTH, ROW_H, BAR_H, AXIS_H, LABEL_CHARS = 400, 30, 10, 18, 22
SERIES = ("h-usable", "h-dup", "h-prior")  # css classes: usable serials, duplicates within, repeats of earlier


def history_section(view: ReportView) -> str:
    """The section ("" when the batch was checked without a history store)."""
    found, w = view.history, view.words
    if found is None:
        return ""
    facts = [(_t(w, "history_store"), e(found.store)),
             (_t(w, "history_batches"), metric(w, "batch.history.batches", found.batches)),
             (_t(w, "history_requests"), metric(w, "batch.history.requests", found.requests))]
    items = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts)
    parts = [f'<dl class="facts">{items}</dl>']
    if not found.previous:
        parts.append(f'<p>{_t(w, "history_first")}</p>')
    else:
        if found.recorded:
            parts.append(f'<p class="note">{_t(w, "history_recorded")}</p>')
        parts.append(f"<p>{_sentence(w, found)}</p>")
        parts.append(f"<figure>{_chart(w, found)}{_legend(w)}</figure>")
    return f'<section id="history"><h2>{_t(w, "history")}</h2>{"".join(parts)}</section>'


def _t(w: Catalogue, key: str, **values: Any) -> str:
    return e(w.text("page", key, **values))


def _sentence(w: Catalogue, found: Comparison) -> str:
    """ "Usable serials: 82.0% in this batch, 76.0% on average in the 12 batches before; ..." with each
    percentage tagged. The text is escaped first, then each placeholder's tagged number put in."""
    this = found.this
    numbers = {"usable": _share(w, this, "usable_serial_share"),
               "usable_before": _derived(w, "history.usable_average", found.usable_average),
               "repeat": _share(w, this, "repeat_share"),
               "repeat_before": _derived(w, "history.repeat_average", found.repeat_average)}
    marks = {name: f"\x00{name}\x00" for name in numbers}
    text = _t(w, "history_sentence", n=len(found.previous), **marks)
    for name, html in numbers.items():
        text = text.replace(marks[name], html)
    return text


def _share(w: Catalogue, point: BatchPoint, field: str, css: str = "num", tag: str = "span") -> str:
    """A share of a batch as a percentage, tagged: its JSON path for an earlier batch's numbers and this
    batch's usable serials (``summary.usable_serial_share``), else its name in the view."""
    value = getattr(point, field)
    if point.path is not None and field != "repeat_share":
        return metric(w, f"{point.path}.{field}", value, _percent(w, value), css=css, tag=tag)
    if point.this and field == "usable_serial_share" and value is not None:
        return metric(w, "summary.usable_serial_share", value, _percent(w, value), css=css, tag=tag)
    return _derived(w, f"history.{point.key}.{field}", value, css, tag)


def _derived(w: Catalogue, name: str, value: float | None, css: str = "num", tag: str = "span") -> str:
    return metric(w, name, value, _percent(w, value), css=css, tag=tag, attr="data-derived")


def _percent(w: Catalogue, value: float | None) -> str:
    return "—" if value is None else w.percent(value)


# ---------------------------------------------------------------------------------------------
# the chart


def _chart(w: Catalogue, found: Comparison) -> str:
    labels = [_label(w, p) for p in found.points]
    chars = min(LABEL_CHARS, max(len(line) for label in labels for line in label))
    x0 = round(chars * CHAR_W) + 10
    span = WIDTH - x0 - 58  # room for "100.0%" (or "100,0 %") after a full bar
    height = AXIS_H + len(found.points) * ROW_H + 4
    title = w.text("page", "history_chart")
    out = [f'<svg class="chart history" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{e(title)}">'
           f"<title>{e(title)}</title>"]
    for share in (0, 0.5, 1):
        x = x0 + share * span
        anchor = "start" if share == 0 else "end" if share == 1 else "middle"
        out.append(f'<line class="grid" x1="{x:.1f}" y1="{AXIS_H - 4}" x2="{x:.1f}" y2="{height - 2}"/>'
                   f'<text class="axis" x="{x:.1f}" y="11" text-anchor="{anchor}">{e(w.percent(share, 0))}</text>')
    for i, (point, label) in enumerate(zip(found.points, labels)):
        out.append(_row(w, point, label, chars, AXIS_H + i * ROW_H, x0, span))
    out.append("</svg>")
    return "".join(out)


def _label(w: Catalogue, point: BatchPoint) -> tuple[str, str]:
    """Two lines: an earlier batch's file name over the day it was recorded; "this batch" over its file name."""
    if point.this:
        return w.text("page", "this_batch"), point.source
    return point.source, (point.recorded_at or "")[:10]


def _row(w: Catalogue, point: BatchPoint, label: tuple[str, str], chars: int, y: int, x0: int, span: float) -> str:
    top, below = (_cut(line, chars) for line in label)
    tip = w.text("page", "history_tip", rows=point.rows, usable=_percent(w, point.usable_serial_share),
                 duplicates=_percent(w, point.duplicate_share), prior=_percent(w, point.prior_duplicate_share))
    named = " ".join(part for part in (*label, f"({point.batch})" if point.batch else "") if part)
    this = point.this
    band = f'<rect class="this" x="0" y="{y}" width="{WIDTH}" height="{ROW_H}"/>' if this else ""
    usable = _bars(((point.usable_serial_share, SERIES[0]),), x0, y + 4, span)
    earlier_only = None if point.repeat_share is None else max(point.repeat_share - (point.duplicate_share or 0.0), 0.0)
    repeat = _bars(((point.duplicate_share, SERIES[1]), (earlier_only, SERIES[2])), x0, y + 16, span)
    return (f'<g class="{"this" if this else "earlier"}"><title>{e(named)}: {e(tip)}</title>{band}'
            f'<text x="{x0 - 6}" y="{y + 13}" text-anchor="end">{e(top)}</text>'
            f'<text class="sub" x="{x0 - 6}" y="{y + 25}" text-anchor="end">{e(below)}</text>'
            f'{usable[0]}<text class="val" x="{usable[1] + 4:.1f}" y="{y + 13}">'
            f'{_share(w, point, "usable_serial_share", css="v", tag="tspan")}</text>'
            f'{repeat[0]}<text class="val" x="{repeat[1] + 4:.1f}" y="{y + 25}">'
            f'{_share(w, point, "repeat_share", css="v", tag="tspan")}</text></g>')


def _cut(text: str, chars: int) -> str:
    """``text`` in at most ``chars`` characters, cut in the middle: monthly files differ at the end
    ("solicitu…_2026_03.xlsx")."""
    if len(text) <= chars:
        return text
    head = chars // 3
    return text[:head] + "…" + text[len(text) - (chars - head - 1):]


def _bars(parts: tuple[tuple[float | None, str], ...], x0: int, y: int, span: float) -> tuple[str, float]:
    """Stacked bars of shares (0-1) from ``x0``, none past 100%; and where they end."""
    rects, x = [], float(x0)
    for share, css in parts:
        width = min(max(share or 0.0, 0.0) * span, x0 + span - x)
        if width > 0:
            rects.append(f'<rect class="{css}" x="{x:.1f}" y="{y}" width="{max(width, 1.5):.1f}" height="{BAR_H}"/>')
            x += width
    return "".join(rects), x


def _legend(w: Catalogue) -> str:
    keys = "".join(f'<span><i class="sw {css}"></i>{_t(w, key)}</span>'
                   for css, key in zip(SERIES, ("history_usable", "history_duplicates", "history_prior")))
    return f'<figcaption class="legend">{keys}</figcaption>'
