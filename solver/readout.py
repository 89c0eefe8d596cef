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

from grammar import nodes as n
from grammar.checked import CheckedPolicy
from solver import terms
from solver.answer import Decision, Verdict, Violation, fact_text
from solver.case import Case
from solver.names import TRUE, decode_term
from solver.terms import STRING, Fn, strings, unquote

_CASE = re.compile(r"[^(]*\((?:\"[^\"]*\",)?(-?\d+)[,)]")  # rule and invariant IDs never hold quotes
_FIRED = re.compile(r'_fired\("([^"]*)",-?\d+,\(((?:' + STRING + r",?)*)\),(.*)\)")
_UNKNOWN = re.compile(r"_unknown\(-?\d+,([^,]+),\((.*)\)\)")


@cache
def _verdict_atom(name: str, arity: int) -> re.Pattern[str]:
    subject = "".join("," + STRING for _ in range(arity))
    return re.compile(re.escape(name) + r"\(-?\d+" + subject + r"(?:,(.*))?\)")


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
    verdicts: list[Verdict] = []
    conflicts = []
    for pred in policy.verdicts():
        brave = _by_subject(idx.brave[pred.name], pred)
        cautious = brave if same else _by_subject(idx.cautious[pred.name], pred)
        subjects = set(brave)
        if len(pred.params) == 1:
            subjects.update(ids_of[pred.params[0].type.name])
        fired_b, fired_c = brave_fired.get(pred.name, {}), cautious_fired.get(pred.name, {})
        for subject in sorted(subjects):
            values = cautious.get(subject, _NONE)
            verdicts.append(
                _verdict(pred, subject, brave.get(subject, _NONE), values, fired_b.get(subject), fired_c.get(subject))
            )
            if len(values) > 1:
                conflicts.append((pred.name, subject, tuple(sorted(values))))
    unknowns = tuple(sorted(_unknown_text(a) for a in idx.cautious["_unknown"]))
    return Decision(case.id, policy.hash, tuple(verdicts), unknowns, _violations(idx), tuple(conflicts))


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


def _by_subject(atoms: list[str], pred: n.Predicate) -> dict[tuple[str, ...], set[str]]:
    out: dict[tuple[str, ...], set[str]] = defaultdict(set)
    arity = len(pred.params)
    pattern = _verdict_atom(pred.name, arity)
    for atom in atoms:
        m = pattern.fullmatch(atom)
        assert m is not None, atom
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
    fired_b: list[tuple[str, str]] | None,
    fired_c: list[tuple[str, str]] | None,
) -> Verdict:
    if not brave:
        return Verdict(pred.name, subject, "fails", None, ())
    if pred.is_bool:
        if cautious:
            return Verdict(pred.name, subject, "holds", True, _rules_for(fired_c, None))
        return Verdict(pred.name, subject, "undetermined", None, _rules_for(fired_b, None))
    if cautious and brave == cautious:
        value = min(cautious)
        term = terms.parse(value)
        if not (isinstance(term, Fn) and term.args):  # a function with arguments is an unknown value
            return Verdict(pred.name, subject, "holds", decode_term(term, pred.value), _rules_for(fired_c, value))
    return Verdict(pred.name, subject, "undetermined", None, _rules_for(fired_b, None))


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
