"""What the commands share: option declarations, option-value parsers and the command group that
turns every usage error into one line with exit code 2."""

from __future__ import annotations

import click

from tracecheck.catalogue import catalogue, language_of, languages
from tracecheck.writers import parse_formats


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _parse_map(values: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for value in values:
        field, sep, header = value.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise click.BadParameter(f"{value!r} is not FIELD=\"Header\"", param_hint="--map")
        mapping[field.strip()] = header.strip().strip('"').strip("'")
    return mapping


def _parse_limits(values: tuple[str, ...]):
    from tracecheck.read.limits import Limits

    pairs = {}
    for value in values:
        name, sep, number = value.partition("=")
        if not sep:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint="--limit")
        pairs[name.strip()] = number.strip()
    try:
        return Limits.parse(pairs)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--limit") from None


def _parse_formats(value: str) -> tuple[str, ...]:
    try:
        return parse_formats(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from None


def _language(lang: str | None, locale: str | None) -> tuple[str, str | None]:
    """The report language and locale from --lang and --locale (--locale es_ES alone means Spanish)."""
    try:
        chosen = lang or (language_of(locale) if locale else "en")
        catalogue(chosen, locale)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--locale" if locale is not None else "--lang") from None
    return chosen, locale


_LANG = click.option("--lang", type=click.Choice(languages()), default=None,
                     help="Language of the messages and reports (default: en, or the --locale's language).")
_SHEET = click.option("--sheet", default=None, help="Worksheet to read (default: the one whose headers map best to "
                      "the trace fields); 'all' reads every sheet of that sheet's layout (monthly tabs) as one batch.")
_HEADER_ROW = click.option("--header-row", "header_row", type=click.IntRange(min=1), default=None, metavar="N",
                           help="The header is on row N (default: detected; a row of sub-labels under it joins it).")
_LOCALE = click.option("--locale", default=None, metavar="LOCALE",
                       help="Number formats, e.g. es_MX (default for es) or es_ES; refines --lang.")


class _UsageError(click.ClickException):
    """A usage error shown as one line on stderr (click's default is a multi-line usage block)."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"tracecheck: error: {self.format_message()}", err=True)


def _one_line(exc: click.UsageError) -> _UsageError:
    command = exc.ctx.command_path if exc.ctx else "tracecheck"
    message = " ".join(exc.format_message().split())
    return _UsageError(f"{message} (see '{command} --help')")


class _Group(click.Group):
    """Turns usage errors of the group and its commands into one-line messages, exit code 2."""

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise _one_line(exc) from None
