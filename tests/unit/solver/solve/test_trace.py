"""A trace's atoms: read from their text, ordered and indexed by predicate when first asked for."""

from __future__ import annotations

import pytest

from havre.api import load_policy
from havre.caseload.generate import Generator
from solver.compile.names import Unknown
from solver.solve import shaped
from solver.solve.decide import solved_in_chunks, unknown_inputs
from solver.solve.trace import trace_many, traces
from tests.helpers import ROOT

TEXTS = [
    '_cond("R.b",0,"p2",1,0,("p2",10))',
    '_cond("R.a",0,"p1",1,0,("p1",9))',
    '_cond("R.a",0,"p1",1,1,("p1",u(age,("p1",))))',
    'age(0,"p1",9)',
    'age(0,"p2",10)',
    "_tv(0,cmp(lt,1,2))",
]


def test_atoms_are_read_by_case_without_the_case_and_dropped_ones_left_out() -> None:
    [(case, trace)] = traces(TEXTS, TEXTS).items()
    atoms = trace.possible
    assert case == 0
    assert ("age", ("p1", 9)) in atoms
    assert ("_cond", ("R.a", "p1", 1, 1, ("p1", Unknown('u(age,("p1",))')))) in atoms
    assert not [a for a in atoms if a[0] == "_tv"]
    assert trace.certain == atoms
    assert traces(TEXTS, TEXTS) == traces(list(TEXTS), list(TEXTS))  # read again: the same atoms


def test_order_and_prefixes_do_not_depend_on_what_was_asked_first() -> None:
    first, second = traces(TEXTS, TEXTS)[0], traces(TEXTS, TEXTS)[0]
    by_prefix = first.atoms_from("_cond", "R.a", "p1")
    whole = second.atoms("_cond")
    assert whole == sorted(whole, key=repr)
    assert by_prefix == [a for a in whole if a[:2] == ("R.a", "p1")] == second.atoms_from("_cond", "R.a", "p1")
    assert first.atoms("_cond") == whole
    assert first.atoms_from("_cond", "R.a", "p1", 1, 1) == [("R.a", "p1", 1, 1, ("p1", Unknown('u(age,("p1",))')))]
    assert first.atoms("nothing") == first.atoms_from("nothing", "x") == []


def test_cases_traced_in_chunks_are_traced_as_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = load_policy(ROOT / "policy")
    docs = list(Generator(policy.checked, seed=7, unknown_rate=0.1).cases(22))
    docs += list(Generator(policy.checked, seed=8, unknown_rate=0.0).cases(3))
    cases = [policy.case(d) for d in docs]
    # the three stating every input in one chunk, the others by their unknown inputs: 300 at most in a chunk here
    unknown = [unknown_inputs(policy.checked, case) for case in cases]
    assert unknown == [31, 43, 24, 23, 115, 19, 41, 41, 90, 43, 22, 28, 50, 82, 30, 13, 47, 62, 84, 17, 47, 40, 0, 0, 0]
    chunks = [c for c, _ in solved_in_chunks(policy.program, policy.checked, cases, budget=300)]
    assert chunks == [
        [22, 23, 24],
        [0, 1, 2, 3, 4, 5, 6],
        [7, 8, 9, 10, 11, 12],
        [13, 14, 15, 16, 17],
        [18, 19, 20, 21],
    ]
    monkeypatch.setattr(shaped, "ENABLED", False)  # one at a time: the reference path, each case grounded alone
    explainer = policy.explainer
    together = trace_many(policy.program, explainer.chain_text, policy.checked, cases, missing=False)
    for case, found in zip(cases, together, strict=True):
        assert found == trace_many(policy.program, explainer.chain_text, policy.checked, [case], missing=False)[0]


def test_an_atom_is_found_whatever_its_first_argument_and_wherever_its_case_stands() -> None:
    brave = [
        "p(0,foo,1)",  # a constant, and a string of the same name
        'p(0,"foo",2)',
        'q(0,"a\\"b",3)',  # a string with an escape: read whole
        'r(0,("x",1),2)',  # a tuple first
        "s(0)",
        '_exc("R.a",1,0,("p1",))',
        '_prelast("R.a",0,2,1,("p1",),("p1",9))',  # case 1
        "p(1,foo,3)",
    ]
    cautious = [t for t in brave if t != 'p(0,"foo",2)']
    found = traces(brave, cautious)
    first, second = found[0], found[1]
    assert first.holds("p", ("foo", 1)) and first.may_hold("p", ("foo", 2)) and not first.holds("p", ("foo", 2))
    assert first.atoms_from("p", "foo") == [("foo", 1), ("foo", 2)] == first.atoms("p")
    assert first.holds("q", ('a"b', 3)) and first.holds("r", (("x", 1), 2)) and first.holds("s", ())
    assert first.atoms_from("_exc", "R.a", 1) == [("R.a", 1, ("p1",))]
    assert first.atoms("_prelast") == [] and not first.may_hold("p", ("foo", 3))
    assert second.atoms_from("_prelast", "R.a", 0) == [("R.a", 0, 2, ("p1",), ("p1", 9))]
    assert second.certain == {("_prelast", ("R.a", 0, 2, ("p1",), ("p1", 9))), ("p", ("foo", 3))}
