"""Commands for writing policy: the formatter, the list of rules, the language server."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

PolicyOpt = Annotated[Path, typer.Option("--policy", "-p", help="Policy folder (holding main.havre) or file.")]


class Format(StrEnum):
    text = "text"
    json = "json"


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _policy_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.rglob("*.havre")))
        elif path.is_file():
            files.append(path)
        else:
            _fail(f"{path}: no such file or folder")
    return list(dict.fromkeys(files))


def fmt(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Policy files or folders (default: policy); folders are searched.")
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Change nothing; exit 1 listing the files to format.")] = False,
) -> None:
    """Write policy files in the one canonical layout, comments kept; formatting twice changes nothing."""
    from grammar.diagnostics import PolicyError
    from grammar.text.format import format_text
    from havre.cli.main import user_errors

    files = _policy_files(paths or [Path("policy")])
    changed: list[tuple[Path, str]] = []
    errors = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            formatted = format_text(text, str(path))
        except PolicyError as err:
            errors.extend(err.diagnostics)
            continue
        if formatted != text:
            changed.append((path, formatted))
    with user_errors():
        if errors:
            raise PolicyError(errors)
    for path, formatted in changed:
        if check:
            typer.echo(f"would reformat {path}")
            continue
        partial = path.with_name(path.name + ".partial")
        partial.write_text(formatted, encoding="utf-8")
        partial.replace(path)  # whole file or nothing
        typer.echo(f"reformatted {path}")
    verb = "would be reformatted" if check else "reformatted"
    typer.echo(f"{len(changed)} file(s) {verb}, {len(files) - len(changed)} unchanged")
    if check and changed:
        raise typer.Exit(1)


def rules(
    policy: PolicyOpt = Path("policy"),
    cites: Annotated[
        str | None, typer.Option("--cites", help="Only the rules citing this source or provision.")
    ] = None,
    uses: Annotated[
        str | None, typer.Option("--uses", help="Only the rules reading or concluding this predicate.")
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.text,
) -> None:
    """The rules of the policy with their file:line, title and citations."""
    from havre.api import load_policy
    from havre.cli.main import user_errors
    from havre.rules import rule_listing

    with user_errors():
        checked = load_policy(policy).checked
        listed = rule_listing(checked, cites=cites, uses=uses)
    if format == Format.json:
        typer.echo(json.dumps(listed, indent=2, ensure_ascii=False))
        return
    for r in listed:
        typer.echo(f"{r['place']}  {r['id']}  {r['title']}  [{', '.join(r['cites'])}]")
    typer.echo(f"{len(listed)} rule(s)")


def lsp() -> None:
    """Run the language server on standard input and output, for editors."""
    from havre.lsp.server import serve

    serve()


def register(app: typer.Typer) -> None:
    """Adds the commands for writing policy to the command line."""
    app.command()(fmt)
    app.command()(rules)
    app.command()(lsp)
