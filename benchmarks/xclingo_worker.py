"""Runs under .venv-xclingo (Python 3.10, clingo 5.5, xclingo 2): xclingo explaining Havre's program.

`python xclingo_worker.py PROGRAM FACTS...`: for each facts file, in this one process, xclingo grounds
the program with those facts, solves for one model and computes one explanation of it; prints one JSON
object with the time of each case and what xclingo produced.

`python xclingo_worker.py --cli ARGS...`: the `xclingo` command itself, with ARGS.

Both first give xclingo the grounder's `@` functions, `solver.solve.context.Context`'s (imported from this
repository: they run unchanged on Python 3.10 and clingo 5.5). Its solving control grounds without a
context object, so clingo looks them up in `__main__` (once Python scripting is on); its explaining
control grounds with an `XClingoContext`, which takes no others, so they are added to that class.
"""

from __future__ import annotations

import json
import sys
import time
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clingo import Control
from clingo.script import enable_python
from xclingo import XclingoContext, XclingoControl  # type: ignore[import-not-found]
from xclingo.extensions import load_xclingo_extension  # type: ignore[import-not-found]

from solver.solve.context import Context


def supply_functions() -> None:
    enable_python()
    Control().add("base", [], "#script (python)\n#end.")  # clingo calls Python only once a script has run
    context = Context()
    main = sys.modules["__main__"]
    for name in (n for n in dir(context) if not n.startswith("_")):
        setattr(main, name, getattr(context, name))
        setattr(XclingoContext, name, staticmethod(getattr(context, name)))


def explain(program: str, facts: str) -> tuple[int, list[str], int]:
    """(models, the atoms marked for tracing in them, explanation trees) for one case."""
    ctl = XclingoControl(["1", "--warn=none"], n_explanations="1")
    ctl.extend_explainer("base", [], load_xclingo_extension("autotrace_all.lp"))
    ctl.add("base", [], program)
    ctl.add("base", [], facts)
    ctl.ground([("base", [])])
    models, traced, trees = 0, [], 0
    for model in ctl.solve():
        models += 1
        for graph in model.explain_model():
            traced += [str(atom) for atom in graph.show_trace]
            trees += sum(1 for atom in graph.show_trace if graph.explain(atom) is not None)
    return models, traced, trees


def main(argv: list[str]) -> int:
    supply_functions()
    if argv[:1] == ["--cli"]:
        from xclingo.__main__ import main as xclingo_main  # type: ignore[import-not-found]

        sys.argv = ["xclingo", *argv[1:]]
        return xclingo_main() or 0
    program = Path(argv[0]).read_text(encoding="utf-8")
    report: dict[str, list] = {"ms": [], "models": [], "traced": [], "trees": []}
    for path in argv[1:]:
        facts = Path(path).read_text(encoding="utf-8")
        start = time.perf_counter()
        counts = explain(program, facts)
        report["ms"].append((time.perf_counter() - start) * 1000)
        for key, count in zip(("models", "traced", "trees"), counts, strict=True):
            report[key].append(count)
    print(json.dumps({"xclingo": version("xclingo"), "clingo": version("clingo"), **report}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
