"""The layers a rule compiles to: only those its exceptions and priorities need, its binders grounded once."""

from __future__ import annotations

from typing import Any

from havre.api import Policy
from solver.compile.body import _variables
from solver.compile.emit import emit
from tests.helpers import policy_of

SOURCE = """
input birth_date(P: person): date
input resides(P: person)
input refused(P: person)
verdict adult(P: person)
verdict eligible(P: person)
verdict outcome(P: person): one of blocked, open
rule R1 "Of age" cites QHC-1 adult(P) if years_since(birth_date(P)) >= 18 and resides(P).
rule R2 "Eligible unless refused" cites QHC-1 eligible(P) if resides(P) unless refused(P).
rule R3 "Blocked when refused" cites PROC-6 outcome(P) = blocked if refused(P).
rule R4 "Open when residing" cites PROC-6 outcome(P) = open if resides(P).
priority R3 over R4 cites PROC-6
"""


def block(text: str, rule: str) -> list[str]:
    """The lines compiled from one rule."""
    lines = text.split("\n")
    start = lines.index(next(line for line in lines if line.startswith(f"% rule {rule} ")))
    end = lines.index("", start)
    return [line for line in lines[start:end] if not line.startswith("%")]


def decided(policy: Policy, person: dict[str, Any]) -> dict[tuple[str, tuple[str, ...]], tuple[str, object]]:
    case = {"case": "c", "assessment_date": "2026-11-21", "persons": {"ana": {"name": "Ana", **person}}}
    return {v.key: (v.status, v.value) for v in policy.decide(case, missing=False).verdicts}


def test_a_rule_without_exception_or_priority_concludes_from_its_conditions() -> None:
    text = emit(policy_of(SOURCE)).text
    assert [line for line in block(text, "R3") if "_fired" in line.split(":-")[0]] == [
        '_fired("R3",_C,K,V) :- _app("R3",_C,K,V).'
    ]
    assert any(line.startswith('_app("R2",') and 'not _exc("R2",1,' in line for line in block(text, "R2"))
    assert '_fired("R1",_C,K,V) :- _cond("R1",_C,K,V,_,_).' in block(text, "R1")
    assert not any(line.startswith("_app(") for line in block(text, "R1"))


def test_a_comparison_s_binders_are_grounded_once_and_read_by_the_rule_and_its_demand() -> None:
    lines = block(emit(policy_of(SOURCE)).text, "R1")
    binders = [line for line in lines if "@cmp" in line]
    assert len(binders) == 1 and binders[0].startswith("_aux_bind")
    bound = binders[0].split(" :- ")[0]
    assert [line.split(" :- ")[1].split(", ")[0] for line in lines if line.startswith(("_cond(", "_ask("))] == [
        bound,
        bound,
    ]


def test_the_verdicts_read_through_the_binders_atom() -> None:
    checked = policy_of(SOURCE)
    policy = Policy(checked, emit(checked))
    adult = ("adult", ("ana",))
    assert decided(policy, {"birth_date": "2000-01-01", "resides": True})[adult] == ("holds", True)
    assert decided(policy, {"birth_date": "2015-01-01", "resides": True})[adult] == ("fails", None)
    assert decided(policy, {"resides": True})[adult] == ("undetermined", None)
    outcome = ("outcome", ("ana",))
    assert decided(policy, {"birth_date": "2000-01-01", "resides": True, "refused": True})[outcome] == (
        "holds",
        "blocked",
    )
    assert decided(policy, {"birth_date": "2000-01-01", "resides": True, "refused": False})[outcome] == (
        "holds",
        "open",
    )


def test_the_binders_variables_leave_out_texts_and_an_aggregate_s_own() -> None:
    literals = ["child_of(_C,C,P)", '_F3 = @add_years(_F2,22,"FAM-2.Over",_C)', "_F4 = #count{ X : _aux1(_C,X,P) }"]
    assert _variables(literals) == ["_C", "C", "P", "_F3", "_F2", "_F4"]
