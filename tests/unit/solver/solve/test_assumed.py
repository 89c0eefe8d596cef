"""A solve with its assumptions handed over at once answers as `Control.solve` does."""

from __future__ import annotations

import threading

import clingo
import pytest

from solver.solve import assumed

PROGRAM = """
#external e(1..3).
{ a(1..3) }.
b(X) :- a(X), e(X).
:- b(1), b(2).
#minimize { 1,X : a(X) }.
:- not b(_).
"""


def solved(assumptions: list[str]) -> tuple[bool, list[str]]:
    """Whether the program has an answer under `assumptions` (atoms, `-` for false), and its optimum's atoms."""
    ctl = clingo.Control(["--warn=none"])
    ctl.add("base", [], PROGRAM)
    ctl.ground([("base", [])])
    ctl.configuration.solve.opt_mode = "opt"  # type: ignore[union-attr]
    for atom in ctl.symbolic_atoms.by_signature("e", 1):
        ctl.assign_external(atom.literal, None)
    literal = {str(a.symbol): a.literal for a in ctl.symbolic_atoms}
    last: list[list[str]] = []
    chosen = [-literal[text[1:]] if text.startswith("-") else literal[text] for text in assumptions]
    result = assumed.solve(ctl, chosen, lambda m: last.append(sorted(str(s) for s in m.symbols(atoms=True))))
    return result.satisfiable is True, last[0] if last else []


@pytest.mark.skipif(not assumed.AVAILABLE, reason="clingo's bindings are not the ones the quick path knows")
@pytest.mark.parametrize(
    "assumptions",
    [["e(2)"], ["e(1)", "e(2)", "a(1)", "a(2)"], ["-e(1)", "-e(2)", "-e(3)"], ["e(3)", "-a(3)"], []],
)
def test_the_quick_path_answers_as_clingo_does(assumptions: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    quick = solved(assumptions)
    monkeypatch.setattr(assumed, "ENABLED", False)
    assert quick == solved(assumptions)


def test_an_optimum_under_assumptions() -> None:
    assert solved(["-e(1)", "e(2)", "-e(3)"]) == (True, ["a(2)", "b(2)", "e(2)"])
    assert solved(["-e(1)", "-e(2)", "-e(3)"]) == (False, [])


@pytest.mark.skipif(not assumed.AVAILABLE, reason="clingo's bindings are not the ones the quick path knows")
def test_the_quick_path_does_not_go_through_control_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_: object, **__: object) -> None:
        raise AssertionError("Control.solve called")

    monkeypatch.setattr(clingo.Control, "solve", refused)
    assert solved(["-e(1)", "e(2)", "-e(3)"]) == (True, ["a(2)", "b(2)", "e(2)"])
    assert solved([]) == (True, ["a(1)", "b(1)", "e(1)"])


def consequences(mode: str, assumptions: list[str]) -> list[str]:
    """The brave or cautious consequences of a program with several answers, from the last model."""
    ctl = clingo.Control(["--warn=none"])
    ctl.add("base", [], "#external e(1..3). { a(1..3) }. b(X) :- a(X), e(X). :- b(1), b(2). :- a(3), not b(3).")
    ctl.ground([("base", [])])
    ctl.configuration.solve.enum_mode = mode  # type: ignore[union-attr]
    ctl.configuration.solve.models = 0  # type: ignore[union-attr]
    for atom in ctl.symbolic_atoms.by_signature("e", 1):
        ctl.assign_external(atom.literal, None)
    literal = {str(a.symbol): a.literal for a in ctl.symbolic_atoms}
    chosen = [-literal[text[1:]] if text.startswith("-") else literal[text] for text in assumptions]
    last: list[list[str]] = []
    assumed.solve(ctl, chosen, lambda m: last.append(sorted(str(s) for s in m.symbols(atoms=True))))
    return last[0]


@pytest.mark.skipif(not assumed.AVAILABLE, reason="clingo's bindings are not the ones the quick path knows")
@pytest.mark.parametrize("assumptions", [[], ["e(1)", "e(2)"], ["-e(3)"], ["e(3)", "a(1)"]])
def test_brave_and_cautious_consequences_as_clingo_gives_them(
    assumptions: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = [consequences(mode, assumptions) for mode in ("brave", "cautious")]
    monkeypatch.setattr(assumed, "ENABLED", False)
    assert quick == [consequences(mode, assumptions) for mode in ("brave", "cautious")]


def test_the_brave_consequences_of_a_program_with_several_answers() -> None:
    assert consequences("brave", ["e(1)", "e(2)", "-e(3)"]) == ["a(1)", "a(2)", "b(1)", "b(2)", "e(1)", "e(2)"]
    assert consequences("cautious", ["e(1)", "e(2)", "-e(3)"]) == ["e(1)", "e(2)"]


@pytest.fixture(params=[True, False], ids=["quick", "public"])
def either_way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test runs with the quick path (where clingo's bindings allow it) and with clingo's public calls."""
    monkeypatch.setattr(assumed, "ENABLED", request.param and assumed.AVAILABLE)


def grounded(program: str, *arguments: str) -> clingo.Control:
    ctl = clingo.Control(["--warn=none", *arguments])
    ctl.add("base", [], program)
    ctl.ground([("base", [])])
    return ctl


@pytest.mark.usefixtures("either_way")
def test_a_models_shown_atoms_read_by_their_ids() -> None:
    ctl = grounded('a(1). a(2). b("x",(1,2)) :- a(1). c :- a(3). #show b/2. #show a/1. #show 7.')
    found: list[tuple[list[int], list[str]]] = []
    assumed.solve(ctl, [], lambda m: found.append((assumed.shown_ids(m), [str(s) for s in m.symbols(shown=True)])))
    [(ids, texts)] = found
    assert [str(clingo.Symbol(i)) for i in ids] == texts == ["a(1)", "a(2)", 'b("x",(1,2))', "7"]
    assert ids[:2] == [clingo.Function("a", [clingo.Number(n)])._rep for n in (1, 2)]


def optima(assumptions: list[str]) -> list[list[str]]:
    """Every optimum of a program under `assumptions`, told apart by its `a` atoms alone, read one at a time."""
    ctl = grounded(
        "#external e(1..3). { a(1..3) }. { other(1..2) }. :- not a(_). :- a(X), not e(X)."
        " #minimize { 1,X : a(X) }. #project a/1. #show a/1.",
        "--project=project",
    )
    ctl.configuration.solve.opt_mode = "optN"  # type: ignore[union-attr]
    ctl.configuration.solve.models = 0  # type: ignore[union-attr]
    for atom in ctl.symbolic_atoms.by_signature("e", 1):
        ctl.assign_external(atom.literal, None)
    literal = {str(a.symbol): a.literal for a in ctl.symbolic_atoms}
    chosen = [-literal[text[1:]] if text.startswith("-") else literal[text] for text in assumptions]
    return sorted(
        sorted(str(s) for s in model.symbols(shown=True))
        for model in assumed.models(ctl, chosen)
        if model.optimality_proven
    )


@pytest.mark.usefixtures("either_way")
def test_every_optimum_read_one_at_a_time() -> None:
    assert optima(["e(1)", "-e(2)", "e(3)"]) == [["a(1)"], ["a(3)"]]
    assert optima(["e(1)", "e(2)", "e(3)", "-a(2)"]) == [["a(1)"], ["a(3)"]]
    assert optima(["-e(1)", "-e(2)", "-e(3)"]) == []


@pytest.mark.usefixtures("either_way")
def test_an_enumeration_interrupted_from_another_thread_ends() -> None:
    ctl = grounded("{ a(1..40) }.")
    ctl.configuration.solve.models = 0  # type: ignore[union-attr]
    timer = threading.Timer(0.05, ctl.interrupt)
    timer.start()
    read = sum(1 for _ in assumed.models(ctl, []))
    assert 0 < read < 2**40
    ctl.configuration.solve.models = 3  # type: ignore[union-attr]
    assert sum(1 for _ in assumed.models(ctl, [])) == 3  # the control solves again
