"""``tracecheck init-pack``: write a commented starter rule pack (``tracecheck.starter``).

Exit codes as for ``check``: 0 written; 2 a usage error; 3 the file exists (without ``--force``) or
cannot be written, so a script can tell "already there" from a bad option.
"""

from __future__ import annotations

import functools
import importlib.resources
import os
import sys
from pathlib import Path
from typing import TextIO

import click

from tracecheck.errors import ReportWriteError, TracecheckError


def schema_location(pack: Path) -> str:
    """Where the editor finds the pack JSON Schema, relative to ``pack`` when it can be: the copy in the
    installed package, else docs/rule-pack.schema.json of a checkout."""
    packaged = Path(str(importlib.resources.files("tracecheck") / "schemas" / "rule-pack.schema.json"))
    schema = packaged if packaged.is_file() else Path(__file__).resolve().parents[1] / "docs" / "rule-pack.schema.json"
    try:
        return Path(os.path.relpath(schema, pack.resolve().parent)).as_posix()
    except ValueError:  # another drive (Windows)
        return schema.as_posix()


def _write(text: str, fp: TextIO) -> None:
    fp.write(text)


@click.command("init-pack")
@click.argument("path", default="agency-pack.yml", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@click.option("--lang", type=click.Choice(["en", "es"]), default="en", show_default=True,
              help="Language of the explanations and example texts.")
def init_pack(path: str, force: bool, lang: str) -> None:
    """Write a commented starter rule pack to PATH (default agency-pack.yml): what a pack can change,
    each with an example to uncomment. Use it with `tracecheck check --rules PATH`."""
    from tracecheck.starter import starter_pack
    from tracecheck.writers import write_atomic

    target = Path(path)
    try:
        if target.exists() and not force:
            raise ReportWriteError("already exists; give --force to replace it", path=str(target))
        text = starter_pack(lang, schema_location(target), file=target.name)
        write_atomic(target, functools.partial(_write, text))
    except TracecheckError as exc:
        click.echo(f"tracecheck: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    click.echo(f"wrote a starter rule pack to {target}; use it with: tracecheck check INPUT --rules {target}", err=True)
