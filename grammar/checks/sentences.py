"""Constructs that have no good sentence yet: explanations would fall back to "it is not the case that …", or
say a label inside a sentence.

A yes/no fact that is read under `not`, in an `unless`, or an input shown when it
does not hold, reads well only with its own `not` text. A value whose text is a
label ("MIFI's decision on {A}: {value}") and that a condition compares reads
well only with its own `clause` text ("Not met: MIFI decided that app1 is
rejected", not "Not met: MIFI's decision on app1: rejected"). Each is reported
once, naming the first rule that needs it, so that analysts can add the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from grammar.diagnostics import Diagnostic
from grammar.typed import nodes as n
from grammar.typed.normal import term_parts, walk_conds

LABEL = re.compile(r":\s*\{value\}")  # "…: {value}", "… : {value}"


def _negated(cond: n.Cond | None, under_not: bool = False) -> Iterator[tuple[n.Cond, bool]]:
    """Every condition with whether it is read negated (under an odd number of `not`)."""
    if cond is None:
        return
    yield cond, under_not
    if isinstance(cond, n.Not):
        yield from _negated(cond.cond, not under_not)
    elif isinstance(cond, n.And | n.Or):
        for item in cond.items:
            yield from _negated(item, under_not)
    elif isinstance(cond, n.Some):
        yield from _negated(cond.cond, under_not)
    elif isinstance(cond, n.Every):  # read as: no X where cond and not then
        yield from _negated(cond.cond, under_not)
        yield from _negated(cond.then, under_not)


def plain_sentences(predicates: dict[str, n.Predicate], rules: Iterable[n.Rule]) -> list[Diagnostic]:
    """A warning for each yes/no predicate read negated, or input, without a `not` text in each language."""
    needs: dict[str, str | None] = {}
    for rule in rules:
        negated = [c for c, neg in _negated(rule.body) if neg] + [c for e in rule.exceptions for c in walk_conds(e)]
        for c in negated:
            if isinstance(c, n.Atom) and c.name not in needs:
                needs[c.name] = rule.id
    for p in predicates.values():
        if p.is_input and p.is_bool:
            needs.setdefault(p.name, None)
    out: list[Diagnostic] = []
    for name, rule in needs.items():
        pred = predicates.get(name)
        if pred is None or not pred.is_bool:
            continue
        missing = [lang for lang in n.LANGS if pred.text(lang, negative=True) is None]
        if missing:
            where = f"rule {rule} reads it under `not`" if rule else "a case may state it false"
            message = f'`{name}` has no `not {missing[0]}` text: explanations say "it is not the case that …"'
            hint = f'{where}; add e.g. `not {missing[0]} "..."` with the sentence when it does not hold'
            out.append(Diagnostic("plain-sentence", "warning", pred.span, message, hint))
    return out


def label_sentences(predicates: dict[str, n.Predicate], rules: Iterable[n.Rule]) -> list[Diagnostic]:
    """A warning for each value compared in a condition whose text, in a language, is a label with no `clause`."""
    needs: dict[str, str] = {}
    for rule in rules:
        for name in _compared([rule.body, *rule.exceptions]):
            needs.setdefault(name, f"rule {rule.id} compares it")
    for p in predicates.values():
        for name in _compared([p.applies]):
            needs.setdefault(name, f"`{p.name}` applies only if it has a value")
    out: list[Diagnostic] = []
    for name, where in needs.items():
        pred = predicates.get(name)
        if pred is None or pred.is_bool:
            continue
        labels = [lang for lang in n.LANGS if LABEL.search(pred.text(lang) or "") and not pred.text(lang, clause=True)]
        if labels:
            message = f'`{name}` has no `clause {labels[0]}` text: conditions say it as a label, "…: value"'
            hint = f'{where}; add e.g. `clause {labels[0]} "..."` with the fact as a condition says it, and `{{value}}`'
            out.append(Diagnostic("plain-sentence", "warning", pred.span, message, hint))
    return out


def _compared(conds: Iterable[n.Cond | None]) -> Iterator[str]:
    """The predicates whose values the comparisons in these conditions read."""
    for cond in conds:
        for c in walk_conds(cond) if cond is not None else ():
            if isinstance(c, n.Compare):
                for side in (c.left, c.right):
                    yield from (t.name for t in term_parts(side) if isinstance(t, n.Call))
