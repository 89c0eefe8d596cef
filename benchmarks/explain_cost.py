"""What explaining costs over deciding alone, measured in one run on a batch of generated cases.

For each case, `Policy.decide` and `Policy.explain` (all verdicts, English) are timed on the same warm
policy; the table gives the median and 90th percentile of the per-case times and of the per-case ratio
explain / decide. Explaining decides the case again (it reads the derivations back from the same solve),
so the ratio is above 1 by construction; what matters is by how much.

Cases come from havre.caseload.generate when it is there; otherwise from the example cases, mutated with a fixed
seed (booleans flipped, dates shifted).

    .venv/bin/python benchmarks/explain_cost.py [--count 200] [--seed 0] [--policy policy]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from havre.api import Policy, load_policy  # noqa: E402
from solver.cases.case import Case, CaseError  # noqa: E402

WARMUP = 3  # cases decided and explained before timing: imports, grounding caches, the explainer's chains


def generated(policy: Policy, count: int, seed: int) -> tuple[str, list[Case]]:
    """`count` valid cases, and where they come from."""
    try:
        from havre.caseload.generate import Generator
    except ImportError:
        return "mutated examples", _valid(policy, _mutated(seed), count)
    gen = Generator(policy.checked, seed=seed)
    return "havre.caseload.generate", _valid(policy, gen.cases(10 * count), count)


def _valid(policy: Policy, docs: Iterator[dict[str, Any]], count: int) -> list[Case]:
    cases: list[Case] = []
    for doc in docs:
        try:
            cases.append(policy.case(doc))
        except CaseError:
            continue
        if len(cases) == count:
            break
    return cases


def _mutated(seed: int) -> Iterator[dict[str, Any]]:
    """The example cases with some booleans flipped and some dates shifted, endlessly, reproducibly."""
    examples = [
        yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "policy/examples").glob("*.yaml"))
    ]
    i = 0
    while True:
        rng = random.Random(f"explain-cost:{seed}:{i}")
        doc = copy.deepcopy(rng.choice(examples))
        doc["case"] = f"{doc['case']}-m{i}"
        doc["assessment_date"] = _shift(rng, doc["assessment_date"], 0.5)
        for section in doc.values():
            if isinstance(section, dict):
                for fields in section.values():
                    if isinstance(fields, dict):
                        _mutate(rng, fields)
        yield doc
        i += 1


def _mutate(rng: random.Random, fields: dict[str, Any]) -> None:
    for name, value in list(fields.items()):
        if isinstance(value, bool) and rng.random() < 0.15:
            fields[name] = not value
        elif isinstance(value, dt.date):
            fields[name] = _shift(rng, value, 0.3)


def _shift(rng: random.Random, value: Any, chance: float) -> Any:
    if isinstance(value, dt.date) and rng.random() < chance:
        return value + dt.timedelta(days=rng.randint(-400, 400))
    return value


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def quantile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="cases to time (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated cases (default 0)")
    parser.add_argument("--policy", default=str(ROOT / "policy"), help="policy folder (default: the shipped one)")
    args = parser.parse_args(argv)

    policy = load_policy(args.policy)
    origin, cases = generated(policy, args.count + WARMUP, args.seed)
    warm, cases = cases[:WARMUP], cases[WARMUP:]
    for case in warm:
        policy.decide(case)
        policy.explain(case)

    decide: list[float] = []
    explain: list[float] = []
    for i, case in enumerate(cases):
        # Alternate which goes first, so that neither always runs on the other's warm caches.
        if i % 2:
            explain.append(timed(lambda c=case: policy.explain(c)))
            decide.append(timed(lambda c=case: policy.decide(c)))
        else:
            decide.append(timed(lambda c=case: policy.decide(c)))
            explain.append(timed(lambda c=case: policy.explain(c)))
    ratios = [e / d for d, e in zip(decide, explain, strict=True)]

    print(f"explain vs decide: {len(cases)} cases from {origin} (seed {args.seed}), policy {policy.hash}")
    print(f"{'per case':<18}{'median':>10}{'p90':>10}{'mean':>10}")
    for label, values, unit in (
        ("decide", decide, " s"),
        ("explain", explain, " s"),
        ("explain / decide", ratios, " x"),
    ):
        cells = (statistics.median(values), quantile(values, 0.9), statistics.fmean(values))
        print(f"{label:<18}" + "".join(f"{v:>8.3f}{unit}" for v in cells))
    total = sum(explain) / sum(decide)
    print(f"total: decide {sum(decide):.1f} s, explain {sum(explain):.1f} s, ratio {total:.2f} x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
