"""Decisions read from the texts of a model's shown atoms.

Each kind of atom has one regular expression: the case number, the subject's
entity ids and the value's text come out of a single match. Values stay texts
(clingo prints equal terms alike) until the one chosen is decoded.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache

from grammar.checks.checked import CheckedPolicy
from grammar.typed import nodes as n
from solver.cases.case import Case
from solver.compile import terms
from solver.compile.cone import dependency_cone
from solver.compile.names import TRUE, decode_term
from solver.compile.terms import STRING, Fn, strings, unquote
from solver.solve.answer import Conflict, Decision, Key, Side, Verdict, Violation, fact_text

# The case number: first, or after a rule ID, an invariant ID or a predicate name (which never hold quotes).
_CASE = re.compile(r"[^(]*\((?:\"[^\"]*\",|[a-z][a-z0-9_]*,)?(-?\d+)[,)]")
_ABOUT = re.compile(r"_(?:clash|onclash|applies)\(([a-z][a-z0-9_]*),-?\d+,\((.*)\)\)")
_FIRED = re.compile(r'_fired\("([^"]*)",-?\d+,\(((?:' + STRING + r",?)*)\),(.*)\)")
_UNKNOWN = re.compile(r"_unknown\(-?\d+,([^,]+),\((.*)\)\)")


@cache
def _verdict_args(arity: int) -> re.Pattern[str]:
    """A verdict atom's arguments, matched after its name: one pattern per arity, not per predicate (compiling
    one per predicate was a tenth of a one-off `havre decide`'s reading)."""
    subject = "".join("," + STRING for _ in range(arity))
    return re.compile(r"\(-?\d+" + subject + r"(?:,(.*))?\)")


@dataclass
class Index:
    """One case's atom texts from brave and cautious consequences, by predicate."""

    brave: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    cautious: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def by_case(brave: list[str], cautious: list[str]) -> dict[int, Index]:
    """Atom texts split by case number; the same lists in, the same index lists out."""
    out: dict[int, Index] = defaultdict(Index)
    same = brave is cautious
    for kind, atoms in (("brave", brave),) if same else (("brave", brave), ("cautious", cautious)):
        for atom in atoms:
            m = _CASE.match(atom)
            if m is not None:
                getattr(out[int(m[1])], kind)[atom[: atom.find("(")]].append(atom)
    if same:
        for idx in out.values():
            idx.cautious = idx.brave
    return out


def decode_case(policy: CheckedPolicy, case: Case, idx: Index) -> Decision:
    heads = _heads(policy)
    same = idx.cautious is idx.brave
    brave_fired = _fired(idx.brave["_fired"], heads)
    cautious_fired = brave_fired if same else _fired(idx.cautious["_fired"], heads)
    ids_of: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for e in case.entities:
        ids_of[e.type].append((e.id,))
    about = _About(idx, same)
    conflicts = _conflicts(policy, about, brave_fired, cautious_fired)
    clashing = {c.key: c for c in conflicts}
    verdicts: list[Verdict] = []
    for pred in policy.verdicts():
        brave = values_by_subject(idx.brave[pred.name], pred)
        cautious = brave if same else values_by_subject(idx.cautious[pred.name], pred)
        subjects = set(brave) | about.applies_b.get(pred.name, set())
        if len(pred.params) == 1:
            subjects.update(ids_of[pred.params[0].type.name])
        fired_b, fired_c = brave_fired.get(pred.name, {}), cautious_fired.get(pred.name, {})
        for subject in sorted(subjects):
            situation = _situation(policy, pred.name, subject, about, clashing)
            if isinstance(situation, Verdict):
                verdicts.append(situation)
                continue
            b, c = brave.get(subject, _NONE), cautious.get(subject, _NONE)
            verdicts.append(_verdict(pred, subject, b, c, fired_b, fired_c, *situation))
    unknowns = tuple(sorted(_unknown_text(a) for a in idx.cautious["_unknown"]))
    scoped = frozenset(policy.applies)
    return Decision(case.id, policy.shown_hash, tuple(verdicts), unknowns, _violations(idx), conflicts, scoped)


class _About:
    """Conflicts, what rests on them, and applicability: predicate -> subjects, in some or every completion."""

    def __init__(self, idx: Index, same: bool) -> None:
        self.clash_b, self.onclash_b, self.applies_b = (_keys(idx.brave[k]) for k in ("_clash", "_onclash", "_applies"))
        if same:
            self.clash_c, self.applies_c = self.clash_b, self.applies_b
        else:
            self.clash_c, self.applies_c = _keys(idx.cautious["_clash"]), _keys(idx.cautious["_applies"])


def _keys(atoms: list[str]) -> dict[str, set[tuple[str, ...]]]:
    out: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for atom in atoms:
        m = _ABOUT.fullmatch(atom)
        assert m is not None, atom
        out[m[1]].add(strings(m[2]))
    return out


def _conflicts(policy: CheckedPolicy, about: _About, brave: Fired, cautious: Fired) -> tuple[Conflict, ...]:
    out = []
    for name in sorted(about.clash_b):
        pred = policy.predicates[name]
        for subject in sorted(about.clash_b[name]):
            certain = subject in about.clash_c.get(name, ())
            entries = (cautious if certain else brave).get(name, {}).get(subject, [])
            by_value: dict[str, set[str]] = defaultdict(set)
            for rid, value in entries:
                by_value[value].add(rid)
            sides = tuple(
                Side(decode_term(terms.parse(v), pred.value), tuple(sorted(r))) for v, r in sorted(by_value.items())
            )
            out.append(Conflict(name, subject, sides, certain))
    return tuple(out)


def _situation(
    policy: CheckedPolicy, name: str, subject: tuple[str, ...], about: _About, clashing: dict[Key, Conflict]
) -> Verdict | tuple[bool | None, tuple[Key, ...]]:
    """The verdict itself when its conflict or not applying to its subject settles it; else whether it applies
    (None: that depends on unknown facts) and the conflicting facts it rests on."""
    key = (name, subject)
    conflict = clashing.get(key)
    if conflict is not None:
        return Verdict(name, subject, "conflict", None, conflict.rules, (), conflict)
    applicable: bool | None = True
    if name in policy.applies:
        if subject in about.applies_c.get(name, ()):
            applicable = True
        elif subject in about.applies_b.get(name, ()):
            applicable = None
        else:
            return Verdict(name, subject, "not_applicable", None, (), applicable=False)
    rests_on: tuple[Key, ...] = ()
    if subject in about.onclash_b.get(name, ()):
        cone = dependency_cone(policy, name)
        rests_on = tuple(k for k in clashing if k[0] in cone and k != key)
    return applicable, rests_on


_NONE: frozenset[str] = frozenset()
_HEADS: dict[str, dict[str, str]] = {}


def _heads(policy: CheckedPolicy) -> dict[str, str]:
    """The predicate each rule concludes, by rule ID (kept per policy)."""
    if policy.hash not in _HEADS:
        _HEADS[policy.hash] = {cr.id: cr.rule.head.name for cr in policy.rules}
    return _HEADS[policy.hash]


def _unknown_text(atom: str) -> str:
    m = _UNKNOWN.fullmatch(atom)
    assert m is not None, atom
    return fact_text(m[1], strings(m[2]))


# verdict -> subject -> [(rule, value text)]
Fired = dict[str, dict[tuple[str, ...], list[tuple[str, str]]]]


def _fired(atoms: list[str], heads: dict[str, str]) -> Fired:
    """Support atoms by the predicate their rule concludes, then by subject."""
    out: Fired = defaultdict(lambda: defaultdict(list))
    for atom in atoms:
        m = _FIRED.fullmatch(atom)
        assert m is not None, atom
        rid = m[1]
        out[heads[rid]][strings(m[2])].append((rid, m[4]))
    return out


def values_by_subject(atoms: list[str], pred: n.Predicate) -> dict[tuple[str, ...], set[str]]:
    out: dict[tuple[str, ...], set[str]] = defaultdict(set)
    arity = len(pred.params)
    pattern, start = _verdict_args(arity), len(pred.name)
    for atom in atoms:
        m = pattern.fullmatch(atom, start)
        assert m is not None, atom  # the index keys atoms by their name (by_case)
        subject = tuple(unquote(m[i]) for i in range(1, arity + 1))
        out[subject].add(TRUE if pred.is_bool else m[arity + 1])
    return out


def _rules_for(entries: list[tuple[str, str]] | None, value: str | None) -> tuple[str, ...]:
    return tuple(sorted({rid for rid, v in entries or () if value is None or v == value}))


def _verdict(
    pred: n.Predicate,
    subject: tuple[str, ...],
    brave: AbstractSet[str],
    cautious: AbstractSet[str],
    fired_brave: dict[tuple[str, ...], list[tuple[str, str]]],
    fired_cautious: dict[tuple[str, ...], list[tuple[str, str]]],
    applicable: bool | None,
    rests_on: tuple[Key, ...],
) -> Verdict:
    name = pred.name
    if not brave:
        return Verdict(name, subject, "fails", None, (), (), None, applicable, rests_on)
    if pred.is_bool:
        if cautious:
            rules = _rules_for(fired_cautious.get(subject), None)
            return Verdict(name, subject, "holds", True, rules, (), None, applicable, rests_on)
        rules = _rules_for(fired_brave.get(subject), None)
        return Verdict(name, subject, "undetermined", None, rules, (), None, applicable, rests_on)
    if cautious and brave == cautious:
        value = min(cautious)
        term = terms.parse(value)
        if not (isinstance(term, Fn) and term.args):  # a function with arguments is an unknown value
            rules = _rules_for(fired_cautious.get(subject), value)
            decoded = decode_term(term, pred.value)
            return Verdict(name, subject, "holds", decoded, rules, (), None, applicable, rests_on)
    rules = _rules_for(fired_brave.get(subject), None)
    return Verdict(name, subject, "undetermined", None, rules, (), None, applicable, rests_on)


def _violations(idx: Index) -> tuple[Violation, ...]:
    certain = set(idx.cautious["_violated"])
    out = []
    for atom in sorted(set(idx.brave["_violated"])):
        parsed = terms.parse(atom)
        assert isinstance(parsed, Fn)
        inv, _, binds = parsed.args
        assert isinstance(inv, str) and isinstance(binds, tuple)
        values = tuple(a if isinstance(a, str) else terms.text(a) for a in binds)
        out.append(Violation(inv, values, atom in certain))
    return tuple(out)
