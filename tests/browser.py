"""Headless Chromium for the HTML report tests: run it, read what it logged, measure a page's layout
at a given width, and read the size of its screenshots and the page count of its PDFs.

No devtools protocol: the layout probe is a throw-away page that holds the report in an iframe of
the wanted width (``srcdoc``, so the probe's script may read it) and writes its measurements into
its own DOM, which ``--dump-dom`` prints. The report page itself stays script-free. Chromium's
headless window is at least 500 px wide, so ``--window-size=390,…`` cannot be measured directly.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

from conftest import CHROMIUM_PATH


def chromium(tmp: Path, *args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    profile = tmp / "profile"
    command = [str(CHROMIUM_PATH), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args]
    try:
        return subprocess.run(command, check=False, capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def page_console_lines(stderr: str, url: str) -> list[str]:
    """Console messages and uncaught exceptions Chromium logged for ``url``."""
    return [line for line in stderr.splitlines()
            if (":CONSOLE" in line or "Uncaught" in line) and url in line]


# The probe: once the framed report has laid out, record its viewport width (clientWidth, without
# the scroll bar), its scrollWidth and height, the ids of its sections, and every element that
# reaches past the viewport's right edge other than inside a scrolling box (.scroll, whose tables
# may scroll sideways on their own), every element that spills out of its headline card,
# duplicate card or chart on the right, and the box of each chart (svg.chart) with its section's id.
_PROBE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>probe</title>
<style>body{margin:0}iframe{border:0;display:block}</style></head><body>
<iframe id="report" width="%(width)d" height="900" srcdoc="%(page)s"></iframe>
<script>
const frame = document.getElementById("report");
frame.addEventListener("load", () => {
  const doc = frame.contentDocument, root = doc.documentElement, width = root.clientWidth;
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className ? "." + el.className.split(" ")[0] : "");
  const wide = [...doc.body.querySelectorAll("*")].filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 0.5 && !(el.parentElement && el.parentElement.closest(".scroll"));
  }).map(name);
  const spill = [...doc.querySelectorAll(".card, .group, figure")].flatMap(box => {
    const edge = box.getBoundingClientRect().right;
    return [...box.querySelectorAll("*")].filter(el => el.getBoundingClientRect().right > edge + 0.5).map(name);
  });
  const charts = [...doc.querySelectorAll("section[id] svg.chart")].map(svg => {
    const box = svg.getBoundingClientRect();
    return {section: svg.closest("section").id, width: box.width, height: box.height, right: box.right};
  });
  document.body.setAttribute("data-probe", JSON.stringify({
    client_width: width, scroll_width: root.scrollWidth, height: root.scrollHeight,
    sections: [...doc.querySelectorAll("section[id]")].map(s => s.id), wide: wide.slice(0, 20),
    spill: spill.slice(0, 20), charts: charts}));
});
</script></body></html>"""


def layout(tmp: Path, page: Path, width: int) -> dict[str, Any]:
    """How ``page`` lays out in a viewport ``width`` CSS pixels wide (see _PROBE)."""
    probe = tmp / f"probe-{width}.html"
    probe.write_text(_PROBE % {"width": width, "page": html.escape(page.read_text(encoding="utf-8"), quote=True)},
                     encoding="utf-8")
    result = chromium(tmp, "--window-size=1400,1000", "--dump-dom", probe.as_uri())
    found = re.search(r'data-probe="([^"]*)"', result.stdout)
    assert found, f"the layout probe wrote nothing: {result.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) of a PNG, from its IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def pdf_pages(path: Path) -> int:
    """The number of pages of a PDF Chromium printed: its /Type /Page objects, which must agree with
    the page tree's /Count (Chromium writes them uncompressed; a PDF with object streams is refused)."""
    data = path.read_bytes()
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF"), f"{path} is not a whole PDF"
    assert b"/ObjStm" not in data, "objects in compressed streams: count the pages with a PDF library"
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data)]
    assert pages >= 1 and max(counts, default=pages) == pages, (pages, counts)
    return pages
