"""Types: arity, argument and value types, enumeration values; infers variable types."""

from __future__ import annotations

from grammar.checks.checked import BUILTINS
from grammar.checks.resolve import Tables
from grammar.diagnostics import Diagnostic, did_you_mean, error
from grammar.typed import nodes as n
from grammar.typed import pretty
from grammar.typed.source import Span

ORDERED = (n.IntType, n.DateType)


class _Checker:
    """Walks one rule or invariant; run twice, the first time only to infer."""

    def __init__(self, tables: Tables, env: dict[str, n.Type]) -> None:
        self.t = tables
        self.env = env
        self.diags: list[Diagnostic] = []
        self.report = False

    def fail(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        if self.report:
            self.diags.append(error(code, span, message, hint))

    # ------------------------------------------------------------ terms
    def term(self, t: n.Term, expected: n.Type | None = None) -> n.Type | None:
        if isinstance(t, n.Var):
            if t.name not in self.env and expected is not None:
                self.env[t.name] = expected
            return self.env.get(t.name)
        if isinstance(t, n.IntLit):
            return n.INT
        if isinstance(t, n.DateLit | n.AssessmentDate):
            return n.DATE
        if isinstance(t, n.Duration):
            if isinstance(t.amount, n.Var):
                got = self.term(t.amount, n.INT)
                if got is not None and got != n.INT:
                    self.fail(
                        "type-mismatch", t.span, f"`{t.amount.name}` is {_a(got)}; a duration counts whole numbers"
                    )
            return n.DURATION
        if isinstance(t, n.Name):
            return self.enum_value(t, expected)
        if isinstance(t, n.Call):
            return self.call(t)
        if isinstance(t, n.BinOp):
            return self.binop(t, expected)
        self.cond(t.cond)
        return n.INT

    def enum_value(self, t: n.Name, expected: n.Type | None) -> n.Type | None:
        if isinstance(expected, n.EnumType):
            if t.name not in expected.values:
                self.fail(
                    "type-mismatch",
                    t.span,
                    f"`{t.name}` is not one of {', '.join(expected.values)}",
                    did_you_mean(t.name, expected.values),
                )
            return expected
        if expected is None:
            return None
        hint = f"did you mean `{t.name}(...)`?" if t.name in self.t.predicates else None
        self.fail("undefined-name", t.span, f"`{t.name}` is not a value of type {expected}", hint)
        return expected

    def call(self, t: n.Call) -> n.Type | None:
        if t.name in BUILTINS:
            params, result = BUILTINS[t.name]
            self.args(t, t.args, params)
            return result
        pred = self.t.predicates.get(t.name)
        if pred is None:
            self.fail(
                "undefined-name",
                t.span,
                f"`{t.name}` is not declared",
                did_you_mean(t.name, [*self.t.predicates, *BUILTINS]),
            )
            return None
        if pred.is_bool:
            self.fail(
                "type-mismatch",
                t.span,
                f"`{t.name}` is a yes/no predicate, not a value",
                f"use it as a condition: `{pretty.term(t)}`",
            )
        self.args(t, t.args, tuple(p.type for p in pred.params))
        return None if pred.is_bool else pred.value

    def args(self, node: n.Call | n.Atom, args: tuple[n.Term, ...], params: tuple[n.Type, ...]) -> None:
        if len(args) != len(params):
            self.fail("wrong-arity", node.span, f"`{node.name}` takes {len(params)} argument(s), not {len(args)}")
            return
        for arg, want in zip(args, params, strict=True):
            got = self.term(arg, want)
            if got is not None and got != want:
                self.fail(
                    "type-mismatch",
                    arg.span,
                    f"`{pretty.term(arg)}` is {_a(got)}, but `{node.name}` expects {_a(want)} here",
                )

    def binop(self, t: n.BinOp, expected: n.Type | None) -> n.Type | None:
        right = self.term(t.right)
        left = self.term(t.left, n.DATE if right == n.DURATION else expected if expected in (n.INT, n.DATE) else None)
        if left is None or right is None:
            return None
        if left == n.DATE and right == n.DURATION:
            return n.DATE
        if left == n.INT and right == n.INT:
            return n.INT
        hint = "the days between two dates are `days_between(D1, D2)`" if left == right == n.DATE else None
        self.fail("type-mismatch", t.span, f"cannot compute {_a(left)} {t.op} {_a(right)}", hint)
        return None

    # ------------------------------------------------------------ conditions
    def cond(self, c: n.Cond) -> None:
        if isinstance(c, n.Atom):
            self.atom(c)
        elif isinstance(c, n.Compare):
            self.compare(c)
        elif isinstance(c, n.Not):
            self.cond(c.cond)
        elif isinstance(c, n.And | n.Or):
            for item in c.items:
                self.cond(item)
        elif isinstance(c, n.Some):
            self.cond(c.cond)
        else:
            self.cond(c.cond)
            self.cond(c.then)

    def atom(self, c: n.Atom) -> None:
        pred = self.t.predicates.get(c.name)
        if pred is None:
            hint = did_you_mean(c.name, self.t.predicates)
            self.fail("undefined-name", c.span, f"`{c.name}` is not declared", hint)
            return
        params = tuple(p.type for p in pred.params)
        if not pred.is_bool and len(c.args) == len(params) + 1:
            self.value_as_argument(c, pred)
            return
        if not pred.is_bool:
            shown = pretty.cond(c) if len(c.args) == len(params) else f"{c.name}(...)"
            self.fail(
                "type-mismatch",
                c.span,
                f"`{c.name}` has a value ({pred.value}), it is not a yes/no condition",
                f"compare its value, e.g. `{shown} = ...`",
            )
        self.args(c, c.args, params)

    def value_as_argument(self, c: n.Atom, pred: n.Predicate) -> None:
        """`principal(A, P)` for `principal(A) = P`: one error, with the comparison to write."""
        *args, value = c.args
        call = n.Call(c.name, tuple(args), c.span)
        self.args(call, call.args, tuple(p.type for p in pred.params))
        self.term(value, pred.value)
        self.fail(
            "wrong-arity",
            c.span,
            f"`{c.name}` takes {len(pred.params)} argument(s), not {len(c.args)}; it has a value ({pred.value})",
            f"compare its value: `{pretty.term(call)} = {pretty.term(value)}`",
        )

    def compare(self, c: n.Compare) -> None:
        # A bare name takes its type from the other side, so type that side first.
        if isinstance(c.left, n.Name):
            right = self.term(c.right)
            left = self.term(c.left, right)
        else:
            left = self.term(c.left)
            right = self.term(c.right, left)
            if left is None and right is not None:
                left = self.term(c.left, right)
        for side, other in ((c.left, right), (c.right, left)):
            if isinstance(side, n.Name) and other is None:
                self.fail(
                    "undefined-name",
                    side.span,
                    f"`{side.name}` is not a value here",
                    "compare it with a value that has a type, e.g. `status(P) = citizen`",
                )
        if left is None or right is None:
            return
        if n.DURATION in (left, right):  # a duration is an amount to add to a date, not a value
            side = c.left if left == n.DURATION else c.right
            self.fail(
                "type-mismatch",
                side.span,
                f"`{pretty.term(side)}` is a duration, not a value to compare",
                f"add it to a date, e.g. `D + {pretty.term(side)}`",
            )
        elif left != right:
            self.fail(
                "type-mismatch",
                c.span,
                f"cannot compare `{pretty.term(c.left)}` ({left}) with `{pretty.term(c.right)}` ({right})",
            )
        elif c.op not in ("=", "!=") and not isinstance(left, ORDERED):
            self.fail(
                "type-mismatch", c.span, f"`{c.op}` compares numbers and dates, not {left} values", "use `=` or `!=`"
            )

    # ------------------------------------------------------------ heads
    def head(self, h: n.Head) -> None:
        pred = self.t.predicates.get(h.name)
        if pred is None:
            self.fail(
                "undefined-name",
                h.span,
                f"`{h.name}` is not declared",
                did_you_mean(h.name, self.t.predicates) or "declare it with `derived` or `verdict`",
            )
            return
        if pred.is_input:
            what = "an officer's finding (judged)" if pred.kind == "judged" else "an input"
            self.fail(
                "concludes-input",
                h.span,
                f"`{h.name}` is {what}; rules cannot conclude it",
                "inputs come from the case file; declare a `derived` predicate for what a rule concludes",
            )
        if len(h.args) != len(pred.params):
            self.fail("wrong-arity", h.span, f"`{h.name}` takes {len(pred.params)} argument(s), not {len(h.args)}")
        else:
            for var, param in zip(h.args, pred.params, strict=True):
                got = self.term(var, param.type)
                if got != param.type:
                    self.fail(
                        "type-mismatch",
                        var.span,
                        f"`{var.name}` is {_a(got)}, but `{h.name}` expects {_a(param.type)} here",
                    )
        if pred.is_bool and h.value is not None:
            self.fail("type-mismatch", h.span, f"`{h.name}` is a yes/no predicate; it takes no `= value`")
        elif not pred.is_bool and h.value is None:
            self.fail("type-mismatch", h.span, f"`{h.name}` has a value ({pred.value}); write `{h.name}(...) = value`")
        elif h.value is not None:
            got = self.term(h.value, pred.value)
            if got is not None and got != pred.value:
                self.fail(
                    "type-mismatch",
                    h.value.span,
                    f"`{pretty.term(h.value)}` is {_a(got)}, but `{h.name}` is {_a(pred.value)}",
                )


def _a(t: n.Type | None) -> str:
    if t is None:
        return "of unknown type"
    if isinstance(t, n.EnumType):
        return f"a value of ({t})"
    if isinstance(t, n.EntityType):
        return ("an " if t.name[0] in "aeiou" else "a ") + t.name
    return ("an " if str(t)[0] in "aeiou" else "a ") + str(t)


def check_rule(rule: n.Rule, tables: Tables) -> tuple[dict[str, n.Type], list[Diagnostic]]:
    value = rule.head.value  # a count in the conclusion has a variable of its own to type
    conds = [rule.body, *rule.exceptions, *([n.Compare("=", value, value, value.span)] if value else [])]
    return _check(
        tables,
        lambda c: (c.head(rule.head), [c.cond(x) for x in (rule.body, *rule.exceptions) if x]),
        conds,
        rule.span,
    )


def check_invariant(inv: n.Invariant, tables: Tables) -> tuple[dict[str, n.Type], list[Diagnostic]]:
    return _check(tables, lambda c: c.cond(inv.cond), [inv.cond], inv.span)


def check_about(pred: n.Predicate, cond: n.Cond, tables: Tables) -> tuple[dict[str, n.Type], list[Diagnostic]]:
    """A condition about a verdict's subjects (`applies if`, `grounds`): its parameters are bound."""
    start: dict[str, n.Type] = {p.var: p.type for p in pred.params}
    return _check(tables, lambda c: c.cond(cond), [cond], pred.span, start)


def _check(
    tables: Tables, walk: object, conds: list[n.Cond | None], span: Span, start: dict[str, n.Type] | None = None
) -> tuple[dict[str, n.Type], list[Diagnostic]]:
    from grammar.typed.normal import cond_vars, first_use, walk_conds, walk_terms

    env: dict[str, n.Type] = dict(start or {})
    checker = _Checker(tables, env)
    for report in (False, False, True):
        checker.report = report
        walk(checker)  # type: ignore[operator]
    seen: set[str] = set()
    for c in conds:
        if c is None:
            continue
        for node in walk_conds(c):
            names = [node.var] if isinstance(node, n.Some | n.Every) else []
            names += [t.var for t in walk_terms(node) if isinstance(t, n.Count)]  # `number of K where ...`
            for v in names:
                if v.name not in env and v.name not in seen:
                    seen.add(v.name)
                    checker.diags.append(
                        error(
                            "type-mismatch",
                            v.span,
                            f"cannot tell what `{v.name}` stands for",
                            "use it as an argument of a declared predicate",
                        )
                    )
        for name in cond_vars(c):
            if name not in env and name not in seen:
                seen.add(name)
                checker.diags.append(
                    error(
                        "type-mismatch",
                        first_use(name, c) or span,
                        f"cannot tell what `{name}` stands for",
                        "use it as an argument of a declared predicate",
                    )
                )
    return env, checker.diags
