"""The pieces of `havre impact`: outcomes compared, rules edited, explanations side by side, cases tallied."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from havre import batch as b
from havre.api import Policy, load_policy
from havre.impact import CaseDiff, Change, LocalCompare, Versions, changes, compare, outcome
from havre.impact_report import Collected, edited_rules, side_by_side
from solver.solve.answer import Decision, Verdict
from tests.helpers import ROOT, policy_of

MINI = ROOT / "tests/fixtures/mini"


def decision(*verdicts: Verdict, scoped: frozenset[str] = frozenset()) -> Decision:
    return Decision("c", "h", verdicts, scoped=scoped)


def test_an_outcome_is_a_value_or_a_status() -> None:
    assert outcome(Verdict("decision", ("a",), "holds", "selected", ("R",))) == "selected"
    assert outcome(Verdict("due", ("a",), "holds", dt.date(2026, 1, 2), ("R",))) == "2026-01-02"
    assert outcome(Verdict("ok", ("a",), "holds", True, ("R",))) == "holds"
    assert outcome(Verdict("ok", ("a",), "not_applicable", None, (), applicable=False)) == "not applicable"
    assert outcome(Verdict("ok", ("a",), "undetermined", None, ("R",))) == "undetermined"


def test_a_verdict_listed_on_one_side_only_is_read_as_the_decision_reads_it() -> None:
    before = decision(
        Verdict("decision", ("app1",), "holds", "selected", ("PROC-4.selected",)),
        Verdict("route", ("p",), "holds", "humanitarian", ("JUR-4",)),
        Verdict("other", ("p",), "holds", True, ("X",)),
        scoped=frozenset({"route"}),
    )
    after = decision(
        Verdict("decision", ("app1",), "holds", "refused", ("PROC-5.refused",)), scoped=frozenset({"route"})
    )
    assert changes(("decision", "route"), before, after) == (
        Change("decision", ("app1",), "selected", "refused", ("PROC-4.selected",), ("PROC-5.refused",)),
        Change("route", ("p",), "humanitarian", "not applicable", ("JUR-4",), ()),
    )
    assert changes(("decision", "route"), before, before) == ()


def test_rules_edited_between_versions_ignore_where_they_are_written() -> None:
    src = """
input child(P: person)
verdict ok(P: person)
rule R1 "One" cites QHC-1
  ok(P) if child(P).
"""
    moved = "\n\n" + src
    edited = src.replace('"One"', '"One, retitled"') + 'rule R2 "Two" cites QHC-1\n  ok(P) if child(P).\n'
    assert edited_rules(policy_of(src), policy_of(moved)) == {}
    assert edited_rules(policy_of(src), policy_of(edited)) == {"R1": "changed", "R2": "added"}
    assert edited_rules(policy_of(edited), policy_of(src)) == {"R1": "changed", "R2": "removed"}


def test_side_by_side_marks_the_lines_of_each_side() -> None:
    rows = side_by_side("a\nb\nc\n", "a\nB\nc\nd\n")
    assert rows == [
        ("a", "same", "a", "same"),
        ("b", "removed", "B", "added"),
        ("c", "same", "c", "same"),
        ("", "empty", "d", "added"),
    ]


def test_the_tally_counts_cases_and_subjects_and_keeps_the_first_example() -> None:
    one = Change("v", ("a",), "holds", "fails", ("R",), ())
    two = Change("v", ("b",), "holds", "fails", ("R",), ())
    got = Collected.of(
        [
            CaseDiff(0, "x:1", "c0", (one, two)),
            CaseDiff(1, "x:2", "c1"),
            CaseDiff(2, "x:3", None, errors=(("base", "bad"), ("current", "bad"))),
            CaseDiff(3, "x:4", "c3", (one,)),
        ]
    )
    tally = got.groups["v", "holds", "fails"]
    assert (got.cases, got.changed, len(got.unreadable)) == (4, 2, 1)
    assert (tally.cases, tally.subjects, tally.before["R"], tally.after["R"]) == ({0: "c0", 3: "c3"}, 3, 3, 0)
    assert tally.example is not None and tally.example[0].index == 0
    assert got.unreadable == [{"index": 2, "origin": "x:3", "case": None, "base": "bad", "current": "bad"}]


def test_a_policy_without_main_verdicts_compares_every_verdict(tmp_path: Path) -> None:
    mini = load_policy(MINI)
    assert not mini.checked.summary
    versions = Versions.of(mini, mini)
    assert set(versions.verdicts) == {p.name for p in mini.checked.verdicts()}
    items = [b.Item(0, "x:1", text='{"case": "broken"}')]
    (diff,) = compare(LocalCompare(versions), items)
    assert diff.case == "broken" and [side for side, _ in diff.errors] == ["base", "current"]
    assert isinstance(versions.base, Policy)
