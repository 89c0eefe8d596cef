"""Coverage of a policy by scenario cases: rules fired, provisions applied, conditions seen both ways, exceptions.

Scenario cases are grounded in chunks (solver.solve.decide.CHUNK) in the explanation
program (the compiled program and the prefix chains of solver/compile/chain.py) and
solved for brave and cautious consequences. Only what a scenario DECIDES counts:

- a rule is covered when it fires in every completion of some scenario case;
- a cited provision (or source) when a rule citing it is covered;
- a condition (step k of a rule branch's chain) is seen true when its prefix
  atom `_pre(R,B,k,...)` holds in every completion of some case, and seen
  false when the prefix before it holds in every completion of some case but
  step k holds, for the same values, in none (a condition that only reads an
  input's value, `f(X) = V`, cannot be false where the input is known: seeing
  it true is enough);
- an exception is seen applying when it holds, in every completion, where the
  rule's conditions hold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import clingo
from clingo import Symbol

from explain.collector import fewer_collections
from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from grammar.typed import pretty
from grammar.typed.source import Span
from solver.cases.case import Case
from solver.compile.chain import chains
from solver.compile.emit import AspProgram
from solver.solve.context import Context
from solver.solve.cores import on_every_core
from solver.solve.decide import CHUNK
from solver.solve.run import add_case, add_text, case_symbol, consequences, new_control

# Only what coverage reads (the fewer shown atoms, the fewer models brave and cautious enumeration goes through),
# and `_unknown`, by which `consequences` knows a case has completions to enumerate.
SHOWS = "\n".join(["#show _pre/6.", "#show _fired/4.", "#show _exc/4.", "#show _cov_cond/3.", "#show _unknown/3."])
SHOWS += "\n_cov_cond(R,C,K) :- _cond(R,C,K,_,_,_).\n"


@dataclass(frozen=True, slots=True)
class Item:
    kind: str  # rule | provision | condition | exception
    id: str  # the rule or citation id
    text: str  # what it is, in the policy's words
    span: Span | None
    covered: bool  # conditions: seen both true and false
    detail: str = ""  # what is missing, for uncovered items

    @property
    def where(self) -> str:
        return f"{self.span.file}:{self.span.line}" if self.span else "<policy>"


@dataclass(frozen=True, slots=True)
class Coverage:
    items: tuple[Item, ...]
    cases: int

    def of(self, kind: str) -> list[Item]:
        return [i for i in self.items if i.kind == kind]

    def percent(self, kind: str) -> float:
        items = self.of(kind)
        return 100.0 * sum(i.covered for i in items) / len(items) if items else 100.0


def _control(
    program: AspProgram, policy: CheckedPolicy, cases: list[tuple[Symbol, Case]], extra: str
) -> clingo.Control:
    ctl, messages = new_control([])
    try:
        add_text(ctl, program.text + extra)
        with ctl.backend() as backend:
            for cid, case in cases:
                add_case(backend, policy, case, cid)
        ctl.ground([("base", [])], context=Context())
    except RuntimeError as err:
        raise messages.fail("coverage program", err) from None
    return ctl


@fewer_collections()
def coverage(program: AspProgram, policy: CheckedPolicy, cases: Sequence[Case]) -> Coverage:
    text, found = chains(policy, starts=True)  # step 0: what a condition is seen false after
    numbered = [(case_symbol(i), c) for i, c in enumerate(cases)]
    brave: set[Symbol] = set()
    cautious: set[Symbol] = set()
    starts = range(0, len(numbered), CHUNK)  # numbered across chunks: atoms of two cases never merge
    for cons in on_every_core(
        lambda start: consequences(_control(program, policy, numbered[start : start + CHUNK], text + SHOWS)), starts
    ):
        brave |= cons.brave
        cautious |= cons.cautious
    fired = {s.arguments[0].string for s in cautious if s.name == "_fired"}
    items = [Item("rule", cr.id, cr.rule.title, cr.rule.span, cr.id in fired, "never fired") for cr in policy.rules]
    citing: dict[str, list[str]] = defaultdict(list)
    for cr in policy.rules:
        for c in cr.rule.cites:
            citing[c.id].append(cr.id)
    for cid, rules in sorted(citing.items()):
        cited = policy.citations.get(cid)
        span = next((c.span for cr in policy.rules for c in cr.rule.cites if c.id == cid), None)
        title = cited.title if cited else cid
        items.append(Item("provision", cid, title, span, any(r in fired for r in rules), "no rule citing it fired"))
    items += _conditions(policy, found, brave, cautious)
    items += _exceptions(policy, cautious)
    return Coverage(tuple(items), len(cases))


def _reads_input(policy: CheckedPolicy, lit: n.Cond, bound: tuple[str, ...]) -> bool:
    """`f(X) = V` giving V the value of an input: it cannot be false where the input is known, only seen true."""
    if not (isinstance(lit, n.Compare) and lit.op == "="):
        return False
    for var, other in ((lit.left, lit.right), (lit.right, lit.left)):
        if isinstance(var, n.Var) and var.name not in bound and isinstance(other, n.Call):
            pred = policy.predicates.get(other.name)
            return pred is not None and pred.is_input
    return False


def _conditions(policy: CheckedPolicy, found: Any, brave: set[Symbol], cautious: set[Symbol]) -> list[Item]:
    # (rule, branch, step) -> [(case, key, values)]
    certain: dict[tuple[str, int, int], list[tuple[Symbol, Symbol, tuple[Symbol, ...]]]] = defaultdict(list)
    possible: dict[tuple[str, int, int], set[tuple[Symbol, Symbol, tuple[Symbol, ...]]]] = defaultdict(set)
    for atoms, into in ((cautious, certain), (brave, possible)):
        for s in atoms:
            if s.name == "_pre":
                r, b, k, c, key, vals = s.arguments
                entry = (c, key, tuple(vals.arguments))
                if into is certain:
                    certain[(r.string, b.number, k.number)].append(entry)
                else:
                    possible[(r.string, b.number, k.number)].add(entry)
    out = []
    for chain in found:
        for k, step in enumerate(chain.steps, 1):
            at = (chain.rule, chain.branch, k)
            seen_true = bool(certain.get(at))
            bound = chain.steps[k - 2].vars if k > 1 else chain.head_vars
            # The values before step k that some completion extends through it.
            extended = {(c, key, vals[: len(bound)]) for c, key, vals in possible.get(at, ())}
            seen_false = any(e not in extended for e in certain.get((chain.rule, chain.branch, k - 1), []))
            seen_false = seen_false or _reads_input(policy, step.literal, bound)
            missing = " and ".join(w for w, seen in (("true", seen_true), ("false", seen_false)) if not seen)
            text = f"`{pretty.cond(step.literal)}` in {chain.rule}" + (
                f" (branch {chain.branch + 1})" if chain.branch else ""
            )
            detail = f"never seen {missing}" if missing else ""
            out.append(Item("condition", chain.rule, text, step.literal.span, seen_true and seen_false, detail))
    return out


def _exceptions(policy: CheckedPolicy, cautious: set[Symbol]) -> list[Item]:
    conds = {(s.arguments[0].string, s.arguments[1], s.arguments[2]) for s in cautious if s.name == "_cov_cond"}
    applied = {
        (s.arguments[0].string, s.arguments[1].number)
        for s in cautious
        if s.name == "_exc" and (s.arguments[0].string, s.arguments[2], s.arguments[3]) in conds
    }
    return [
        Item(
            "exception", cr.id, f"`unless {pretty.cond(e)}` in {cr.id}", e.span, (cr.id, j) in applied, "never applied"
        )
        for cr in policy.rules
        for j, e in enumerate(cr.rule.exceptions, 1)
    ]


KINDS = (("rule", "rules fired"), ("provision", "cited provisions applied"))
KINDS += (("condition", "conditions seen true and false"), ("exception", "exceptions seen applying"))


def coverage_text(cov: Coverage) -> str:
    lines = [f"coverage over {cov.cases} scenario case(s):"]
    for kind, label in KINDS:
        items = cov.of(kind)
        lines.append(f"  {label}: {sum(i.covered for i in items)}/{len(items)} ({cov.percent(kind):.1f}%)")
    uncovered = [i for i in cov.items if not i.covered]
    if uncovered:
        lines.append("not covered:")
        lines += [f"  {i.where}: {i.kind} {_name(i)}: {i.detail}" for i in uncovered]
    return "\n".join(lines)


def _name(i: Item) -> str:
    return i.text if i.kind in ("condition", "exception") else i.id


def coverage_json(cov: Coverage) -> dict[str, Any]:
    out: dict[str, Any] = {"cases": cov.cases}
    for kind, _ in KINDS:
        items = cov.of(kind)
        out[kind + "s"] = {
            "covered": sum(i.covered for i in items),
            "total": len(items),
            "percent": round(cov.percent(kind), 1),
            "uncovered": [
                {
                    "id": i.id,
                    "text": i.text,
                    "file": i.span.file if i.span else None,
                    "line": i.span.line if i.span else None,
                    "missing": i.detail,
                }
                for i in items
                if not i.covered
            ],
        }
    return out
