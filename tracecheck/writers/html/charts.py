"""Horizontal bar charts as inline SVG that scale to their box (viewBox, width 100%)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any

from tracecheck.catalogue import Catalogue

CHART_W, CHAR_W, BAR_H = 400, 6.6, 14


def e(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return escape("" if value is None else str(value), quote=True)


def metric(words: Catalogue, path: str, value: Any, text: str | None = None, css: str = "num",
           tag: str = "span", attr: str = "data-metric") -> str:
    """A number from the report, tagged with its JSON path and JSON value (``data-metric``,
    ``data-value``) so a test or a script can check it against the JSON report. A number the report
    view works out from the report (not a JSON value) is tagged ``data-derived`` instead, with the
    name the view gives it."""
    shown = words.number(value) if text is None else text
    return (f'<{tag} class="{css}" {attr}="{e(path)}" data-value="{e(json.dumps(value))}">'
            f"{shown}</{tag}>")


@dataclass
class Bar:
    label: str  # raw text: escaped when drawn
    parts: list[tuple[int, str]]  # (value, css class), stacked left to right
    metric: str | None = None  # data-metric of the value label (a single-part bar from the summary)


def svg_bars(words: Catalogue, title: str, bars: list[Bar], *, above: bool = False) -> str:
    """A bar chart; ``above`` puts each label on its own line over the bar: for long labels (rules, agencies)."""
    width = 480 if above else CHART_W
    chars = 70 if above else min(22, max((len(b.label) for b in bars), default=0))
    x0 = 0 if above else round(chars * CHAR_W) + 8
    row_h = 32 if above else 22
    span = width - x0 - 56
    top = max((sum(v for v, _ in b.parts) for b in bars), default=0) or 1
    out = [(f'<svg class="chart" viewBox="0 0 {width} {len(bars) * row_h + 4}" role="img" '
            f'aria-label="{e(title)}"><title>{e(title)}</title>')]
    for i, bar in enumerate(bars):
        y = i * row_h + 2
        label_at = (0, y + 11, "start") if above else (x0 - 6, y + 12, "end")
        out.append(_svg_bar(words, bar, label_at, y + 14 if above else y + 1, x0, span / top, chars))
    out.append("</svg>")
    return "".join(out)


def _svg_bar(words: Catalogue, bar: Bar, label_at: tuple[int, int, str], y: int, x0: int, scale: float,
             chars: int) -> str:
    text = bar.label if len(bar.label) <= chars else bar.label[:chars - 1] + "…"
    rects, x = [], float(x0)
    for value, css in bar.parts:
        if value:
            width = max(value * scale, 1.5)
            rects.append(f'<rect class="{e(css)}" x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_H}"/>')
            x += width
    total = sum(v for v, _ in bar.parts)
    shown = metric(words, bar.metric, total, tag="tspan") if bar.metric else words.number(total)
    lx, ly, anchor = label_at
    return (f'<g><title>{e(bar.label)}: {words.number(total)}</title>'
            f'<text x="{lx}" y="{ly}" text-anchor="{anchor}">{e(text)}</text>{"".join(rects)}'
            f'<text class="val" x="{x + 4:.1f}" y="{y + 11}">{shown}</text></g>')
