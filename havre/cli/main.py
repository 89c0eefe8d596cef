"""The `havre` command line."""

from __future__ import annotations

import copy
import datetime as dt
import errno
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext, suppress
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.models import CommandInfo

from grammar.diagnostics import PolicyError, render_json, render_text
from grammar.text.files import os_problem
from havre import targets
from havre.cli import agenda as cli_agenda
from havre.cli import caseload as cli_caseload
from havre.cli import editor as cli_editor
from havre.cli import end_quickly, held
from havre.cli import impact as cli_impact
from havre.cli import web as cli_web
from havre.targets import OutputError
from solver.cases.case import CaseError
from solver.solve.run import InternalError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
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
    except OutputError as err:
        _fail(f"error: {err}")


def renderer() -> Callable[..., str]:
    """`explain.rendering.render.render`, its compiled templates kept beside the policy cache for the next command."""
    from explain.rendering import render
    from havre.store import cache

    render.keep_compiled_templates(cache.folder())
    return render.render


def _texts(err: PolicyError) -> dict[str, str]:
    from grammar.text.files import FileProblem, read_text
    from grammar.text.parse import MAX_POLICY_BYTES

    texts: dict[str, str] = {}
    for d in err.diagnostics:
        if d.span.file not in texts:
            with suppress(FileProblem):
                texts[d.span.file] = read_text(d.span.file, MAX_POLICY_BYTES)
    return texts


VerdictOpt = Annotated[
    list[str] | None, typer.Option("--verdict", "-v", help="Only this verdict (repeat the option for several).")
]
SubjectOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--subject",
        "-s",
        help="With --verdict: this subject, e.g. `omar` or `omar,app1`, whatever its status (why it fails or does not"
        " apply).",
    ),
]
AllOpt = Annotated[bool, typer.Option("--all", help="Also list the verdicts that do not apply to their subject.")]


def _subjects(values: list[str] | None, verdicts: list[str] | None) -> list[tuple[str, ...]]:
    if values and not verdicts:
        _fail("error: --subject: name the verdict too, with --verdict")
    return [tuple(part.strip() for part in value.split(",")) for value in values or ()]


def _exit_on_conflict(view: dict[str, Any]) -> None:
    """A case where rules disagree is never a settled answer."""
    if view["conflicts"]:
        raise typer.Exit(1)


@app.command()
def decide(
    case: Annotated[Path, typer.Argument(help="A case file (YAML or JSON).")],
    policy: PolicyOpt = Path("policy"),
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.text,
    lang: Annotated[Lang, typer.Option("--lang", "-l")] = Lang.en,
    verdict: VerdictOpt = None,
    subject: SubjectOpt = None,
    summary: Annotated[
        bool, typer.Option("--summary", help="Only the main answers and the conflicts they rest on.")
    ] = False,
    show_all: AllOpt = False,
    log: Annotated[bool, typer.Option("--log", help="Record the decision in the decision log ($HAVRE_DB).")] = False,
) -> None:
    """Decide a case: the main answers first, then every verdict, by subject.

    Exit code 1 when rules conflict on the case, 2 on bad input."""
    from explain.view.case_view import chosen_verdicts
    from havre.api import load_policy
    from havre.output import decision_json, dumps, view_questions

    render = renderer()

    subjects = _subjects(subject, verdict)
    names = verdict or ()
    with user_errors():
        with held():
            whole = load_policy(policy, write_behind=True)
        # Only what is asked is grounded: the verdicts named, or the main answers and the deadlines (the summary
        # shows the next one); a logged decision is whole.
        deadlines = [p.name for p in whole.checked.predicates.values() if p.deadline is not None]
        asked = names or ((*whole.checked.summary, *deadlines) if summary else ())
        loaded = whole if log else whole.narrowed(asked)
        view, decision = loaded.decision_view(  # the text and JSON show each verdict's reason alone
            case, lang=lang.value, verdicts=names, subjects=subjects, show_all=show_all, brief=True
        )
    if format == Format.json:
        chosen = chosen_verdicts(loaded.checked, decision, names, subjects, show_all)
        found = decision_json(decision, chosen, view_questions(view), view["summary"], view["next_deadline"])
        typer.echo(dumps(found))
    else:
        typer.echo(render(view, "decision", summary_only=summary), nl=False)
    if log:
        from havre.cli.web import log_decision

        log_decision(whole, decision, case)
    _exit_on_conflict(view)


class ExplainFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


@app.command()
def explain(
    case: Annotated[Path, typer.Argument(help="A case file (YAML or JSON).")],
    policy: PolicyOpt = Path("policy"),
    verdict: VerdictOpt = None,
    subject: SubjectOpt = None,
    why_not: Annotated[bool, typer.Option("--why-not", help="Also say why the other rules did not conclude.")] = False,
    what_if: Annotated[
        bool, typer.Option("--what-if", help="The smallest changes to the case's facts that would change each verdict.")
    ] = False,
    findings: Annotated[
        bool, typer.Option("--change-findings", help="With --what-if: officers' findings may change too.")
    ] = False,
    fixed: Annotated[
        bool, typer.Option("--change-past", help="With --what-if: past events (`fixed` inputs) may change too.")
    ] = False,
    format: Annotated[ExplainFormat, typer.Option("--format", "-f")] = ExplainFormat.text,
    lang: Annotated[Lang, typer.Option("--lang", "-l")] = Lang.en,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    show_all: AllOpt = False,
) -> None:
    """Explain a case's verdicts: why, why not, and what is missing, citing the provisions.

    Exit code 1 when rules conflict on the case, 2 on bad input."""
    from havre.api import load_policy

    render = renderer()
    subjects = _subjects(subject, verdict)
    with user_errors(), targets.written(output) if output is not None else nullcontext() as out:
        # Only what decides the verdicts named is grounded.
        with held():
            loaded = load_policy(policy, write_behind=True).narrowed(verdict or ())
        view = loaded.explain(
            case,
            lang=lang.value,
            verdicts=verdict or (),
            subjects=subjects,
            why_not=why_not,
            what_if=what_if,
            include_judged=findings,
            include_fixed=fixed,
            show_all=show_all,
        )
        text = render(view, format.value)  # type: ignore[arg-type]
        if out is not None:
            targets.write_all(out, text.encode("utf-8"))
    if output is None:
        typer.echo(text, nl=False)
    _exit_on_conflict(view)


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
    from grammar.checks.check import load
    from havre.output import dumps
    from solver.cases.schema import case_schema

    with user_errors():
        checked = load(policy)
    typer.echo(dumps(case_schema(checked)))


@app.command()
def check(
    policy: PolicyOpt = Path("policy"),
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.text,
    emit_counterexamples: Annotated[
        Path | None,
        typer.Option(
            "--emit-counterexamples",
            help="Write each counterexample as a scenario file in this folder (`havre test` finds them in a folder"
            " named `scenarios`, or given by name). Each fails until the policy is fixed.",
        ),
    ] = None,
    universe: Annotated[
        str | None,
        typer.Option("--universe", help="Entities of each type to search with, e.g. person=3,application=1 (else 2)."),
    ] = None,
    static_only: Annotated[bool, typer.Option("--static-only", help="Only the language checks, no search.")] = False,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            metavar="DATE",
            help="Search the policy as in force on this date (YYYY-MM-DD; else 2026-06-15): versions of rules not"
            " in force then are not searched.",
        ),
    ] = None,
) -> None:
    """Check the policy: syntax, names, types, safety, cycles, missing texts; then search for conflicts, gaps,
    broken invariants, dead rules, exceptions and priorities, and unused inputs and sources.

    Progress goes to stderr. Exit code 1 when the search finds something or a text is missing in English or French,
    2 on bad input; a question the search could not settle in time is a warning that does not fail the check."""
    import time

    from grammar.checks.check import load
    from solver.analysis.analysis import UNSETTLED

    started = time.perf_counter()
    with user_errors(format):
        checked = load(policy)
        found, where, asleep = ([], None, []) if static_only else _analyse(checked, universe, on)
    written = _write_counterexamples(found, emit_counterexamples) if emit_counterexamples else [None] * len(found)
    if format == Format.json:
        _check_json(checked, found, written, where, asleep)
    else:
        _check_text(checked, found, written, where, time.perf_counter() - started, asleep)
    # Every text a reviewer reads must exist in both languages. An unsettled question claims nothing about the
    # policy: reported, it does not fail the check.
    if any(f.code != UNSETTLED for f in found) or checked.warnings:
        raise typer.Exit(1)


def _check_counts(checked: Any, found: list[Any]) -> dict[str, int]:
    """Errors: findings and the policy's diagnostics of severity error (a missing text); warnings: the others."""
    severities = [f.severity for f in found] + [d.severity for d in checked.warnings]
    errors = severities.count("error")
    counts = {"rules": len(checked.rules), "predicates": len(checked.predicates)}
    return counts | {"errors": errors, "warnings": len(severities) - errors}


def _check_json(
    checked: Any, found: list[Any], written: list[str | None], where: str | None, asleep: list[str]
) -> None:
    import json

    diagnostics = json.loads(render_json(checked.warnings))
    doc = {
        "errors": [d for d in diagnostics if d["severity"] == "error"],
        "warnings": [d for d in diagnostics if d["severity"] != "error"],
        "findings": [_finding_json(f, path) for f, path in zip(found, written, strict=True)],
    }
    doc |= {} if where is None else {"universe": where, "not_in_force": asleep}
    doc["summary"] = _check_counts(checked, found)
    typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))


def _check_text(
    checked: Any, found: list[Any], written: list[str | None], where: str | None, took: float, asleep: list[str]
) -> None:
    if checked.warnings:
        typer.echo(render_text(checked.warnings, {}))
    for f, path in zip(found, written, strict=True):
        place = f"{f.span.file}:{f.span.line}" if f.span else "<policy>"
        typer.echo(f"{place}: {f.severity}[{f.code}]: {f.message}")
        if path is not None:
            typer.echo(f"  counterexample: {path}")
    if where is not None:
        typer.echo(f"consistency: {_count(len(found), 'finding')} in the universe {where} ({took:.1f} s)")
    if asleep:
        typer.echo(f"not in force on that date, not searched: {', '.join(asleep)} (search them with --on DATE)")
    counts = _check_counts(checked, found)
    typer.echo(
        f"{_count(counts['rules'], 'rule')}, {_count(counts['predicates'], 'predicate')}: "
        f"{_count(counts['errors'], 'error')}, {_count(counts['warnings'], 'warning')}"
    )


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


@contextmanager
def _progress() -> Iterator[Callable[[str], None]]:
    """Where the search says what it is doing: a status line on a terminal, else plain lines; always stderr."""
    if not sys.stderr.isatty():
        yield lambda message: typer.echo(f"checking: {message}", err=True)
        return
    from rich.console import Console

    with Console(stderr=True).status("checking") as status:
        yield lambda message: status.update(f"checking: {message}")


def _analyse(checked: Any, universe: str | None, on: str | None) -> tuple[list[Any], str, list[str]]:
    from havre.store import proofs
    from solver.analysis.analysis import analyse
    from solver.analysis.universe import parse_universe
    from solver.compile.emit import emit

    try:
        day = dt.date.fromisoformat(on) if on is not None else None
    except ValueError:
        raise CaseError("--on", "", f"`{on}` is not a date: write YYYY-MM-DD, e.g. 2019-10-01") from None
    chosen = parse_universe(universe, day)
    chosen.ids(checked)  # an unknown entity type is bad input
    kept = proofs.read()
    with _progress() as say:
        found = analyse(emit(checked), checked, universe=chosen, progress=say, kept=kept)
    if kept is not None:
        proofs.write(kept)
    return found, chosen.describe(checked), chosen.out_of_force(checked)


def _write_counterexamples(found: list[Any], folder: Path) -> list[str | None]:
    """Each finding with a case as a scenario file `CODE-SUBJECT[-RULES].yaml`; the paths, in the findings' order."""
    import re
    import textwrap

    from solver.analysis.universe import scenario_text

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        _fail(f"error: cannot create {folder}: {err.strerror}")
    written: list[str | None] = []
    for f in found:
        if f.document is None:
            written.append(None)
            continue
        name = "-".join([f.code, f.subject, *(f.rules if f.code == "conflict" else ())])
        path = folder / (re.sub(r"[^A-Za-z0-9._-]+", "-", name) + ".yaml")
        place = f"{f.span.file}:{f.span.line}" if f.span else ""
        kept = ", ".join(f.kept) or "none"
        header = [f"Written by `havre check`: {f.code} at {place}", f.message, f.note]
        header.append(
            f"The case states only the facts that matter: {kept}. Every other input is left unknown on purpose:"
            " the problem shows whatever it is."
        )
        header = [line for text in header for line in textwrap.wrap(text, 98, break_on_hyphens=False)]
        try:
            path.write_text(scenario_text(f"{f.code}: {f.message}", header, f.document, f.expect), encoding="utf-8")
        except OSError as err:
            _fail(f"error: cannot write {path}: {err.strerror}")
        written.append(str(path))
    return written


def _finding_json(f: Any, scenario: str | None) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": f.severity,
        "message": f.message,
        "subject": f.subject,
        "rules": list(f.rules),
        "file": f.span.file if f.span else None,
        "line": f.span.line if f.span else None,
        "case": f.document,
        "kept": list(f.kept),
        "expect": list(f.expect),
        "note": f.note or None,
        "scenario": scenario,
    }


@app.command()
def test(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Scenario files or folders (default: the policy folder).")
    ] = None,
    policy: PolicyOpt = Path("policy"),
    coverage: Annotated[
        bool, typer.Option("--coverage", help="Also report the rules, provisions, conditions and exceptions covered.")
    ] = False,
    fail_under: Annotated[
        float | None, typer.Option("--fail-under", help="With --coverage: fail when rule coverage is below N percent.")
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.text,
) -> None:
    """Run scenario files; ends with `N passed, N failed`."""
    from havre.api import load_policy
    from havre.testing.scenarios import collect, run

    with user_errors():
        loaded = load_policy(policy)
        scenarios, broken = collect(paths or [policy], loaded.checked)
        outcomes = run(loaded, scenarios)
        cov = None
        if coverage or fail_under is not None:
            from havre.testing.coverage import coverage as measure

            cov = measure(loaded.program, loaded.checked, [s.case for s in scenarios if s.case is not None])
    failed = [o for o in outcomes if o.failures]
    for _file, message in broken:  # a file that does not load fails alone; the others still run
        typer.echo(f"FAIL {message}", err=True)
    low = cov is not None and fail_under is not None and cov.percent("rule") < fail_under
    if format == Format.json:
        _test_json(outcomes, cov)
    else:
        for o in outcomes:
            mark = "FAIL" if o.failures else "ok  "
            typer.echo(f"{mark} {o.scenario.file}::{o.scenario.name}")
            for f in o.failures:
                typer.echo(f"       {f}")
        if cov is not None:
            from havre.testing.coverage import coverage_text

            typer.echo(coverage_text(cov))
            if low:
                typer.echo(f"rule coverage {cov.percent('rule'):.1f}% is below {fail_under:g}%")
        typer.echo(f"{len(outcomes) - len(failed):,} passed, {len(failed) + len(broken):,} failed")
    if failed or low or broken:
        raise typer.Exit(1)


def _test_json(outcomes: list[Any], cov: Any) -> None:
    import json

    from havre.testing.coverage import coverage_json

    failed = sum(1 for o in outcomes if o.failures)
    doc: dict[str, Any] = {
        "scenarios": [
            {"file": o.scenario.file, "name": o.scenario.name, "passed": not o.failures, "failures": list(o.failures)}
            for o in outcomes
        ],
        "passed": len(outcomes) - failed,
        "failed": failed,
    }
    if cov is not None:
        doc["coverage"] = coverage_json(cov)
    typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))


cli_agenda.register(app)
cli_caseload.register(app)
cli_editor.register(app)
cli_web.register(app)
cli_impact.register(app)


@app.callback()
def _commands() -> None:
    """Runs before every command. Registered so that `havre` stays a group of commands when `_app_for` gives Typer
    only one of them (Typer makes an application of one command without a callback that command itself)."""


def _app_for(args: Sequence[str]) -> typer.Typer:
    """The application that runs `args`. Typer reads the signature of every command it is given before it runs
    one (about 12 ms for all of them, in every process), so a command or group named first is given alone; no
    arguments, `--help` and a name that is no command's (so that the message can suggest one) see them all."""
    if not args:
        return app
    only = copy.copy(app)
    only.registered_commands = [c for c in app.registered_commands if _command_name(c) == args[0]]
    only.registered_groups = [g for g in app.registered_groups if g.name == args[0]]
    return only if only.registered_commands or only.registered_groups else app


def _command_name(info: CommandInfo) -> str | None:
    if info.name:
        return info.name
    return typer.main.get_command_name(info.callback.__name__) if info.callback else None


def main(argv: list[str] | None = None) -> None:
    run_app: Callable[..., object] = _app_for(sys.argv[1:] if argv is None else argv)
    code: int | str | None = 0
    stdout = sys.stdout
    try:
        run_app(args=argv, prog_name="havre")
    except SystemExit as done:
        # A reader gone mid-output: Typer exits with 1, a quiet stream in place of stdout; say it as at the end.
        code = 141 if done.code == 1 and sys.stdout is not stdout else done.code
    except KeyboardInterrupt:
        code = 130
    except OSError as err:  # stdout on a full disk or a closed pipe; anything else is a fault to report
        if err.errno not in OUTPUT_ERRNOS:
            raise
        code = _output_failed(err)
    try:
        sys.stdout.flush()
    except ValueError:  # closed already: the language server's stream, once the editor ended the session
        pass
    except OSError as err:
        code = _output_failed(err)
    if argv is None and (code is None or isinstance(code, int)):  # the process is the command's own
        end_quickly(code or 0)
    sys.exit(code)


OUTPUT_ERRNOS = (errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG)


def _output_failed(err: OSError) -> int:
    """Standard output cannot take what the command wrote: say so once, on standard error."""
    with suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter flushes stdout again when it exits
    if err.errno == errno.EPIPE:
        return 141  # the reader went away, as `| head` does: no message, as for any command
    with suppress(OSError):
        sys.stderr.write(f"error: cannot write the output: {os_problem(err)}\n")
    return 2
