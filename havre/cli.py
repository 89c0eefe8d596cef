"""The `havre` command line."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from grammar.diagnostics import PolicyError, render_json, render_text
from havre import cli_caseload
from solver.case import CaseError
from solver.run import InternalError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Havre: decide humanitarian immigration cases under a policy written in the Havre language.",
)

PolicyOpt = Annotated[Path, typer.Option("--policy", "-p", help="Policy folder (holding main.havre) or file.")]


class Format(StrEnum):
    text = "text"
    json = "json"


class Lang(StrEnum):
    en = "en"
    fr = "fr"


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


@contextmanager
def user_errors(fmt: Format = Format.text) -> Iterator[None]:
    """Bad input ends with a message naming the place, and exit code 2; never a traceback."""
    try:
        yield
    except PolicyError as err:
        if fmt == Format.json:
            _fail(render_json(err.diagnostics))
        texts = _texts(err)
        count = len(err.diagnostics)
        _fail(render_text(err.diagnostics, texts) + f"\n{count} error{'s' if count != 1 else ''} in the policy")
    except CaseError as err:
        _fail(f"error: {err}")
    except InternalError as err:
        _fail(f"internal error (please report it): {err}", 3)


def _texts(err: PolicyError) -> dict[str, str]:
    texts: dict[str, str] = {}
    for d in err.diagnostics:
        path = Path(d.span.file)
        if d.span.file not in texts and path.is_file():
            with suppress(OSError, UnicodeDecodeError):
                texts[d.span.file] = path.read_text(encoding="utf-8")
    return texts


@app.command()
def decide(
    case: Annotated[Path, typer.Argument(help="A case file (YAML or JSON).")],
    policy: PolicyOpt = Path("policy"),
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.text,
    lang: Annotated[Lang, typer.Option("--lang", "-l")] = Lang.en,
) -> None:
    """Decide every verdict of the policy for one case."""
    from explain.views import explanation_view
    from havre.api import load_policy
    from havre.output import decision_json, decision_text, dumps

    with user_errors():
        loaded = load_policy(policy)
        the_case = loaded.case(case)
        if format == Format.json:
            typer.echo(dumps(decision_json(loaded.decide(the_case))))
            return
        graph, decision = loaded.explainer.graph(the_case)  # one solve gives the verdicts and their reasons
        reasons = {
            (v["verdict"], tuple(v["subject"])): v["summary"]
            for v in explanation_view(loaded.checked, the_case, decision, graph, lang.value)["verdicts"]
        }
    typer.echo(decision_text(loaded.checked, the_case, decision, lang.value, reasons))


class ExplainFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


@app.command()
def explain(
    case: Annotated[Path, typer.Argument(help="A case file (YAML or JSON).")],
    policy: PolicyOpt = Path("policy"),
    verdict: Annotated[str | None, typer.Option("--verdict", "-v", help="Explain only this verdict.")] = None,
    why_not: Annotated[bool, typer.Option("--why-not", help="Also say why the other rules did not conclude.")] = False,
    format: Annotated[ExplainFormat, typer.Option("--format", "-f")] = ExplainFormat.text,
    lang: Annotated[Lang, typer.Option("--lang", "-l")] = Lang.en,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """Explain a case's verdicts: why, why not, and what is missing, citing the provisions."""
    from explain.render import render
    from havre.api import load_policy

    with user_errors():
        loaded = load_policy(policy)
        view = loaded.explain(case, lang=lang.value, verdict=verdict, why_not=why_not)
    text = render(view, format.value)  # type: ignore[arg-type]
    if output is None:
        typer.echo(text, nl=False)
        return
    partial = output.with_name(output.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(output)  # whole file or nothing
    except OSError as err:
        _fail(f"error: cannot write {output}: {err.strerror}")


@app.command("compile")
def compile_(policy: PolicyOpt = Path("policy")) -> None:
    """Print the ASP program the policy compiles to."""
    from havre.api import load_policy

    with user_errors():
        loaded = load_policy(policy)
    typer.echo(loaded.program.text, nl=False)


@app.command()
def schema(policy: PolicyOpt = Path("policy")) -> None:
    """Print the JSON Schema of case files that the policy's inputs imply."""
    from grammar.check import load
    from havre.output import dumps
    from solver.schema import case_schema

    with user_errors():
        checked = load(policy)
    typer.echo(dumps(case_schema(checked)))


@app.command()
def check(
    policy: PolicyOpt = Path("policy"),
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.text,
) -> None:
    """Check the policy: syntax, names, types, safety, cycles; warnings for missing texts."""
    from grammar.check import load

    with user_errors(format):
        checked = load(policy)
    if format == Format.json:
        typer.echo(render_json(checked.warnings))
    else:
        if checked.warnings:
            typer.echo(render_text(checked.warnings, {}))
        typer.echo(
            f"{len(checked.rules)} rules, {len(checked.predicates)} predicates: "
            f"no errors, {len(checked.warnings)} warning(s)"
        )


@app.command()
def test(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Scenario files or folders (default: the policy folder).")
    ] = None,
    policy: PolicyOpt = Path("policy"),
) -> None:
    """Run scenario files; ends with `N passed, N failed`."""
    from havre.api import load_policy
    from havre.scenarios import collect, run

    with user_errors():
        loaded = load_policy(policy)
        scenarios = collect(paths or [policy], loaded.checked)
        outcomes = run(loaded, scenarios)
    failed = [o for o in outcomes if o.failures]
    for o in outcomes:
        mark = "FAIL" if o.failures else "ok  "
        typer.echo(f"{mark} {o.scenario.file}::{o.scenario.name}")
        for f in o.failures:
            typer.echo(f"       {f}")
    typer.echo(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise typer.Exit(1)


cli_caseload.register(app)


def main(argv: list[str] | None = None) -> None:
    run_app: Callable[..., object] = app
    try:
        run_app(args=argv, prog_name="havre")
    except KeyboardInterrupt:
        sys.exit(130)
