"""`havre agenda`: every date a case sets, past and coming, as text, JSON or an iCalendar file."""

from __future__ import annotations

import json
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from havre import targets
from havre.cli import held

PolicyOpt = Annotated[Path, typer.Option("--policy", "-p", help="Policy folder (holding main.havre) or file.")]


class AgendaFormat(StrEnum):
    text = "text"
    json = "json"
    ics = "ics"


class Lang(StrEnum):
    en = "en"
    fr = "fr"


def agenda(
    case: Annotated[Path, typer.Argument(help="A case file (YAML or JSON).")],
    policy: PolicyOpt = Path("policy"),
    format: Annotated[
        AgendaFormat, typer.Option("--format", "-f", help="ics: an iCalendar file, one all-day event per date.")
    ] = AgendaFormat.text,
    lang: Annotated[Lang, typer.Option("--lang", "-l")] = Lang.en,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """Every date the case sets, past and coming, in order: what falls due, for whom, under which rule and
    provision, and what happens once it has passed.

    Exit code 2 on bad input."""
    from explain.rendering.ics import render_ics
    from havre.api import load_policy
    from havre.cli.main import renderer, user_errors

    render = renderer()

    with user_errors(), targets.written(output) if output is not None else nullcontext() as out:
        with held():
            loaded = load_policy(policy, write_behind=True)
        view = loaded.agenda(case, lang=lang.value)
        if format == AgendaFormat.ics:
            data = render_ics(view)
        elif format == AgendaFormat.json:
            data = (json.dumps(view, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        else:
            data = render(view, "agenda").encode("utf-8")
        if out is not None:
            targets.write_all(out, data)
    if output is None:
        typer.echo(data.decode("utf-8"), nl=False)


def register(app: typer.Typer) -> None:
    """Adds `havre agenda` to the command line."""
    app.command()(agenda)
