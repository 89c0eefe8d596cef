"""Fuzzing Havre for a while: `python -m tests.fuzz --minutes N`.

Workers (tests.fuzz.worker) run mutated inputs through the command line; this process watches them. It
fails (exit 1) on any traceback, any input still running after 10 s, and any process past 1 GiB, keeping
each such input in the output folder, and reports how many inputs it tried.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HANG_SECONDS = 10.0
MEMORY_BYTES = 1 << 30
RECYCLE = 100  # inputs a worker runs before a fresh one replaces it (clingo keeps every symbol it made)


@dataclass
class Worker:
    name: str
    seed: int
    process: subprocess.Popen[bytes]
    started: float | None = None  # when the input running now started
    current: str = ""
    buffer: str = ""


@dataclass
class Tally:
    tried: dict[str, int] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    memory: list[str] = field(default_factory=list)
    peak: int = 0


def rss(pid: int) -> int:
    """Resident memory of one process, in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def tree(pid: int) -> list[int]:
    """A process and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def start(name: str, seed: int, out: Path) -> Worker:
    command = [sys.executable, "-m", "tests.fuzz.worker", "--seed", str(seed), "--count", str(RECYCLE)]
    process = subprocess.Popen(
        [*command, "--out", str(out), "--name", name],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        start_new_session=True, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    os.set_blocking(process.stdout.fileno(), False)  # type: ignore[union-attr]
    return Worker(name, seed, process)


def stop(worker: Worker) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait()


def keep(worker: Worker, out: Path, why: str) -> str:
    source = Path(worker.current)
    kept = out / why / f"{worker.name}-{worker.seed}{source.suffix}"
    kept.parent.mkdir(exist_ok=True)
    if source.exists():
        shutil.copy(source, kept)
    return str(kept)


def read_lines(worker: Worker, tally: Tally) -> None:
    try:
        chunk = os.read(worker.process.stdout.fileno(), 1 << 16)  # type: ignore[union-attr]
    except (BlockingIOError, OSError, ValueError):
        chunk = b""
    worker.buffer += chunk.decode("utf-8", "replace")
    *lines, worker.buffer = worker.buffer.split("\n")
    for line in lines:
        word, _, rest = line.partition(" ")
        kind, _, path = rest.partition(" ")
        if word == "start":
            worker.started, worker.current = time.monotonic(), path
        elif word in ("done", "fault"):
            worker.started = None
            tally.tried[kind] = tally.tried.get(kind, 0) + 1
            if word == "fault":
                tally.faults.append(path)


def fuzz(minutes: float, workers: int, seed: int, out: Path) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + minutes * 60
    next_seed = seed
    pool: list[Worker] = []
    for i in range(workers):
        pool.append(start(f"w{i}", next_seed, out))
        next_seed += 1
    selector = selectors.DefaultSelector()
    for w in pool:
        selector.register(w.process.stdout, selectors.EVENT_READ, w)  # type: ignore[arg-type]
    while time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.2):
            read_lines(key.data, tally)
        for i, w in enumerate(pool):
            read_lines(w, tally)
            biggest = max((rss(p) for p in tree(w.process.pid)), default=0)
            tally.peak = max(tally.peak, biggest)
            problem = None
            if biggest > MEMORY_BYTES:
                problem = "memory"
                tally.memory.append(keep(w, out, "memory"))
            elif w.started is not None and time.monotonic() - w.started > HANG_SECONDS:
                problem = "hangs"
                tally.hangs.append(keep(w, out, "hangs"))
            if problem is None and w.process.poll() is None:
                continue
            if problem is None and w.started is not None:  # the worker died in the middle of an input
                tally.faults.append(keep(w, out, "faults"))
            selector.unregister(w.process.stdout)  # type: ignore[arg-type]
            stop(w)
            pool[i] = start(w.name, next_seed, out)
            next_seed += 1
            selector.register(pool[i].process.stdout, selectors.EVENT_READ, pool[i])  # type: ignore[arg-type]
    for w in pool:
        stop(w)
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--out", type=Path, default=None, help="where failing inputs are kept (default: a new folder)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="havre-fuzz-"))
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    tally = fuzz(args.minutes, args.workers, args.seed, out)
    took = (time.monotonic() - started) / 60
    tried = sum(tally.tried.values())
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(tally.tried.items()))
    print(f"fuzzing: {tried} inputs tried in {took:.1f} min ({kinds}), seed {args.seed}, {args.workers} workers")
    print(
        f"{len(tally.faults)} tracebacks, {len(tally.hangs)} hangs past {HANG_SECONDS:g} s, "
        f"{len(tally.memory)} processes past {MEMORY_BYTES >> 20} MiB (largest seen {tally.peak >> 20} MiB)"
    )
    for path in [*tally.faults, *tally.hangs, *tally.memory]:
        print(f"  kept: {path}")
    failed = bool(tally.faults or tally.hangs or tally.memory)
    if not failed and args.out is None:
        shutil.rmtree(out, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
