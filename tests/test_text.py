"""``tracecheck.text.first_sentence``: where the one-line "why" of ``tracecheck rules`` stops."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tracecheck.cli import main
from tracecheck.text import first_sentence


@pytest.mark.parametrize(("text", "first"), [
    ("One. Two.", "One."),
    ("A dealer must report (18 U.S.C. 923(g)(3)). Guns of one sale", "A dealer must report (18 U.S.C. 923(g)(3))."),
    ("Filed under U.S. Code title 18. Then more", "Filed under U.S. Code title 18."),
    ("Signed by J. Smith in May. Then more", "Signed by J. Smith in May."),
    ("Greater than .22 calibre. Next", "Greater than .22 calibre."),
    ("Version 3.1 is out. next word lower case", "Version 3.1 is out. next word lower case"),
    ("Es obligatorio. ¿Por qué? Porque sí", "Es obligatorio."),
    ("Really!  Yes", "Really!"),
    ("no end at all", "no end at all"),
    ("", ""),
])
def test_first_sentence(text: str, first: str) -> None:
    assert first_sentence(text) == first


def test_rules_listing_keeps_the_statute_whole() -> None:
    listing = " ".join(CliRunner().invoke(main, ["rules"]).output.split())
    assert "18 U.S.C. 923(g)(3))." in listing
    assert "under 18 U.S.C. 923(g)(5))." in listing
