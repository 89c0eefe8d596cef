"""A trace's atoms: read from their text, ordered and indexed by predicate when first asked for."""

from __future__ import annotations

from solver.compile.names import Unknown
from solver.solve.trace import Trace, _split

TEXTS = [
    '_cond("R.b",0,"p2",1,0,("p2",10))',
    '_cond("R.a",0,"p1",1,0,("p1",9))',
    '_cond("R.a",0,"p1",1,1,("p1",u(age,("p1",))))',
    'age(0,"p1",9)',
    'age(0,"p2",10)',
    "_tv(0,cmp(lt,1,2))",
]


def test_atoms_are_read_by_case_without_the_case_and_dropped_ones_left_out() -> None:
    [(case, atoms)] = _split(TEXTS).items()
    assert case == 0
    assert ("age", ("p1", 9)) in atoms
    assert ("_cond", ("R.a", "p1", 1, 1, ("p1", Unknown('u(age,("p1",))')))) in atoms
    assert not [a for a in atoms if a[0] == "_tv"]
    assert _split(TEXTS) == _split(list(TEXTS))  # read again: the same atoms


def test_order_and_prefixes_do_not_depend_on_what_was_asked_first() -> None:
    atoms = frozenset(_split(TEXTS)[0])
    first, second = Trace(atoms, atoms), Trace(atoms, atoms)
    by_prefix = first.atoms_from("_cond", "R.a", "p1")
    whole = second.atoms("_cond")
    assert whole == sorted(whole, key=repr)
    assert by_prefix == [a for a in whole if a[:2] == ("R.a", "p1")] == second.atoms_from("_cond", "R.a", "p1")
    assert first.atoms("_cond") == whole
    assert first.atoms_from("_cond", "R.a", "p1", 1, 1) == [("R.a", "p1", 1, 1, ("p1", Unknown('u(age,("p1",))')))]
    assert first.atoms("nothing") == first.atoms_from("nothing", "x") == []
