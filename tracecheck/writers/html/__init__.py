"""The HTML report: one self-contained page (inline CSS, inline SVG charts, no script, no network).

Every number on the page comes from the report view (``summary`` as in the JSON) and carries
``data-metric="<dotted JSON path>"`` and ``data-value`` (the JSON value), so a test or a script
can check it against ``report.to_dict()``. Long lists are capped (agencies, duplicate groups,
worst rows: at most MAX_ROWS rows with an error or a warning) so a 100,000-row batch still gives a
small page. Duplicate cards are drawn by ``groups``, the comparison with the batches of a history
store by ``history``. Every value from the batch is
escaped: cells are user-controlled. All words come from the message catalogue.
"""

from __future__ import annotations

from typing import Any, TextIO

import pandas as pd

from tracecheck.catalogue import Catalogue
from tracecheck.findings import SEVERITIES
from tracecheck.redact import PERSONAL_FIELDS
from tracecheck.report.view import ReportView
from tracecheck.writers.html.charts import Bar, e, metric, svg_bars
from tracecheck.writers.html.groups import MAX_GROUPS, MAX_PAIRS, duplicates_section
from tracecheck.writers.html.history import history_section
from tracecheck.writers.html.page import CSS, PAGE

TOP_AGENCIES = 15
MAX_ROWS = 50  # rows with an error or a warning (summary.worst_rows keeps more)
MAX_BATCH_FINDINGS = 50

__all__ = ["MAX_BATCH_FINDINGS", "MAX_GROUPS", "MAX_PAIRS", "MAX_ROWS", "TOP_AGENCIES", "write_html"]


def write_html(view: ReportView, fp: TextIO) -> None:
    """Write the report of ``view`` as one self-contained HTML5 page to the text file ``fp``."""
    w = view.words
    source = view.batch["source"]
    sections = [_header(view), _headline(view), history_section(view), _batch_findings(view), _ages(view),
                _by_rule(view), _by_agency(view), duplicates_section(view), _worst_rows(view), _mapping(view),
                _footer(view)]
    fp.write(PAGE.substitute(lang=e(w.lang), title=f"{e(w.label('title'))} — {e(source)}", css=CSS,
                             body="\n".join(s for s in sections if s)))


def _t(w: Catalogue, key: str, **values: Any) -> str:
    """A page text, escaped."""
    return e(w.text("page", key, **values))


def _l(w: Catalogue, key: str, **values: Any) -> str:
    """A shared label, escaped."""
    return e(w.label(key, **values))


# ---------------------------------------------------------------------------------------------
# sections


def _header(view: ReportView) -> str:
    b, pack, w = view.batch, view.report.rule_pack, view.words
    facts = [(_l(w, "batch"), e(b["source"])), (_l(w, "as_of"), e(b["as_of"])),
             (_l(w, "checked_at"), e(b["checked_at"])), (_l(w, "rule_pack"), f"{e(pack['name'])} {e(pack['version'])}")]
    if b.get("sheet") or len(b.get("sheets") or []) > 1:
        sheets = b.get("sheets") or []
        facts.insert(1, (_l(w, "sheets" if len(sheets) > 1 else "sheet"), e(b["sheet"] or w.join(sheets))))
    items = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts)
    dropped = f'<p class="note">{_t(w, "dropped", reasons=view.dropped())}</p>' if view.dropped() else ""
    return (f'<header><p class="kicker">{_l(w, "title")}</p><h1>{e(b["source"])}</h1>'
            f'<dl class="facts">{items}</dl>{dropped}</header>')


def _headline(view: ReportView) -> str:
    s, w = view.summary, view.words
    sev, dup = s["by_severity"], s["duplicates"]
    sev_line = "".join(f'<li>{metric(w, f"summary.by_severity.{k}", sev[k], css=f"num sev-{k}")} {_t(w, key)}</li>'
                       for k, key in (("error", "n_errors"), ("warning", "n_warnings"), ("info", "n_infos")))
    kinds = "".join(f'<li>{metric(w, f"summary.duplicates.groups.{k}", v)} {e(w.text("kind", k))}</li>'
                    for k, v in dup["groups"].items())
    review = f'<li>{metric(w, "summary.duplicates.review_groups", dup["review_groups"])} {_t(w, "review_groups")}</li>'

    def share(key: str) -> str:
        return metric(w, f"summary.{key}", s[key], w.percent(s[key]))

    fix, facts = s["fix_list"], s["batch_facts"]
    cards = [
        _card(_t(w, "fix_list"), metric(w, "summary.fix_list.findings", fix["findings"], css="big"),
              _on_rows(w, "summary.fix_list.rows", fix["rows"]),
              css="bad" if fix["findings"] else "good"),
        _card(_t(w, "batch_facts"), metric(w, "summary.batch_facts.findings", facts["findings"], css="big"),
              f'{_on_rows(w, "summary.batch_facts.rows", facts["rows"])}; {_t(w, "nothing_to_correct")}'),
        _card(_l(w, "requests"), metric(w, "summary.rows", s["rows"], css="big"),
              f'{metric(w, "summary.rows_with_errors", s["rows_with_errors"])} {_t(w, "rows_with_errors")}, '
              f'{metric(w, "summary.rows_with_warnings", s["rows_with_warnings"])} {_t(w, "rows_with_warnings")}'),
        _card(_l(w, "findings"), metric(w, "summary.findings", s["findings"], css="big"),
              f'<ul class="plain">{sev_line}</ul>'),
        _card(_l(w, "rows_traceable"), metric(w, "summary.rows_traceable", s["rows_traceable"], css="big"),
              f"{share('traceable_share')} {_t(w, 'of_requests')}",
              css="good" if s["rows_traceable"] == s["rows"] else ""),
        _card(_l(w, "rows_usable_serial"), metric(w, "summary.rows_usable_serial", s["rows_usable_serial"], css="big"),
              f"{share('usable_serial_share')} {_t(w, 'of_requests')}"),
        _card(_l(w, "strong_leads"), metric(w, "summary.strong_leads", s["strong_leads"], css="big"),
              f"{share('strong_lead_share')} {_t(w, 'of_requests')}"),
        _card(_l(w, "rows_missing_import_marking"),
              metric(w, "summary.rows_missing_import_marking", s["rows_missing_import_marking"], css="big"),
              f'{metric(w, "summary.rows_obliterated", s["rows_obliterated"])} {_t(w, "rows_obliterated")}, '
              f'{metric(w, "summary.rows_privately_made", s["rows_privately_made"])} {_t(w, "rows_privately_made")}'),
        _card(_l(w, "duplicate_groups"), "", f'<ul class="plain">{kinds}{review}</ul>'),
        _card(_l(w, "after_duplicates"), metric(w, "summary.duplicates.requests_after_removing_duplicates",
                                                dup["requests_after_removing_duplicates"], css="big"), ""),
    ]
    if s.get("batch_errors"):
        cards.insert(1, _card(_l(w, "batch_errors"), metric(w, "summary.batch_errors", s["batch_errors"], css="big"),
                              "", css="bad"))
    return f'<section id="headline"><h2>{_t(w, "headline")}</h2><div class="cards">{"".join(cards)}</div></section>'


def _on_rows(w: Catalogue, key: str, n: int) -> str:
    """ "on 41 rows" with the number as a metric and "row"/"rows" as the count takes it (page.on_rows
    holds the forms, one|other)."""
    return f'{_t(w, "on_rows_before")} {metric(w, key, n)} {e(w.plural(n, w.text("page", "on_rows")))}'


def _card(title: str, main: str, sub: str, css: str = "") -> str:
    return (f'<div class="card {css}"><div class="card-title">{title}</div>{main}'
            f'<div class="card-sub">{sub}</div></div>')


def _batch_findings(view: ReportView) -> str:
    """Findings about the batch as a whole (a missing required column...): few but decisive."""
    whole, w = view.batch_findings(MAX_BATCH_FINDINGS), view.words
    if not len(whole):
        return ""
    items = "".join(f'<li>{_sev_badge(w, f.severity)} <code>{e(f.rule)}</code> {e(view.title(f.rule))}: '
                    f'{e(_message(view, f))}</li>'
                    for f in _records(whole, "rule", "severity", "message", "field", "value"))
    return f'<section id="batch-findings"><h2>{_l(w, "batch_level")}</h2><ul class="msgs">{items}</ul></section>'


def _ages(view: ReportView) -> str:
    s, w = view.summary, view.words
    charts = []
    for name, buckets in s["age_buckets"].items():
        bars = [Bar(w.text("bucket", bucket), [(count, _bucket_css(bucket))], f"summary.age_buckets.{name}.{bucket}")
                for bucket, count in buckets.items()]
        title = w.text("metric", name)
        charts.append(f"<figure><figcaption>{e(title)}</figcaption>{svg_bars(w, title, bars)}</figure>")
    return (f'<section id="ages"><h2>{_t(w, "ages")}</h2><p class="note">{_t(w, "ages_note")}</p>'
            f'<div class="charts">{"".join(charts)}</div></section>')


def _bucket_css(name: str) -> str:
    return "muted" if name == "unknown" else "bar"


def _by_rule(view: ReportView) -> str:
    s, w = view.summary, view.words
    if not s["by_rule"]:
        return f'<section id="by-rule"><h2>{_t(w, "by_rule")}</h2><p>{_t(w, "no_findings")}</p></section>'
    facts = view.facts()
    order = sorted(range(len(s["by_rule"])), key=lambda i: s["by_rule"][i]["rule"] in facts)  # to fix first
    tag = f' <span class="tag fact">{_t(w, "fact_tag")}</span>'
    rows = "".join(f'<tr><td><code>{e(r["rule"])}</code></td><td title="{e(r["name"])}">{e(view.title(r["rule"]))}'
                   f'{tag if r["rule"] in facts else ""}</td><td>{_sev_badge(w, r["severity"])}</td>'
                   f'<td class="n">{metric(w, f"summary.by_rule.{i}.count", r["count"])}</td></tr>'
                   for i in order for r in [s["by_rule"][i]])
    head = _thead(w, ("code", ""), ("rule", ""), ("severity", ""), ("count", "n"))
    chart = svg_bars(w, w.text("page", "by_rule_chart"), _rule_bars(view), above=True)
    return (f'<section id="by-rule"><h2>{_t(w, "by_rule")}</h2><div class="split">'
            f'<div class="scroll"><table>{head}<tbody>{rows}</tbody></table></div>'
            f'<figure>{chart}{_legend(w, SEVERITIES)}</figure></div></section>')


def _mapping(view: ReportView) -> str:
    """Which header feeds each field (method, confidence), the fields not found with a ready ``--map``
    option, and the headers no field uses (report ``mapping``, ``summary.fields_not_found``,
    ``summary.headers_not_used``)."""
    s, w = view.summary, view.words
    rows = "".join(f'<tr><td>{e(w.field(m["field"]))} <code>{e(m["field"])}</code></td><td>{e(m["header"])}</td>'
                   f'<td>{e(m["column"] or "")}</td><td>{e(w.text("mapping_method", m["method"]))}</td>'
                   f'<td class="n">{metric(w, f"mapping.{i}.confidence", m["confidence"], w.percent(m["confidence"]))}'
                   f"</td></tr>" for i, m in enumerate(view.report.mapping))
    head = _thead(w, ("field", ""), ("header", ""), ("column", ""), ("method", ""), ("confidence", "n"))
    parts = [f'<div class="scroll"><table>{head}<tbody>{rows}</tbody></table></div>']
    if s["fields_not_found"]:
        items = "".join(f'<li>{e(w.field(f["field"]))} <code>{e(f["field"])}</code>: '
                        + (f'{_l(w, "best_candidate")} &quot;{e(f["candidate"])}&quot; <code>{e(f["map"])}</code>'
                           if f["candidate"] else _l(w, "no_candidate")) + "</li>" for f in s["fields_not_found"])
        parts.append(f'<h3>{_l(w, "not_found")}</h3><ul class="msgs">{items}</ul>')
    if s["headers_not_used"]:
        items = "".join(f'<li>&quot;{e(h["header"])}&quot; ({e(h["column"] or "?")}): '
                        f'{e(w.text("header_status", h["status"]))}'
                        + (f' ({e(w.join(w.field(f) for f in h["fields"]))})' if h["fields"] else "") + "</li>"
                        for h in s["headers_not_used"])
        parts.append(f'<h3>{_l(w, "not_used")}</h3><ul class="msgs">{items}</ul>')
    return f'<section id="mapping"><h2>{_l(w, "mapping")}</h2>{"".join(parts)}</section>'


def _rule_bars(view: ReportView) -> list[Bar]:
    """One bar per rule, its severities stacked (a rule can count at two levels), largest first."""
    per_rule: dict[str, dict[str, int]] = {}
    for r in view.summary["by_rule"]:
        per_rule.setdefault(r["rule"], {})[r["severity"]] = r["count"]
    bars = [Bar(f"{code} {view.title(code)}", [(counts.get(sev, 0), f"sev-{sev}") for sev in SEVERITIES])
            for code, counts in per_rule.items()]
    return sorted(bars, key=lambda b: -sum(v for v, _ in b.parts))


def _by_agency(view: ReportView) -> str:
    w = view.words
    top = view.agencies(TOP_AGENCIES)
    title = f'<h2>{_t(w, "by_agency")}</h2>'
    if not top:
        return f'<section id="by-agency">{title}<p>{_t(w, "no_agency_findings")}</p></section>'
    rows = "".join(f'<tr><td>{e(a["agency"]) if a["agency"] else _l(w, "no_agency")}</td>'
                   + "".join(f'<td class="n">{metric(w, f"summary.by_agency.{i}.{k}", a[k])}</td>'
                             for k in ("requests", "errors", "warnings")) + "</tr>"
                   for i, a in top)
    head = _thead(w, ("agency", ""), ("requests", "n"), ("errors", "n"), ("warnings", "n"))
    bars = [Bar(a["agency"] or w.label("no_agency"), [(a["errors"], "sev-error"), (a["warnings"], "sev-warning")])
            for _, a in top]
    chart = svg_bars(w, w.text("page", "by_agency_chart"), bars, above=True)
    return (f'<section id="by-agency">{title}<p class="note">{_t(w, "by_agency_note", n=len(top))}</p>'
            f'<div class="split"><div class="scroll"><table>{head}<tbody>{rows}</tbody></table></div>'
            f'<figure>{chart}{_legend(w, ("error", "warning"))}</figure></div></section>')


def _worst_rows(view: ReportView) -> str:
    w = view.words
    worst = view.worst_rows(MAX_ROWS)
    title = f'<h2>{_t(w, "worst_rows")}</h2>'
    if not worst:
        return f'<section id="worst-rows">{title}<p>{_t(w, "no_rows")}</p></section>'
    found = view.findings_of([r["row"] for r in worst])
    head = _thead(w, ("row", "n"), ("request_id", ""), ("agency", ""), ("errors", "n"), ("warnings", "n"),
                  ("findings", ""))
    body = "".join(_worst_row(view, i, entry, found[entry["row"]]) for i, entry in enumerate(worst))
    rest = view.summary["rows_with_errors"] + view.summary["rows_with_warnings"] - len(worst)
    more = (f'<p class="more" data-more-rows="{rest}">{_t(w, "more_rows", n=w.number(rest))}</p>' if rest > 0 else "")
    return (f'<section id="worst-rows">{title}<p class="note">{_t(w, "worst_rows_note", n=w.number(MAX_ROWS))}</p>'
            f'<div class="scroll"><table class="rows">{head}<tbody>{body}</tbody></table></div>{more}</section>')


def _worst_row(view: ReportView, i: int, entry: dict[str, Any], found: pd.DataFrame) -> str:
    w = view.words
    titles = ", ".join(e(view.title(code)) for code in entry["rules"])
    msgs = "".join(f'<li>{_sev_badge(w, f.severity)} <code>{e(f.rule)}</code> '
                   f'{e(f.column) + ": " if isinstance(f.column, str) else ""}{e(_message(view, f))}</li>'
                   for f in _records(found, "rule", "severity", "column", "message", "field", "value"))
    path = f"summary.worst_rows.{i}"
    return (f'<tr class="st-{"error" if entry["errors"] else "warning"}">'
            f'<td class="n">{metric(w, f"{path}.row", entry["row"], view.row_label(entry["row"]))}</td>'
            f'<td><code>{e(entry["request_id"] or "")}</code></td><td>{e(entry["agency"] or "")}</td>'
            f'<td class="n">{metric(w, f"{path}.errors", entry["errors"])}</td>'
            f'<td class="n">{metric(w, f"{path}.warnings", entry["warnings"])}</td>'
            f'<td><details><summary>{titles}</summary><ul class="msgs">{msgs}</ul></details></td></tr>')


def _footer(view: ReportView) -> str:
    b, w = view.batch, view.words
    return (f'<footer>{_t(w, "generated_by")} {e(b.get("tracecheck_version"))} · {_l(w, "sha256")} '
            f'<code class="hash">{e(b.get("sha256"))}</code></footer>')


# ---------------------------------------------------------------------------------------------
# small pieces


def _thead(w: Catalogue, *columns: tuple[str, str]) -> str:
    cells = "".join(f'<th class="{css}">{_l(w, key)}</th>' if css else f"<th>{_l(w, key)}</th>" for key, css in columns)
    return f"<thead><tr>{cells}</tr></thead>"


def _sev_badge(w: Catalogue, severity: str) -> str:
    return f'<span class="badge sev-{e(severity)}">{e(w.severity(severity))}</span>'


def _legend(w: Catalogue, severities: tuple[str, ...]) -> str:
    keys = "".join(f'<span><i class="sw sev-{s}"></i>{e(w.severity(s))}</span>' for s in severities)
    return f'<figcaption class="legend">{keys}</figcaption>'


def _message(view: ReportView, finding: Any) -> str:
    """A finding's message; for one quoting a purchaser or possessor cell (control characters removed,
    a formula, a schema failure), the rule's title and "—" instead: the page never shows a name (nor
    its token), redacted or not."""
    if finding.field in PERSONAL_FIELDS and isinstance(finding.value, str):
        return f"{view.title(finding.rule)}: —"
    return str(finding.message)


def _records(frame: pd.DataFrame, *columns: str) -> list[Any]:
    """Rows of ``frame`` as named tuples of the given columns (plain Python values)."""
    return list(frame[list(columns)].astype(object).itertuples(index=False))
