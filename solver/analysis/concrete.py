"""The compiled program's comparisons and day counts written for clingo itself, where every value is known.

In the universe the checker searches, every number and date is a concrete candidate (solver.analysis.universe),
so `_V = @cmp(lt,A,B), _tv(_C,_V)` is `A < B`, its negation `A >= B`, and `@days_between(A,B)` is `B-A`. The
grounder then compares numbers itself instead of calling into Python: on the shipped policy 452,910 comparisons
and 142,956 day counts, about two thirds of the universe's grounding.
"""

from __future__ import annotations

import re

from solver.compile.body import BOUND

_CMP = re.compile(r"(_V\d+) = @cmp\((lt|eq),(\w+),(\w+)\)")
_DAYS = re.compile(r"@days_between\((\w+),\s*(\w+)\)")
_NATIVE = {("lt", False): "<", ("lt", True): ">=", ("eq", False): "=", ("eq", True): "!="}


def concrete(line: str) -> str:
    """One statement of the compiled program with its comparisons of known values native; the others unchanged."""
    for found in list(_CMP.finditer(line)):
        var, op, left, right = found.groups()
        if len(re.findall(rf"\b{var}\b", line)) != 2:  # read elsewhere than by its truth value: left to Python
            continue
        for truth, negated in ((f", not _tv(_C,{var})", True), (f", _tv(_C,{var})", False)):
            if truth in line:
                native = f"{left} {_NATIVE[op, negated]} {right}"
                line = line.replace(truth, "", 1).replace(found.group(0), native, 1)
                break
    return _DAYS.sub(r"(\2-\1)", line)


def inlined(lines: list[str]) -> list[str]:
    """The statements with each binders' atom replaced by the binders it stands for, so that a comparison and its
    truth stand in one rule again (`concrete`); the universe asks for no comparison, so nothing else reads them."""
    bodies: dict[str, str] = {}
    others: list[str] = []
    for line in lines:
        found = BOUND.match(line)
        if found is not None and line.startswith(f"{found[0]} :- "):
            bodies[found[0]] = line[len(found[0]) + 4 : -1]
        else:
            others.append(line)
    return [BOUND.sub(lambda m: bodies.get(m[0], m[0]), line) for line in others]
