"""Havre's benchmarks, measured in one run and printed as one table, each row with its baseline and target.

    .venv/bin/python -m benchmarks.run            # --quick (the default): caseloads of 1,000 and 10,000
    .venv/bin/python -m benchmarks.run --full     # adds 100,000 (see benchmarks/README.md for how long)
    .venv/bin/python -m benchmarks.run --smoke    # a few cases: checks that every row is produced

Times are wall-clock; the ratios of in-process rows are taken on CPU time (time.process_time), which other
programs running on the machine disturb less. Nothing is timed in the test suite but this script's shape.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import os
import shutil
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
from clingo.ast import ProgramBuilder

from benchmarks import xclingo_compare
from explain import explanation
from havre.api import Policy, load_policy
from havre.caseload import batch as b
from havre.caseload.generate import Generator, write_jsonl
from solver.cases import schema
from solver.cases.case import Case
from solver.cases.casefile import MAX_ENTITIES, parse_case, read_document
from solver.solve import shaped
from solver.solve.context import Context
from solver.solve.run import add_case, case_symbol, show_directives, statements

ROOT = Path(__file__).resolve().parent.parent
AMINA = ROOT / "policy/examples/amina-selected.yaml"  # 100 of its 152 verdicts undetermined: missing facts searched
COMPLETE = ROOT / "policy/examples/mateo-federal-hc.yaml"  # every verdict decided
# The shipped example whose missing-facts search solved the most, one solve for each finding its verdicts rest on
# (benchmarks/README.md, "Every smallest difference in one solve").
SLOWEST = ROOT / "policy/examples/grace-services.yaml"
FAMILY = ROOT / "policy/examples/leila-family-selection.yaml"  # seven people: what would change each verdict
SMALL = ROOT / "benchmarks/small"  # about twenty rules: the fixed overheads show
MODES = {  # verdict cases, explained cases, warm runs, cold runs, caseload sizes
    "smoke": (20, 2, 5, 1, (20, 40)),  # the small policy's rows take 50 times the verdict cases
    "quick": (500, 30, 200, 5, (1_000, 10_000)),
    "full": (500, 30, 200, 5, (1_000, 10_000, 100_000)),
}
ENTITIES = {"smoke": (10,), "quick": (10, 20, 30, 40), "full": (10, 20, 30, 40)}  # entities of one case
WHAT_IF_RUNS = {"smoke": 1, "quick": 3, "full": 3}  # explanations with what-if, for each way of searching
IMPACT_CASES = {"smoke": 20, "quick": 10_000, "full": 10_000}  # the caseload of the impact row
SERVE_LOAD = {"smoke": 4, "quick": 200, "full": 200}  # concurrent decide requests to `havre serve`
WARM_BUDGET = 120.0  # seconds: the warm rows stop early when one decision takes longer than the target by far
# Untimed calls before a warm row's: a case's shape is grounded at its second sighting (its fourth when it is large)
# and its parts one per decision after that, so the first few decisions are not yet those of a warm process.
WARM_UP = 10


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
    """The floor: the compiled program and the same facts, grounded and solved once; nothing decoded.

    The program goes in as statements parsed once per process, clingo's fastest way in (Havre does the same)."""
    ctl = clingo.Control(["--warn=none"])
    with ProgramBuilder(ctl) as builder:
        for text in (policy.program.text, show_directives(policy.checked) + "\n"):
            for statement in statements(text):
                builder.add(statement)
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
    rows = [reading_row(policy, docs), complete_row(policy, n, chunk)]
    for label, clock in (("decide_many", many), ("batch path: JSON in, records out", path)):
        ratio = clock.cpu / raw.cpu
        rows.append(
            Row(
                f"verdicts only, {label} ({n} cases, chunks of {chunk})",
                f"{n / clock.wall:,.0f} cases/s (cpu {1000 * clock.cpu / n:.1f} ms/case)",
                floor,
                f"{ratio:.2f}x",
                "<= 1.0x raw clingo",
                judged(ratio <= 1.0),
            )
        )
    return rows


def reading_row(policy: Policy, docs: list[dict]) -> Row:
    """A case read from a JSON line as `havre batch` reads it: parsed, checked against the policy, made a Case."""
    lines = [json.dumps(d, ensure_ascii=False) for d in docs]
    for line in lines[: schema.COMPILE_AT]:  # past these, the schema's check is compiled (as in any long run)
        parse_case(json.loads(line), policy.checked)
    parse, read = Clock(), Clock()
    for _ in range(3):
        parse.time(lambda: [json.loads(line) for line in lines])
        read.time(lambda: [parse_case(json.loads(line), policy.checked) for line in lines])
    per_case = 1000 * read.cpu / (3 * len(lines))
    return Row(
        f"reading a case: a JSON line checked and made a Case ({len(lines)} cases, 3 times)",
        f"cpu {per_case:.2f} ms/case",
        f"json.loads alone: cpu {1000 * parse.cpu / (3 * len(lines)):.2f} ms/case",
        f"{read.cpu / parse.cpu:.1f}x",
        "< 1 ms",
        judged(per_case < 1.0),
    )


def complete_row(policy: Policy, n: int, chunk: int) -> Row:
    """Cases that state every fact: one model each, so no brave and cautious enumeration."""
    cases = [policy.case(d) for d in Generator(policy.checked, seed=1, unknown_rate=0.0).cases(n)]
    raw, many = Clock(), Clock()
    for i in range(0, n, chunk):
        group = cases[i : i + chunk]
        raw.time(lambda group=group: raw_clingo(policy, group))
        many.time(lambda group=group: policy.decide_many(group, missing=False))
    ratio = many.cpu / raw.cpu
    return Row(
        f"verdicts only, decide_many, cases stating every fact ({n} cases, chunks of {chunk})",
        f"{n / many.wall:,.0f} cases/s (cpu {1000 * many.cpu / n:.1f} ms/case)",
        f"raw clingo {n / raw.wall:,.0f}/s (cpu {1000 * raw.cpu / n:.1f} ms/case)",
        f"{ratio:.2f}x",
        "<= 1.0x raw clingo",
        judged(ratio <= 1.0),
    )


def small_policy_rows(n: int, chunk: int, seed: int) -> list[Row]:
    """The small policy: Havre's batch path against raw clingo deciding every case in ONE Control."""
    small = load_policy(SMALL)
    docs = list(Generator(small.checked, seed=seed, unknown_rate=0.0).cases(n))
    cases = [small.case(d) for d in docs]
    items = [b.Item(i, f"generated:{i + 1}", text=json.dumps(d, ensure_ascii=False)) for i, d in enumerate(docs)]
    raw, many, path = Clock(), Clock(), Clock()
    raw.time(lambda: raw_clingo(small, cases))
    many.time(lambda: small.decide_many(cases, missing=False))
    for part in chunks_of(items, chunk):
        path.time(lambda part=part: b.decide_chunk(small, part, b.Options(missing=False)))
    floor = f"raw clingo, one Control: cpu {1000 * raw.cpu / n:.2f} ms/case"
    rules = len(small.checked.rules)
    return [
        Row(
            f"small policy ({rules} rules), verdicts only, {label} ({n} cases stating every fact)",
            f"{n / clock.wall:,.0f} cases/s (cpu {1000 * clock.cpu / n:.2f} ms/case)",
            floor,
            f"{clock.cpu / raw.cpu:.1f}x",
            "<= 3x raw clingo in one Control",
            judged(clock.cpu / raw.cpu <= 3),
        )
        for label, clock in (("decide_many", many), (f"batch path, chunks of {chunk}", path))
    ]


def explanation_rows(policy: Policy, docs: list[dict], chunk: int) -> list[Row]:
    """Explaining every verdict of each case (the batch path with --explain), then xclingo on the same cases."""
    n = len(docs)
    items = [b.Item(i, f"generated:{i + 1}", text=json.dumps(d)) for i, d in enumerate(docs)]
    plain, explained = Clock(), Clock()
    # Warm, as xclingo's row is measured: the explainer built, the explanation program's statements parsed.
    b.decide_chunk(policy, items[:chunk], b.Options(missing=False, explain=True))
    for part in chunks_of(items, chunk):
        plain.time(lambda part=part: b.decide_chunk(policy, part, b.Options(missing=False)))
        explained.time(lambda part=part: b.decide_chunk(policy, part, b.Options(missing=False, explain=True)))
    ours = 1000 * explained.wall / n
    rows = [
        Row(
            f"with explanations, why and why not, batch path ({n} cases, chunks of {chunk})",
            f"{n / explained.wall:,.1f} cases/s (cpu {1000 * explained.cpu / n:.1f} ms/case)",
            f"verdicts only {n / plain.wall:,.1f}/s (cpu {1000 * plain.cpu / n:.1f} ms/case)",
            f"{explained.cpu / plain.cpu:.1f}x",
            "<= 2x verdicts only",
            judged(explained.cpu / plain.cpu <= 2),
        )
    ]
    measure = f"xclingo explaining the same compiled program ({n} cases)"
    found = xclingo_compare.measure(policy, [policy.case(d) for d in docs], show_directives(policy.checked))
    if isinstance(found, str):
        rows.append(Row(measure, found, target=">= 20x slower than Havre"))
        return rows
    ratio = found.per_case_ms_warm / ours
    rows.append(
        Row(
            measure,
            f"{found.per_case_ms_warm:,.0f} ms/case in one process, {found.per_case_ms_fresh:,.0f} ms/case"
            f" as a fresh process; {found.trees:,} trees (xclingo {found.xclingo_version},"
            f" clingo {found.clingo_version})",
            f"Havre {ours:,.1f} ms/case (row above, wall)",
            f"{ratio:.1f}x",
            ">= 20x slower than Havre",
            judged(ratio >= 20),
        )
    )
    return rows


def latency(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall times of up to `runs` calls after WARM_UP untimed ones (as many as `runs` when fewer), stopping early
    past WARM_BUDGET seconds."""
    for _ in range(min(WARM_UP, runs)):
        fn()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < runs and (len(times) < 3 or time.perf_counter() - start < WARM_BUDGET):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def warm_rows(policy: Policy, case_paths: Sequence[Path], runs: int, seed: int) -> list[Row]:
    rows = []
    for case_path in case_paths:
        rows += _warm_case(policy, policy.case(case_path), case_path.name, runs)
    complete = Generator(policy.checked, seed=seed, unknown_rate=0.0).case(0)  # every fact stated
    return rows + _warm_case(policy, policy.case(complete), "a generated case", runs)


def _median_ms(fn: Callable[[], object], runs: int) -> tuple[float, float, int]:
    times = latency(fn, runs)
    return statistics.median(times) * 1000, sorted(times)[int(0.99 * (len(times) - 1))] * 1000, len(times)


def _warm_case(policy: Policy, case: Case, name: str, runs: int) -> list[Row]:
    """One case decided again and again, as a server or an interview does: the shape's grounding is kept
    (solver.solve.shaped); against raw clingo on this case and the reference path (a grounding per decision)."""
    floor = _median_ms(lambda: raw_clingo(policy, [case]), runs)[0]
    known = not policy.decide(case, missing=False).unknowns
    steps: list[tuple[str, Callable[[], object], float]] = [
        ("decide, verdicts only", lambda: policy.decide(case, missing=False), 5.0 if known else 15.0),
        ("decide with missing facts (as `havre decide`)", lambda: policy.decide(case), 30.0),
        ("explain, every verdict, with missing facts (as `havre explain`)", lambda: policy.explain(case), 0.0),
    ]
    rows: list[Row] = []
    decided = 0.0
    for label, fn, target in steps:
        shaped.ENABLED = False
        reference = _median_ms(fn, max(3, runs // 10))[0]
        shaped.ENABLED = True
        median, p99, n = _median_ms(fn, runs)
        if not target:  # explain: at most twice deciding with the same options
            target = 2 * decided
        decided = median
        facts = "every fact known" if known else "unknown facts"
        rows.append(
            Row(
                f"warm {label}, {name}, {facts} ({n} runs)",
                f"median {median:.1f} ms, p99 {p99:.1f} ms",
                f"raw clingo, this case alone: {floor:.1f} ms; a grounding per call: {reference:.1f} ms",
                f"{median / floor:.1f}x",
                f"median ≤ {target:.0f} ms",
                judged(median <= target),
            )
        )
    return rows


def what_if_rows(policy: Policy, case_path: Path, runs: int) -> list[Row]:
    """What would change each verdict, as a reviewer asks it (`havre explain --why-not --what-if`, the decision
    page), on a warm policy: the verdicts searched side by side, and one at a time."""
    case = policy.case(case_path)
    views = [policy.explain(case, why_not=True, what_if=True)]  # each verdict's part compiled, as in a server
    side_by_side = explanation.SEARCHERS
    walls: dict[int, list[float]] = {}
    cpus: dict[int, list[float]] = {}
    partial = False
    try:
        for _ in range(runs):
            for searchers in (1, side_by_side):
                explanation.SEARCHERS = searchers
                clock = Clock()
                clock.time(lambda: views.append(policy.explain(case, why_not=True, what_if=True)))
                walls.setdefault(searchers, []).append(clock.wall)
                cpus.setdefault(searchers, []).append(clock.cpu)
                cut = "what_if" in views[-1].get("partial", [])
                partial = partial or (cut and searchers == side_by_side)
    finally:
        explanation.SEARCHERS = side_by_side
    searched = sum(v["status"] in ("holds", "fails", "undetermined") for v in views[0]["verdicts"])
    wall, alone = statistics.median(walls[side_by_side]), statistics.median(walls[1])
    return [
        Row(
            f"what would change each verdict, warm, {case_path.name} ({searched} verdicts, "
            f"{side_by_side} searched side by side; median of {runs})",
            f"wall {wall:.2f} s (cpu {statistics.median(cpus[side_by_side]):.2f} s)",
            f"one verdict at a time: wall {alone:.2f} s",
            f"{wall / alone:.2f}x",
            f"every search complete within {explanation.WHAT_IF_SECONDS:g} s",
            judged(not partial),
        )
    ]


# The edit an analyst makes between two checks: one condition of one rule left out.
EDIT = ("qhc/next_steps.havre", "        hc_approved_in_principle(P)\n    and resides_in_quebec(P)\n")


def loop_rows(policy_path: Path) -> list[Row]:
    """The analyst's and tester's commands, each timed once as a process (the policy cache filled)."""
    rows = []
    for label, args, target in (
        ("`havre test` of the shipped scenarios", ["test", str(policy_path)], 15.0),
        ("`havre test --coverage`", ["test", "--coverage", str(policy_path)], 30.0),
    ):
        seconds, _ = measure_process([*havre_command(), *args])
        rows.append(Row(label, f"{seconds:.1f} s", "—", "—", f"≤ {target:g} s", judged(seconds <= target)))
    return rows + check_rows(policy_path)


def check_rows(policy_path: Path) -> list[Row]:
    """`havre check` three times in a cache folder of its own: with no proofs kept; again, asking once more what
    the first left unsettled; then on a copy of the policy with one rule edited, the proofs of both kept."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HAVRE_CACHE_DIR": tmp}
        edited = Path(tmp) / "policy"
        shutil.copytree(policy_path, edited)
        file, condition = EDIT
        text = (edited / file).read_text(encoding="utf-8") if (edited / file).is_file() else ""
        if condition in text:
            (edited / file).write_text(text.replace(condition, condition.split("\n")[0] + "\n", 1), encoding="utf-8")
        for label, path, target, can in (
            ("`havre check`, no proofs kept", policy_path, 10.0, True),
            ("`havre check` again, what was not settled in time asked once more", policy_path, None, True),
            ("`havre check` after one rule is edited, proofs kept", edited, 10.0, condition in text),
        ):
            goal = f"≤ {target:g} s" if target else ""
            if not can:
                rows.append(Row(label, "not measured (its edit is to the shipped policy)", "—", "—", goal, ""))
                continue
            # exits 1 when it reports anything, questions it could not settle in time included
            seconds, _ = measure_process([*havre_command(), "check", "--policy", str(path)], (0, 1), env)
            met = judged(seconds <= target) if target else ""
            rows.append(Row(label, f"{seconds:.1f} s", "—", "—", goal, met))
    return rows


def grown(document: dict, entities: int) -> dict:
    """The case with its largest section's first entity copied until the case holds `entities` entities."""
    doc = copy.deepcopy(document)
    sections = [k for k, v in doc.items() if isinstance(v, dict) and k not in ("case", "assessment_date")]
    biggest = max(sections, key=lambda k: len(doc[k]))
    first_id, first = next(iter(doc[biggest].items()))
    count = sum(len(doc[k]) for k in sections)
    for i in range(max(0, entities - count)):
        doc[biggest][f"{first_id}-copy{i}"] = {**copy.deepcopy(first), "name": f"Copy {i}"}
    return doc


def entity_rows(policy: Policy, case_path: Path, sizes: Sequence[int]) -> list[Row]:
    """How deciding and explaining scale with the entities of one case, up to the limit of a case."""
    document = read_document(case_path)
    assert isinstance(document, dict)
    rows = []
    for size in sizes:
        case = policy.case(grown(document, size))
        cells = []
        for label, fn in (
            ("verdicts", lambda case=case: policy.decide(case, missing=False)),
            ("with missing facts", lambda case=case: policy.decide(case)),
            ("explained", lambda case=case: policy.explain(case)),
        ):
            started = time.perf_counter()
            done = fn()
            marked = getattr(done, "partial", None) or (isinstance(done, dict) and "partial" in done)
            partial = " (partial)" if marked else ""
            cells.append(f"{label} {time.perf_counter() - started:.1f} s{partial}")
        took = time.perf_counter() - started
        rows.append(
            Row(
                f"one case of {len(case.entities)} entities ({case_path.name} grown by copying an entity)",
                ", ".join(cells),
                target=f"explained < 15 s up to the limit ({MAX_ENTITIES})",
                status=judged(took < 15),
            )
        )
    return rows


# ---------------------------------------------------------------- subprocesses: cold CLI, caseloads


def havre_command() -> list[str]:
    script = Path(sys.executable).with_name("havre")
    return [str(script)] if script.exists() else [sys.executable, "-m", "havre"]


def cold_rows(case_paths: Sequence[Path], policy_path: Path, runs: int) -> list[Row]:
    """Whole `havre decide` processes, as a user's installed copy runs: bytecode compiled, policy cache filled.

    The first case is also timed with the policy cache off."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs_of = [(path, "", {}) for path in case_paths] + [(case_paths[0], ", policy cache off", {"HAVRE_NO_CACHE": "1"})]
    rows = []
    for case_path, label, extra in runs_of:
        command = [*havre_command(), "decide", str(case_path), "--policy", str(policy_path)]
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)  # compiles, fills the cache
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env={**env, **extra})
            times.append(time.perf_counter() - t)
        median = statistics.median(times)
        rows.append(
            Row(
                f"cold `havre decide {case_path.name}` as a process{label} (median of {runs})",
                f"{median:.2f} s",
                target="<= 0.5 s",
                status=judged(median <= 0.5),
            )
        )
    rows.append(_after_an_edit(case_paths[0], policy_path, runs, env))
    return rows


def _after_an_edit(case_path: Path, policy_path: Path, runs: int, env: dict[str, str]) -> Row:
    """The first `havre decide` after an analyst edits the policy: each run after a comment is added to its
    largest file, in a copy of the policy with a cache folder of its own."""
    with tempfile.TemporaryDirectory() as scratch:
        copied = Path(shutil.copytree(policy_path, Path(scratch) / "policy"))
        edited = max(copied.rglob("*.havre"), key=lambda p: p.stat().st_size)
        env = {**env, "HAVRE_CACHE_DIR": str(Path(scratch) / "cache")}
        command = [*havre_command(), "decide", str(case_path), "--policy", str(copied)]
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
        times = []
        for i in range(runs):
            with edited.open("a", encoding="utf-8") as f:
                f.write(f"# an edit ({i})\n")
            t = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
            times.append(time.perf_counter() - t)
    median = statistics.median(times)
    return Row(
        f"cold `havre decide {case_path.name}` as a process, after one policy file is edited "
        f"({edited.relative_to(copied)}, median of {runs})",
        f"{median:.2f} s",
        target="<= 0.5 s",
        status=judged(median <= 0.5),
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


def measure_process(
    args: list[str], ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None
) -> tuple[float, int]:
    """Wall time and peak memory (all processes of the run together, sampled every 50 ms) of a command that
    exits with one of the `ok` codes."""
    t = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, _ = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(args)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    # Not `usage.ru_maxrss`: Linux keeps a process's peak across exec, so a child forked from this benchmark,
    # grown by its in-process rows, reported the benchmark's own size (1,550 MiB for a 260 MiB run).
    return wall, peak


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


def lowered_copy(policy_path: Path, target: Path) -> Path:
    """A copy of the policy to compare with: the shipped policy's dependent children under 19 instead of 22."""
    shutil.copytree(policy_path if policy_path.is_dir() else policy_path.parent, target)
    family = target / "qhc/family.havre"
    if family.exists():
        text = family.read_text(encoding="utf-8").replace("age(C) < 22\n", "age(C) < 19\n")
        family.write_text(text.replace("age(C) >= 22\n", "age(C) >= 19\n"), encoding="utf-8")
    return target if policy_path.is_dir() else target / policy_path.name


def impact_rows(policy: Policy, policy_path: Path, size: int, workers: int, seed: int) -> list[Row]:
    """`havre impact` (both versions decided) against `havre batch --no-missing` (one) on the same caseload."""
    with tempfile.TemporaryDirectory(prefix="havre-bench-") as tmp:
        changed = lowered_copy(policy_path, Path(tmp, "policy"))
        empty, cases = Path(tmp, "empty.jsonl"), Path(tmp, "cases.jsonl")
        empty.write_text("", encoding="utf-8")
        with open(cases, "w", encoding="utf-8") as f:
            write_jsonl(f, Generator(policy.checked, seed=seed).cases(size))
        batch = [*havre_command(), "batch", "--no-missing", "--workers", str(workers), "--policy", str(policy_path)]
        impact = [*havre_command(), "impact", "--base", str(policy_path), "--policy", str(changed)]
        impact += ["--workers", str(workers), "--format", "json", "-o", str(Path(tmp, "report.json")), "--cases"]
        per_case = {}
        for name, command in (("batch", [*batch, "-o", str(Path(tmp, "out.jsonl"))]), ("impact", impact)):
            measure_process([*command, str(empty)])  # fills the policy cache
            startup, _ = measure_process([*command, str(empty)])
            wall, _ = measure_process([*command, str(cases)])
            per_case[name] = max(wall - startup, 1e-9) / size
    ratio = per_case["impact"] / per_case["batch"]
    return [
        Row(
            f"impact of a rule change on {size:,} cases: `havre impact --workers {workers}` (both versions)",
            f"{1000 * per_case['impact']:.2f} ms/case (start-up excluded)",
            f"`havre batch --no-missing` {1000 * per_case['batch']:.2f} ms/case",
            f"{ratio:.2f}x",
            "<= 2.2x batch",
            judged(ratio <= 2.2),
        )
    ]


def serve_rows(policy: Policy, policy_path: Path, case: Path, n: int, workers: int) -> list[Row]:
    """`havre serve` on loopback under n concurrent decide requests: latency, and nothing wrong or lost."""
    from benchmarks import serve_load

    load = serve_load.run(policy, policy_path, case, n, workers)
    ok = load.correct == load.logged == n
    return [
        Row(
            f"serve --workers {workers}: {n} concurrent decide requests, {case.name} (p50 / p99 latency)",
            f"{load.p50:.2f} s / {load.p99:.2f} s; {load.correct}/{n} correct, {load.logged}/{n} logged",
            f"{load.wall:.1f} s for all, {load.wall / n:.2f} s per decision",
            target="every answer correct and logged",
            status=judged(ok),
        )
    ]


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
    parser.add_argument(
        "--also-cold", type=Path, nargs="*", default=[COMPLETE], help="more cases for the cold and warm rows"
    )
    parser.add_argument("--also-warm", type=Path, nargs="*", default=[SLOWEST], help="more cases for the warm rows")
    parser.add_argument("--what-if", type=Path, default=FAMILY, help="the case of the what-if row")
    parser.add_argument("--workers", type=int, default=2, help="processes of the caseload and serve rows")
    parser.add_argument("--chunk-size", type=int, default=b.DEFAULT_CHUNK)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--serve-load", type=int, default=None, help="concurrent requests of the serve row (0 leaves it out)"
    )
    args = parser.parse_args(argv)
    n_verdicts, n_explained, warm_runs, cold_runs, sizes = MODES[args.mode or "quick"]
    policy = load_policy(args.policy)
    docs = list(Generator(policy.checked, seed=args.seed).cases(n_verdicts))
    steps: list[Callable[[], list[Row]]] = [
        lambda: verdict_rows(policy, docs, args.chunk_size),
        lambda: small_policy_rows(50 * n_verdicts, args.chunk_size, args.seed),
        lambda: explanation_rows(policy, docs[:n_explained], args.chunk_size),
        lambda: warm_rows(policy, [args.case, *args.also_cold, *args.also_warm], warm_runs, args.seed),
        lambda: what_if_rows(policy, args.what_if, WHAT_IF_RUNS[args.mode or "quick"]),
        lambda: entity_rows(policy, args.case, ENTITIES[args.mode or "quick"]),
        lambda: cold_rows([args.case, *args.also_cold], args.policy, cold_runs),
        lambda: caseload_rows(policy, args.policy, sizes, args.workers, args.seed),
        lambda: impact_rows(policy, args.policy, IMPACT_CASES[args.mode or "quick"], args.workers, args.seed),
    ]
    if args.mode != "smoke":
        steps.append(lambda: loop_rows(args.policy))
    serve_n = SERVE_LOAD[args.mode or "quick"] if args.serve_load is None else args.serve_load
    if serve_n:
        steps.append(lambda: serve_rows(policy, args.policy, args.case, serve_n, args.workers))
    rows: list[Row] = []
    failed = False
    for step in steps:
        try:
            rows += step()
        except Exception as err:  # one broken step must not lose the rows measured before it
            failed = True
            rows.append(Row("a step of the benchmark", f"failed: {str(err).splitlines()[0]}", status="FAILED"))
        print(f"[{len(rows)} rows measured]", file=sys.stderr, flush=True)
        print(table(rows), file=sys.stderr, flush=True)
    out = io.StringIO()
    print(f"Havre benchmarks ({args.mode or 'quick'}), policy {policy.hash}, {os.cpu_count()} cores", file=out)
    print(table(rows), file=out)
    print(out.getvalue(), end="")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
