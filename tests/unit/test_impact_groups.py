"""The pieces of `havre impact`: outcomes compared, rules edited, explanations side by side, cases tallied."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from havre.api import Policy, load_policy
from havre.caseload import batch as b
from havre.caseload.impact import CaseDiff, Change, LocalCompare, Versions, changes, compare, outcome
from havre.caseload.impact_report import Collected, Sides, edited_rules, heading, html, side_by_side, text
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


def small_report() -> dict[str, Any]:
    """One change of one case, an edited and a removed rule, an unreadable line: every heading of the report."""
    example = {"index": 0, "origin": "cases.jsonl:1", "case": "a<b", "subject": ["p1"]}
    example |= {"rules": {"before": ["FAM-2.under-22"], "after": []}, "before": "un\ndeux\n", "after": "un\ntrois\n"}
    under = {"rule": "FAM-2.under-22", "title": "Enfant de moins de 22 ans", "before": 2, "after": 0, "edit": "changed"}
    rests = {"rule": "FAM-1", "title": "Famille", "provisions": [], "before": 0, "after": 0, "edit": None}
    group = {"verdict": "family", "before": "holds", "after": "not applicable", "cases": 1, "subjects": 2}
    group |= {"changed": [{"index": 0, "case": "a<b"}], "example": example}
    group["rules"] = [under | {"provisions": [{"id": "FAM-2", "title": "Enfant à charge"}]}, rests]
    return {
        "base": {"policy": "HEAD", "hash": "aaa111"},
        "current": {"policy": "policy", "hash": "bbb222"},
        "verdicts": ["decision", "family"],
        "totals": {"cases": 3, "changed": 1, "unchanged": 1, "unreadable": 1},
        "by_verdict": [{"verdict": "family", "cases": 1, "subjects": 2}],
        "groups": [group],
        "edited_rules": [
            {"rule": "FAM-2.under-22", "title": "Enfant de moins de 22 ans", "edit": "changed"},
            {"rule": "FAM-9", "title": "Ancienne règle", "edit": "removed"},
        ],
        "unreadable": [{"index": 2, "origin": "cases.jsonl:3", "case": None} | {"base": "bad", "current": "bad"}],
    }


def headings(page: str) -> list[str]:
    return [m[2] for m in re.finditer(r"<(title|h1|h2|h3|th)\b[^>]*>(.*?)</\1>", page)]


def test_the_french_text_report_has_french_headings_and_sentences() -> None:
    nbsp, nnbsp = "\u00a0", "\u202f"
    fr, en = text(small_report(), "fr").splitlines(), text(small_report(), "en").splitlines()
    assert [line for line in fr if line and not line.startswith("    ")] == [
        "Incidence de la version policy (bbb222) par rapport à la version HEAD (aaa111)",
        f"3 dossiers{nbsp}: 1 touché, 1 non touché, 1 illisible",
        f"Règles modifiées{nbsp}:",
        "  modifiée   FAM-2.under-22  Enfant de moins de 22 ans",
        "  supprimée  FAM-9  Ancienne règle",
        f"family{nbsp}: établi → sans objet   1 dossier (2 sujets)",
        f"  règle FAM-2.under-22 [modifiée] «{nbsp}Enfant de moins de 22 ans{nbsp}»{nbsp}: a conclu 2 fois avant,"
        " 0 fois après (FAM-2 Enfant à charge)",
        f"  règle FAM-1 «{nbsp}Famille{nbsp}»{nbsp}: le constat repose sur elle ()",
        f"  dossiers{nbsp}: a<b",
        f"  exemple{nbsp}: dossier a<b (cases.jsonl:1), sujet p1",
        "  --- avant",
        "  --- après",
        f"Dossiers illisibles{nbsp}:",
        f"  cases.jsonl:3{nbsp}: version de référence{nbsp}: bad{nnbsp}; version actuelle{nbsp}: bad",
    ]
    english = ["Impact of", "cases:", "changed", "unreadable", "Rules edited", "rule ", "example:", "--- before"]
    english += ["Unreadable:", "base:", "current:", "concluded", "rests on it"]
    assert all(any(word in line for line in en) for word in english)  # not vacuous
    assert [(word, line) for line in fr for word in english if word in line] == []
    many = small_report()
    many["groups"][0]["changed"] = [{"index": i, "case": f"c{i}"} for i in range(12)]
    shown = ", ".join(f"c{i}" for i in range(10))
    assert f"  dossiers{nbsp}: {shown} et 2 autres" in text(many, "fr").splitlines()
    assert f"  cases: {shown} and 2 more" in text(many, "en").splitlines()


def test_the_french_page_has_french_headings_and_sentences() -> None:
    nbsp = "\u00a0"
    page, english = html(small_report(), "fr"), html(small_report(), "en")
    assert headings(page) == [
        "Incidence de la modification de la politique",
        "Incidence de la modification de la politique",
        "Sommaire",
        *("Dossiers", "Touchés", "Non touchés", "Illisibles", "Changement", "Dossiers", "Sujets"),
        "Dossiers touchés par constat",
        f"family{nbsp}: 1",
        "Règles modifiées entre les versions",
        f'<span class="change">family{nbsp}: établi → sans objet</span> — 1 dossier',
        *("Règle", "Dispositions", "Conclusions avant", "Après"),
        f"Exemple{nbsp}: dossier a&lt;b (cases.jsonl:1), p1",
        *("Avant", "Après"),
        "Dossiers non lus ou non décidés",
        *("Dossier", "Version de référence", "Version actuelle"),
    ]
    assert not set(headings(page)) & set(headings(english))
    assert '<html lang="fr">' in page and 'aria-label="Dossiers touchés par constat"' in page
    versions = f"Version actuelle{nbsp}: <code>policy</code> (bbb222) — version de référence{nbsp}: <code>HEAD</code>"
    assert versions in page
    assert '<span class="edit">modifiée</span>' in page and '<span class="edit">supprimée</span>' in page
    assert f'<p class="cases">Dossiers{nbsp}: <code>a&lt;b</code></p>' in page
    assert "<p>Aucun constat principal n'a changé.</p>" in html(small_report() | {"groups": []}, "fr")
    for sentence in ("Current:", "base:", "Cases:", "No main verdict changed.", ">changed<", ">removed<"):
        assert sentence not in page and sentence not in html(small_report() | {"groups": []}, "fr")


def test_a_group_is_headed_in_the_verdicts_own_words_in_the_reports_language() -> None:
    shipped = load_policy(ROOT / "policy")
    en, fr = (Sides(shipped, shipped, "HEAD", "policy", ("decision",), lang) for lang in ("en", "fr"))
    nbsp = "\u00a0"
    assert heading(en, "decision", "selected", "refused") == (
        "MIFI's decision on an application: selected → refused (decision)"
    )
    assert heading(fr, "decision", "undetermined", "rejected") == (
        f"Décision du MIFI sur une demande{nbsp}: indéterminé → rejetée (decision)"
    )
    assert heading(fr, "eligible_for_program", "holds", "fails") == (
        "Une personne relève du Programme des personnes sélectionnées pour considérations humanitaires"
        f"{nbsp}: établi → non établi (eligible_for_program)"
    )
    assert heading(en, "csq_expiry", "undetermined", "2027-05-01") == (
        "The Québec selection certificates for an application expire on …, unless a permanent residence application"
        " is still being processed: undetermined → May 1, 2027 (csq_expiry)"
    )
    assert heading(en, "gone", "holds", "not applicable") == "gone: holds → does not apply"


def test_counts_are_grouped_by_thousands_in_the_reports_language() -> None:
    nbsp = "\u00a0"  # Canadian French groups digits with it
    big = small_report()
    big["totals"] = {"cases": 12345, "changed": 1200, "unchanged": 11144, "unreadable": 1}
    big["groups"][0] |= {"cases": 1200, "subjects": 2400}
    big["groups"][0]["rules"][0] |= {"before": 1500, "after": 0}
    assert "12,345 cases: 1,200 changed, 11,144 unchanged, 1 unreadable" in text(big, "en").splitlines()
    assert "family: holds → does not apply   1,200 cases (2,400 subjects)" in text(big, "en").splitlines()
    assert "concluded 1,500 → 0" in text(big, "en")
    french = text(big, "fr")
    assert f"12{nbsp}345 dossiers{nbsp}: 1{nbsp}200 touchés, 11{nbsp}144 non touchés, 1 illisible" in french
    assert f"a conclu 1{nbsp}500 fois avant, 0 fois après" in french
    page = html(big, "en")
    assert '<td class="n">12,345</td><td class="n">1,200</td><td class="n">11,144</td><td class="n">1</td>' in page
    assert "— 1,200 cases</h2>" in page
    assert f"— 1{nbsp}200 dossiers</h2>" in html(big, "fr")
    big["by_verdict"][0]["cases"] = 1200
    assert "<title>family: 1,200</title></rect>" in html(big, "en")  # the chart's bar
