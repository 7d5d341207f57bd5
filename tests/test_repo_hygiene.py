"""The repository itself: no file left with merge-conflict markers (a merge that committed them
once broke .ci/run and the README)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(rb"^(<<<<<<< |>>>>>>> )", re.M)


def test_no_file_holds_merge_conflict_markers():
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    paths = [ROOT / p for p in listed.stdout.decode().split("\0") if p] if listed.returncode == 0 else [
        p for p in ROOT.rglob("*") if p.is_file() and ".git" not in p.parts and ".venv" not in p.parts]
    assert paths
    marked = [str(p.relative_to(ROOT)) for p in paths
              if p.is_file() and p.stat().st_size < 5_000_000 and MARKER.search(p.read_bytes())]
    assert marked == []
