"""One conjunction of conditions -> ASP body literals.

Binders (atoms, value look-ups, assignments) come first so that nested
conditions and comparison demands can reuse them. Comparisons of numbers and
dates go through `@cmp`, whose unknown outcomes become free choices
(`_tv`), asked for by a demand rule (`_ask`) built from the binders.

A conjunction with comparisons is grounded once, into an atom holding its
binders' values (`rules`); its rule and each demand read that atom, so that
the grounder neither joins the binders again for a demand nor calls Python
again for its comparison.
"""

from __future__ import annotations

import re
from typing import Protocol

from grammar.checks.checked import BUILTINS, CheckedPolicy
from grammar.typed import nodes as n
from grammar.typed.normal import Branch, branch_vars, cond_vars, dnf, is_group, unique
from solver.compile.names import CASE


class Auxiliaries(Protocol):
    """What a branch asks of the program it is part of (solver.compile.emit.Emitter): fresh names, auxiliary
    predicates for nested conditions, and the rule being compiled."""

    policy: CheckedPolicy
    site: str
    aux_prefix: str

    def fresh(self, prefix: str) -> str: ...

    def aux(
        self, inner: n.Cond, parent: BranchCompiler, head_extra: list[str], others: set[str]
    ) -> tuple[str, list[str]]: ...


BUILTIN_CALLS = {
    "years_since": "@years_between({0}, {today})",
    "months_since": "@months_between({0}, {today})",
    "days_since": "@days_between({0}, {today})",
    "years_between": "@years_between({0}, {1})",
    "days_between": "@days_between({0}, {1})",
}
# Every comparison becomes [not] lt or [not] eq, so `X < 22` and `X >= 22`
# share one choice when X is unknown.
NORMAL = {
    "<": ("lt", False, False),
    ">": ("lt", True, False),
    "<=": ("lt", True, True),
    ">=": ("lt", False, True),
    "=": ("eq", False, False),
    "!=": ("eq", False, True),
}


def layout_vars(required: list[str], branch: Branch) -> list[str]:
    """The variables of a branch in the order its support atom lists their values."""
    return unique([*required, *branch_vars(branch)])


class BranchCompiler:
    def __init__(self, em: Auxiliaries, types: dict[str, n.Type], prefix: list[str] | None = None) -> None:
        self.em = em
        self.types = types
        self.pos: list[str] = list(prefix or [])
        self.rest: list[str] = []
        self.asks: list[str] = []
        self.grounded: set[str] = set()  # variables given values by the literals so far
        self._today: str | None = None

    # ------------------------------------------------------------ entry
    def compile(self, branch: Branch, required: list[str]) -> None:
        branch_vars = layout_vars(required, branch)
        self.branch_vars = branch_vars
        for lit in branch:
            if isinstance(lit, n.Atom):
                self.positive_atom(lit)
        pending = [lit for lit in branch if isinstance(lit, n.Compare)]
        progress = True
        while progress:
            progress = False
            for lit in list(pending):
                if self.binding(lit):
                    pending.remove(lit)
                    progress = True
        for v in branch_vars:
            t = self.types.get(v)
            if isinstance(t, n.EntityType) and v not in self.grounded:
                self.pos.append(f"_entity({CASE},{t.name},{v})")
                self.grounded.add(v)
        for lit in pending:
            self.compare(lit, negated=False)
        for lit in branch:
            if not isinstance(lit, n.Atom | n.Compare):
                self.nested(lit, branch, required)

    def _binders(self) -> list[str]:
        # Something must give the case variable its value: a plain atom, else the case itself.
        if any(not p.startswith(("_F", "_V", "_T")) for p in self.pos):
            return self.pos
        return [f"_case({CASE})", *self.pos]

    def body(self) -> str:
        return ", ".join([*self._binders(), *self.rest])

    def rules(self, head: str) -> list[str]:
        """The rule concluding `head` from the conjunction, with the demands of its comparisons; when it has
        some, its binders are grounded once, into an atom that the rule and the demands read."""
        if not self.asks:
            return [f"{head} :- {self.body()}."]
        binders = self._binders()
        bound = f"{self.em.fresh(self.em.aux_prefix + BIND)}({','.join(_variables(binders))})"
        return [
            f"{bound} :- {', '.join(binders)}.",
            f"{head} :- {', '.join([bound, *self.rest])}.",
            *(f"_ask({CASE},{t}) :- {bound}, {t} != 0, {t} != 1." for t in self.asks),
        ]

    # ------------------------------------------------------------ terms
    def fresh(self) -> str:
        return self.em.fresh("_F")

    def today(self) -> str:
        if self._today is None:
            self._today = self.em.fresh("_T")
            self.pos.append(f"_today({CASE},{self._today})")
        return self._today

    def term(self, t: n.Term) -> str:
        if isinstance(t, n.Var):
            return t.name
        if isinstance(t, n.IntLit):
            return str(t.value)
        if isinstance(t, n.DateLit):
            return str(t.value.toordinal())
        if isinstance(t, n.Name):
            return t.name
        if isinstance(t, n.AssessmentDate):
            return self.today()
        if isinstance(t, n.Call):
            return self.call(t)
        if isinstance(t, n.BinOp):
            return self.binop(t)
        if isinstance(t, n.Count):
            return self.count(t)
        raise TypeError(f"no term {t!r}")  # durations only occur inside BinOp

    def _ground(self, args: tuple[n.Term, ...]) -> None:
        self.grounded.update(a.name for a in args if isinstance(a, n.Var))

    def call(self, t: n.Call) -> str:
        args = [self.term(a) for a in t.args]
        self._ground(t.args)
        v = self.fresh()
        if t.name in BUILTINS:
            today = self.today() if t.name.endswith("_since") else ""
            self.pos.append(f"{v} = " + BUILTIN_CALLS[t.name].format(*args, today=today))
        else:
            self.pos.append(f"{t.name}({CASE},{','.join([*args, v])})")
        return v

    def binop(self, t: n.BinOp) -> str:
        left = self.term(t.left)
        v = self.fresh()
        if isinstance(t.right, n.Duration):
            count = t.right.amount
            amount = str(count) if isinstance(count, int) else count.name
            site = self.site()
            if t.op == "-":
                amount = f"-{amount}" if isinstance(count, int) else f"@minus(0,{amount}{site})"
            self.pos.append(f"{v} = @add_{t.right.unit}({left},{amount}{site})")
        else:
            right = self.term(t.right)
            self.pos.append(f"{v} = @{'plus' if t.op == '+' else 'minus'}({left},{right}{self.site()})")
        return v

    def site(self) -> str:
        """The rule and the case, for arithmetic whose result may be out of range (see solver.solve.context)."""
        return f",{self.em.site},{CASE}"

    def count(self, t: n.Count) -> str:
        name, shared = self.em.aux(t.cond, self, [t.var.name], set(self.outer_vars))
        v = self.fresh()
        self.pos.append(f"{v} = #count{{ {t.var.name} : {name}({','.join([CASE, t.var.name, *shared])}) }}")
        return v

    # ------------------------------------------------------------ literals
    def positive_atom(self, atom: n.Atom) -> None:
        args = [self.term(a) for a in atom.args]
        self._ground(atom.args)
        self.pos.append(f"{atom.name}({','.join([CASE, *args])})")

    def type_of(self, t: n.Term) -> n.Type | None:
        if isinstance(t, n.Var):
            return self.types.get(t.name)
        if isinstance(t, n.IntLit | n.Count):
            return n.INT
        if isinstance(t, n.DateLit | n.AssessmentDate):
            return n.DATE
        if isinstance(t, n.Call):
            return BUILTINS[t.name][1] if t.name in BUILTINS else self.em.policy.predicates[t.name].value
        if isinstance(t, n.BinOp):
            return self.type_of(t.left)
        return None

    def binding(self, c: n.Compare) -> bool:
        """Emit `X = term` as an assignment when it gives X its value."""
        if c.op != "=":
            return False
        for var, other in ((c.left, c.right), (c.right, c.left)):
            if not isinstance(var, n.Var):
                continue
            if var.name in self.grounded:
                # A look-up of a value that is never unknown can take the variable directly.
                if isinstance(other, n.Call) and other.name not in BUILTINS and not self._maybe_unknown(other):
                    args = [self.term(a) for a in other.args]
                    self._ground(other.args)
                    self.pos.append(f"{other.name}({','.join([CASE, *args, var.name])})")
                    return True
                continue
            needed = cond_vars(n.Compare("=", other, other, c.span))
            if any(v not in self.grounded and not isinstance(self.types.get(v), n.EntityType) for v in needed):
                continue
            if isinstance(other, n.Call) and other.name not in BUILTINS:
                args = [self.term(a) for a in other.args]
                self._ground(other.args)
                self.pos.append(f"{other.name}({','.join([CASE, *args, var.name])})")
            else:
                self.pos.append(f"{var.name} = {self.term(other)}")
            self.grounded.add(var.name)
            return True
        return False

    def _maybe_unknown(self, call: n.Call) -> bool:
        return isinstance(self.em.policy.predicates[call.name].value, n.IntType | n.DateType)

    def compare(self, c: n.Compare, negated: bool) -> None:
        kind = self.type_of(c.left) or self.type_of(c.right)
        left, right = self.term(c.left), self.term(c.right)
        if not isinstance(kind, n.IntType | n.DateType):  # enumeration values and entities are never unknown
            op = {"=": "!=", "!=": "="}[c.op] if negated else c.op
            self.rest.append(f"{left} {op} {right}")
            return
        op, swap, neg = NORMAL[c.op]
        a, b = (right, left) if swap else (left, right)
        t = self.em.fresh("_V")
        self.pos.append(f"{t} = @cmp({op},{a},{b})")
        self.rest.append(f"{'not ' if neg != negated else ''}_tv({CASE},{t})")
        self.asks.append(t)

    @property
    def outer_vars(self) -> list[str]:
        return list(self.branch_vars)

    def nested(self, lit: n.Cond, branch: Branch, required: list[str]) -> None:
        others = unique([*required, *(v for o in branch if o is not lit for v in cond_vars(o))])
        if isinstance(lit, n.Not):
            inner = lit.cond
            if isinstance(inner, n.Atom) and all(isinstance(a, n.Var | n.Name) for a in inner.args):
                self.rest.append(f"not {inner.name}({','.join([CASE, *(self.term(a) for a in inner.args)])})")
            elif isinstance(inner, n.Compare) and not self._reads_derived(inner):
                self.compare(inner, negated=True)
            else:
                name, shared = self.em.aux(inner, self, [], set(others))
                self.rest.append(f"not {name}({','.join([CASE, *shared])})")
        elif isinstance(lit, n.Some):
            name, shared = self.em.aux(lit.cond, self, [], set(others) - {lit.var.name})
            self.rest.append(f"{name}({','.join([CASE, *shared])})")
        elif isinstance(lit, n.Every):
            counter = n.And((lit.cond, n.Not(lit.then, lit.then.span)), lit.span)
            name, shared = self.em.aux(counter, self, [], set(others) - {lit.var.name})
            self.rest.append(f"not {name}({','.join([CASE, *shared])})")
        elif is_group(lit):  # an `or` kept whole by dnf: its own predicate, one rule per branch
            name, shared = self.em.aux(lit, self, [], set(others))
            self.rest.append(f"{name}({','.join([CASE, *shared])})")

    def _reads_derived(self, c: n.Compare) -> bool:
        from grammar.typed.normal import walk_terms

        preds = self.em.policy.predicates
        return any(
            isinstance(t, n.Call) and t.name in preds and not preds[t.name].is_input for t in walk_terms(c)
        ) or any(isinstance(t, n.Count) for t in walk_terms(c))


def branches(cond: n.Cond | None) -> list[Branch]:
    return dnf(cond)


BIND = "_bind"  # a binders' atom is named `<auxiliary prefix>_bind<N>`
BOUND = re.compile(rf"_\w*{BIND}\d+\([^()]*\)")  # such an atom, as its rule and its readers write it
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_AGGREGATE = re.compile(r"\{[^{}]*\}")  # its elements' variables are its own
_VARIABLE = re.compile(r"(?<![A-Za-z0-9_'])_?[A-Z][A-Za-z0-9_']*")


def _variables(literals: list[str]) -> list[str]:
    """The variables the literals bind, in order of appearance."""
    text = _AGGREGATE.sub("", _QUOTED.sub('""', ", ".join(literals)))
    return unique(_VARIABLE.findall(text))
