"""The HTML page's frame: one self-contained HTML5 document with inline CSS (no script, no network)."""

from __future__ import annotations

from string import Template

CSS = """
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
.facts div{display:flex;gap:6px;min-width:0}.facts dt{color:var(--muted)}
.facts dd{margin:0;overflow-wrap:anywhere;min-width:0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:10px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:var(--soft)}
.card.bad{border-color:var(--err)}.card.good .big{color:var(--good)}
.card-title{font-size:13px;color:var(--muted)}
.big{display:block;font-size:30px;font-weight:700;line-height:1.2}
.card-sub{font-size:13px}.card-sub .num{font-weight:600}
.plain{list-style:none;margin:2px 0 0;padding:0}
.num.sev-error{color:var(--err)}.num.sev-warning{color:var(--warn)}.num.sev-info{color:var(--info)}
.note{color:var(--muted);font-size:13px;margin:0 0 8px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(300px,100%),1fr));gap:12px 20px}
figure{margin:0;min-width:0}figcaption{font-weight:600;font-size:14px;margin-bottom:4px}
.split{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(320px,100%),1fr));gap:12px 24px;align-items:start}
svg.chart{display:block;width:100%;height:auto;max-width:480px}
.chart text{font-size:12px;fill:var(--fg)}.chart .val{fill:var(--muted)}
.chart rect.bar{fill:var(--bar)}.chart rect.muted{fill:#a3abb8}
.chart rect.sev-error,.sw.sev-error{fill:var(--err);background:var(--err)}
.chart rect.sev-warning,.sw.sev-warning{fill:var(--warn);background:var(--warn)}
.chart rect.sev-info,.sw.sev-info{fill:var(--info);background:var(--info)}
.chart line.grid{stroke:var(--line)}.chart .axis,.chart .sub{fill:var(--muted);font-size:11px}
.chart rect.this{fill:var(--soft);stroke:var(--fg);stroke-width:1}.chart g.this text:not(.sub){font-weight:700}
.chart rect.h-usable,.sw.h-usable{fill:var(--bar);background:var(--bar)}
.chart rect.h-dup,.sw.h-dup{fill:var(--warn);background:var(--warn)}
.chart rect.h-prior,.sw.h-prior{fill:var(--err);background:var(--err)}
.legend{font-weight:400;font-size:12px;display:flex;flex-wrap:wrap;gap:4px 14px;margin-top:4px}
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
.groups{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(460px,100%),1fr));gap:10px}
.group{border:1px solid var(--line);border-left:4px solid var(--warn);border-radius:6px;padding:8px 10px;
font-size:13px;break-inside:avoid;min-width:0}
.group.kind-re-recovery,.group.kind-possible-duplicate{border-left-color:var(--info)}
.group h3{display:flex;flex-wrap:wrap;align-items:baseline;gap:2px 8px}
.verdict{font-size:14px;font-weight:700;border-radius:4px;padding:1px 8px;color:#fff;background:var(--warn)}
.verdict.conf-flag{background:var(--fg)}.kind{font-weight:600}.gid{color:var(--muted)}
.group.conf-review{border-style:dashed solid dashed solid}
table.members{font-size:13px;margin:4px 0}table.members td,table.members th{padding:3px 6px;white-space:normal}
table.members td.date{white-space:nowrap}.why{margin-top:4px}.why summary{color:var(--muted)}
.score{color:var(--muted);font-weight:400;font-size:12px}
.pairs,.evidence,.msgs{margin:4px 0;padding-left:18px}.evidence{color:var(--muted)}
.w{display:inline-block;min-width:2.6em;font-variant-numeric:tabular-nums;color:var(--fg)}
tr.st-error td:first-child{box-shadow:inset 3px 0 var(--err)}
tr.st-warning td:first-child{box-shadow:inset 3px 0 var(--warn)}
details summary{cursor:pointer}.rows td:last-child{min-width:220px}
.more{font-style:italic;color:var(--muted)}
footer{margin-top:32px;padding-top:8px;border-top:1px solid var(--line);font-size:12px;color:var(--muted)}
.hash{overflow-wrap:anywhere}
@media (max-width:600px){main{padding:10px}h1{font-size:21px}.big{font-size:25px}
.cards{grid-template-columns:1fr 1fr}
table.members thead{display:none}table.members tr{display:block;border-bottom:1px solid var(--line);padding:3px 0}
table.members td{display:block;border:0;padding:0;text-align:left}
table.members td::before{content:attr(data-label) ": ";color:var(--muted)}
table.members code{white-space:normal;overflow-wrap:anywhere}}
@media print{body{font-size:11px}main{max-width:none;padding:0}*{-webkit-print-color-adjust:exact;
print-color-adjust:exact}section{break-inside:avoid-page}table,.group,figure{break-inside:auto}
tr{break-inside:avoid}.group{break-inside:avoid}.scroll{overflow:visible}h2{break-after:avoid}a{color:inherit}}
"""

PAGE = Template("""<!DOCTYPE html>
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
