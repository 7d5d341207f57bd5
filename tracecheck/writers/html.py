"""The HTML report: one self-contained page (inline CSS, inline SVG charts, no script, no network).

Every number on the page is read from the report (``summary`` as in the JSON) or counted from its
findings table; headline numbers carry ``data-metric="<dotted JSON path>"`` and ``data-value`` (the
JSON value) so a test or a script can check them against ``report.to_dict()``. Long lists are
capped (agencies, duplicate groups, worst rows) so a 100,000-row batch still gives a small page.
Every value from the batch is escaped: cells are user-controlled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from string import Template
from typing import Any, TextIO

import numpy as np
import pandas as pd

from tracecheck.writers.i18n import LANGUAGES, label

TOP_AGENCIES = 15
MAX_GROUPS = 50
MAX_PAIRS = 10
MAX_ROWS = 100
MAX_BATCH_FINDINGS = 50
SEVERITIES = ("error", "warning", "info")
KIND_ORDER = {"duplicate-request": 0, "re-recovery": 1, "possible-duplicate": 2}
AGE_METRICS = ("request_age_days", "time_to_crime_days", "submission_lag_days")


def e(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return escape("" if value is None else str(value), quote=True)


@dataclass
class _Ctx:
    """The language and the number formats of one page."""

    lang: str

    def t(self, key: str, **values: Any) -> str:
        text = label(self.lang, key)
        return e(text.format(**values) if values else text)

    def n(self, value: Any) -> str:
        text = f"{int(value):,}"
        return text.replace(",", "\u202f") if self.lang == "es" else text

    def pct(self, share: float) -> str:
        text = f"{share * 100:.1f}"
        return f"{text.replace('.', ',')}\u00a0%" if self.lang == "es" else f"{text}%"

    def metric(self, path: str, value: Any, text: str | None = None, css: str = "num", tag: str = "span") -> str:
        """A number from the report, tagged with its JSON path and JSON value."""
        shown = self.n(value) if text is None else text
        return (f'<{tag} class="{css}" data-metric="{e(path)}" data-value="{e(json.dumps(value))}">'
                f"{shown}</{tag}>")


def write_html(report: Any, fp: TextIO, *, lang: str = "en") -> None:
    """Write ``report`` as one self-contained HTML5 page to the text file ``fp``."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}")
    ctx = _Ctx(lang)
    source = report.batch["source"]
    sections = [_header(ctx, report), _headline(ctx, report.summary), _batch_findings(ctx, report),
                _ages(ctx, report.summary), _by_rule(ctx, report.summary), _by_agency(ctx, report),
                _duplicates(ctx, report), _worst_rows(ctx, report), _footer(ctx, report)]
    fp.write(_PAGE.substitute(lang=e(lang), title=f"{ctx.t('title')} — {e(source)}", css=_CSS,
                              body="\n".join(s for s in sections if s)))


# ---------------------------------------------------------------------------------------------
# sections


def _header(ctx: _Ctx, report: Any) -> str:
    b, pack = report.batch, report.rule_pack
    facts = [(ctx.t("batch"), e(b["source"])), (ctx.t("as_of"), e(b["as_of"])),
             (ctx.t("checked_at"), e(b["checked_at"])),
             (ctx.t("rule_pack"), f"{e(pack['name'])} {e(pack['version'])}")]
    if b.get("sheet"):
        facts.insert(1, (ctx.t("sheet"), e(b["sheet"])))
    items = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts)
    return (f'<header><p class="kicker">{ctx.t("title")}</p><h1>{e(b["source"])}</h1>'
            f'<dl class="facts">{items}</dl></header>')


def _headline(ctx: _Ctx, s: dict) -> str:
    sev, dup = s["by_severity"], s["duplicates"]
    sev_line = "".join(f'<li>{ctx.metric(f"summary.by_severity.{k}", sev[k], css=f"num sev-{k}")} '
                       f'{ctx.t(label_key)}</li>' for k, label_key in
                       (("error", "n_errors"), ("warning", "n_warnings"), ("info", "n_infos")))
    kinds = "".join(f'<li>{ctx.metric(f"summary.duplicates.groups.{k}", v)} {ctx.t("kind_" + k)}</li>'
                    for k, v in dup["groups"].items())
    review = (f'<li>{ctx.metric("summary.duplicates.review_groups", dup["review_groups"])} '
              f'{ctx.t("review_groups")}</li>')
    share = ctx.metric("summary.traceable_share", s["traceable_share"], ctx.pct(s["traceable_share"]))
    cards = [
        _card(ctx.t("requests"), ctx.metric("summary.rows", s["rows"], css="big"),
              f'{ctx.metric("summary.rows_with_errors", s["rows_with_errors"])} {ctx.t("rows_with_errors")}'),
        _card(ctx.t("findings"), ctx.metric("summary.findings", s["findings"], css="big"),
              f'<ul class="plain">{sev_line}</ul>'),
        _card(ctx.t("rows_traceable"), ctx.metric("summary.rows_traceable", s["rows_traceable"], css="big"),
              f"{share} {ctx.t('of_requests')}", css="good" if s["rows_traceable"] == s["rows"] else ""),
        _card(ctx.t("duplicate_groups"), "", f'<ul class="plain">{kinds}{review}</ul>'),
        _card(ctx.t("after_duplicates"),
              ctx.metric("summary.duplicates.requests_after_removing_duplicates",
                         dup["requests_after_removing_duplicates"], css="big"), ""),
    ]
    if s.get("batch_errors"):
        cards.insert(1, _card(ctx.t("batch_errors"), ctx.metric("summary.batch_errors", s["batch_errors"],
                                                                css="big"), "", css="bad"))
    return f'<section id="headline"><h2>{ctx.t("headline")}</h2><div class="cards">{"".join(cards)}</div></section>'


def _card(title: str, main: str, sub: str, css: str = "") -> str:
    return (f'<div class="card {css}"><div class="card-title">{title}</div>{main}'
            f'<div class="card-sub">{sub}</div></div>')


def _batch_findings(ctx: _Ctx, report: Any) -> str:
    """Findings about the batch as a whole (a missing required column...): few but decisive."""
    findings = report.findings
    whole = findings[findings["row"].isna()].head(MAX_BATCH_FINDINGS) if len(findings) else findings
    if not len(whole):
        return ""
    items = "".join(f'<li>{_sev_badge(ctx, f.severity)} <code>{e(f.rule)}</code> {e(f.name)}: {e(f.message)}</li>'
                    for f in whole[["rule", "name", "severity", "message"]].itertuples())
    return f'<section id="batch-findings"><h2>{ctx.t("batch_errors")}</h2><ul class="msgs">{items}</ul></section>'


def _ages(ctx: _Ctx, s: dict) -> str:
    charts = []
    for metric in AGE_METRICS:
        buckets = s["age_buckets"].get(metric)
        if buckets is None:
            continue
        bars = [_Bar(label(ctx.lang, f"bucket_{name}"), [(count, _bucket_css(name))],
                     f"summary.age_buckets.{metric}.{name}") for name, count in buckets.items()]
        title = label(ctx.lang, f"chart_{metric}")
        charts.append(f"<figure><figcaption>{e(title)}</figcaption>{_svg_bars(ctx, title, bars)}</figure>")
    return (f'<section id="ages"><h2>{ctx.t("ages")}</h2><p class="note">{ctx.t("ages_note")}</p>'
            f'<div class="charts">{"".join(charts)}</div></section>')


def _bucket_css(name: str) -> str:
    return {"unknown": "muted", "negative": "neg"}.get(name, "bar")


def _by_rule(ctx: _Ctx, s: dict) -> str:
    entries = list(enumerate(s["by_rule"]))
    if not entries:
        return f'<section id="by-rule"><h2>{ctx.t("by_rule")}</h2><p>{ctx.t("no_findings")}</p></section>'
    rows = "".join(f'<tr><td><code>{e(r["rule"])}</code></td><td>{e(r["name"])}</td>'
                   f'<td>{_sev_badge(ctx, r["severity"])}</td>'
                   f'<td class="n">{ctx.metric(f"summary.by_rule.{i}.count", r["count"])}</td></tr>'
                   for i, r in entries)
    head = _thead(ctx, ("code", ""), ("rule_name", ""), ("severity", ""), ("count", "n"))
    chart = _svg_bars(ctx, label(ctx.lang, "by_rule_chart"), _rule_bars(s["by_rule"]), above=True)
    return (f'<section id="by-rule"><h2>{ctx.t("by_rule")}</h2><div class="split">'
            f'<div class="scroll"><table>{head}<tbody>{rows}</tbody></table></div>'
            f'<figure>{chart}{_legend(ctx, SEVERITIES)}</figure></div></section>')


def _rule_bars(by_rule: list[dict]) -> list[_Bar]:
    """One bar per rule, its severities stacked (a rule can count at two levels), largest first."""
    per_rule: dict[tuple[str, str], dict[str, int]] = {}
    for r in by_rule:
        per_rule.setdefault((r["rule"], r["name"]), {})[r["severity"]] = r["count"]
    bars = [_Bar(f"{code} {name}", [(counts.get(sev, 0), f"sev-{sev}") for sev in SEVERITIES])
            for (code, name), counts in per_rule.items()]
    return sorted(bars, key=lambda b: -sum(v for v, _ in b.parts))


def _by_agency(ctx: _Ctx, report: Any) -> str:
    table = agency_counts(report)
    title = f'<h2>{ctx.t("by_agency")}</h2>'
    if not len(table):
        return f'<section id="by-agency">{title}<p>{ctx.t("no_agency_findings")}</p></section>'
    top = table.head(TOP_AGENCIES)
    names = [ctx.t("no_agency") if a == "" else e(a) for a in top.index]
    rows = "".join(f'<tr><td>{name}</td><td class="n">{ctx.n(r.requests)}</td>'
                   f'<td class="n">{ctx.n(r.error)}</td><td class="n">{ctx.n(r.warning)}</td></tr>'
                   for name, r in zip(names, top.itertuples()))
    head = _thead(ctx, ("agency", ""), ("requests", "n"), ("errors", "n"), ("warnings", "n"))
    bars = [_Bar(label(ctx.lang, "no_agency") if a == "" else a,
                 [(r.error, "sev-error"), (r.warning, "sev-warning")]) for a, r in zip(top.index, top.itertuples())]
    chart = _svg_bars(ctx, label(ctx.lang, "by_agency_chart"), bars, above=True)
    return (f'<section id="by-agency">{title}<p class="note">{ctx.t("by_agency_note", n=len(top))}</p>'
            f'<div class="split"><div class="scroll"><table>{head}<tbody>{rows}</tbody></table></div>'
            f'<figure>{chart}{_legend(ctx, ("error", "warning"))}</figure></div></section>')


def agency_counts(report: Any) -> pd.DataFrame:
    """Row-level errors and warnings per agency (index: agency, "" when blank), worst first;
    columns error, warning and requests (the agency's rows in the batch)."""
    findings = report.findings
    agencies = _agency_series(report)
    rows = findings["row"].to_numpy(dtype="float64", na_value=np.nan) if len(findings) else np.array([])
    severity = findings["severity"].to_numpy(dtype=object) if len(findings) else np.array([], dtype=object)
    keep = ~np.isnan(rows) & np.isin(severity, ["error", "warning"])
    if not keep.any():
        return pd.DataFrame(columns=["error", "warning", "requests"])
    who = agencies.reindex(rows[keep].astype("int64")).fillna("").to_numpy(dtype=object)
    table = pd.crosstab(who, severity[keep]).reindex(columns=["error", "warning"], fill_value=0)
    table["requests"] = agencies.fillna("").value_counts().reindex(table.index, fill_value=0)
    table = table.rename_axis("agency").reset_index()
    table = table.sort_values(["error", "warning", "agency"], ascending=[False, False, True], kind="stable")
    return table.set_index("agency")


def _agency_series(report: Any) -> pd.Series:
    canonical = report.canonical
    if canonical is None or "agency" not in canonical.columns:
        return pd.Series(pd.NA, index=pd.Index(report.rows["row"].to_numpy()), dtype=object)
    agencies = canonical["agency"].astype(object)
    return agencies.where(agencies.notna() & (agencies.astype(str).str.strip() != ""), None)


def _duplicates(ctx: _Ctx, report: Any) -> str:
    groups = report.duplicate_groups
    title = f'<h2>{ctx.t("duplicates")}</h2>'
    if not groups:
        return f'<section id="duplicates">{title}<p>{ctx.t("duplicates_none")}</p></section>'
    shown = pick_groups(groups, MAX_GROUPS)
    ids = _request_ids(report, {r for g in shown for r in g["rows"]})
    cards = "".join(_group_card(ctx, g, ids) for g in shown)
    more = (f'<p class="more" data-more-groups="{len(groups) - len(shown)}">'
            f'{ctx.t("more_groups", n=ctx.n(len(groups) - len(shown)))}</p>' if len(groups) > len(shown) else "")
    return f'<section id="duplicates">{title}<div class="groups">{cards}</div>{more}</section>'


def pick_groups(groups: list[dict], cap: int) -> list[dict]:
    """Up to ``cap`` groups, taken in turn from each kind so every kind shows up (groups to review
    first within a kind), listed by kind."""
    by_kind: dict[str, list[dict]] = {}
    for group in sorted(groups, key=lambda g: (KIND_ORDER.get(g["kind"], 9), g["confidence"] != "review")):
        by_kind.setdefault(group["kind"], []).append(group)
    picked: list[dict] = []
    queues = list(by_kind.values())
    while len(picked) < cap and any(queues):
        for queue in queues:
            if queue and len(picked) < cap:
                picked.append(queue.pop(0))
    order = {id(g): i for i, g in enumerate(groups)}
    return sorted(picked, key=lambda g: (KIND_ORDER.get(g["kind"], 9), g["confidence"] != "review", order[id(g)]))


def _group_card(ctx: _Ctx, group: dict, ids: dict[int, str]) -> str:
    rows = ", ".join(_row_ref(ctx, r, ids) for r in group["rows"])
    pairs = group.get("pairs", [])
    items = "".join(_pair_item(ctx, p) for p in pairs[:MAX_PAIRS])
    if len(pairs) > MAX_PAIRS:
        items += f'<li class="more">{ctx.t("more_pairs", n=ctx.n(len(pairs) - MAX_PAIRS))}</li>'
    kind, conf = group["kind"], group["confidence"]
    return (f'<article class="group kind-{e(kind)}"><h3><code>{e(group["id"])}</code> '
            f'{e(label(ctx.lang, "kind_" + kind))} <span class="tag conf-{e(conf)}">'
            f'{e(label(ctx.lang, "conf_" + conf))}</span> <span class="score">{ctx.t("score")} '
            f'{e(_num(group.get("score")))}</span></h3><p>{ctx.t("rows")}: {rows}</p>'
            f'<ul class="pairs">{items}</ul></article>')


def _pair_item(ctx: _Ctx, pair: dict) -> str:
    rows = " &amp; ".join(e(r) for r in pair["rows"])
    evidence = "".join(f'<li><span class="w">{e(_signed(ev.get("weight")))}</span> {e(ev.get("text"))}</li>'
                       for ev in pair.get("evidence", []))
    return (f'<li><b>{ctx.t("pair")} {rows}</b> <span class="score">{ctx.t("score")} {e(_num(pair.get("score")))}'
            f'</span><ul class="evidence">{evidence}</ul></li>')


def _row_ref(ctx: _Ctx, row: int, ids: dict[int, str]) -> str:
    rid = ids.get(int(row))
    return f"{e(row)} (<code>{e(rid)}</code>)" if rid else e(row)


def _request_ids(report: Any, rows: set[int]) -> dict[int, str]:
    table = report.rows
    mine = table[table["row"].isin(list(rows))]
    return {int(r): str(i) for r, i in zip(mine["row"], mine["request_id"]) if isinstance(i, str) and i}


def _worst_rows(ctx: _Ctx, report: Any) -> str:
    counts = row_counts(report)
    title = f'<h2>{ctx.t("worst_rows")}</h2>'
    if not len(counts):
        return f'<section id="worst-rows">{title}<p>{ctx.t("no_rows")}</p></section>'
    top = counts.head(MAX_ROWS)
    findings = report.findings
    mine = findings[findings["row"].isin(top.index.to_numpy())]
    by_row = {int(r): grp for r, grp in mine.groupby(mine["row"].astype("int64"), sort=False)}
    ids, agencies = _request_ids(report, set(top.index)), _agency_series(report)
    head = _thead(ctx, ("row", "n"), ("request_id", ""), ("agency", ""), ("errors", "n"), ("warnings", "n"),
                  ("findings_names", ""))
    body = "".join(_worst_row(ctx, row, r, ids.get(row), agencies.get(row), by_row[row])
                   for row, r in zip(top.index, top.itertuples()))
    rest = len(counts) - len(top)
    more = (f'<p class="more" data-more-rows="{rest}">{ctx.t("more_rows", n=ctx.n(rest))}</p>' if rest else "")
    return (f'<section id="worst-rows">{title}<p class="note">{ctx.t("worst_rows_note")}</p>'
            f'<div class="scroll"><table class="rows">{head}<tbody>{body}</tbody></table></div>{more}</section>')


def _worst_row(ctx: _Ctx, row: int, counts: Any, request_id: Any, agency: Any, found: pd.DataFrame) -> str:
    names = ", ".join(e(n) for n in dict.fromkeys(found["name"]))
    msgs = "".join(f'<li>{_sev_badge(ctx, f.severity)} <code>{e(f.rule)}</code> '
                   f'{e(f.column) + ": " if isinstance(f.column, str) else ""}{e(f.message)}</li>'
                   for f in found[["rule", "severity", "column", "message"]].itertuples())
    agency_text = e(agency) if isinstance(agency, str) else ""
    return (f'<tr class="st-{"error" if counts.error else "warning" if counts.warning else "info"}">'
            f'<td class="n">{ctx.n(row)}</td><td><code>{e(request_id or "")}</code></td><td>{agency_text}</td>'
            f'<td class="n">{ctx.n(counts.error)}</td><td class="n">{ctx.n(counts.warning)}</td>'
            f'<td><details><summary>{names}</summary><ul class="msgs">{msgs}</ul></details></td></tr>')


def row_counts(report: Any) -> pd.DataFrame:
    """Findings per row (index: sheet row; columns error, warning, info), worst first:
    most errors, then most warnings, then most info, then sheet order. Rows without findings are absent."""
    findings = report.findings
    if not len(findings):
        return pd.DataFrame(columns=list(SEVERITIES))
    rows = findings["row"].to_numpy(dtype="float64", na_value=np.nan)
    keep = ~np.isnan(rows)
    if not keep.any():
        return pd.DataFrame(columns=list(SEVERITIES))
    severity = findings["severity"].to_numpy(dtype=object)[keep]
    table = pd.crosstab(rows[keep].astype("int64"), severity).reindex(columns=list(SEVERITIES), fill_value=0)
    table = table.rename_axis("row").reset_index()
    table = table.sort_values(["error", "warning", "info", "row"], ascending=[False, False, False, True],
                              kind="stable")
    return table.set_index("row")


def _footer(ctx: _Ctx, report: Any) -> str:
    b = report.batch
    return (f'<footer>{ctx.t("generated_by")} {e(b.get("tracecheck_version"))} · {ctx.t("sha256")} '
            f'<code class="hash">{e(b.get("sha256"))}</code></footer>')


# ---------------------------------------------------------------------------------------------
# small pieces


def _thead(ctx: _Ctx, *columns: tuple[str, str]) -> str:
    cells = "".join(f'<th class="{css}">{ctx.t(key)}</th>' if css else f"<th>{ctx.t(key)}</th>"
                    for key, css in columns)
    return f"<thead><tr>{cells}</tr></thead>"


def _sev_badge(ctx: _Ctx, severity: str) -> str:
    return f'<span class="badge sev-{e(severity)}">{e(label(ctx.lang, f"sev_{severity}"))}</span>'


def _legend(ctx: _Ctx, severities: tuple[str, ...]) -> str:
    keys = "".join(f'<span><i class="sw sev-{s}"></i>{e(label(ctx.lang, f"sev_{s}"))}</span>' for s in severities)
    return f'<figcaption class="legend">{keys}</figcaption>'


def _num(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _signed(value: Any) -> str:
    return "" if value is None else (f"+{value:g}" if value > 0 else f"{value:g}")


@dataclass
class _Bar:
    label: str  # raw text: escaped when drawn
    parts: list[tuple[int, str]]  # (value, css class), stacked left to right
    metric: str | None = None  # data-metric of the value label (a single-part bar from the summary)


CHART_W, CHAR_W, BAR_H = 400, 6.6, 14


def _svg_bars(ctx: _Ctx, title: str, bars: list[_Bar], *, above: bool = False) -> str:
    """A horizontal bar chart as inline SVG that scales to its box (viewBox, width 100%).
    ``above`` puts each label on its own line over the bar: for long labels (rules, agencies)."""
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
        out.append(_svg_bar(ctx, bar, label_at, y + 14 if above else y + 1, x0, span / top, chars))
    out.append("</svg>")
    return "".join(out)


def _svg_bar(ctx: _Ctx, bar: _Bar, label_at: tuple[int, int, str], y: int, x0: int, scale: float,
             chars: int) -> str:
    text = bar.label if len(bar.label) <= chars else bar.label[:chars - 1] + "…"
    rects, x = [], float(x0)
    for value, css in bar.parts:
        if value:
            width = max(value * scale, 1.5)
            rects.append(f'<rect class="{e(css)}" x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_H}"/>')
            x += width
    total = sum(v for v, _ in bar.parts)
    value = ctx.metric(bar.metric, total, tag="tspan") if bar.metric else ctx.n(total)
    lx, ly, anchor = label_at
    return (f'<g><title>{e(bar.label)}: {ctx.n(total)}</title>'
            f'<text x="{lx}" y="{ly}" text-anchor="{anchor}">{e(text)}</text>{"".join(rects)}'
            f'<text class="val" x="{x + 4:.1f}" y="{y + 11}">{value}</text></g>')


_CSS = """
:root{--fg:#1d2330;--muted:#5b6575;--line:#d9dee7;--bg:#fff;--soft:#f4f6f9;--err:#c62828;--warn:#d97706;
--info:#1d6fb8;--bar:#3f6ea6;--good:#2e7d32}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--fg);background:var(--bg);-webkit-text-size-adjust:100%}
main{max-width:1120px;margin:0 auto;padding:16px}
header{border-bottom:3px solid var(--fg);margin-bottom:8px}
.kicker{margin:0;color:var(--muted);text-transform:uppercase;letter-spacing:.06em;font-size:12px}
h1{margin:2px 0 8px;font-size:26px;word-break:break-all}
h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:0 0 4px}
.facts{display:flex;flex-wrap:wrap;gap:4px 22px;margin:0 0 10px;font-size:13px}
.facts div{display:flex;gap:6px}.facts dt{color:var(--muted)}.facts dd{margin:0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:10px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:var(--soft)}
.card.bad{border-color:var(--err)}.card.good .big{color:var(--good)}
.card-title{font-size:13px;color:var(--muted)}
.big{display:block;font-size:30px;font-weight:700;line-height:1.2}
.card-sub{font-size:13px}.card-sub .num{font-weight:600}
.plain{list-style:none;margin:2px 0 0;padding:0}
.num.sev-error{color:var(--err)}.num.sev-warning{color:var(--warn)}.num.sev-info{color:var(--info)}
.note{color:var(--muted);font-size:13px;margin:0 0 8px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px 20px}
figure{margin:0;min-width:0}figcaption{font-weight:600;font-size:14px;margin-bottom:4px}
.split{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:12px 24px;align-items:start}
svg.chart{display:block;width:100%;height:auto;max-width:480px}
.chart text{font-size:12px;fill:var(--fg)}.chart .val{fill:var(--muted)}
.chart rect.bar{fill:var(--bar)}.chart rect.muted{fill:#a3abb8}.chart rect.neg{fill:#8e44ad}
.chart rect.sev-error,.sw.sev-error{fill:var(--err);background:var(--err)}
.chart rect.sev-warning,.sw.sev-warning{fill:var(--warn);background:var(--warn)}
.chart rect.sev-info,.sw.sev-info{fill:var(--info);background:var(--info)}
.legend{font-weight:400;font-size:12px;display:flex;gap:14px;margin-top:4px}
.sw{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font:12px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
td code{white-space:nowrap;overflow-wrap:normal}
.badge{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;color:#fff;white-space:nowrap}
.badge.sev-error{background:var(--err)}.badge.sev-warning{background:var(--warn)}.badge.sev-info{background:var(--info)}
.groups{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:10px}
.group{border:1px solid var(--line);border-left:4px solid var(--warn);border-radius:6px;padding:8px 10px;
font-size:13px;break-inside:avoid}
.group.kind-re-recovery,.group.kind-possible-duplicate{border-left-color:var(--info)}
.group p{margin:2px 0}.tag{font-size:11px;border:1px solid var(--line);border-radius:10px;padding:0 6px;
font-weight:400}.score{color:var(--muted);font-weight:400;font-size:12px}
.pairs,.evidence,.msgs{margin:4px 0;padding-left:18px}.evidence{color:var(--muted)}
.w{display:inline-block;min-width:2.6em;font-variant-numeric:tabular-nums;color:var(--fg)}
tr.st-error td:first-child{box-shadow:inset 3px 0 var(--err)}
tr.st-warning td:first-child{box-shadow:inset 3px 0 var(--warn)}
details summary{cursor:pointer}.rows td:last-child{min-width:220px}
.more{font-style:italic;color:var(--muted)}
footer{margin-top:32px;padding-top:8px;border-top:1px solid var(--line);font-size:12px;color:var(--muted)}
.hash{overflow-wrap:anywhere}
@media (max-width:600px){main{padding:10px}h1{font-size:21px}.big{font-size:25px}
.cards{grid-template-columns:1fr 1fr}}
@media print{body{font-size:11px}main{max-width:none;padding:0}*{-webkit-print-color-adjust:exact;
print-color-adjust:exact}section{break-inside:avoid-page}table,.group,figure{break-inside:auto}
tr{break-inside:avoid}.scroll{overflow:visible}h2{break-after:avoid}a{color:inherit}}
"""

_PAGE = Template("""<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>$title</title>
<style>$css</style>
</head>
<body>
<main>
$body
</main>
</body>
</html>
""")
