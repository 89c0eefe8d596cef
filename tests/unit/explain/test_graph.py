"""Derivations and why-not on the fixture policy: rules, conditions, provenance, exceptions, priorities."""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any

import pytest

from explain.derivation.graph import Graph
from explain.rendering.render import render
from havre.api import Policy, load_policy
from tests.helpers import ROOT
from tests.unit.solver.solve.test_decide import family


@pytest.fixture(scope="module")
def mini() -> Policy:
    return load_policy(ROOT / "tests/fixtures/mini")


def graph(policy: Policy, **changes: Any) -> Graph:
    return policy.explainer.graph(policy.case(family(**changes)))[0]


def rules_in(derivations: Any) -> set[str]:
    found: set[str] = set()
    for d in derivations:
        found.add(d.rule)
        for c in d.conditions:
            found |= rules_in(c.because)
    return found


def test_derivation_tree_of_a_selection(mini: Policy) -> None:
    [d] = graph(mini).derive("decision", ("app1",), "selected")
    assert (d.rule, d.value, d.prevailed_over) == ("PROC-4.selected", "selected", ())
    assert rules_in([d]) == {"PROC-4.selected", "PROC-1.complete", "QHC-1.eligible"}
    principal = d.conditions[1]
    assert [(i.pred, i.args, i.value, i.origin) for i in principal.inputs] == [
        ("principal", ("app1",), "amina", "stated")
    ]
    [eligible] = d.conditions[2].because
    inputs = {(i.pred, i.value, i.origin) for c in eligible.conditions for i in c.inputs}
    assert ("distress", True, "finding") in inputs
    assert [e.literal.name for e in eligible.exceptions] == ["asylum_claim_pending"]  # type: ignore[attr-defined]


def test_default_false_input_shows_as_default(mini: Policy) -> None:
    g = graph(mini)
    assert g.input("asylum_claim_pending", ("amina",), False).origin == "default"
    assert g.input("child_of", ("amina", "yusuf"), False).origin == "list"


def test_a_priority_that_settled_a_competition_is_kept(mini: Policy) -> None:
    g = graph(mini, applications__app1__extra_days=5)
    [d] = g.derive("documents_due", ("app1",), dt.date(2026, 11, 26))
    assert (d.rule, d.prevailed_over) == ("PROC-2.extended", ("PROC-2.due",))
    [f] = [f for f in g.why_not("documents_due", ("app1",)) if f.rule == "PROC-2.due"]
    assert (f.reason, f.by) == ("priority", "PROC-2.extended")


def test_why_not_names_the_failed_condition_and_explains_it_in_turn(mini: Policy) -> None:
    g = graph(mini, persons__amina__distress=False)
    [f] = g.why_not("decision", ("app1",), "selected")
    assert (f.rule, f.reason) == ("PROC-4.selected", "condition")
    assert f.condition is not None and f.condition.literal.name == "eligible"  # type: ignore[union-attr]
    assert f.condition.values["P"] == "amina"
    [nested] = f.condition.failures
    assert (nested.rule, nested.reason) == ("QHC-1.eligible", "condition")
    assert nested.condition is not None
    assert [(i.pred, i.value, i.origin) for i in nested.condition.inputs] == [("distress", False, "finding")]


def test_conditions_that_held_are_not_given_as_reasons(mini: Policy) -> None:
    g = graph(mini, persons__amina__distress=False)
    [f] = g.why_not("decision", ("app1",), "selected")
    # complete(app1) and principal(app1) = amina held before eligible(amina) failed: neither is the reason.
    assert f.condition is not None and f.condition.literal.name == "eligible"  # type: ignore[union-attr]


def test_an_exception_that_applied(mini: Policy) -> None:
    g = graph(mini, persons__amina__asylum_claim_pending=True)
    [f] = g.why_not("eligible", ("amina",))
    assert (f.rule, f.reason) == ("QHC-1.eligible", "exception")
    assert f.condition is not None and f.condition.literal.name == "asylum_claim_pending"  # type: ignore[union-attr]


def test_views_in_both_languages(mini: Policy) -> None:
    case = family(persons__amina__distress=None)
    en = mini.explain(case, lang="en", verdicts=["decision"])
    fr = mini.explain(case, lang="fr", verdicts=["decision"])
    [v_en], [v_fr] = en["verdicts"], fr["verdicts"]
    assert v_en["questions"] == [["Has the officer found Amina Haddad to be in a particularly distressful situation?"]]
    assert v_fr["questions"] == [
        ["L'agent a-t-il constaté qu'Amina Haddad vit une situation particulièrement éprouvante\u202f?"]
    ]
    assert v_en["label"] == "The decision on app1 is …" and v_fr["status_text"] == "indéterminé"
    selected = mini.explain(family(), lang="fr", verdicts=["decision"])["verdicts"][0]
    assert selected["label"] == "La décision sur app1 est sélectionnée"
    assert selected["why"][0]["title"] == "Sélectionnée"
    assert {c["id"] for c in selected["why"][0]["citations"]} == {"PROC-4", "QHC-3"}


def test_a_step_on_a_non_official_source_says_so(mini: Policy) -> None:
    view = mini.explain(family(), verdicts=["eligible"])
    [amina] = [v for v in view["verdicts"] if v["subject"] == ["amina"]]
    [step] = amina["why"]
    assert (step["rule"], step["non_official"]) == ("QHC-1.eligible", True)
    assert [c["authority_text"] for c in step["citations"]] == ["official guidance", "non-official source"]
    assert "  Note: this step rests on a non-official source (FHC-2)." in render(view, "text").splitlines()


def test_dates_are_written_as_dates(mini: Policy) -> None:
    view = mini.explain(family(on="2026-12-01", documents__form__supplied=False), verdicts=["decision"])
    texts = [c["text"] for c in view["verdicts"][0]["why"][0]["conditions"]]
    assert (
        texts[1]
        == "The assessment date (December 1, 2026) is after November 21, 2026 (60 days after September 22, 2026)"
    )
    fr = mini.explain(family(on="2026-12-01", documents__form__supplied=False), lang="fr", verdicts=["decision"])
    assert fr["verdicts"][0]["why"][0]["conditions"][1]["text"] == (
        "La date d'évaluation (1er décembre 2026) tombe après le 21 novembre 2026 (60 jours après le 22 septembre 2026)"
    )


def test_unknown_verdict_name_is_a_user_error(mini: Policy) -> None:
    from solver.cases.case import CaseError

    with pytest.raises(CaseError, match="`decison` is not a verdict of the policy; did you mean `decision`"):
        mini.explain(family(), verdicts=["decison"])


def test_chain_rules_have_auxiliary_names_of_their_own(mini: Policy) -> None:
    # The chains are added to the program: a shared `_auxN` would merge two different conditions.
    assert "_aux" not in mini.explainer.chain_text.replace("_chain_aux", "")
    assert "_chain_aux" in mini.explainer.chain_text


def test_the_rules_look_ups_are_made_once_for_the_policy(mini: Policy) -> None:
    tables = mini.explainer.tables
    assert tables.concluding["dependent_child"] == ("FAM-2.under-22",)
    assert tables.layouts[("FAM-2.under-22", 0)] == ["C", "P"]
    assert set(tables.readings) == {"FAM-2.age"}  # its value is computed from a fact; a count's is not
    [child_of, under_22, not_in_union] = tables.branches["FAM-2.under-22"][0]
    assert [c.name for c in tables.calls(under_22)] == ["age"]
    assert tables.calls(child_of) == () and tables.calls(not_in_union.cond) == ()  # type: ignore[attr-defined]
    assert graph(mini).rules is tables.rules  # every case's graph shares them


def test_the_rules_look_ups_are_found_again_when_the_policy_goes_to_another_process(mini: Policy) -> None:
    assert mini.explainer.tables  # made before pickling, as a server's policy may be
    copy: Policy = pickle.loads(pickle.dumps(mini))  # what a worker process receives
    tables = copy.explainer.tables
    under_22 = tables.branches["FAM-2.under-22"][0][1]
    assert id(under_22) in tables._calls and [c.name for c in tables.calls(under_22)] == ["age"]
    assert not set(tables._calls) & set(mini.explainer.tables._calls)  # ids of this process's own nodes
    assert copy.explain(family()) == mini.explain(family())
