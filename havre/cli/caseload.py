"""Commands for caseloads: batch decisions and generated cases."""

from __future__ import annotations

import io
import math
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from havre import targets

if TYPE_CHECKING:  # the command line starts fast: the engine is imported when a command runs
    from havre.api import Policy
    from havre.caseload.batch import Engine, Options

PolicyOpt = Annotated[Path, typer.Option("--policy", "-p", help="Policy folder (holding main.havre) or file.")]


class Lang(StrEnum):
    en = "en"
    fr = "fr"


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


BATCH_HELP = "\n\n".join(
    (
        "Decide every case of a caseload: one JSON record per case, in input order.",
        "CASES is a JSON Lines file (one case document per line) or a folder of .yaml/.yml/.json case files"
        " (sorted by name). Cases are read as they are needed and decided a chunk at a time; a chunk's cases"
        " are grounded together in groups sized by what they leave unknown.",
        "Each record is the decision, as `havre decide --format json` prints it, with `index`: the case's"
        ' position in the input, from 0. A case that cannot be read is {"index", "case", "error": {"origin",'
        ' "path", "message"}} and the others go on.',
        "The records go to OUT.partial, whole chunks at a time, renamed to OUT at the end. An interrupted run"
        " leaves OUT.partial holding the first records of the input, whole lines only; `--resume` checks them"
        " against the input and the policy and goes on from there.",
        "In a folder, an entry named .yaml, .yml or .json that cannot be read (a broken link, a pipe) and every"
        " sub-folder become error records; other files and hidden entries are left out.",
    )
)


def batch(
    cases: Annotated[Path, typer.Argument(help="A JSON Lines file (one case per line) or a folder of case files.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the records (JSON Lines).")],
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, max=64, help="Local processes deciding chunks.")
    ] = 1,
    chunk_size: Annotated[
        int | None,
        typer.Option(
            "--chunk-size", "-k", min=1, max=10_000, help="Cases decided and written at a time (default: 25)."
        ),
    ] = None,
    missing: Annotated[
        bool, typer.Option("--missing/--no-missing", help="Search the missing facts of undetermined verdicts.")
    ] = True,
    explain: Annotated[bool, typer.Option("--explain", help="Add each verdict's explanation.")] = False,
    lang: Annotated[Lang, typer.Option("--lang", "-l", help="Language of explanations.")] = Lang.en,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Run the chunks on this Dask scheduler (tcp://host:port).")
    ] = None,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Keep the records of OUT.partial from an interrupted run; go on from there."),
    ] = False,
    policy: PolicyOpt = Path("policy"),
) -> None:
    """Decide every case of a caseload: one JSON record per case, in input order."""
    from havre.api import load_policy
    from havre.caseload import batch as b
    from havre.cli.main import user_errors

    if scheduler is not None and workers != 1:
        _fail("--workers is for local processes; with --scheduler the cluster's workers decide")
    if (problem := targets.problem(output)) is not None:
        _fail(f"{targets.shown(output)}: {problem}")
    options = b.Options(missing=missing, explain=explain, lang=lang.value)
    with user_errors():
        b.check_source(cases)
        if cases.is_file() and output.resolve() == cases.resolve():
            _fail(f"{output}: the output would overwrite the input")
        _writable(output)
        loaded = load_policy(policy)
        chunk_size = chunk_size or b.DEFAULT_CHUNK
        engine = _engine(loaded, options, workers, chunk_size, scheduler)
        total = b.count_items(cases) if sys.stderr.isatty() else None
        items = b.read_items(cases, skip=(output, targets.partial_of(output)))
        again = b.Resume(loaded.hash, explain) if resume else None
        with _stop_on_sigterm(), _progress(total) as advance:
            try:
                summary = b.run_batch(engine, items, output, chunk_size, advance, resume=again)
            except KeyboardInterrupt:
                typer.echo(f"\ninterrupted: {output}.partial holds the first records, whole lines only", err=True)
                raise typer.Exit(130) from None
    errors = f", {summary.errors:,} could not be read or decided" if summary.errors else ""
    typer.echo(f"{summary.cases:,} case{'s' if summary.cases != 1 else ''} → {output}{errors}", err=True)


def _writable(output: Path) -> None:
    """Refuse an output that cannot be written before any work, leaving OUT.partial as it was."""
    partial = targets.partial_of(output)
    existed = partial.exists()
    targets.prepare(output, keep=True).close()
    if not existed:
        partial.unlink(missing_ok=True)


def _engine(loaded: Policy, options: Options, workers: int, chunk_size: int, scheduler: str | None) -> Engine:
    from havre.caseload import batch as b

    if scheduler is not None:
        try:
            return b.DaskEngine(loaded, options, scheduler)
        except b.BatchError as err:
            _fail(str(err))
        except (OSError, TimeoutError, ValueError) as err:
            _fail(f"cannot use the Dask scheduler at {scheduler}: {err}")
    return b.PoolEngine(loaded, options, workers, chunk_size)  # even for one worker: see PoolEngine


@contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """SIGTERM stops the run like Ctrl-C, so the partial output is cut back to whole lines."""

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _progress(total: int | None) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("deciding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("cases", total=total)
        yield lambda n: bar.advance(task, n)


def _a_share(value: float) -> float:
    if not math.isfinite(value):  # NaN passes the range check: every comparison with it is false
        raise typer.BadParameter(f"{value} is not a number from 0 to 1")
    return value


def generate(
    count: Annotated[int, typer.Option("--count", "-n", min=0, max=10_000_000, help="How many cases.")],
    seed: Annotated[int, typer.Option("--seed", "-s", help="The same seed gives the same cases.")] = 0,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="A JSON Lines file (default: stdout).")] = None,
    unknown_rate: Annotated[
        float,
        typer.Option(
            "--unknown-rate", "-u", min=0.0, max=1.0, callback=_a_share, help="Share of facts left unknown (0 to 1)."
        ),
    ] = 0.1,
    policy: PolicyOpt = Path("policy"),
) -> None:
    """Random valid cases for the policy's inputs, one JSON document per line."""
    from grammar.checks.check import load
    from havre.caseload.generate import Generator, write_jsonl
    from havre.cli.main import user_errors

    with user_errors(), targets.written(output) if output is not None else nullcontext() as out:
        checked = load(policy)
        cases = Generator(checked, seed=seed, unknown_rate=unknown_rate).cases(count)
        if out is None:
            write_jsonl(sys.stdout, cases)
            return
        text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=True)  # type: ignore[arg-type]
        write_jsonl(text, cases)
        text.detach()  # the file itself is closed by `written`


def register(app: typer.Typer) -> None:
    """Adds the caseload commands to the command line."""
    app.command(help=BATCH_HELP)(batch)
    app.command()(generate)
