"""Comparisons of known values are handed to clingo itself in the checker's universe, with the same grounding."""

from __future__ import annotations

from pathlib import Path

import pytest

from havre.api import load_policy
from solver.analysis import analysis
from solver.analysis.concrete import concrete, inlined
from solver.analysis.universe import Universe

ROOT = Path(__file__).resolve().parents[4]


@pytest.mark.parametrize(
    ("line", "native"),
    [
        (
            "h(_C,A) :- p(_C,A,X), _V2 = @cmp(lt,X,737333), _tv(_C,_V2).",
            "h(_C,A) :- p(_C,A,X), X < 737333.",
        ),
        (
            "h(_C,A) :- p(_C,A,X), _V4 = @cmp(lt,X,737333), not _tv(_C,_V4).",
            "h(_C,A) :- p(_C,A,X), X >= 737333.",
        ),
        ("h(_C) :- p(_C,X), q(_C,Y), _V1 = @cmp(eq,X,Y), _tv(_C,_V1).", "h(_C) :- p(_C,X), q(_C,Y), X = Y."),
        ("h(_C) :- p(_C,X), q(_C,Y), _V1 = @cmp(eq,X,Y), not _tv(_C,_V1).", "h(_C) :- p(_C,X), q(_C,Y), X != Y."),
        ("d(_C,D) :- s(_C,S), r(_C,R), D = @days_between(S, R).", "d(_C,D) :- s(_C,S), r(_C,R), D = (R-S)."),
    ],
)
def test_a_comparison_of_known_values_is_native(line: str, native: str) -> None:
    assert concrete(line) == native


def test_a_comparison_read_other_than_by_its_truth_is_left_to_python() -> None:
    line = "h(_C,_V2) :- p(_C,X), _V2 = @cmp(lt,X,3), _tv(_C,_V2)."
    assert concrete(line) == line


def test_a_conjunction_grounded_once_is_inlined_and_its_comparison_made_native() -> None:
    lines = [
        "_aux_bind3(_C,A,_T1,_V2) :- _entity(_C,application,A), _today(_C,_T1), _V2 = @cmp(lt,_T1,737333).",
        '_cond("R",_C,(A,),midi,0,(A,)) :- _aux_bind3(_C,A,_T1,_V2), not _tv(_C,_V2).',
    ]
    assert [concrete(line) for line in inlined(lines)] == [
        '_cond("R",_C,(A,),midi,0,(A,)) :- _entity(_C,application,A), _today(_C,_T1), _T1 >= 737333.'
    ]


def test_the_shipped_policy_leaves_no_comparison_to_python_in_the_universe() -> None:
    program = load_policy(ROOT / "policy").program
    assert "_bind" in program.text and "@cmp" in program.text
    searched = analysis._searched(program)
    assert ("_bind" in searched, "@cmp" in searched) == (False, False)


@pytest.mark.parametrize("folder", ["tests/fixtures/mini", "tests/fixtures/versions/gap"])
def test_the_universe_grounds_the_same_atoms_either_way(folder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_policy(ROOT / folder)
    scoped = analysis._scoped(loaded.program.text)

    def atoms() -> set[str]:
        ctl = analysis._ground(loaded.program, loaded.checked, Universe(), "", scoped)
        return {str(a.symbol) for a in ctl.symbolic_atoms if not a.symbol.name.startswith("_V")}

    native = atoms()
    monkeypatch.setattr(analysis, "concrete", lambda line: line)
    assert native == atoms()
    assert any(a.startswith("_h_fires(") for a in native)
