"""Disjunctive normal form without exponential growth: `or` parts of a large conjunction are kept whole."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from grammar.diagnostics import PolicyError
from grammar.typed import nodes as n
from grammar.typed.normal import MAX_PRODUCT, branch_vars, dnf
from havre.api import load_policy
from tests.helpers import PRELUDE, policy_of


def body(src: str) -> n.Cond:
    policy = policy_of("input a(P: person)\ninput b(P: person)\ninput c(P: person)\nderived d(P: person)\n" + src)
    cond = policy.rules[0].rule.body
    assert cond is not None
    return cond


def test_small_conjunctions_are_distributed_as_before() -> None:
    branches = dnf(body('rule R "r" cites QHC-1 d(P) if (a(P) or b(P)) and (b(P) or c(P)).'))
    assert [[type(lit).__name__ for lit in b] for b in branches] == [["Atom", "Atom"]] * 4


def test_a_large_conjunction_keeps_its_or_parts_whole() -> None:
    parts = " and ".join(["(a(P) or b(P))"] * 16)
    [branch] = dnf(body(f'rule R "r" cites QHC-1 d(P) if c(P) and {parts}.'))
    assert [type(lit).__name__ for lit in branch] == ["Atom"] + ["Or"] * 16
    many = " and ".join(["(a(P) or b(P) or c(P))"] * 40)
    assert len(dnf(body(f'rule R "r" cites QHC-1 d(P) if {many} or a(P).'))) == 2


def test_a_group_shares_only_what_other_literals_use() -> None:
    cond = body('rule R "r" cites QHC-1 d(P) if ' + " and ".join(["(a(P) or some Q where b(Q))"] * 5) + ".")
    [branch] = dnf(cond)
    assert branch_vars(branch) == ["P"]


def test_a_value_given_inside_a_kept_part_is_not_seen_outside_it() -> None:
    src = "input n(P: person): int\ninput m(P: person): int\nderived d(P: person)\n"
    src += 'rule R "r" cites QHC-1 d(P) if ' + " and ".join(["(n(P) = N or m(P) = N)"] * 5) + " and N > 3."
    with pytest.raises(PolicyError) as err:
        policy_of(src)
    assert {(d.code, d.message) for d in err.value.diagnostics} == {
        ("unsafe-variable", "`N` is a int that no condition gives a value to")
    }


POLICY = (
    PRELUDE
    + """
input r(P: person, Q: person)
input s(P: person, Q: person)
input t(P: person)
input u(P: person)
verdict v(P: person)
verdict w(P: person)
rule V "v" cites QHC-1 v(P) if """
    + " and ".join(f"(t{i}(P) or u{i}(P))" for i in range(5))
    + """.
rule W "w" cites QHC-1 w(P) if (r(P, Q) or s(P, Q)) and (t(Q) or u(Q)) and (t(P) or u(P))
  and (u(Q) or t(P)) and (t(Q) or s(Q, P)).
"""
    + "".join(f"input t{i}(P: person)\ninput u{i}(P: person)\n" for i in range(5))
)


def expected(facts: dict[str, set[tuple[str, ...]]], people: list[str]) -> dict[str, set[str]]:
    def f(pred: str, *args: str) -> bool:
        return args in facts[pred]

    v = {p for p in people if all(f(f"t{i}", p) or f(f"u{i}", p) for i in range(5))}
    w = {
        p
        for p in people
        for q in people
        if p != q
        and (f("r", p, q) or f("s", p, q))
        and (f("t", q) or f("u", q))
        and (f("t", p) or f("u", p))
        and (f("u", q) or f("t", p))
        and (f("t", q) or f("s", q, p))
    }
    return {"v": v, "w": w}


def test_kept_parts_decide_as_the_distributed_form_would(tmp_path: Path) -> None:
    (tmp_path / "main.havre").write_text(POLICY, encoding="utf-8")
    policy = load_policy(tmp_path)
    assert MAX_PRODUCT < 32
    rng = random.Random(5)
    people = ["p1", "p2", "p3"]
    for _ in range(25):
        unary = [f"{x}{i}" for x in "tu" for i in range(5)] + ["t", "u"]
        facts: dict[str, set[tuple[str, ...]]] = {k: set() for k in [*unary, "r", "s"]}
        persons: dict[str, dict[str, object]] = {p: {} for p in people}
        for p in people:
            for pred in unary:
                value = rng.random() < 0.5
                persons[p][pred] = value
                if value:
                    facts[pred].add((p,))
            for pred in ("r", "s"):
                others = [q for q in people if q != p and rng.random() < 0.4]
                persons[p][pred] = others
                facts[pred] |= {(p, q) for q in others}
        decision = policy.decide({"case": "c", "assessment_date": "2026-01-01", "persons": persons})
        got = {name: {p for p in people if decision.get(name, p).status == "holds"} for name in ("v", "w")}
        assert got == expected(facts, people)
        assert all(v.status != "undetermined" for v in decision.verdicts)
    view = policy.explain(
        {"case": "c", "assessment_date": "2026-01-01", "persons": {p: {} for p in people}}, why_not=True
    )
    assert view["verdicts"]


def test_sixteen_kept_parts_decide_in_little_memory(tmp_path: Path) -> None:
    parts = " and ".join(f"(t{i}(P) or u{i}(P))" for i in range(16))
    decls = "".join(f"input t{i}(P: person)\ninput u{i}(P: person)\n" for i in range(16))
    (tmp_path / "main.havre").write_text(
        PRELUDE + decls + f'verdict v(P: person)\nrule V "v" cites QHC-1 v(P) if {parts}.\n'
    )
    policy = load_policy(tmp_path)
    assert len(policy.program.text) < 20_000
    case = {"case": "c", "assessment_date": "2026-01-01", "persons": {"a": {f"t{i}": True for i in range(16)}, "b": {}}}
    decision = policy.decide(case)
    assert decision.get("v", "a").status == "holds" and decision.get("v", "b").status == "undetermined"
    assert list(itertools.islice(iter(decision.get("v", "b").missing), 1))
