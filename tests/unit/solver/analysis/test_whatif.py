"""What if: the smallest changes to a case's facts that flip a verdict, on the fixture policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from havre.api import Policy, load_policy
from solver.analysis.parts import may_read, part, subject_reads
from solver.analysis.whatif import Change, WhatIf, apply_changes, what_if
from solver.cases.case import Case, Fact
from solver.solve import shaped
from solver.solve.answer import Verdict
from tests.helpers import ROOT
from tests.unit.solver.solve.test_decide import family

FIXED = {"birth_date", "notice_date", "csq_issued", "extra_days"}  # fixed, or numbers and dates
JUDGED = {"distress"}


@pytest.fixture(scope="module")
def mini() -> Policy:
    return load_policy(ROOT / "tests/fixtures/mini")


def run(mini: Policy, doc: dict[str, Any], verdict: str, *subject: str, **options: Any) -> list[WhatIf]:
    """what_if, then checks that hold for every answer: each change set, applied and decided
    again with the whole policy, really flips the verdict, with the status, value and rules reported."""
    case = mini.case(doc)
    results = what_if(mini.program, mini.checked, case, verdict, subject, **options)
    before = mini.decide(case, missing=False).get(verdict, *subject)
    decisions = mini.decide_many([apply_changes(case, w.changes) for w in results], missing=False)
    for w, decision in zip(results, decisions, strict=True):
        after = decision.get(verdict, *subject)
        assert flipped(before, after), (w, after)
        assert (w.verdict, w.subject, w.status, w.value) == (verdict, subject, after.status, after.value)
        assert set(w.brings_in) == set(after.rules) - set(before.rules)
        assert set(w.takes_out) == set(before.rules) - set(after.rules)
        preds = {c.pred for c in w.changes}
        assert not preds & FIXED
        assert options.get("include_judged") or not preds & JUDGED
        assert all(c.args[0] not in c.args[1:] for c in w.changes if len(c.args) > 1)
    return results


def flipped(before: Verdict, after: Verdict) -> bool:
    if before.status == "undetermined":
        return after.status in ("holds", "fails")
    if before.status == "fails":
        return after.status == "holds"
    if before.value is True:
        return after.status == "fails"
    return after.status == "fails" or (after.status == "holds" and after.value != before.value)


def summary(results: list[WhatIf]) -> list[tuple[tuple[str, ...], str, object]]:
    return [(tuple(str(c) for c in w.changes), w.status, w.value) for w in results]


REFUSED_OR_NONE = [
    (("asylum_claim_pending(amina) = true",), "holds", "refused"),
    (("principal(app1) = lina",), "holds", "refused"),
    (("principal(app1) = yusuf",), "holds", "refused"),
    (("status(amina) = citizen",), "holds", "refused"),
    (("supplied(form) = false",), "fails", None),
    (("supplied(passport) = false",), "fails", None),
]


def test_a_selected_application_is_flipped_by_one_change_each(mini: Policy) -> None:
    results = run(mini, family(), "decision", "app1", limit=10)
    # Not yet day 61: with a document missing there is no decision at all.
    assert summary(results) == REFUSED_OR_NONE
    supplied = next(w for w in results if w.changes[0].pred == "supplied")
    assert supplied.changes == (Change("supplied", ("form",), True, False),)
    assert (supplied.brings_in, supplied.takes_out) == ((), ("PROC-4.selected",))
    status = next(w for w in results if w.changes[0].pred == "status")
    assert status.changes == (Change("status", ("amina",), "foreign_national", "citizen"),)
    assert (status.brings_in, status.takes_out) == (("PROC-5.refused",), ("PROC-4.selected",))


def test_the_limit_keeps_the_first_in_order(mini: Policy) -> None:
    assert summary(run(mini, family(), "decision", "app1", limit=2)) == REFUSED_OR_NONE[:2]
    assert len(run(mini, family(), "decision", "app1")) == 5


def test_an_officers_finding_changes_only_when_asked(mini: Policy) -> None:
    results = run(mini, family(), "decision", "app1", include_judged=True, limit=10)
    distress = [w for w in results if w.changes[0].pred == "distress"]
    assert [(w.changes, w.status, w.value) for w in distress] == [
        ((Change("distress", ("amina",), True, False),), "holds", "refused")
    ]
    assert summary(results) == sorted([*REFUSED_OR_NONE, (("distress(amina) = false",), "holds", "refused")])


def test_a_verdict_that_fails_is_made_to_hold(mini: Policy) -> None:
    assert run(mini, family(), "eligible", "yusuf") == []  # only the officer's finding would change it
    results = run(mini, family(), "eligible", "yusuf", include_judged=True)
    assert summary(results) == [(("distress(yusuf) = true",), "holds", True)]
    assert results[0].brings_in == ("QHC-1.eligible",)


def test_a_pair_outside_a_complete_list_can_be_set(mini: Policy) -> None:
    results = run(mini, family(), "dependent_child", "lina", "yusuf")
    assert [w.changes for w in results] == [(Change("child_of", ("lina", "yusuf"), False, True),)]
    assert results[0].status == "holds"


def test_a_number_changes_to_another_value(mini: Policy) -> None:
    results = run(mini, family(), "dependants", "amina")
    assert summary(results) == [
        (("child_of(lina, amina) = false",), "holds", 1),
        (("child_of(yusuf, amina) = false",), "holds", 1),
        (("in_union(lina) = true",), "holds", 1),
        (("in_union(yusuf) = true",), "holds", 1),
    ]


def test_an_undetermined_verdict_gets_the_changes_that_decide_it(mini: Policy) -> None:
    doc = family(persons__amina__distress=None)
    assert summary(run(mini, doc, "decision", "app1", limit=10)) == REFUSED_OR_NONE
    results = run(mini, doc, "decision", "app1", include_judged=True, limit=10)
    distress = [(w.changes, w.status, w.value) for w in results if w.changes[0].pred == "distress"]
    assert distress == [
        ((Change("distress", ("amina",), None, False),), "holds", "refused"),
        ((Change("distress", ("amina",), None, True),), "holds", "selected"),
    ]


def test_setting_an_unknown_fact_can_decide(mini: Policy) -> None:
    # The CSQ date is unknown (and fixed); a pending PR application rules out any expiry.
    results = run(mini, family(applications__app1__csq_issued=None), "csq_expiry", "app1")
    assert [w.changes for w in results] == [(Change("pr_application_pending", ("app1",), None, True),)]
    assert (results[0].status, results[0].takes_out) == ("fails", ("PROC-4.csq",))  # it could conclude before
    results = run(mini, family(applications__app1__csq_issued="2024-01-31"), "csq_expiry", "app1")
    assert summary(results) == [
        (("pr_application_pending(app1) = false",), "holds", dt.date(2026, 1, 31)),
        (("pr_application_pending(app1) = true",), "fails", None),
    ]


def test_nothing_to_change_when_only_fixed_facts_matter(mini: Policy) -> None:
    assert run(mini, family(), "documents_due", "app1") == []
    assert run(mini, family(), "dependent_child", "amina", "yusuf", include_judged=True) == []


def test_answers_are_deterministic(mini: Policy) -> None:
    doc = family(persons__amina__distress=None, documents__passport__supplied=None)
    first = run(mini, doc, "decision", "app1", include_judged=True, limit=8)
    assert first == run(mini, doc, "decision", "app1", include_judged=True, limit=8)
    assert [len(w.changes) for w in first] == sorted(len(w.changes) for w in first)
    assert ("supplied(form) = false",) in [tuple(map(str, w.changes)) for w in first]


def test_apply_changes_restates_or_adds_facts(mini: Policy) -> None:
    case = mini.case(family())
    changed = apply_changes(
        case,
        [Change("supplied", ("form",), True, False), Change("pr_application_pending", ("app1",), None, True)],
    )
    assert isinstance(changed, Case) and changed is not case
    assert Fact("supplied", ("form",), False) in changed.facts
    assert Fact("supplied", ("form",), True) not in changed.facts
    assert changed.facts[-1] == Fact("pr_application_pending", ("app1",), True)
    assert len(changed.facts) == len(case.facts) + 1
    assert Fact("supplied", ("form",), True) in case.facts  # the original is unchanged


def test_bad_verdict_or_subject(mini: Policy) -> None:
    case = mini.case(family())
    with pytest.raises(ValueError, match="no verdict"):
        what_if(mini.program, mini.checked, case, "age", ("amina",))
    with pytest.raises(ValueError, match="not a subject"):
        what_if(mini.program, mini.checked, case, "decision", ("amina",))


def test_a_verdicts_part_is_never_kept_as_a_shape(mini: Policy) -> None:
    """The part of the policy a verdict reads is decided the reference way: a server's kept shapes (eight at
    most) are not pushed out by the parts an explanation's searches go through."""
    program = part(mini.checked, "decision")[1]
    for limit in (10, 1, 1, 1):  # the second sighting of a shape would ground it; one set is decided alone
        assert summary(run(mini, family(), "decision", "app1", limit=limit)) == REFUSED_OR_NONE[:limit]
    assert [key for key in (*shaped._SHAPES, *shaped._SEEN) if key[0] == program.text] == []


def test_a_persons_verdict_reads_that_persons_facts(mini: Policy) -> None:
    reads = subject_reads(mini.checked, "eligible", ("amina",))
    assert {k: set(v) for k, v in reads.items()} == {
        "asylum_claim_pending": {("amina",)},
        "status": {("amina",)},
        "distress": {("amina",)},
    }
    decision = subject_reads(mini.checked, "decision", ("app1",))
    assert set(decision["principal"]) == {("app1",)}
    assert set(decision["status"]) == {(None,)}  # the principal's, whoever it is
    assert may_read(decision, "required", ("form", "app1")) and not may_read(decision, "required", ("form", "app2"))
    assert not may_read(decision, "birth_date", ("amina",))  # not read at all
