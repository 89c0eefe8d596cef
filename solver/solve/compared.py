"""A comparison of a shape's grounding, read once into Python data and evaluated with each case's values.

The shape's terms are clingo symbols (`cmp(lt,u(birth_date,("_0_000",)),add_years(u(_today,()),-22))`);
reading one through clingo's API costs a call per part, and a case of twenty entities has hundreds of them to
evaluate. Read once per shape, each case evaluates plain tuples, exactly as solver.solve.context computes at
grounding (an unknown operand keeps the operation as a term, so two sides can still be the same unknown).
"""

from __future__ import annotations

from collections.abc import Mapping

from clingo import Symbol, SymbolType

from solver.solve.context import computed

Key = tuple[str, tuple[str, ...]]  # an input and its (pooled) arguments
# ("n", int) a number | ("u", Key) an input's value | ("c", name, positive) a constant | ("s", text) a string
# | ("f", name, args, positive) a function of other terms
Expr = tuple[object, ...]
Value = int | Expr  # what a term comes to: a number, or a term still holding an unknown
ARITHMETIC = frozenset(
    ("add_days", "add_months", "add_years", "plus", "minus", "years_between", "months_between", "days_between")
)


class Fault(Exception):
    """A computation outside what the solver holds: the case is decided the reference way, which names it."""


class Comparison:
    """`cmp(Op, L, R)`: `holds` is True or False with the case's values, None while a value it reads is unknown."""

    def __init__(self, term: Symbol) -> None:
        expr = read_term(term)
        self.expr = expr
        parts = expr[2] if expr[0] == "f" and expr[1] == "cmp" else ()
        self.op, self.left, self.right = parts if len(parts) == 3 else (None, None, None)  # type: ignore[arg-type]

    def holds(self, known: Mapping[Key, int]) -> bool | None:
        if self.op is None:
            return None
        left, right = value_of(self.left, known), value_of(self.right, known)  # type: ignore[arg-type]
        if isinstance(left, int) and isinstance(right, int):
            return left < right if self.op[1] == "lt" else left == right
        if left == right:  # the same unknown on both sides
            return self.op[1] == "eq"
        return None


def read_term(s: Symbol) -> Expr:
    if s.type == SymbolType.Number:
        return ("n", s.number)
    if s.type == SymbolType.String:
        return ("s", s.string)
    if s.type != SymbolType.Function:
        return ("x", str(s))
    name, args = s.name, s.arguments
    if name == "u" and len(args) == 2:
        return ("u", (args[0].name, tuple(a.string for a in args[1].arguments)))
    if not args:
        return ("c", name, s.positive)
    return ("f", name, tuple(read_term(a) for a in args), s.positive)


def value_of(e: Expr, known: Mapping[Key, int]) -> Value:
    """The term with the case's values in it, computed as solver.solve.context computes it at grounding."""
    kind = e[0]
    if kind == "n":
        return e[1]  # type: ignore[return-value]
    if kind == "u":
        found = known.get(e[1])  # type: ignore[arg-type]
        return e if found is None else found
    if kind != "f":
        return e
    name, positive = e[1], e[3]
    args = [value_of(a, known) for a in e[2]]  # type: ignore[attr-defined]
    numbers = all(isinstance(a, int) for a in args)
    if name == "cmp" and len(args) == 3 and isinstance(args[1], int) and isinstance(args[2], int):
        op = args[0][1] if isinstance(args[0], tuple) else None
        return int(args[1] < args[2] if op == "lt" else args[1] == args[2])
    if name == "cmp" and len(args) == 3 and args[1] == args[2]:  # the same unknown on both sides
        return int(isinstance(args[0], tuple) and args[0][1] == "eq")
    if name in ARITHMETIC and numbers and len(args) == 2:
        result = computed(name, *args)  # type: ignore[arg-type]
        if result is None:
            raise Fault
        return result
    return ("f", name, tuple(args), positive)


def term_text(v: Value) -> str:
    """A value as clingo prints the term: `u(birth_date,("_0_000",))`, `-3`, `"a \\"b\\""`."""
    if isinstance(v, int):
        return str(v)
    kind = v[0]
    if kind == "n":
        return str(v[1])
    if kind == "s":
        text = str(v[1]).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
        return f'"{text}"'
    if kind == "u":
        pred, args = v[1]  # type: ignore[misc]
        return f"u({pred},{_tuple([term_text(('s', a)) for a in args])})"
    if kind == "c":
        name = str(v[1]) or "()"  # the empty tuple
        return name if v[2] else f"-{name}"
    if kind == "f":
        name, args, positive = v[1], [term_text(a) for a in v[2]], v[3]  # type: ignore[attr-defined]
        text = _tuple(args) if name == "" else f"{name}({','.join(args)})"
        return text if positive else f"-{text}"
    return str(v[1])


def _tuple(items: list[str]) -> str:
    return f"({items[0]},)" if len(items) == 1 else f"({','.join(items)})"
