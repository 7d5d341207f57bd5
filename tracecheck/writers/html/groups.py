"""The page's duplicate groups: one card per group saying, in words, how sure the match is and
who filed each copy (row, request id, agency under its pack name, recovery date); the pairs'
evidence, with its weights and scores, sits in a collapsed <details>, and the group's score in the
verdict's tooltip. The values come from the report view (``groups``, ``member_values``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracecheck.catalogue import Catalogue
from tracecheck.report.view import ReportView
from tracecheck.writers.html.charts import e

MAX_GROUPS = 50
MAX_PAIRS = 10
MEMBER_FIELDS = ("request_id", "agency", "recovery_date")


def duplicates_section(view: ReportView) -> str:
    total, w = len(view.report.duplicates), view.words
    title = f'<h2>{_t(w, "duplicates")}</h2>'
    if not total:
        return f'<section id="duplicates">{title}<p>{_t(w, "duplicates_none")}</p></section>'
    shown = view.groups(MAX_GROUPS)
    rows = [int(r) for g in shown for r in g["rows"]]
    values = view.member_values(rows, MEMBER_FIELDS, named=True)
    members = {row: {f: values[f][k] for f in MEMBER_FIELDS} for k, row in enumerate(rows)}
    cards = "".join(group_card(view, g, members) for g in shown)
    rest = total - len(shown)
    more = (f'<p class="more" data-more-groups="{rest}">{_t(w, "more_groups", n=w.number(rest))}</p>' if rest else "")
    return (f'<section id="duplicates">{title}<p class="note">{_t(w, "duplicates_note")}</p>'
            f'<div class="groups">{cards}</div>{more}</section>')


def group_card(view: ReportView, group: dict[str, Any], members: dict[int, dict[str, Any]]) -> str:
    """One group: the verdict in words (score in its tooltip), the kind, the id, a table of its
    copies, and the evidence folded away."""
    w = view.words
    kind, conf = group["kind"], view.sureness(group)
    score = w.text("page", "group_score", score=_num(group.get("score")))
    head = (f'<h3><span class="verdict conf-{e(conf)}" title="{e(score)}">{e(w.text("confidence", conf))}</span> '
            f'<span class="kind">{e(w.text("kind", kind))}</span> <code class="gid">{e(group["id"])}</code></h3>')
    return (f'<article class="group kind-{e(kind)} conf-{e(conf)}" data-group="{e(group["id"])}">{head}'
            f"{_members(view, group['rows'], members)}{_evidence(view, group.get('pairs', []))}</article>")


def _members(view: ReportView, rows: list[int], members: dict[int, dict[str, Any]]) -> str:
    """Who filed each copy: row, request id, agency and recovery date."""
    w = view.words
    labels = [_l(w, "row"), _l(w, "request_id"), _l(w, "agency"), e(w.field("recovery_date"))]
    head = "".join(f'<th class="n">{x}</th>' if k == 0 else f"<th>{x}</th>" for k, x in enumerate(labels))
    body = []
    for row in rows:  # data-label: the column's name, shown before each value on a narrow screen
        m = members.get(int(row), {})
        rid, agency = m.get("request_id"), m.get("agency")
        body.append(f'<tr data-row="{e(row)}"><td class="n" data-label="{labels[0]}">{e(view.row_label(int(row)))}</td>'
                    f'<td data-label="{labels[1]}">{f"<code>{e(rid)}</code>" if rid else ""}</td>'
                    f'<td data-label="{labels[2]}">{e(agency) if agency else _l(w, "no_agency")}</td>'
                    f'<td class="date" data-label="{labels[3]}">{e(_date(m.get("recovery_date")))}</td></tr>')
    return f'<table class="members"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _evidence(view: ReportView, pairs: list[dict[str, Any]]) -> str:
    """Each compared pair: its rows, score and evidence (weight, text), folded in a <details>."""
    w = view.words
    items = "".join(_pair_item(view, p) for p in pairs[:MAX_PAIRS])
    if len(pairs) > MAX_PAIRS:
        items += f'<li class="more">{_t(w, "more_pairs", n=w.number(len(pairs) - MAX_PAIRS))}</li>'
    if not items:
        return ""
    return (f'<details class="why"><summary>{_t(w, "group_evidence")}</summary>'
            f'<p class="note">{_t(w, "weights_note")}</p><ul class="pairs">{items}</ul></details>')


def _pair_item(view: ReportView, pair: dict[str, Any]) -> str:
    w = view.words
    rows = " &amp; ".join(e(view.row_label(int(r))) for r in pair["rows"])
    evidence = "".join(f'<li><span class="w">{e(_signed(ev.get("weight")))}</span> {e(ev.get("text"))}</li>'
                       for ev in pair.get("evidence", []))
    return (f'<li><b>{_l(w, "pair")} {rows}</b> <span class="score">{_l(w, "score")} {e(_num(pair.get("score")))}'
            f'</span><ul class="evidence">{evidence}</ul></li>')


def _date(value: Any) -> str:
    """A recovery date as ISO (as parsed), else the text as submitted."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return "" if value is None else str(value)


def _t(w: Catalogue, key: str, **values: Any) -> str:
    return e(w.text("page", key, **values))


def _l(w: Catalogue, key: str) -> str:
    return e(w.label(key))


def _num(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _signed(value: Any) -> str:
    return "" if value is None else (f"+{value:g}" if value > 0 else f"{value:g}")
