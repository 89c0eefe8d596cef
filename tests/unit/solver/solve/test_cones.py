"""What a verdict can read in a shape's grounding, and the missing-facts search it narrows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from havre.api import Policy, load_policy
from solver.solve import missing, shaped
from tests.helpers import ROOT
from tests.unit.solver.solve.test_decide import family


@pytest.fixture(scope="module")
def mini() -> Policy:
    return load_policy(ROOT / "tests/fixtures/mini")


@pytest.fixture(autouse=True)
def at_first_sight(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(shaped, "SIGHTINGS", 1)
    yield


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[int]]:
    """The tied sets the search solves for, in order."""
    asked: list[frozenset[int]] = []
    counterexamples = missing.MissingFinder._counterexamples

    def counted(self: missing.MissingFinder, chosen: frozenset[int], aim: list[int]) -> list[frozenset[int]]:
        asked.append(chosen)
        return counterexamples(self, chosen, aim)

    monkeypatch.setattr(missing.MissingFinder, "_counterexamples", counted)
    return asked


def both_birth_dates_unknown(mini: Policy) -> object:
    return mini.case(family(persons__yusuf__birth_date=None, persons__lina__birth_date=None))


def test_a_verdict_about_one_child_reads_that_childs_facts(mini: Policy) -> None:
    case = both_birth_dates_unknown(mini)
    shape = shaped.shape_for(mini.program, mini.checked, case, missing._shape_of(mini.checked))
    assert shape is not None and shape.cones is not None
    pooled = shaped.pooled_ids(mini.checked, case)
    yusuf, lina, amina = pooled["yusuf"], pooled["lina"], pooled["amina"]
    read = shape.cones.of("dependent_child", (yusuf, amina))
    assert ("birth_date", (yusuf,)) in read and ("child_of", (yusuf, amina)) in read
    assert ("birth_date", (lina,)) not in read and ("distress", (amina,)) not in read
    # Whom a verdict counts, it reads: amina's dependants read both children's birth dates.
    dependants = shape.cones.of("dependants", (amina,))
    assert {("birth_date", (yusuf,)), ("birth_date", (lina,))} <= dependants
    assert shape.cones.of("dependent_child", (yusuf, amina)) is read  # kept


def test_a_date_is_read_through_the_values_made_of_it(mini: Policy) -> None:
    # A date's own atom is a fact of the shape: the grounder leaves it out of the rules that read it.
    case = mini.case(family(applications__app1__notice_date=None, applications__app1__extra_days=None))
    shape = shaped.shape_for(mini.program, mini.checked, case, missing._shape_of(mini.checked))
    assert shape is not None and shape.cones is not None
    app1 = shaped.pooled_ids(mini.checked, case)["app1"]
    read = shape.cones.of("documents_due", (app1,))
    assert {("notice_date", (app1,)), ("extra_days", (app1,))} <= read
    assert mini.decide(case).get("documents_due", "app1").missing == (("extra_days(app1)", "notice_date(app1)"),)


def test_a_verdict_reading_one_unknown_fact_is_answered_without_a_solve(
    mini: Policy, solves: list[frozenset[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = both_birth_dates_unknown(mini)
    finder = missing.MissingFinder(mini.program, mini.checked, case)
    assert finder.cones is not None
    assert finder.find("dependent_child", ("yusuf", "amina")) == (("birth_date(yusuf)",),)
    assert solves == []
    monkeypatch.setattr(shaped, "ENABLED", False)
    reference = missing.MissingFinder(mini.program, mini.checked, case)
    assert reference.find("dependent_child", ("yusuf", "amina")) == (("birth_date(yusuf)",),)
    assert len(solves) == 2  # by predicate, both birth dates count for each child


@pytest.mark.parametrize("enabled", [True, False])
def test_a_set_of_every_fact_read_is_not_solved_for(
    mini: Policy, solves: list[frozenset[int]], monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    monkeypatch.setattr(shaped, "ENABLED", enabled)
    case = mini.case(family(persons__amina__distress=None, documents__passport__supplied=None))
    finder = missing.MissingFinder(mini.program, mini.checked, case)
    assert finder.find("decision", ("app1",)) == (("distress(amina)", "supplied(passport)"),)
    # With neither fact tied, one solve finds completions differing on either alone; both tied, none can differ,
    # which is not solved for.
    assert len(solves) == 1


def test_one_solve_reports_every_smallest_difference(mini: Policy) -> None:
    case = mini.case(family(persons__amina__distress=None, documents__passport__supplied=None))
    finder = missing.MissingFinder(mini.program, mini.checked, case)
    aim = finder._aim("decision", (finder.pooled.get("app1", "app1"),))
    assert len([literal for literal in aim if literal > 0]) == 1  # the decision about app1, of all it could aim at
    unknown = {fact: i for i, fact in enumerate(finder.fact_of)}
    tied = frozenset(i for fact, i in unknown.items() if fact not in ("distress(amina)", "supplied(passport)"))
    found = finder._counterexamples(tied, aim)
    assert sorted(found, key=sorted) == [
        frozenset({unknown["distress(amina)"]}),
        frozenset({unknown["supplied(passport)"]}),
    ]
    assert finder._counterexamples(frozenset(unknown.values()), aim) == []
