"""Rules over time: each rule's days in force, and the versions of a rule, as plain rules.

A rule in force over some days (its own `in force` window, narrowed by the windows of the sources and
provisions it cites) is in force on a day when its judging date (`as of`, the assessment date by default)
falls in that window: the window becomes conditions leading the rule's body, so that deciding, explaining
and checking see it as any other condition. Several rules may share an ID when each is a version with its
own window; each then gets an ID of its own, `ID@START` (`ID@..END` for a version open at its start).
Figures are written as rows and become one version each.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterable

from grammar.checks.checked import Cited
from grammar.diagnostics import Diagnostic, error
from grammar.typed import nodes as n
from grammar.typed.source import Span


def versioned(
    rules: Iterable[n.Rule], figures: Iterable[n.Figure], citations: dict[str, Cited]
) -> tuple[dict[str, n.Rule], list[Diagnostic]]:
    """The policy's rules by ID, each with its window as leading conditions; errors and warnings on versions."""
    groups: dict[str, list[n.Rule]] = {}
    for rule in [*rules, *(r for f in figures for r in figure_rules(f))]:
        groups.setdefault(rule.id, []).append(rule)
    out: dict[str, n.Rule] = {}
    diags: list[Diagnostic] = []
    for rule_id, group in groups.items():
        if len(group) > 1 and not all(r.in_force and (r.in_force.start or r.in_force.end) for r in group):
            diags += [_duplicate(r, group[0]) for r in group[1:]]
            group = group[:1]
        windowed = [(r, _window(r, citations)) for r in group]
        for rule, window in windowed:
            if window is not None and window.start and window.end and window.end < window.start:
                where = (rule.in_force or rule).span
                diags.append(error("never-in-force", where, _never(rule, citations)))
                continue
            key = _key(rule_id, window) if len(group) > 1 else rule_id
            out[key] = _gated(rule, key, window, rule_id if len(group) > 1 else None)
        if len(group) > 1:
            diags += _compare_versions([(r, w) for r, w in windowed if w is not None])
    return out, diags


def figure_rules(figure: n.Figure) -> list[n.Rule]:
    """One version of the figure's rule for each of its rows."""
    pred = figure.predicate
    args = tuple(n.Var(p.var, p.span) for p in pred.params)
    return [
        n.Rule(
            figure.id,
            figure.title,
            figure.title_fr,
            figure.cites,
            n.Head(pred.name, args, row.value, row.span),
            None,
            (),
            row.span,
            dataclasses.replace(row.in_force, as_of=figure.as_of),
        )
        for row in figure.rows
    ]


def _window(rule: n.Rule, citations: dict[str, Cited]) -> n.InForce | None:
    """The days the rule is in force: its own window within every cited source's and provision's."""
    windows = [w for w in [rule.in_force, *(_cited_window(citations.get(c.id)) for c in rule.cites)] if w]
    if not any(w.start or w.end for w in windows):
        return rule.in_force if rule.in_force and rule.in_force.as_of else None
    span = rule.in_force.span if rule.in_force else rule.span
    return _within(windows, span, rule.in_force.as_of if rule.in_force else None)


def _within(windows: list[n.InForce], span: Span, as_of: n.Term | None = None) -> n.InForce:
    """The days every window covers: the latest start, the earliest end."""
    starts = [w.start for w in windows if w.start]
    ends = [w.end for w in windows if w.end]
    return n.InForce(max(starts) if starts else None, min(ends) if ends else None, span, as_of)


def _cited_window(cited: Cited | None) -> n.InForce | None:
    if cited is None:
        return None
    provision = next((p for p in cited.source.provisions if p.id == cited.id), None)
    windows = [w for w in (cited.source.in_force, provision.in_force if provision else None) if w]
    return _within(windows, windows[-1].span) if windows else None


def _key(rule_id: str, window: n.InForce | None) -> str:
    if window is None or (window.start is None and window.end is None):
        return rule_id
    return f"{rule_id}@{window.start.isoformat()}" if window.start else f"{rule_id}@..{window.end}"


def _gated(rule: n.Rule, key: str, window: n.InForce | None, version_of: str | None) -> n.Rule:
    """The rule with its window's conditions leading its body."""
    if window is None:
        return dataclasses.replace(rule, id=key, version_of=version_of)
    when: n.Term = window.as_of or n.AssessmentDate(window.span)
    gates: list[n.Cond] = []
    if window.start:
        gates.append(n.Compare(">=", when, n.DateLit(window.start, window.span), window.span))
    if window.end:  # `before the next day`: the same comparison as the next version's start, one choice for both
        day_after = n.DateLit(window.end + dt.timedelta(days=1), window.span)
        gates.append(n.Compare("<", when, day_after, window.span))
    conds = [*gates, *([rule.body] if rule.body is not None else [])]
    body = None if not conds else conds[0] if len(conds) == 1 else n.And(tuple(conds), rule.span)
    return dataclasses.replace(rule, id=key, body=body, in_force=window, version_of=version_of)


def is_gate(c: n.Cond, window: n.InForce) -> bool:
    """One of the conditions a window puts at the head of its rule's body."""
    return isinstance(c, n.Compare) and c.span == window.span and isinstance(c.right, n.DateLit)


def _compare_versions(versions: list[tuple[n.Rule, n.InForce]]) -> list[Diagnostic]:
    """Versions conclude the same thing, are chosen by the same date, and follow one another without overlap;
    a gap between two of them is a period where the policy says nothing."""
    diags: list[Diagnostic] = []
    first = versions[0][0] if versions else None
    for rule, window in versions[1:]:
        assert first is not None
        if rule.head.name != first.head.name:
            message = f"this version of `{rule.id}` concludes `{rule.head.name}`, another concludes `{first.head.name}`"
            diags.append(error("version-mismatch", rule.head.span, message, "versions of a rule conclude the same"))
        if _as_of_text(window) != _as_of_text(versions[0][1]):
            message = f"the versions of `{rule.id}` are not chosen by the same date"
            diags.append(error("version-mismatch", window.span, message, "give every version the same `as of`"))
    ordered = sorted(versions, key=lambda v: v[1].start or dt.date.min)
    for (before, w1), (after, w2) in itertools.pairwise(ordered):
        if w1.end is None or w2.start is None or w2.start <= w1.end:
            both = f"from {w2.start or 'the start'} to {min(w1.end or dt.date.max, w2.end or dt.date.max)}"
            both = both.replace(f"to {dt.date.max}", "onwards")
            message = f"two versions of `{after.id}` are in force {both}: this one and the one at {before.span}"
            diags.append(error("version-overlap", w2.span, message, "a version ends the day before the next starts"))
        elif w2.start > w1.end + dt.timedelta(days=1):
            last = w2.start - dt.timedelta(days=1)
            message = f"no version of `{after.id}` is in force from {w1.end + dt.timedelta(days=1)} to {last}"
            hint = f"end the version at {before.span} on {last}, or start this one on {w1.end + dt.timedelta(days=1)}"
            diags.append(dataclasses.replace(error("version-gap", w2.span, message, hint), severity="warning"))
    return diags


def _as_of_text(window: n.InForce) -> str:
    term = window.as_of
    if term is None:
        return "assessment_date"
    return repr(_without_spans(term))


def _without_spans(term: object) -> object:
    if dataclasses.is_dataclass(term) and not isinstance(term, type):
        return tuple(
            (f.name, _without_spans(getattr(term, f.name))) for f in dataclasses.fields(term) if f.name != "span"
        )
    if isinstance(term, tuple):
        return tuple(_without_spans(t) for t in term)
    return term


def _duplicate(rule: n.Rule, first: n.Rule) -> Diagnostic:
    return error(
        "duplicate-rule",
        rule.span,
        f"rule `{rule.id}` is already defined at {first.span}",
        "give each rule its own ID, e.g. by adding a suffix such as `.a`; "
        "versions of one rule each say `in force from … until …`",
    )


def _never(rule: n.Rule, citations: dict[str, Cited]) -> str:
    cited = [c.id for c in rule.cites if _cited_window(citations.get(c.id))]
    return f"rule `{rule.id}` is never in force: its window and those of {', '.join(cited)} have no day in common"
