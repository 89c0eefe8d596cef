"""xclingo 2 explaining Havre's compiled program, case by case: the "against xclingo" benchmark row.

xclingo 2.0b19 needs clingo < 5.6, which has no wheel for Python 3.11, so it runs in a separate Python
3.10 environment, `.venv-xclingo` (made by `benchmarks/setup_xclingo.sh`), as other processes: this
module writes the program and each case's facts as text and times `benchmarks/xclingo_worker.py`
(warm: every case in one process) and xclingo's command-line program through it (fresh: one process
per case).

xclingo gets the same program text with a `%!show_trace` annotation per verdict predicate added and
each `_` of a positive body literal named (`name_anonymous`), the same `@` functions (the worker imports
`solver.solve.context`), and traces every rule (`--auto-tracing all`). For each case it explains one model,
once. For the first cases, `check` makes sure the text facts are `solver.solve.run.add_case`'s and that the
model xclingo explained is one of the case's models in clingo 5.8.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import clingo
from clingo import Function, Number, String, Symbol, ast

from grammar.checks.checked import CheckedPolicy
from havre.api import Policy
from solver.cases import calendar
from solver.cases.case import Case
from solver.compile.names import args_tuple, encode
from solver.solve.context import Context
from solver.solve.run import add_case

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-xclingo"
WORKER = Path(__file__).with_name("xclingo_worker.py")
FRESH = 5
TIMEOUT = 600.0
CLI_ARGS = ("-n", "1", "1", "--auto-tracing", "all", "--warn=none")  # one model, one explanation of it


@dataclass(frozen=True)
class XclingoResult:
    cases: int  # explained in one long-lived process
    fresh_cases: int  # explained one per `xclingo` process
    trees: int  # explanation trees xclingo produced for the warm cases
    traced: int  # verdict atoms true in the models it explained (one tree each expected)
    per_case_ms_warm: float  # median
    per_case_ms_fresh: float  # median, whole process
    xclingo_version: str
    clingo_version: str


def case_facts(policy: CheckedPolicy, case: Case, cid: Symbol) -> str:
    """The facts `solver.solve.run.add_case` adds through the backend, as program text."""
    lines: list[str] = []

    def fact(name: str, *args: Symbol) -> None:
        lines.append(f"{Function(name, [cid, *args])}.")

    fact("_case")
    fact("_today", Number(calendar.to_day(case.assessment_date)))
    for e in case.entities:
        fact("_entity", Function(e.type), String(e.id))
    for f in case.facts:
        pred = policy.predicates[f.pred]
        fact("_given", Function(f.pred), args_tuple(f.args))
        if pred.is_bool:
            if f.value is True:
                fact(f.pred, *(String(a) for a in f.args))
        else:
            fact(f.pred, *(String(a) for a in f.args), encode(f.value, pred.value))
    for c in case.closed:
        fact("_closed", Function(c.pred), String(c.first))
    return "\n".join(lines) + "\n"


def show_traces(shows_verdicts: str) -> str:
    """`%!show_trace` annotations for the `#show name/arity.` directives of policy predicates."""
    out: list[str] = []
    for name, arity in re.findall(r"#show\s+([a-z]\w*)/(\d+)\s*\.", shows_verdicts):
        variables = ",".join(f"V{i}" for i in range(int(arity)))
        out.append(f"%!show_trace {{{name}({variables})}}.")
    return "\n".join(out) + "\n"


class _Anonymous(ast.Transformer):
    """Where `_` stands in a positive body literal."""

    def __init__(self) -> None:
        self.spots: list[tuple[int, int]] = []
        self.positive = False

    def visit_Literal(self, lit: ast.AST) -> ast.AST:
        outer = self.positive
        self.positive = lit.sign == ast.Sign.NoSign and lit.atom.ast_type == ast.ASTType.SymbolicAtom
        self.visit_children(lit)
        self.positive = outer
        return lit

    def visit_Variable(self, var: ast.AST) -> ast.AST:
        if var.name == "_" and self.positive:
            self.spots.append((var.location.begin.line, var.location.begin.column))
        return var


def name_anonymous(text: str) -> str:
    """The program with each `_` of a positive body literal given a name of its own (`_Anon1`, ...).

    The answer sets are the same; xclingo 2.0b19 would make unsafe rules of them (it collects `_` among
    a rule's variables).
    """
    anonymous = _Anonymous()

    def statement(stm: ast.AST) -> None:
        if stm.ast_type == ast.ASTType.Rule:
            for lit in stm.body:
                anonymous(lit)

    ast.parse_string(text, statement)
    lines = text.split("\n")
    for n, (line, column) in enumerate(sorted(anonymous.spots, reverse=True), start=1):
        row = lines[line - 1]
        if row[column - 1] != "_":
            raise ValueError(f"no anonymous variable at {line}:{column}")
        lines[line - 1] = row[: column - 1] + f"_Anon{n}" + row[column:]
    return "\n".join(lines)


def xclingo_program(policy: Policy, shows_verdicts: str) -> str:
    return name_anonymous(policy.program.text) + "\n" + show_traces(shows_verdicts)


def solve58(policy: Policy, case: Case, shows: str, *, as_text: bool, mode: str | None = None) -> set[str]:
    """Shown atoms in clingo 5.8 (this process): one model, or the `brave` or `cautious` consequences.

    The case's facts are given as text (`case_facts`) or through the backend (`solver.solve.run.add_case`).
    """
    ctl = clingo.Control(["--warn=none", *([f"--enum-mode={mode}", "0"] if mode else [])])
    facts = case_facts(policy.checked, case, Number(0)) if as_text else ""
    ctl.add("base", [], "\n".join((policy.program.text, shows, facts)))
    if not as_text:
        with ctl.backend() as backend:
            add_case(backend, policy.checked, case, Number(0))
    ctl.ground([("base", [])], context=Context())
    last: list[set[str]] = []
    ctl.solve(on_last=lambda model: last.append({str(s) for s in model.symbols(shown=True)}))
    return last[0] if last else set()


def check(policy: Policy, case: Case, shows: str, traced: list[str]) -> str | None:
    """What is wrong with the text facts or with xclingo's model of a case, if anything.

    The model xclingo explains is one of the case's models: its verdict atoms lie between the cautious
    and the brave consequences clingo 5.8 gives.
    """
    if solve58(policy, case, shows, as_text=True) != solve58(policy, case, shows, as_text=False):
        return f"the facts of case {case.id} as text differ from solver.solve.run.add_case's"
    brave, cautious = (
        {a for a in solve58(policy, case, shows, as_text=True, mode=mode) if not a.startswith("_")}
        for mode in ("brave", "cautious")
    )
    if not cautious <= set(traced) <= brave:
        return f"xclingo's model of case {case.id} is not one of clingo 5.8's"
    return None


def measure(policy: Policy, cases: Sequence[Case], shows_verdicts: str) -> XclingoResult | str:
    """xclingo explaining each case's verdict atoms; the reason instead when it cannot.

    `shows_verdicts`: the `#show` directives of the verdicts, as `solver.solve.run.show_directives` writes them
    (the compiler's own `_` predicates among them are not traced).
    """
    python = VENV / "bin" / "python"
    if not python.exists():
        return f"not measured: no {VENV.name} (run benchmarks/setup_xclingo.sh)"
    if not cases:
        return "not measured: no cases"
    with tempfile.TemporaryDirectory(prefix="havre-xclingo-") as tmp:
        program = Path(tmp) / "program.lp"
        program.write_text(xclingo_program(policy, shows_verdicts), encoding="utf-8")
        facts = [Path(tmp) / f"case{i}.lp" for i in range(len(cases))]
        for path, case in zip(facts, cases, strict=True):
            path.write_text(case_facts(policy.checked, case, Number(0)), encoding="utf-8")
        try:
            warm = run([str(python), str(WORKER), str(program), *map(str, facts)])
            if warm.returncode != 0:
                return f"not measured: xclingo failed: {last_line(warm.stderr or warm.stdout)}"
            report = json.loads(warm.stdout)
            if report["models"] != [1] * len(cases) or 0 in report["trees"]:
                return f"not measured: xclingo explained nothing (models {report['models']})"
            fresh: list[float] = []
            for i, path in enumerate(facts[:FRESH]):
                start = time.perf_counter()
                cli = run([str(python), str(WORKER), "--cli", *CLI_ARGS, str(program), str(path)])
                fresh.append((time.perf_counter() - start) * 1000)
                trees = cli.stdout.splitlines().count("  *")
                if cli.returncode != 0 or "*** ERROR" in cli.stdout or trees != report["trees"][i]:
                    return f"not measured: the xclingo command failed: {last_line(cli.stderr or cli.stdout)}"
        except (subprocess.TimeoutExpired, json.JSONDecodeError, KeyError, IndexError) as err:
            return f"not measured: xclingo failed: {err!r}"
    for i, case in enumerate(cases[:FRESH]):
        if (problem := check(policy, case, shows_verdicts, report["traced"][i])) is not None:
            return f"not measured: {problem}"
    return XclingoResult(
        cases=len(cases),
        fresh_cases=len(fresh),
        trees=sum(report["trees"]),
        traced=sum(map(len, report["traced"])),
        per_case_ms_warm=statistics.median(report["ms"]),
        per_case_ms_fresh=statistics.median(fresh),
        xclingo_version=report["xclingo"],
        clingo_version=report["clingo"],
    )


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
