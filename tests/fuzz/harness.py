"""One input through the command line, in this process: what came out, and whether it was a fault.

A fault is anything but a clean end: an exception that reached the command line (a traceback), or an exit
code other than 0, 1 (check findings, failed scenarios) and 2 (the user's error), or a message on a user
error that names no place. Hangs and memory are watched from outside (see tests.fuzz.__main__).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import typer

from havre.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policy"
MINI = ROOT / "tests/fixtures/mini"
PLAIN_CASE = """\
case: fuzz-1
assessment_date: 2026-11-21
persons:
  amina: {name: Amina, birth_date: 1988-03-14, status: foreign_national, in_union: false, child_of: []}
applications:
  app1: {principal: amina, notice_date: 2026-09-22}
"""


@dataclass(frozen=True, slots=True)
class Outcome:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    fault: str | None  # a traceback or what was wrong with the ending; None when it ended cleanly


def run_cli(args: list[str]) -> Outcome:
    """The command line, as `havre ARGS` runs it, here."""
    out, err = io.StringIO(), io.StringIO()
    fault: str | None = None
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            app(args=args, prog_name="havre", standalone_mode=True)
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        except typer.Exit as done:
            code = done.exit_code
        except Exception:
            fault = traceback.format_exc()
    stderr = err.getvalue()
    if fault is None and code not in (0, 1, 2):
        fault = f"exit code {code}: {stderr[-2000:]}"
    if fault is None and "Traceback (most recent call last)" in stderr:
        fault = stderr
    return Outcome(tuple(args), code, out.getvalue(), stderr, fault)


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="havre-fuzz-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def policy_input(data: bytes, folder: Path, name: str = "main.havre") -> list[Outcome]:
    """A policy file's bytes: checked (language checks only), compiled, and used to decide a plain case."""
    (folder / "p").mkdir(exist_ok=True)
    (folder / "p" / name).write_bytes(data)
    case = folder / "case.yaml"
    case.write_text(PLAIN_CASE, encoding="utf-8")
    policy = str(folder / "p")
    first = run_cli(["check", "--static-only", "--policy", policy])
    if first.fault or first.code == 2:
        return [first]
    return [first, run_cli(["decide", str(case), "--policy", policy, "-f", "json"])]


def case_input(data: bytes, suffix: str, folder: Path, policy: Path = POLICY) -> list[Outcome]:
    """A case file's bytes: decided in text (with explanations) and in JSON, under a policy."""
    case = folder / f"case{suffix}"
    case.write_bytes(data)
    first = run_cli(["decide", str(case), "--policy", str(policy), "-f", "json"])
    if first.fault or first.code != 0:
        return [first]
    return [first, run_cli(["explain", str(case), "--policy", str(policy), "-f", "markdown"])]


def args_input(args: list[str], folder: Path) -> list[Outcome]:
    """Command-line arguments, `{dir}` standing for a fresh folder and `{case}` for a plain case file."""
    case = folder / "plain.yaml"
    case.write_text(PLAIN_CASE, encoding="utf-8")
    fifo = folder / "fifo.yaml"
    if not fifo.exists():
        os.mkfifo(fifo)
    places = {"{dir}": folder, "{case}": case, "{mini}": MINI, "{fifo}": fifo}
    filled = list(args)
    for mark, place in places.items():
        filled = [a.replace(mark, str(place)) for a in filled]
    previous = os.getcwd()
    os.chdir(folder)  # a relative output (`-o nan`) lands in the input's folder, never in the project
    try:
        return [run_cli(filled)]
    finally:
        os.chdir(previous)


def clean_env(cache: Path) -> None:
    """The cache in a folder of the run's own; no colours or terminal widths that vary between machines."""
    os.environ["HAVRE_CACHE_DIR"] = str(cache)
    os.environ.pop("HAVRE_NO_CACHE", None)
    os.environ["COLUMNS"] = "100"
