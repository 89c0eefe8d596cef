"""Commands for reviewers' screens and the decision log: `havre serve` and `havre log`."""

from __future__ import annotations

import ipaddress
import json
import os
import sys
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from havre.api import Policy
    from havre.log.store import DecisionLog
    from solver.solve.answer import Decision

PolicyOpt = Annotated[Path, typer.Option("--policy", "-p", help="Policy folder (holding main.havre) or file.")]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="The decision log: sqlite:///PATH or postgresql://USER@HOST/DB (default: $HAVRE_DB, else a SQLite file"
        " in the user's data folder).",
    ),
]
log_app = typer.Typer(no_args_is_help=True, help="The decision log: list, show, replay and export decisions.")


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _open(db: str | None, mask: Collection[str] | None = None) -> DecisionLog:
    from sqlalchemy.exc import SQLAlchemyError

    from havre.log.record import DEFAULT_MASKED
    from havre.log.store import DecisionLog

    try:
        return DecisionLog.open(db, DEFAULT_MASKED if mask is None else mask)
    except (SQLAlchemyError, OSError, ValueError) as err:
        _fail(f"cannot open the decision log: {str(err).splitlines()[0]}")


def log_decision(policy: Policy, decision: Decision, case: Path, db: str | None = None) -> int:
    """Record a decision taken by `havre decide --log`; its id goes to stderr."""
    from solver.cases.casefile import read_document

    record_id = _open(db).record(policy.checked, decision, read_document(case), "cli")
    typer.echo(f"logged as decision {record_id}", err=True)
    return record_id


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    policy: PolicyOpt = Path("policy"),
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535)] = 8000,
    db: DbOpt = None,
    cases: Annotated[
        Path | None, typer.Option("--cases", help="A folder of case files reviewers may pick from by name.")
    ] = None,
    mask: Annotated[
        list[str] | None, typer.Option("--mask", help="Entity fields masked in the log (default: name).")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, help="Processes deciding requests that arrive together.")
    ] = 1,
) -> None:
    """Serve the reviewers' pages and the REST API (/api/v1, OpenAPI at /docs).

    Binding to an address other than loopback requires HAVRE_TOKEN: every request must then carry it."""
    import uvicorn

    from havre.api import load_policy
    from havre.cli.main import user_errors
    from havre.log.record import DEFAULT_MASKED
    from havre.web.app import create_app
    from havre.web.settings import Settings

    token = os.environ.get("HAVRE_TOKEN") or None
    if not is_loopback(host) and not token:
        _fail(f"--host {host} is reachable from other machines: set HAVRE_TOKEN to a secret first")
    if cases is not None and not cases.is_dir():
        _fail(f"--cases {cases}: not a folder")
    with user_errors():
        loaded = load_policy(policy)
    masked = tuple(mask or DEFAULT_MASKED)
    log = _open(db, masked)  # a log that cannot be opened is said before serving, not in a traceback
    settings = Settings(policy=loaded, token=token, cases=cases, db=db, log=log, mask=masked, workers=workers)
    app = create_app(settings)
    typer.echo(f"Havre serving {policy} on http://{host}:{port}/ (policy {loaded.hash})", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@log_app.command("list")
def list_(db: DbOpt = None, limit: Annotated[int, typer.Option("--limit", "-n", min=1)] = 50) -> None:
    """The newest decisions, one a line: id, time, channel, policy, case and main answers."""
    for r in _open(db).records(limit=limit, newest_first=True):
        answers = "; ".join(
            f"{v['verdict']}({','.join(v['subject'])})={v['value'] or v['status']}" for v in r["verdicts"]
        )
        typer.echo(f"{r['id']}\t{r['recorded_at']}\t{r['channel']}\t{r['policy']['hash']}\t{r['case_id']}\t{answers}")


def _answer(v: dict[str, object]) -> str:
    subject = ",".join(v["subject"])  # type: ignore[arg-type]
    return f"{v['verdict']}({subject})={v['value'] if v['value'] is not None else v['status']}"


@log_app.command()
def show(record_id: Annotated[int, typer.Argument(metavar="ID")], db: DbOpt = None) -> None:
    """One decision as recorded (the case with its masked fields), as JSON."""
    record = _open(db).get(record_id)
    if record is None:
        _fail(f"no decision {record_id} in the log")
    typer.echo(json.dumps(record, indent=2, ensure_ascii=False))


@log_app.command()
def replay(
    record_ids: Annotated[list[int] | None, typer.Argument(metavar="ID...")] = None,
    db: DbOpt = None,
    last: Annotated[int | None, typer.Option("--last", min=1, help="Replay the newest N decisions.")] = None,
) -> None:
    """Decide recorded cases again with the policy they were decided under; report any difference (exit 1)."""
    from havre.log.replay import Replayer

    log = _open(db)
    ids = list(record_ids or [])
    if last:
        ids += [r["id"] for r in reversed(log.records(limit=last, newest_first=True))]
    if not ids:
        _fail("name the decisions to replay (ID...), or --last N")
    differing = 0
    try:
        results = Replayer(log).replay_many(ids)
    except KeyError as err:
        _fail(f"no decision {err.args[0]} in the log")
    for record_id, result in zip(ids, results, strict=True):
        if result.same:
            typer.echo(f"{record_id}\t{result.case_id}\tsame")
            continue
        differing += 1
        typer.echo(f"{record_id}\t{result.case_id}\tDIFFERENT")
        for line in (result.error,) if result.error else result.differences:
            typer.echo(f"  {line}")
    typer.echo(f"{len(ids) - differing:,} same, {differing:,} different")
    if differing:
        raise typer.Exit(1)


@log_app.command()
def export(
    db: DbOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """Every decision as JSON Lines, oldest first (cases with their masked fields)."""
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        for record in _open(db).iter_records():
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if output:
            out.close()


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(log_app, name="log")
