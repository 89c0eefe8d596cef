"""Each language feature, from text to verdicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grammar.typed import nodes as n
from havre.api import Policy
from solver.compile.emit import emit
from tests.helpers import policy_of


def compiled(src: str) -> Policy:
    checked = policy_of(src)
    return Policy(checked, emit(checked))


def case(**sections: Any) -> dict[str, Any]:
    return {"case": "c", "assessment_date": "2026-11-21", **sections}


def test_declarations_become_typed_nodes() -> None:
    p = policy_of("""
entity family plural families
input birth_date(P: person): date fixed
  en "{P} was born on {value}"
  fr "{P} est né(e) le {value}"
  question en "When was {P} born?"
  question fr "Quand {P} est-il né ?"
input size(F: family): int
input status(P: person): one of citizen, foreign_national
input head(F: family): person
input member(P: person, F: family)
input claim_pending(P: person) default false
judged distress(P: person)
""")
    assert p.entities["family"].plural == "families"
    bd = p.predicates["birth_date"]
    assert (bd.kind, bd.value, bd.fixed, bd.default_false) == ("input", n.DATE, True, False)
    assert bd.text("fr") == "{P} est né(e) le {value}"
    assert bd.text("en", question=True) == "When was {P} born?"
    assert p.predicates["status"].value == n.EnumType(("citizen", "foreign_national"))
    assert p.predicates["head"].value == n.EntityType("person")
    assert [q.type.name for q in p.predicates["member"].params] == ["person", "family"]
    assert p.predicates["claim_pending"].default_false
    assert p.predicates["distress"].kind == "judged"
    source = p.citations["QHC-3"]
    assert (source.title, source.source.authority, source.source.document) == (
        "Conditions for selection",
        "official",
        "003_02a0dbd8729d3a02.txt",
    )
    assert p.citations["CONSULT"].source.authority == "secondary"


def test_plural_entities_in_cases_and_or_conditions() -> None:
    policy = compiled("""
entity family plural families
input size(F: family): int
input urgent(F: family)
verdict priority_case(F: family)
rule R1 "Large or urgent families" cites QHC-1 priority_case(F) if size(F) >= 5 or urgent(F).
""")
    d = policy.decide(
        case(
            families={
                "f1": {"size": 6, "urgent": False},
                "f2": {"size": 2, "urgent": True},
                "f3": {"size": 2, "urgent": False},
                "f4": {"size": 3},
            }
        )
    )
    assert [d.get("priority_case", f).status for f in ("f1", "f2", "f3", "f4")] == [
        "holds",
        "holds",
        "fails",
        "undetermined",
    ]
    assert d.get("priority_case", "f4").missing == (("urgent(f4)",),)


def test_years_months_subtraction_and_integer_arithmetic() -> None:
    policy = compiled("""
input designated_on(P: person): date
input household(P: person): int
verdict bar_ends(P: person): date
verdict barred(P: person)
verdict others(P: person): int
verdict notice_window_opens(P: person): date
rule FHC-2.bar "Five years from designation" cites QHC-1 bar_ends(P) = D + 5 years if designated_on(P) = D.
rule FHC-2.barred "Designated in the last five years" cites QHC-1
  barred(P) if designated_on(P) = D and assessment_date - 5 years < D.
rule R3 "Others in the household" cites QHC-1 others(P) = N - 1 if household(P) = N.
rule R4 "One month before" cites QHC-1 notice_window_opens(P) = D - 1 month if designated_on(P) = D.
""")
    d = policy.decide(
        case(
            persons={
                "p": {"designated_on": "2021-11-22", "household": 4},
                "q": {"designated_on": "2021-11-21", "household": 1},
            }
        )
    )
    assert d.get("bar_ends", "p").value == dt.date(2026, 11, 22)
    assert [d.get("barred", x).status for x in "pq"] == ["holds", "fails"]
    assert [d.get("others", x).value for x in "pq"] == [3, 0]
    assert d.get("notice_window_opens", "p").value == dt.date(2021, 10, 22)


def test_invariant_broken_by_a_case_is_reported() -> None:
    policy = compiled("""
input a(P: person)
input b(P: person)
verdict both(P: person)
rule R1 "t" cites QHC-1 both(P) if a(P) and b(P).
invariant INV.never-both "Never a and b" cites QHC-3 never a(P) and b(P).
""")
    d = policy.decide(case(persons={"p": {"a": True, "b": True}, "q": {"a": True}, "r": {"a": False}}))
    assert [(v.invariant, v.bindings, v.certain) for v in d.violations] == [
        ("INV.never-both", ("p",), True),
        ("INV.never-both", ("q",), False),
    ]


def test_counting_and_quantifiers_over_related_entities() -> None:
    policy = compiled("""
entity document
input required(D: document, A: application)
input supplied(D: document)
input child_of(C: person, P: person)
verdict complete(A: application)
verdict some_missing(A: application)
verdict children(P: person): int
rule R1 "All documents" cites PROC-6 complete(A) if every D where required(D, A) satisfies supplied(D).
rule R2 "One missing" cites PROC-6 some_missing(A) if some D where (required(D, A) and not supplied(D)).
rule R3 "Children" cites QHC-1 children(P) = number of C where child_of(C, P).
""")
    d = policy.decide(
        case(
            applications={"a1": {}, "a2": {}},
            documents={
                "form": {"required": ["a1", "a2"], "supplied": True},
                "id": {"required": ["a2"], "supplied": False},
            },
            persons={"amina": {"child_of": []}, "yusuf": {"child_of": ["amina"]}, "lina": {"child_of": ["amina"]}},
        )
    )
    assert [d.get("complete", a).status for a in ("a1", "a2")] == ["holds", "fails"]
    assert [d.get("some_missing", a).status for a in ("a1", "a2")] == ["fails", "holds"]
    assert d.get("children", "amina").value == 2
    assert d.get("children", "yusuf").value == 0


def test_applies_if_compiles_to_the_subjects_a_verdict_applies_to() -> None:
    checked = policy_of("""
input invited(A: application)
input complete(A: application)
verdict decision(A: application) one of selected, refused
  applies if invited(A)
  grounds refused: not complete(A)
verdict done(A: application)
  applies if invited(A) and complete(A)
summary decision, done
rule R1 "t" cites QHC-1 decision(A) = selected if invited(A).
rule R2 "t" cites QHC-1 done(A) if invited(A).
""")
    assert isinstance(checked.predicates["decision"].applies, n.Atom)
    assert checked.applies == {
        "decision": {"A": n.EntityType("application")},
        "done": {"A": n.EntityType("application")},
    }
    assert [(g.value, type(g.cond)) for g in checked.predicates["decision"].grounds] == [("refused", n.Not)]
    assert checked.summary == ("decision", "done")
    lines = emit(checked).text.splitlines()
    assert "_applies(decision,_C,(A,)) :- invited(_C,A)." in lines
    assert "_applies(done,_C,(A,)) :- invited(_C,A), complete(_C,A)." in lines
