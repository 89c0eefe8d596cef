"""The base version of `havre impact`: a policy folder, or the policy as a git revision of its repository had it."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from solver.cases.case import CaseError


@contextmanager
def base_policy(base: str, policy: Path) -> Iterator[Path]:
    """The base policy's entry (a folder or a file, as `policy` is): `base` itself when it is a folder or a file,
    else the revision `base` of the git repository holding `policy`, extracted into a temporary folder."""
    as_path = Path(base)
    if as_path.is_dir() or (as_path.is_file() and as_path.suffix == ".havre"):
        yield as_path
        return
    folder = policy if policy.is_dir() else policy.parent
    if not folder.is_dir():
        raise CaseError("--policy", "", f"{policy}: no such folder")
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None:
        raise CaseError("--base", "", f"`{base}` is not a folder, and {folder} is not in a git repository")
    root = Path(top.decode().strip())
    inside = folder.resolve().relative_to(root.resolve()).as_posix()
    if _git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}") is None:
        raise CaseError("--base", "", f"`{base}` is neither a folder nor a revision of the git repository at {root}")
    archive = _git(root, "archive", "--format=tar", base, "--", inside or ".")
    if archive is None:
        raise CaseError("--base", "", f"the revision `{base}` of {root} has no {inside or 'files'}")
    with tempfile.TemporaryDirectory(prefix="havre-base-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        extracted = Path(tmp) / inside
        yield extracted if policy.is_dir() else extracted / policy.name


def _git(cwd: Path, *args: str) -> bytes | None:
    """The output of a git command, or None when it fails (or git is not installed)."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
