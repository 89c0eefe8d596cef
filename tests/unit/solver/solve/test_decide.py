"""Three-valued verdicts on the fixture policy: exact values, dates to the day, missing sets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from havre.api import Policy, load_policy
from havre.caseload.generate import Generator
from solver.solve import decide, run
from solver.solve.decide import (
    DECIDING_BUDGET,
    DECIDING_CHUNK,
    chunked,
    reference,
    solved_in_chunks,
    states_every_input,
    unknown_inputs,
)
from solver.solve.run import case_symbol, control, show_predicate
from solver.solve.trace import SUPPORT_SHOWS
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def mini() -> Policy:
    return load_policy(ROOT / "tests/fixtures/mini")


def family(on: str = "2026-11-21", **changes: Any) -> dict[str, Any]:
    """Amina (principal), her son Yusuf and daughter Lina; one application, two documents."""
    case: dict[str, Any] = {
        "case": "t-1",
        "assessment_date": on,
        "persons": {
            "amina": {
                "name": "Amina Haddad",
                "birth_date": "1988-03-14",
                "status": "foreign_national",
                "distress": True,
                "in_union": False,
                "child_of": [],
            },
            "yusuf": {
                "birth_date": "2004-11-22",
                "child_of": ["amina"],
                "in_union": False,
                "status": "foreign_national",
                "distress": False,
            },
            "lina": {
                "birth_date": "2012-06-01",
                "child_of": ["amina"],
                "in_union": False,
                "status": "foreign_national",
                "distress": False,
            },
        },
        "applications": {"app1": {"principal": "amina", "notice_date": "2026-09-22", "extra_days": 0}},
        "documents": {
            "form": {"required": ["app1"], "supplied": True},
            "passport": {"required": ["app1"], "supplied": True},
        },
    }
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = case
        for p in parents:
            target = target[p]
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    return case


def test_a_complete_case_is_selected_with_the_rules_that_concluded_it(mini: Policy) -> None:
    d = mini.decide(family())
    v = d.get("decision", "app1")
    assert (v.status, v.value, v.rules, v.missing) == ("holds", "selected", ("PROC-4.selected",), ())
    assert d.get("eligible", "amina").status == "holds"
    assert d.get("eligible", "yusuf").status == "fails"
    assert d.get("dependants", "amina").value == 2
    assert d.get("documents_due", "app1").value == dt.date(2026, 11, 21)
    assert d.unknowns == ("csq_issued(app1)", "pr_application_pending(app1)")


@pytest.mark.parametrize(("born", "status"), [("2004-11-22", "holds"), ("2004-11-21", "fails")])
def test_a_child_is_dependent_until_the_day_before_the_22nd_birthday(mini: Policy, born: str, status: str) -> None:
    d = mini.decide(family(persons__yusuf__birth_date=born))
    assert d.get("dependent_child", "yusuf", "amina").status == status


@pytest.mark.parametrize(("on", "status"), [("2026-02-27", "holds"), ("2026-02-28", "fails")])
def test_a_leap_day_birth_turns_22_on_28_february(mini: Policy, on: str, status: str) -> None:
    d = mini.decide(family(on=on, persons__yusuf__birth_date="2004-02-29"))
    assert d.get("dependent_child", "yusuf", "amina").status == status


@pytest.mark.parametrize(("on", "value"), [("2026-11-21", "selected"), ("2026-11-22", "rejected")])
def test_documents_are_late_from_day_61(mini: Policy, on: str, value: str) -> None:
    d = mini.decide(family(on=on, documents__passport__supplied=False, documents__form__supplied=False))
    v = d.get("decision", "app1")
    if value == "rejected":
        assert (v.status, v.value, v.rules) == ("holds", "rejected", ("PROC-6.late",))
    else:  # incomplete but not yet late: no decision
        assert (v.status, v.value) == ("fails", None)


def test_rejection_takes_priority_over_refusal(mini: Policy) -> None:
    d = mini.decide(family(on="2026-12-01", persons__amina__distress=False, documents__passport__supplied=False))
    v = d.get("decision", "app1")
    assert (v.status, v.value, v.rules) == ("holds", "rejected", ("PROC-6.late",))


def test_an_exception_blocks_the_conclusion(mini: Policy) -> None:
    d = mini.decide(family(persons__amina__asylum_claim_pending=True))
    assert d.get("eligible", "amina").status == "fails"
    assert d.get("decision", "app1").value == "refused"


def test_default_false_input_left_out_is_false_not_unknown(mini: Policy) -> None:
    d = mini.decide(family())
    assert "asylum_claim_pending(amina)" not in d.unknowns
    assert d.get("eligible", "amina").status == "holds"


def test_every_over_no_required_document_is_vacuously_true(mini: Policy) -> None:
    d = mini.decide(family(documents={}))
    assert d.get("decision", "app1").value == "selected"


def test_an_officers_finding_left_out_makes_the_decision_undetermined(mini: Policy) -> None:
    d = mini.decide(family(persons__amina__distress=None))
    v = d.get("decision", "app1")
    assert (v.status, v.value, v.missing) == ("undetermined", None, (("distress(amina)",),))
    assert v.rules == ("PROC-4.selected", "PROC-5.refused")
    assert d.get("eligible", "amina").missing == (("distress(amina)",),)


def test_missing_sets_are_the_smallest_that_decide(mini: Policy) -> None:
    d = mini.decide(family(persons__amina__distress=None, documents__passport__supplied=None))
    # Selected needs both facts; knowing either alone does not decide.
    assert d.get("decision", "app1").missing == (("distress(amina)", "supplied(passport)"),)


def test_unknown_birth_date_leaves_dependency_open(mini: Policy) -> None:
    d = mini.decide(family(persons__yusuf__birth_date=None))
    v = d.get("dependent_child", "yusuf", "amina")
    assert (v.status, v.missing) == ("undetermined", (("birth_date(yusuf)",),))
    assert d.get("dependants", "amina").missing == (("birth_date(yusuf)",),)


def test_unknown_dates_carry_into_computed_deadlines(mini: Policy) -> None:
    d = mini.decide(family(applications__app1__notice_date=None))
    v = d.get("documents_due", "app1")
    assert (v.status, v.value, v.missing) == ("undetermined", None, (("notice_date(app1)",),))
    d = mini.decide(family(applications__app1__extra_days=None))
    assert d.get("documents_due", "app1").missing == (("extra_days(app1)",),)
    d = mini.decide(family(applications__app1__extra_days=5))
    assert d.get("documents_due", "app1").value == dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    ("issued", "expiry"), [("2024-01-31", "2026-01-31"), ("2024-02-29", "2026-02-28"), ("2023-12-31", "2025-12-31")]
)
def test_csq_expiry_24_months_at_month_ends(mini: Policy, issued: str, expiry: str) -> None:
    d = mini.decide(family(applications__app1__csq_issued=issued, applications__app1__pr_application_pending=False))
    assert d.get("csq_expiry", "app1").value == dt.date.fromisoformat(expiry)


def test_csq_expiry_open_while_pr_pending_is_unknown(mini: Policy) -> None:
    d = mini.decide(family(applications__app1__csq_issued="2024-01-31"))
    v = d.get("csq_expiry", "app1")
    assert (v.status, v.missing) == ("undetermined", (("pr_application_pending(app1)",),))
    d = mini.decide(
        family(applications__app1__csq_issued="2024-01-31", applications__app1__pr_application_pending=True)
    )
    assert d.get("csq_expiry", "app1").status == "fails"


def test_decide_many_equals_one_by_one(mini: Policy) -> None:
    cases = [
        family(),
        family(persons__amina__distress=None),
        family(on="2026-12-01", documents__form__supplied=False),
        family(persons__yusuf__birth_date=None),
    ]
    for i, c in enumerate(cases):
        c["case"] = f"t-{i}"
    together = mini.decide_many(cases)
    assert together == [mini.decide(c) for c in cases]


def test_json_shape(mini: Policy) -> None:
    from havre.output import decision_json

    data = decision_json(mini.decide(family(persons__amina__distress=None)))
    assert data["case"] == "t-1"
    assert data["policy"] == {"hash": mini.hash}
    decision = next(v for v in data["verdicts"] if v["verdict"] == "decision")
    assert decision == {
        "verdict": "decision",
        "subject": ["app1"],
        "value": None,
        "status": "undetermined",
        "missing": [["distress(amina)"]],
        "rules": ["PROC-4.selected", "PROC-5.refused"],
    }


@pytest.mark.parametrize("unknown_rate", [0.0, 0.1])
def test_a_case_states_every_input_exactly_when_its_grounding_has_no_unknown(unknown_rate: float) -> None:
    shipped = load_policy(ROOT / "policy")
    cases = [shipped.case(d) for d in Generator(shipped.checked, seed=3, unknown_rate=unknown_rate).cases(12)]
    for case in cases:
        ctl = control(shipped.program, shipped.checked, [(case_symbol(0), case)])
        unknown = sum(1 for _ in ctl.symbolic_atoms.by_signature("_unknown", 3))
        assert unknown_inputs(shipped.checked, case) == unknown, case.id
        assert states_every_input(shipped.checked, case) == (not unknown), case.id
    assert {states_every_input(shipped.checked, c) for c in cases} == {unknown_rate == 0.0}


def test_chunks_take_cases_while_their_unknown_inputs_stay_within_the_budget() -> None:
    # those with none first, fifty to a chunk; a case over the budget alone; the others in turn
    assert chunked([0, 40, 0, 900, 200, 1500, 30, 0], budget=1000, size=25) == [[0, 2, 7], [1, 3], [4], [5], [6]]
    assert chunked([10] * 7, budget=1000, size=3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert chunked([0] * 120, budget=1000, size=25) == [list(range(0, 50)), list(range(50, 100)), list(range(100, 120))]
    assert chunked([], budget=1000, size=25) == []


def test_cases_stating_every_input_and_the_others_keep_their_order(mini: Policy) -> None:
    known = {"applications__app1__csq_issued": "2025-01-15", "applications__app1__pr_application_pending": True}
    cases = [family(persons__amina__distress=None), family(**known), family(persons__yusuf__birth_date=None)]
    cases.append(family(on="2026-12-01", **known))
    for i, c in enumerate(cases):
        c["case"] = f"t-{i}"
    parsed = [mini.case(c) for c in cases]
    assert [states_every_input(mini.checked, c) for c in parsed] == [False, True, False, True]
    together = mini.decide_many(cases, missing=False)
    assert [d.case_id for d in together] == ["t-0", "t-1", "t-2", "t-3"]
    assert together == [mini.decide(c, missing=False) for c in cases]


def test_cases_with_unknown_facts_are_decided_in_chunks_of_25_as_each_alone() -> None:
    shipped = load_policy(ROOT / "policy")
    cases = [shipped.case(d) for d in Generator(shipped.checked, seed=5, unknown_rate=0.1).cases(27)]
    assert sum(unknown_inputs(shipped.checked, c) for c in cases[:25]) <= DECIDING_BUDGET
    sizes = [len(c) for c, _ in solved_in_chunks(shipped.program, shipped.checked, cases, budget=DECIDING_BUDGET)]
    assert (DECIDING_CHUNK, sizes) == (25, [25, 2])
    together = reference(shipped.program, shipped.checked, cases)
    assert [d.case_id for d in together] == [c.id for c in cases]
    assert sum(bool(d.unknowns) for d in together) == 27
    assert together == [reference(shipped.program, shipped.checked, [c])[0] for c in cases]


def test_progress_saved_while_enumerating_leaves_the_consequences_of_a_chunk_as_clasps_default_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The setting makes a chunk's enumeration need fewer models and changes nothing of its answers: the same
    brave and cautious atoms, deciding and in the explanation program, as with clasp's default."""
    shipped = load_policy(ROOT / "policy")
    cases = [shipped.case(d) for d in Generator(shipped.checked, seed=3).cases(12)]
    numbered = [(case_symbol(i), c) for i, c in enumerate(cases)]
    programs = [("", ()), (shipped.explainer.chain_text, trace_shows(shipped))]

    def solved() -> list[tuple[list[str], list[str], int]]:
        out = []
        for extra, shows in programs:
            ctl = control(shipped.program, shipped.checked, numbered, extra, shows)
            brave, cautious = run.consequence_texts(ctl)
            out.append((sorted(brave), sorted(cautious), int(ctl.statistics["summary"]["models"]["enumerated"])))
        return out

    saved = solved()
    monkeypatch.setattr(run, "CHUNK_ARGUMENTS", [])
    default = solved()
    assert [(b, c) for b, c, _ in saved] == [(b, c) for b, c, _ in default]
    assert all(len(b) > len(c) for b, c, _ in saved)  # unknown facts: something to enumerate
    # The cautious enumeration, the last solve: fewer models with progress saved (125 against 217 deciding).
    assert all(mine < theirs for (_, _, mine), (_, _, theirs) in zip(saved, default, strict=True))


def trace_shows(policy: Policy) -> tuple[str, ...]:
    shows = (show_predicate(p) for p in policy.checked.predicates.values() if p.kind != "verdict")
    return (*shows, *SUPPORT_SHOWS)


def test_no_finder_is_grounded_ahead_for_a_case_that_states_every_input(
    mini: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(decide, "finder_soon", lambda program, policy, case: asked.append(case.id))
    monkeypatch.setattr(decide, "finder_soon_needed", lambda program, policy, case: True)  # no finder kept yet
    known = {"applications__app1__csq_issued": "2025-01-15", "applications__app1__pr_application_pending": True}
    stated, open_ = mini.case(family(**known)), mini.case(family(persons__amina__distress=None))
    assert (states_every_input(mini.checked, stated), states_every_input(mini.checked, open_)) == (True, False)
    mini.decide_many([stated])
    assert asked == []
    mini.decide_many([open_], missing=False)
    assert asked == []
    mini.decide_many([open_])
    assert asked == [open_.id]
    # A finder kept (none needed ahead): the case's inputs are not gone through for it.
    checked: list[str] = []
    monkeypatch.setattr(decide, "finder_soon_needed", lambda program, policy, case: False)
    monkeypatch.setattr(decide, "states_every_input", lambda policy, case: checked.append(case.id) or False)
    mini.decide_many([stated], missing=True)
    assert (asked, checked) == ([open_.id], [])
