"""`havre impact`: which cases of a caseload a policy change decides differently."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from havre import targets

if TYPE_CHECKING:
    from havre.api import Policy

IMPACT_HELP = "\n\n".join(
    (
        "Decide a caseload under two versions of the policy and report the cases whose main verdicts change.",
        "--base is a policy folder, or a git revision of the repository holding --policy (its policy folder as"
        " that revision had it). CASES is read as `havre batch` reads it (JSON Lines or a folder of case files);"
        " cases are decided without the missing-facts search.",
        "Changes are grouped by verdict and outcome, each headed in the verdict's own words (`MIFI's decision on"
        " an application: selected → refused (decision)`), each group with its count,"
        " the rules that now conclude differently or were edited, and one case's explanation before and after."
        " Cases that cannot be read or decided under either version are counted and listed.",
        "--fail-on-change VERDICT exits 1 when that verdict changed for any case.",
    )
)


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


class Lang(StrEnum):
    en = "en"
    fr = "fr"


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def impact(
    base: Annotated[str, typer.Option("--base", "-b", help="The base version: a git revision or a policy folder.")],
    cases: Annotated[Path, typer.Option("--cases", "-c", help="A JSON Lines file or a folder of case files.")],
    policy: Annotated[
        Path, typer.Option("--policy", "-p", help="The current policy folder (holding main.havre) or file.")
    ] = Path("policy"),
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="The report's format.")] = ReportFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here (default: stdout).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Run the chunks on this Dask scheduler (tcp://host:port).")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, max=64, help="Local processes deciding chunks.")
    ] = 1,
    fail_on_change: Annotated[
        list[str] | None,
        typer.Option("--fail-on-change", help="Exit 1 if this verdict changed for any case (repeat for several)."),
    ] = None,
    lang: Annotated[Lang, typer.Option("--lang", "-l", help="Language of the report and its explanations.")] = Lang.en,
) -> None:
    """Decide a caseload under two versions of the policy and report the cases whose main verdicts change."""
    from havre.api import load_policy
    from havre.caseload import batch as b
    from havre.caseload import impact_report as r
    from havre.caseload.impact_base import base_policy
    from havre.cli.main import user_errors

    if scheduler is not None and workers != 1:
        _fail("--workers is for local processes; with --scheduler the cluster's workers decide")
    if output is not None and (problem := targets.problem(output)) is not None:
        _fail(f"{targets.shown(output)}: {problem}")
    gates = fail_on_change or []
    with user_errors():
        b.check_source(cases)
        current = load_policy(policy)
        with base_policy(base, policy) as base_path:
            old = load_policy(base_path, cache=base_path == Path(base))
            _check_gates(gates, old, current)
            sides = r.Sides(old, current, base, str(policy), (), lang.value)
            data = _run(sides, cases, scheduler, workers)
        page = _formatted(data, format, lang.value)
        with targets.written(output) if output is not None else nullcontext() as out:
            if out is None:
                sys.stdout.write(page)
            else:
                targets.write_all(out, page.encode("utf-8"))
    changed = [g for g in data["groups"] if g["verdict"] in gates]
    if changed:
        names = ", ".join(dict.fromkeys(g["verdict"] for g in changed))
        typer.echo(f"changed: {names} ({sum(g['subjects'] for g in changed):,} verdicts)", err=True)
        raise typer.Exit(1)


def _check_gates(gates: list[str], old: Policy, current: Policy) -> None:
    from grammar.diagnostics import did_you_mean
    from solver.cases.case import CaseError

    known = {p.name for version in (old, current) for p in version.checked.verdicts()}
    for name in gates:
        if name not in known:
            hint = did_you_mean(name, sorted(known))
            message = f"`{name}` is not a verdict of either version" + (f"; {hint}" if hint else "")
            raise CaseError("--fail-on-change", "", message)


def _run(sides: Any, cases: Path, scheduler: str | None, workers: int) -> dict[str, Any]:
    import dataclasses

    from havre.caseload import batch as b
    from havre.caseload import impact as im
    from havre.caseload import impact_report as r
    from solver.cases.case import CaseError

    versions = im.Versions.of(sides.base, sides.current)
    sides = dataclasses.replace(sides, verdicts=versions.verdicts)
    engine = _engine(versions, scheduler, workers)
    try:
        got = r.Collected.of(im.compare(engine, b.read_items(cases)))
        wanted = {tally.example[0].index for tally in got.groups.values() if tally.example is not None}
        documents = {item.index: b._document(item) for item in b.read_items(cases) if item.index in wanted}
    except OSError as err:
        raise CaseError(str(cases), "", f"cannot read it: {err.strerror or err}") from None
    return r.report(sides, got, documents)


def _engine(versions: Any, scheduler: str | None, workers: int) -> Any:
    from havre.caseload import batch as b
    from havre.caseload import impact as im

    if scheduler is not None:
        try:
            return im.DaskCompare(versions, scheduler)
        except b.BatchError as err:
            _fail(str(err))
        except (OSError, TimeoutError, ValueError) as err:
            _fail(f"cannot use the Dask scheduler at {scheduler}: {err}")
    return im.PoolCompare(versions, workers)


def _formatted(data: dict[str, Any], fmt: ReportFormat, lang: str) -> str:
    from havre.caseload import impact_report as r
    from havre.output import dumps

    if fmt == ReportFormat.json:
        return dumps(data) + "\n"
    return r.html(data, lang) if fmt == ReportFormat.html else r.text(data, lang)


def register(app: typer.Typer) -> None:
    """Adds `havre impact` to the command line."""
    app.command(help=IMPACT_HELP)(impact)
