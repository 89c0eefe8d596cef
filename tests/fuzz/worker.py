"""One fuzzing worker: inputs from a seed, each run through the command line in this process.

Before each input it writes the input to OUT/current-N and says `start KIND`; after it, `done KIND` or
`fault PATH` (the input and its traceback kept in OUT/faults). The parent watches the time and memory.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.fuzz.harness import args_input, case_input, clean_env, policy_input, workdir
from tests.fuzz.mutate import Input, Mutator


def run(item: Input) -> str | None:
    """The first fault of an input, if any."""
    with workdir() as folder:
        if item.kind == "policy":
            outcomes = policy_input(item.data, folder)
        elif item.kind == "case":
            outcomes = case_input(item.data, item.suffix, folder)
        else:
            outcomes = args_input(json.loads(item.data), folder)
    return next((f"havre {' '.join(o.args)}\n{o.fault}" for o in outcomes if o.fault), None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--name", required=True)
    args = parser.parse_args(argv)
    clean_env(args.out / f"cache-{args.name}")
    mutator = Mutator(args.seed)
    current = args.out / f"current-{args.name}"
    say = sys.__stdout__
    assert say is not None
    for number in range(args.count):
        item = mutator.next()
        current.with_suffix(item.suffix).write_bytes(item.data)
        say.write(f"start {item.kind} {current.with_suffix(item.suffix)}\n")
        say.flush()
        fault = run(item)
        if fault is None:
            say.write(f"done {item.kind}\n")
        else:
            kept = args.out / "faults" / f"{args.name}-{number}{item.suffix}"
            kept.parent.mkdir(exist_ok=True)
            kept.write_bytes(item.data)
            kept.with_suffix(kept.suffix + ".txt").write_text(fault, encoding="utf-8", errors="replace")
            say.write(f"fault {item.kind} {kept}\n")
        say.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
