"""Havre's benchmarks, measured in one run and printed as one table, each row with its baseline and target.

    .venv/bin/python -m benchmarks.run            # --quick (the default): caseloads of 1,000 and 10,000
    .venv/bin/python -m benchmarks.run --full     # adds 100,000 (see benchmarks/README.md for how long)
    .venv/bin/python -m benchmarks.run --smoke    # a few cases: checks that every row is produced

Times are wall-clock; the ratios of in-process rows are taken on CPU time (time.process_time), which other
programs running on the machine disturb less. Nothing is timed in the test suite but this script's shape.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as `python benchmarks/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import clingo

from havre import batch as b
from havre.api import Policy, load_policy
from havre.generate import Generator, write_jsonl
from solver.case import Case
from solver.context import Context
from solver.run import add_case, case_symbol, show_directives

ROOT = Path(__file__).resolve().parent.parent
AMINA = ROOT / "policy/examples/amina-selected.yaml"
MODES = {  # verdict cases, explained cases, warm runs, cold runs, caseload sizes
    "smoke": (20, 2, 5, 1, (20, 40)),
    "quick": (500, 30, 200, 5, (1_000, 10_000)),
    "full": (500, 30, 200, 5, (1_000, 10_000, 100_000)),
}
WARM_BUDGET = 120.0  # seconds: the warm rows stop early when one decision takes longer than the target by far


@dataclass
class Row:
    measure: str
    result: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    status: str = ""  # MET, MISSED, or empty when there is no target

    def cells(self) -> tuple[str, ...]:
        return (self.measure, self.result, self.baseline, self.ratio, self.target, self.status)


def judged(ok: bool) -> str:
    return "MET" if ok else "MISSED"


class Clock:
    """Wall and CPU time of a block, added up over calls."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def time(self, fn: Callable[[], object]) -> None:
        w, c = time.perf_counter(), time.process_time()
        fn()
        self.wall += time.perf_counter() - w
        self.cpu += time.process_time() - c


# ---------------------------------------------------------------- in-process: verdicts, explanations


def raw_clingo(policy: Policy, cases: Sequence[Case]) -> None:
    """The floor: the compiled program and the same facts, grounded and solved once; nothing decoded."""
    ctl = clingo.Control(["--warn=none"])
    ctl.add("base", [], policy.program.text + show_directives(policy.checked) + "\n")
    with ctl.backend() as backend:
        for i, case in enumerate(cases):
            add_case(backend, policy.checked, case, case_symbol(i))
    ctl.ground([("base", [])], context=Context())
    ctl.solve()


def chunks_of(items: list[b.Item], size: int) -> list[list[b.Item]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def verdict_rows(policy: Policy, docs: list[dict], chunk: int) -> list[Row]:
    lines = [json.dumps(d, ensure_ascii=False) for d in docs]
    items = [b.Item(i, f"generated:{i + 1}", text=line) for i, line in enumerate(lines)]
    cases = [policy.case(d) for d in docs]
    raw, many, path = Clock(), Clock(), Clock()
    verdicts_only = b.Options(missing=False)
    for part in chunks_of(items, chunk):  # interleaved, so a busy machine slows all three alike
        group = [cases[item.index] for item in part]
        raw.time(lambda group=group: raw_clingo(policy, group))
        many.time(lambda group=group: policy.decide_many(group, missing=False))
        path.time(lambda part=part: b.decide_chunk(policy, part, verdicts_only))
    n = len(docs)
    floor = f"raw clingo {n / raw.wall:,.0f}/s (cpu {1000 * raw.cpu / n:.1f} ms/case)"
    rows = []
    for label, clock in (("decide_many", many), ("batch path: JSON in, records out", path)):
        ratio = clock.cpu / raw.cpu
        rows.append(
            Row(
                f"verdicts only, {label} ({n} cases, chunks of {chunk})",
                f"{n / clock.wall:,.0f} cases/s (cpu {1000 * clock.cpu / n:.1f} ms/case)",
                floor,
                f"{ratio:.2f}x",
                "<= 1.3x raw clingo",
                judged(ratio <= 1.3),
            )
        )
    return rows


def explanation_row(policy: Policy, docs: list[dict], chunk: int) -> Row:
    measure = f"with explanations ({len(docs)} cases)"
    items = [b.Item(i, f"generated:{i + 1}", text=json.dumps(d)) for i, d in enumerate(docs)]
    plain, explained = Clock(), Clock()
    for part in chunks_of(items, chunk):
        plain.time(lambda part=part: b.decide_chunk(policy, part, b.Options(missing=False)))
        explained.time(lambda part=part: b.decide_chunk(policy, part, b.Options(missing=False, explain=True)))
    n = len(docs)
    return Row(
        measure,
        f"{n / explained.wall:,.1f} cases/s (cpu {1000 * explained.cpu / n:.1f} ms/case)",
        f"verdicts only {n / plain.wall:,.1f}/s",
        f"{explained.cpu / plain.cpu:.1f}x",
    )


def xclingo_row() -> Row:
    measure = "against xclingo explaining the same program"
    try:
        import xclingo  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return Row(
            measure,
            "not measured: xclingo 2.0b19 (latest) crashes translating the compiled program under clingo 5.8"
            " (its AST code predates clingo 5.6), and clingo < 5.6 has no Python 3.11 wheel; see README",
        )
    return Row(measure, "not measured: xclingo is installed here, but this run has no adapter for it")


def warm_rows(policy: Policy, case_path: Path, runs: int) -> list[Row]:
    case = policy.case(case_path)
    rows = []
    for label, missing in (("with missing facts", True), ("verdicts only", False)):
        policy.decide(case, missing=missing)  # warm-up
        times: list[float] = []
        start = time.perf_counter()
        while len(times) < runs and (len(times) < 3 or time.perf_counter() - start < WARM_BUDGET):
            t = time.perf_counter()
            policy.decide(case, missing=missing)
            times.append(time.perf_counter() - t)
        median, p99 = statistics.median(times) * 1000, sorted(times)[int(0.99 * (len(times) - 1))] * 1000
        rows.append(
            Row(
                f"warm decide, {case_path.name}, {label} ({len(times)} runs)",
                f"median {median:.1f} ms, p99 {p99:.1f} ms",
                target="median < 5 ms",
                status=judged(median < 5),
            )
        )
    return rows


# ---------------------------------------------------------------- subprocesses: cold CLI, caseloads


def havre_command() -> list[str]:
    script = Path(sys.executable).with_name("havre")
    return [str(script)] if script.exists() else [sys.executable, "-m", "havre"]


def cold_row(case_path: Path, policy_path: Path, runs: int) -> Row:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(
            [*havre_command(), "decide", str(case_path), "--policy", str(policy_path)],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        times.append(time.perf_counter() - t)
    median = statistics.median(times)
    return Row(
        f"cold `havre decide` as a process (median of {runs})",
        f"{median:.2f} s",
        target="< 0.6 s",
        status=judged(median < 0.6),
    )


def _tree_rss(root: int) -> int:
    """Resident memory of a process and its descendants, in bytes (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    tree, todo = {root}, [root]
    while todo:
        pid = todo.pop()
        kids = [p for p, parent in parents.items() if parent == pid and p not in tree]
        tree.update(kids)
        todo.extend(kids)
    return sum(rss.get(p, 0) for p in tree)


def measure_process(args: list[str]) -> tuple[float, int]:
    """Wall time and peak memory (all processes of the run together, sampled every 50 ms) of a command."""
    t = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return wall, max(peak, usage.ru_maxrss * 1024)


def caseload_rows(policy: Policy, policy_path: Path, sizes: Sequence[int], workers: int, seed: int) -> list[Row]:
    rows: list[Row] = []
    per_case: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="havre-bench-") as tmp:
        empty = Path(tmp, "empty.jsonl")
        empty.write_text("", encoding="utf-8")
        batch = [*havre_command(), "batch", "--no-missing", "--workers", str(workers), "--policy", str(policy_path)]
        startup, _ = measure_process([*batch, str(empty), "-o", str(Path(tmp, "empty.out"))])
        generator = Generator(policy.checked, seed=seed)
        for size in sizes:
            cases = Path(tmp, f"cases-{size}.jsonl")
            with open(cases, "w", encoding="utf-8") as f:
                write_jsonl(f, generator.cases(size))
            wall, peak = measure_process([*batch, str(cases), "-o", str(Path(tmp, f"out-{size}.jsonl"))])
            per_case[size] = (wall - startup) / size
            rows.append(
                Row(
                    f"caseload of {size:,}: `havre batch --no-missing --workers {workers}`",
                    f"{1000 * per_case[size]:.2f} ms/case ({wall:.1f} s, {startup:.1f} s of it start-up);"
                    f" peak memory {peak / 2**20:,.0f} MiB",
                )
            )
            os.remove(cases)
    first, last = sizes[0], sizes[-1]
    drift = per_case[last] / per_case[first]
    rows.append(
        Row(
            f"time per case from {first:,} to {last:,} cases",
            f"{1000 * per_case[first]:.2f} → {1000 * per_case[last]:.2f} ms/case (start-up excluded)",
            ratio=f"{drift:.2f}x",
            target="flat within 20% up to 100,000",
            status=judged(abs(drift - 1) <= 0.2) if last >= 100_000 else f"{judged(abs(drift - 1) <= 0.2)} so far",
        )
    )
    memory = "peak memory at 100,000 cases"
    if last >= 100_000:
        peak_row = rows[len(sizes) - 1]
        mib = float(peak_row.result.rsplit("peak memory ", 1)[1].split()[0].replace(",", ""))
        rows.append(Row(memory, f"{mib:,.0f} MiB", target="< 1 GB", status=judged(mib * 2**20 < 1e9)))
    else:
        rows.append(Row(memory, "not measured: run with --full", target="< 1 GB"))
    return rows


# ---------------------------------------------------------------- the table


def table(rows: list[Row]) -> str:
    head = ("measure", "result", "baseline", "ratio", "target", "status")
    cells = [head, *(r.cells() for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = [" | ".join(c[i].ljust(widths[i]) for i in range(len(head))).rstrip() for c in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.run", description=__doc__.split("\n", 1)[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="mode", action="store_const", const="quick", help="(default) up to 10,000")
    size.add_argument("--full", dest="mode", action="store_const", const="full", help="up to 100,000 cases")
    size.add_argument("--smoke", dest="mode", action="store_const", const="smoke", help="a few cases")
    parser.add_argument("--policy", type=Path, default=ROOT / "policy")
    parser.add_argument("--case", type=Path, default=AMINA, help="the case of the warm and cold rows")
    parser.add_argument("--workers", type=int, default=2, help="processes of the caseload rows")
    parser.add_argument("--chunk-size", type=int, default=b.DEFAULT_CHUNK)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n_verdicts, n_explained, warm_runs, cold_runs, sizes = MODES[args.mode or "quick"]
    policy = load_policy(args.policy)
    docs = list(Generator(policy.checked, seed=args.seed).cases(n_verdicts))
    steps: list[Callable[[], list[Row]]] = [
        lambda: verdict_rows(policy, docs, args.chunk_size),
        lambda: [explanation_row(policy, docs[:n_explained], args.chunk_size)],
        lambda: [xclingo_row()],
        lambda: warm_rows(policy, args.case, warm_runs),
        lambda: [cold_row(args.case, args.policy, cold_runs)],
        lambda: caseload_rows(policy, args.policy, sizes, args.workers, args.seed),
    ]
    rows: list[Row] = []
    for step in steps:
        rows += step()
        print(f"[{len(rows)} rows measured]", file=sys.stderr, flush=True)
    out = io.StringIO()
    print(f"Havre benchmarks ({args.mode or 'quick'}), policy {policy.hash}, {os.cpu_count()} cores", file=out)
    print(table(rows), file=out)
    print(out.getvalue(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
