"""How long the consistency analyses of `havre check` take, stage by stage, on a policy (the shipped one by default).

Stages: static (unused inputs and sources), ground (the program over the universe), brave (one solve for dead
rules, exceptions, priorities and rules that never decide, and which conflicts, broken invariants and gaps are
possible), witness (a small counterexample for each), verify (the counterexamples decided the normal way).
Wall-clock per stage, and the process's CPU time in all (other programs on the machine disturb it less).
The target: under 60 seconds in all for the shipped policy on 2 cores.

    .venv/bin/python benchmarks/analysis_time.py [--policy policy] [--universe person=3,application=1] [--repeat 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from havre.api import load_policy
    from solver.analysis.analysis import analyse
    from solver.analysis.universe import parse_universe

    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--policy", default=str(ROOT / "policy"))
    args.add_argument("--universe", default=None)
    args.add_argument("--repeat", type=int, default=1)
    opts = args.parse_args(argv)

    started = time.perf_counter()
    policy = load_policy(opts.policy)
    universe = parse_universe(opts.universe)
    load = time.perf_counter() - started
    print(f"policy {opts.policy}: {len(policy.checked.rules)} rules; universe {universe.describe(policy.checked)}")
    print(f"{'load and compile':<18}{load:8.2f} s")
    worst = 0.0
    for run in range(1, opts.repeat + 1):
        timings: dict[str, float] = {}
        cpu, wall = time.process_time(), time.perf_counter()
        found = analyse(policy.program, policy.checked, universe=universe, timings=timings)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        worst = max(worst, wall)
        if opts.repeat > 1:
            print(f"run {run}")
        for stage, seconds in timings.items():
            print(f"{stage:<18}{seconds:8.2f} s")
        print(f"{'all analyses':<18}{wall:8.2f} s wall, {cpu:.2f} s CPU")
        counts = Counter(f.code for f in found)
        print("findings: " + (", ".join(f"{code} {k}" for code, k in sorted(counts.items())) or "none"))
    verdict = "within" if worst + load < TARGET_SECONDS else "OVER"
    print(f"{verdict} the {TARGET_SECONDS:.0f} s target ({worst + load:.1f} s with loading)")
    return 0 if worst + load < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
