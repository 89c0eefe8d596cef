"""Bad input on the command line ends with one message naming the place, exit code 2, and nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_cli import CASE, MINI, havre, write
from tests.helpers import ROOT


def no_partial_files(*folders: Path) -> bool:
    return not [p for folder in folders for p in folder.glob("*.partial")]


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("{tmp}", "is a folder; name a file"),
        ("{tmp}/missing/out.txt", "the folder {tmp}/missing does not exist"),
        ("/dev/null", "is not a regular file (a pipe, a device or a socket)"),
        ("{tmp}/fifo", "is not a regular file (a pipe, a device or a socket)"),
        ("{tmp}/" + "x" * 300, "the name is too long"),
        ("/proc/version/x", "no such file (a part of the path is not a folder)"),
    ],
)
def test_explain_refuses_an_output_it_cannot_write_before_any_work(tmp_path: Path, target: str, problem: str) -> None:
    os.mkfifo(tmp_path / "fifo")
    target = target.format(tmp=tmp_path)
    shown = target if len(target) < 200 else target[:200]
    r = havre("explain", write(tmp_path, "c.yaml", CASE), "--policy", MINI, "-o", target)
    assert (r.returncode, r.stdout) == (2, "")
    if target.startswith("/proc"):
        assert r.stderr.startswith(f"error: {shown}: ")
    else:
        assert r.stderr == f"error: {shown}: {problem.format(tmp=tmp_path)}\n"
    assert no_partial_files(tmp_path)


@pytest.mark.skipif(os.geteuid() != 0 and not os.path.isdir("/sys"), reason="needs /sys")
def test_an_output_under_sys_is_refused(tmp_path: Path) -> None:
    r = havre("explain", write(tmp_path, "c.yaml", CASE), "--policy", MINI, "-o", "/sys/havre-out.txt")
    assert r.returncode == 2
    assert r.stderr.startswith("error: /sys/havre-out.txt: cannot write there: ")
    assert not Path("/sys/havre-out.txt.partial").exists()


def test_a_case_error_leaves_no_partial_output(tmp_path: Path) -> None:
    out = tmp_path / "out.md"
    r = havre("explain", write(tmp_path, "c.yaml", "case: [1]\n"), "--policy", MINI, "-o", str(out))
    assert r.returncode == 2 and not out.exists() and no_partial_files(tmp_path)


def test_explain_writes_the_whole_file(tmp_path: Path) -> None:
    out = tmp_path / "out.md"
    r = havre("explain", write(tmp_path, "c.yaml", CASE), "--policy", MINI, "-o", str(out), "-f", "markdown")
    assert r.returncode == 0, r.stderr
    assert out.read_text(encoding="utf-8").startswith("# ") and no_partial_files(tmp_path)


def test_generate_refuses_a_rate_that_is_not_a_number(tmp_path: Path) -> None:
    r = havre("generate", "-n", "2", "--policy", MINI, "--unknown-rate", "nan")
    assert r.returncode == 2
    assert "Invalid value for '--unknown-rate' / '-u': nan is not a number from 0 to 1" in r.stderr


def test_generate_refuses_a_folder_as_output(tmp_path: Path) -> None:
    r = havre("generate", "-n", "2", "--policy", MINI, "-o", str(tmp_path))
    assert (r.returncode, r.stderr) == (2, f"error: {tmp_path}: is a folder; name a file\n")


def test_a_policy_name_too_long(tmp_path: Path) -> None:
    r = havre("decide", write(tmp_path, "c.yaml", CASE), "--policy", "p" * 300)
    assert r.returncode == 2
    assert (
        r.stderr.splitlines()[0]
        == f"{'p' * 80}:1:1: error[unreadable-file]: cannot read `{'p' * 80}`: the name is too long"
    )


def test_a_case_file_that_is_a_pipe_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "case.yaml")
    r = havre("decide", str(tmp_path / "case.yaml"), "--policy", MINI)
    assert (r.returncode, r.stderr) == (
        2,
        f"error: {tmp_path}/case.yaml: is not a regular file (a pipe, a device or a socket)\n",
    )


def test_a_lone_surrogate_in_a_case_is_refused_with_its_path(tmp_path: Path) -> None:
    path = write(
        tmp_path, "c.json", '{"case": "c", "assessment_date": "2026-01-01", "persons": {"a": {"name": "A \\ud800"}}}'
    )
    r = havre("decide", path, "--policy", MINI)
    message = "the text holds an unpaired surrogate (a half of a UTF-16 pair), which is not a character"
    assert (r.returncode, r.stderr) == (2, f"error: {path}: persons.a.name: {message}\n")


def test_standard_output_on_a_full_disk(tmp_path: Path) -> None:
    case = write(tmp_path, "c.yaml", CASE)
    with open("/dev/full", "w") as full:
        r = subprocess.run(
            [sys.executable, "-m", "havre", "decide", case, "--policy", MINI],
            stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120,
        )  # fmt: skip
    assert (r.returncode, r.stderr) == (2, "error: cannot write the output: no space left on device\n")


@pytest.mark.parametrize("command", [("serve", "--port", "0", "--policy", MINI), ("log", "list")])
@pytest.mark.parametrize(
    ("db", "problem"),
    [
        (
            "{tmp}/decisions.db",
            "`{tmp}/decisions.db` is not a database URL: write sqlite:///{tmp}/decisions.db for a SQLite file, or"
            " postgresql://USER@HOST/DB",
        ),
        ("mysql://clerk@db.example/log", "`mysql://`: the log is kept in SQLite (sqlite:///PATH) or PostgreSQL"),
    ],
)
def test_a_decision_log_that_cannot_be_opened_is_named_before_any_work(
    tmp_path: Path, command: tuple[str, ...], db: str, problem: str
) -> None:
    """A file's path where a URL goes, or a database the log is not kept in: no traceback, no server started, the
    URL's rest (a password, say) not repeated."""
    r = havre(*command, "--db", db.format(tmp=tmp_path))
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.startswith(f"error: cannot open the decision log: {problem.format(tmp=tmp_path)}")
    assert "Traceback" not in r.stderr and "clerk" not in r.stderr and not list(tmp_path.iterdir())
