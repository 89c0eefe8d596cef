"""Policy-language text for AST fragments: messages, listings and explanations."""

from __future__ import annotations

from grammar.typed import nodes as n


def term(t: n.Term) -> str:
    if isinstance(t, n.Var):
        return t.name
    if isinstance(t, n.IntLit):
        return str(t.value)
    if isinstance(t, n.DateLit):
        return t.value.isoformat()
    if isinstance(t, n.Duration):
        amount = t.amount.name if isinstance(t.amount, n.Var) else t.amount
        unit = t.unit if amount != 1 else t.unit[:-1]
        return f"{amount} {unit}"
    if isinstance(t, n.Name):
        return t.name
    if isinstance(t, n.AssessmentDate):
        return "assessment_date"
    if isinstance(t, n.Call):
        return f"{t.name}({', '.join(term(a) for a in t.args)})"
    if isinstance(t, n.BinOp):
        return f"{term(t.left)} {t.op} {term(t.right)}"
    return f"number of {t.var.name} where {cond(t.cond, nested=True)}"


def cond(c: n.Cond, nested: bool = False) -> str:
    if isinstance(c, n.Atom):
        return f"{c.name}({', '.join(term(a) for a in c.args)})"
    if isinstance(c, n.Compare):
        return f"{term(c.left)} {c.op} {term(c.right)}"
    if isinstance(c, n.Not):
        return f"not {cond(c.cond, nested=True)}"
    if isinstance(c, n.Some):
        return f"some {c.var.name} where {cond(c.cond, nested=True)}"
    if isinstance(c, n.Every):
        return f"every {c.var.name} where {cond(c.cond, nested=True)} satisfies {cond(c.then, nested=True)}"
    joiner = " and " if isinstance(c, n.And) else " or "
    text = joiner.join(cond(i, nested=True) for i in c.items)
    return f"({text})" if nested else text


def head(h: n.Head) -> str:
    text = f"{h.name}({', '.join(a.name for a in h.args)})"
    return f"{text} = {term(h.value)}" if h.value is not None else text
