"""Explanations of the shipped policy: golden files per case, language and format, and their substance.

The golden files (tests/golden/explanations/) are reviewed by eye when they change; HAVRE_UPDATE_GOLDEN=1
rewrites them. The other tests check what the explanations say, not their bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from markupsafe import escape

from explain import explanation
from explain.rendering.render import Format, render
from explain.rendering.render import _markdown_escape as escape_md
from explain.view.views import View, Views
from explain.wording.french import polish
from grammar.typed import nodes as n
from havre.api import Policy, load_policy
from solver.analysis.parts import part
from solver.analysis.whatif import what_if
from tests.helpers import ROOT
from tests.test_golden import check_golden

CASES_DIR = ROOT / "tests/golden/cases"
TEMPLATES = ROOT / "explain/templates"
# Each golden case and the verdict it explains (all its subjects).
CASES = {
    "amina-selected": "decision",  # (a) selected
    "kofi-refused": "decision",  # (b) refused on one condition
    "rosa-rejected-documents": "decision",  # (c) rejected: documents not supplied in time
    "fatima-undetermined": "decision",  # (d) undetermined: one officer's finding missing
    "layla-dependent-over-22": "dependent_child",  # (e) a dependent child aged 23 (FAM-2.over-22)
    "mateo-federal-hc": "hc_route",  # (f) steps resting on the non-official source 004 (FHC-*)
    "kofi-rejected-over-refused": "decision",  # (g) a rule that takes priority over another that applied too
}
LANGS = ("en", "fr")
NOT_MET_FR = ("Condition non remplie\u00a0: ", "Condition non remplie, car ")
FORMATS: dict[Format, str] = {"text": "txt", "markdown": "md", "html": "html", "json": "json"}
XSS = "<script>alert(1)</script>"


# ---------------------------------------------------------------- shared, computed once per run


@cache
def policy() -> Policy:
    # Rule places in the views ("policy/qhc/decision.havre:74") are relative to the folder the policy is loaded from.
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        return load_policy("policy")


@cache
def view(name: str, lang: str) -> View:
    return policy().explain(CASES_DIR / f"{name}.yaml", lang=lang, verdicts=[CASES[name]], why_not=True)


@cache
def rendered(name: str, lang: str, fmt: Format) -> str:
    return render(view(name, lang), fmt)


def verdict_of(v: View, *subject: str) -> dict[str, Any]:
    return next(x for x in v["verdicts"] if x["subject"] == list(subject))


def steps(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every step of a why tree, depth first."""
    for s in items:
        yield s
        for c in s["conditions"]:
            yield from steps(c["because"])


def conditions(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for s in steps(items):
        yield from s["conditions"]


def failures(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every why-not entry, nested ones included."""
    for f in items:
        yield f
        yield from failures(f.get("nested", []))


def inputs(v: View) -> Iterator[dict[str, Any]]:
    for verdict in v["verdicts"]:
        for c in conditions(verdict["why"]):
            yield from c["inputs"]
        for f in failures(verdict["why_not"]):
            yield from f.get("inputs", [])


# ---------------------------------------------------------------- golden files


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(CASES))
def test_golden_explanation(name: str, lang: str, fmt: Format) -> None:
    check_golden(f"explanations/{name}.{lang}.{FORMATS[fmt]}", rendered(name, lang, fmt))


# ---------------------------------------------------------------- what the why trees rest on

WHY = {  # (subject) -> (rules, provisions) of the why tree, exactly
    ("amina-selected", ("app1",)): (
        {"PROC-4.selected", "QHC-1.eligible", "QHC-2.invited", "PROC-1.complete", "QHC-3.conditions"},
        {
            "PROC-4", "QHC-1", "QHC-3", "RIQ-A65", "LIQ-A18", "QHC-2", "LIQ-A2", "RPROC-A4",
            "JUR-4", "PROC-1", "QHC-5",
        },
    ),
    ("kofi-refused", ("app1",)): (
        {"PROC-5.after-answer", "PROC-5.answered-in-time", "PROC-5.answer-due"},
        {"PROC-5", "QHC-3"},
    ),
    ("rosa-rejected-documents", ("app1",)): (
        {"PROC-6.rejected", "PROC-2.late-documents"},
        {"PROC-6", "LIQ-A57", "LIQ-A71", "PROC-2"},
    ),
    ("fatima-undetermined", ("app1",)): (set(), set()),
    ("layla-dependent-over-22", ("sami", "layla")): ({"FAM-2.over-22", "FAM-2.age"}, {"FAM-2", "IRPR-R2"}),
    ("mateo-federal-hc", ("mateo",)): (
        {"FHC-5.in-canada-route", "FHC-2.may-apply"},
        {"FHC-5", "IRPA-S25-1", "FHC-1", "FHC-2", "FHC-3", "IRPA-S25"},
    ),
    ("kofi-rejected-over-refused", ("app1",)): (
        {"PROC-6.rejected", "PROC-6.authenticity"},
        {"PROC-6", "LIQ-A57", "LIQ-A71"},
    ),
}  # fmt: skip


@pytest.mark.parametrize(("name", "subject"), list(WHY), ids=[f"{n}-{'-'.join(s)}" for n, s in WHY])
def test_why_tree_rules_and_provisions(name: str, subject: tuple[str, ...]) -> None:
    rules, provisions = WHY[(name, subject)]
    for lang in LANGS:
        v = verdict_of(view(name, lang), *subject)
        found = list(steps(v["why"]))
        assert {s["rule"] for s in found} == rules
        assert {c["id"] for s in found for c in s["citations"]} == provisions
        if rules:
            assert v["status"] == "holds"
            assert {s["rule"] for s in v["why"]} == set(v["rules"])  # the rules that concluded it head its tree


def test_expected_verdicts_of_the_golden_cases() -> None:
    """The cases say what their comments say: the golden files explain the intended outcome."""
    statuses = {
        ("amina-selected", ("app1",)): ("holds", "selected"),
        ("kofi-refused", ("app1",)): ("holds", "refused"),
        ("rosa-rejected-documents", ("app1",)): ("holds", "rejected"),
        ("fatima-undetermined", ("app1",)): ("undetermined", None),
        ("layla-dependent-over-22", ("sami", "layla")): ("holds", True),
        ("mateo-federal-hc", ("mateo",)): ("holds", "in_canada_hc_application"),
        ("kofi-rejected-over-refused", ("app1",)): ("holds", "rejected"),
    }
    for (name, subject), (status, value) in statuses.items():
        v = verdict_of(view(name, "en"), *subject)
        assert (v["status"], v["value"] if status == "holds" else None) == (status, value), (name, subject)


# ---------------------------------------------------------------- why not


def test_why_not_names_only_conditions_that_fail() -> None:
    """No why-not entry blames a condition on a fact that, as stated in the case, makes it true. A `not X` that
    fails is said by X, which holds: as the case states it, or as a rule derives it."""
    negated = 0
    for name in CASES:
        for lang in LANGS:
            as_written, because = ("Not met: ", "Not met, because ") if lang == "en" else NOT_MET_FR
            for verdict in view(name, lang)["verdicts"]:
                for f in failures(verdict["why_not"]):
                    if f["reason"] != "condition":
                        continue
                    if f["fact"] is not None:
                        negated += 1
                        assert f["text"].lower() == (because + f["fact"]).lower()
                        stated = [i for i in f["inputs"] if i["text"] == f["fact"]]
                        derived = [b for b in f["because"] if b["conclusion"] == f["fact"]]
                        assert stated or derived, (name, f["rule"])
                        assert all(i["origin"] != "unknown" for i in stated)
                        continue
                    assert f["text"].startswith(as_written)
                    failed = f["text"].removeprefix(as_written)
                    for i in f["inputs"]:
                        assert i["text"].lower() != failed.lower(), (name, f["rule"], i)
    assert negated == 4  # kofi's answered refusal, mateo's presence in Canada, in both languages


def test_refused_case_names_the_one_condition_not_met() -> None:
    kofi = policy().explain(CASES_DIR / "kofi-refused.yaml", verdicts=["meets_selection_conditions"], why_not=True)
    (v,) = kofi["verdicts"]
    assert v["status"] == "fails"
    (f,) = v["why_not"]
    assert (f["rule"], f["reason"]) == ("QHC-3.conditions", "condition")
    assert f["text"] == "Not met: Kofi Mensah would suffer serious harm if returned to Ghana"
    assert f["inputs"] == [
        {
            "text": "Kofi Mensah would not suffer serious harm if returned to Ghana",
            "origin": "finding",
            "origin_text": "an officer's finding",
            "finding": True,
        }
    ]
    # The decision's "why not selected" comes down to the same single condition.
    decision = verdict_of(view("kofi-refused", "en"), "app1")
    selected = next(x for x in decision["why_not"] if x["rule"] == "PROC-4.selected")
    assert [(g["rule"], g["text"]) for g in selected["nested"]] == [(f["rule"], f["text"])]
    assert f"Not met: {f['text'].removeprefix('Not met: ')}" in rendered("kofi-refused", "en", "text")


def test_a_verdict_that_does_not_apply_is_hidden_but_explained_when_asked() -> None:
    """Mateo's father and sister have no H&C route: the route does not apply to them (andres is barred,
    valentina is a citizen); asked by name, each says why."""
    for lang in LANGS:
        shown = view("mateo-federal-hc", lang)
        assert [v["subject"] for v in shown["verdicts"]] == [["mateo"]]
        asked = policy().explain(
            CASES_DIR / "mateo-federal-hc.yaml",
            lang=lang,
            verdicts=["hc_route"],
            subjects=[("andres",), ("valentina",)],
        )
        for subject in ("andres", "valentina"):
            v = verdict_of(asked, subject)
            assert (v["status"], v["applicable"], v["why"]) == ("not_applicable", False, [])
    reasons = {v["subject"][0]: v["reason"] for v in asked["verdicts"]}  # the French ones, last asked
    assert reasons["andres"].startswith("Sans objet. Condition non remplie\u00a0: Andrés Restrepo peut demander")
    asked = policy().explain(
        CASES_DIR / "mateo-federal-hc.yaml", verdicts=["hc_route"], subjects=[("andres",), ("valentina",)]
    )
    assert {v["subject"][0]: v["reason"] for v in asked["verdicts"]} == {
        "andres": "Does not apply. Not met: Andrés Restrepo may apply for permanent residence on humanitarian and"
        " compassionate grounds (non-official source 004)",
        "valentina": "Does not apply. Not met: Valentina Restrepo could still make a new H&C application: a foreign"
        " national, in no application already, whose H&C application IRCC has not approved in principle",
    }
    andres = verdict_of(
        policy().explain(CASES_DIR / "mateo-federal-hc.yaml", verdicts=["may_apply_hc"], subjects=[("andres",)]),
        "andres",
    )
    assert andres["status"] == "fails" and andres["why"] == []
    assert [f["rule"] for f in andres["why_not"]] == ["FHC-2.may-apply"]
    assert andres["reason"] == andres["why_not"][0]["text"]


def test_priority_is_shown_on_both_rules() -> None:
    for lang in LANGS:
        v = verdict_of(view("kofi-rejected-over-refused", lang), "app1")
        (top,) = v["why"]
        assert top["rule"] == "PROC-6.rejected"
        assert [o["rule"] for o in top["prevailed_over"]] == ["PROC-5.no-answer"]
        overridden = [f for f in v["why_not"] if f["reason"] == "priority"]
        assert [(f["rule"], f["by"]["rule"]) for f in overridden] == [("PROC-5.no-answer", "PROC-6.rejected")]
    text = rendered("kofi-rejected-over-refused", "en", "text")
    assert '    * Takes priority over rule PROC-5.no-answer "Refused: no answer within 60 days' in text
    assert "    Overridden: rule PROC-6.rejected takes priority\n" in text
    assert "A priorité sur la règle PROC-5.no-answer" in rendered("kofi-rejected-over-refused", "fr", "text")


# ---------------------------------------------------------------- questions for undetermined verdicts


def question_of(fact: str, lang: str) -> str:
    """The input's question template filled with the display names of the case's entities."""
    case = policy().case(CASES_DIR / "fatima-undetermined.yaml")
    pred, _, rest = fact.partition("(")
    args = [a.strip() for a in rest.rstrip(")").split(",")]
    decl = policy().checked.predicates[pred]
    template = decl.text(lang, question=True)
    assert template, f"{pred} has no {lang} question"
    text = template.format(**{p.var: case.display(a) for p, a in zip(decl.params, args, strict=True)})
    return polish(text) if lang == "fr" else text


def test_questions_are_the_minimal_missing_sets() -> None:
    decision = policy().decide(CASES_DIR / "fatima-undetermined.yaml").get("decision", "app1")
    assert decision.status == "undetermined"
    assert [list(s) for s in decision.missing] == [["capacity_to_integrate(fatima)"]]
    for lang in LANGS:
        v = verdict_of(view("fatima-undetermined", lang), "app1")
        assert v["missing"] == [list(s) for s in decision.missing]
        assert [len(q) for q in v["questions"]] == [len(s) for s in v["missing"]]
        assert v["questions"] == [[question_of(f, lang) for f in s] for s in v["missing"]]
        for fmt in ("text", "markdown", "html"):
            out = rendered("fatima-undetermined", lang, fmt)  # type: ignore[arg-type]
            for q in v["questions"][0]:
                assert q.replace("'", "&#39;") in out if fmt == "html" else q in out
    assert verdict_of(view("fatima-undetermined", "fr"), "app1")["questions"] == [
        [
            "L'agente ou l'agent a-t-il conclu que Fatima Zahra El Amrani a la capacité de s'intégrer à la société"
            " québécoise (langue, capacité de contribuer à l'économie, liens familiaux et sociaux, connaissance du"
            " Québec)\u202f?"
        ]
    ]


def test_verdicts_that_are_decided_ask_nothing() -> None:
    for name in CASES:
        for v in view(name, "en")["verdicts"]:
            if v["status"] != "undetermined":
                assert v["missing"] == v["questions"] == []


# ---------------------------------------------------------------- non-official sources, officers' findings


def test_step_on_the_non_official_source_says_so() -> None:
    for lang in LANGS:
        v = view("mateo-federal-hc", lang)
        tree = {s["rule"]: s for s in steps(verdict_of(v, "mateo")["why"])}
        assert tree["FHC-5.in-canada-route"]["non_official"] is True
        assert tree["FHC-2.may-apply"]["non_official"] is True
        cited = {c["id"]: c for s in tree.values() for c in s["citations"]}
        assert {i for i, c in cited.items() if c["non_official"]} == {"FHC-1", "FHC-2", "FHC-3", "FHC-5"}
        assert all(cited[i]["authority"] == "secondary" for i in ("FHC-1", "FHC-2", "FHC-3", "FHC-5"))
        assert cited["IRPA-S25-1"]["non_official"] is False
        [djp] = [s for s in v["sources"] if s["non_official"]]  # listed once, with its provisions under it
        assert (djp["id"], djp["link"]) == ("DJP-HC", None)
        assert [p["id"] for p in djp["provisions"]] == ["FHC-1", "FHC-2", "FHC-3", "FHC-5", "FHC-7"]
    text = {lang: rendered("mateo-federal-hc", lang, "text") for lang in LANGS}
    assert "  Note: this step rests on a non-official source (FHC-5).\n" in text["en"]
    assert "  Remarque\u00a0: cette étape repose sur une source non officielle (FHC-5).\n" in text["fr"]
    assert "    [FHC-5] No new in-Canada application while one is submitted\n" in text["en"]
    assert text["en"].count("DJP Quebec Immigration Services") == 1
    html = {lang: rendered("mateo-federal-hc", lang, "html") for lang in LANGS}
    assert '<span class="badge unofficial">non-official source</span>' in html["en"]
    assert '<span class="badge unofficial">source non officielle</span>' in html["fr"]
    assert '<li class="step unofficial">' in html["en"]
    assert "**[non-official source]**" in rendered("mateo-federal-hc", "en", "markdown")


def test_steps_on_official_sources_carry_no_warning() -> None:
    v = verdict_of(view("amina-selected", "en"), "app1")
    assert not any(s["non_official"] for s in steps(v["why"]))
    assert "non-official" not in rendered("amina-selected", "en", "text")
    assert "badge unofficial" not in rendered("amina-selected", "en", "html")


FINDINGS = {  # the officer's findings the selection of Amina rests on
    "Amina Haddad is experiencing a particularly distressful situation",
    "Amina Haddad has the capacity to integrate into Québec society",
    "Amina Haddad's physical or psychological well-being would suffer significant negative impacts if they could"
    " not stay in Québec",
    "Amina Haddad would suffer serious harm if returned to Syria",
    "MIFI does not need to interview the applicant before deciding app1",
}


def test_officers_findings_are_marked() -> None:
    v = verdict_of(view("amina-selected", "en"), "app1")
    found = [i for c in conditions(v["why"]) for i in c["inputs"]]
    assert {i["text"] for i in found if i["finding"]} == FINDINGS
    assert all(i["origin"] == "finding" for i in found if i["finding"])
    assert all(i["origin"] == "stated" for i in found if not i["finding"])
    text = rendered("amina-selected", "en", "text")
    for sentence in FINDINGS:
        assert f"* {sentence} [an officer's finding]\n" in text
    assert "* Amina Haddad resides in Québec [stated in the case]\n" in text
    assert "[constat de l'agente ou de l'agent]" in rendered("amina-selected", "fr", "text")
    assert "**(an officer's finding)**" in rendered("amina-selected", "en", "markdown")
    html = rendered("amina-selected", "en", "html")
    for sentence in FINDINGS:
        assert f'{escape(sentence)}</span> <span class="origin finding finding">an officer&#39;s finding</span>' in html


# ---------------------------------------------------------------- French


def test_french_has_no_english_template_text() -> None:
    """Facts are phrased with the inputs' French templates, and the frame is French."""
    for name in CASES:
        names = {p["name"] for p in view(name, "en")["case"]["people"]}
        english = {i["text"] for i in inputs(view(name, "en"))} - names
        assert english
        for fmt in ("text", "markdown", "html"):
            fr = rendered(name, "fr", fmt)  # type: ignore[arg-type]
            leaked = [t for t in english if t in fr]
            assert not leaked, (name, fmt, leaked)
            for word in ("stated in the case", "officer's finding", "Why", "Not met", "by rule", "Sources:"):
                assert word not in fr, (name, fmt, word)
    fr = view("amina-selected", "fr")
    assert "Amina Haddad réside au Québec" in {i["text"] for i in inputs(fr)}


def test_french_names_no_predicate() -> None:
    fr = rendered("layla-dependent-over-22", "fr", "text")
    assert "birth date" not in fr and "Age (" not in fr


# ---------------------------------------------------------------- what would change a verdict


def test_what_if_changes_are_rendered_when_asked() -> None:
    for lang in LANGS:
        v = policy().explain(CASES_DIR / "amina-selected.yaml", lang=lang, verdicts=["decision"], what_if=True)
        changes = [c for w in verdict_of(v, "app1")["what_if"] for c in w["changes"]]
        assert changes
        heading = {"en": "What would change it", "fr": "Ce qui le changerait"}[lang]
        for fmt in ("text", "markdown", "html"):
            out = render(v, fmt)  # type: ignore[arg-type]
            assert heading in out
            for c in changes:
                shown = {"text": c["text"], "markdown": str(escape_md(c["text"])), "html": str(escape(c["text"]))}
                assert shown[fmt] in out, (lang, fmt, c["text"])
    assert "What would change it" not in rendered("amina-selected", "en", "text")  # only when asked


def test_when_only_a_finding_would_change_a_verdict_what_if_says_so_in_one_line() -> None:
    v = policy().explain(CASES_DIR / "kofi-refused.yaml", verdicts=["decision"], what_if=True)
    out = render(v, "text")
    assert "No change a person could make to the facts would change it." in out
    assert (
        "Only an officer's finding would change it: MIFI has reason to question the authenticity of information or"
        " documents provided for app1" in out
    )
    held = out.split("Held as they are (past events and officers' findings):")[1]
    assert "Kofi Mensah's country of origin is Ghana" in held  # a past event, held
    asked = policy().explain(CASES_DIR / "kofi-refused.yaml", verdicts=["decision"], what_if=True, include_judged=True)
    changes = [c for w in verdict_of(asked, "app1")["what_if"] for c in w["changes"]]
    assert changes and all(c["finding"] for c in changes)


def test_each_value_of_an_unknown_fact_that_decides_a_verdict_is_found() -> None:
    """The checker runs in the proposer's grounding: each proposal is checked on the free pair of copies, and a
    proposal that flips the verdict is kept (here every one of the five statuses decides it)."""
    p = policy()
    found = what_if(
        p.program, p.checked, p.case(EXAMPLES_DIR / "amina-selected.yaml"), "canada_decides_asylum_claim", ("lina",)
    )
    assert [([str(c) for c in w.changes], w.status, w.takes_out) for w in found] == [
        (["immigration_status(lina) = asylum_claimant"], "holds", ()),
        (["immigration_status(lina) = citizen"], "fails", ("JUR-1.asylum-claim",)),
        (["immigration_status(lina) = foreign_national"], "fails", ("JUR-1.asylum-claim",)),
        (["immigration_status(lina) = permanent_resident"], "fails", ("JUR-1.asylum-claim",)),
        (["immigration_status(lina) = protected_person"], "fails", ("JUR-1.asylum-claim",)),
    ]
    assert part(p.checked, "decision") is part(p.checked, "decision")  # each verdict's part made once


def test_what_if_holds_only_the_facts_the_subjects_verdict_reads() -> None:
    """Leila's eligibility reads her own approval in principle: the family's other approvals are not listed."""
    case = EXAMPLES_DIR / "leila-family-selection.yaml"
    v = policy().explain(case, verdicts=["eligible_for_program"], subjects=[("leila",)], what_if=True)
    assert verdict_of(v, "leila")["held_fixed"] == [
        "IRCC has approved in principle (stage one) Leila Karimi's application for permanent residence on humanitarian"
        " and compassionate grounds"
    ]


def test_verdicts_searched_side_by_side_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    case = EXAMPLES_DIR / "kofi-refused.yaml"
    monkeypatch.setattr(explanation, "WHAT_IF_SECONDS", 600.0)
    found = {}
    for searchers in (1, 3):
        monkeypatch.setattr(explanation, "SEARCHERS", searchers)
        found[searchers] = policy().explain(case, what_if=True)
    assert found[1] == found[3]
    assert sum(len(v["what_if"]) for v in found[1]["verdicts"]) > 20


# ---------------------------------------------------------------- HTML and Markdown


def test_html_escapes_names_from_the_case() -> None:
    doc = yaml.safe_load((CASES_DIR / "amina-selected.yaml").read_text(encoding="utf-8"))
    doc["persons"]["amina"]["name"] = XSS
    for lang in LANGS:
        v = policy().explain(doc, lang=lang, verdicts=["decision"], why_not=True)
        html = render(v, "html")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script" not in html.lower()
        md = render(v, "markdown")
        assert "\\<script\\>alert(1)\\</script\\>" in md
        assert "<script>" not in md
        assert XSS in render(v, "text")  # plain text is shown as is


@pytest.mark.parametrize("name", list(CASES))
def test_every_citation_links_to_its_source(name: str) -> None:
    for lang in LANGS:
        v = view(name, lang)
        anchors = {p["anchor"] for s in v["sources"] for p in s["provisions"]}
        anchors |= {s["anchor"] for s in v["sources"] if s["cited_whole"]}
        html = rendered(name, lang, "html")
        sources = lambda found: {a for a in found if a.startswith("src-")}  # noqa: E731 (the others are verdicts)
        assert sources(re.findall(r'href="#([^"]+)"', html)) == anchors
        assert set(re.findall(r'<li id="([^"]+)"', html)) == anchors
        md = rendered(name, lang, "markdown")
        assert sources(re.findall(r"\]\(#([^)]+)\)", md)) == anchors
        assert sources(re.findall(r'<a id="([^"]+)"></a>', md)) == anchors
        assert f'<html lang="{lang}">' in html


def test_html_is_self_contained() -> None:
    for name in CASES:
        html = rendered(name, "en", "html")
        assert "<script" not in html and "<link" not in html and "@import" not in html
        assert not re.search(r'\ssrc="', html)
        assert html.count("<details open>") == sum(
            1
            for v in view(name, "en")["verdicts"]
            for s in v["why"]
            if s["conditions"] or s["exceptions"] or s["prevailed_over"]
        )


def test_one_template_per_format_and_complete_catalogues() -> None:
    """The words are in the catalogues: no template per language, no message missing, stale or untranslated."""
    from explain.wording.catalogue import drift

    assert sorted(p.name for p in TEMPLATES.iterdir()) == [
        "agenda.txt.j2",
        "decision.txt.j2",
        "explanation.css",
        "explanation.html.j2",
        "explanation.md.j2",
        "explanation.txt.j2",
        "explanation_macros.html.j2",
    ]
    d = drift("fr")
    assert (d.missing, d.stale, d.untranslated) == ([], [], [])


EXAMPLES_DIR = ROOT / "policy/examples"


@pytest.mark.parametrize("example", sorted(p.stem for p in EXAMPLES_DIR.glob("*.yaml")))
def test_what_if_never_changes_a_past_event_or_a_finding_unless_asked(example: str) -> None:
    """Every verdict of every shipped example: what-if proposes no change to a `fixed` input or an officer's
    finding without the flag."""
    preds = policy().checked.predicates
    v = policy().explain(EXAMPLES_DIR / f"{example}.yaml", what_if=True)
    proposed = [c["fact"] for w in v["verdicts"] for p in w.get("what_if", []) for c in p["changes"]]
    forbidden = [f for f in proposed if preds[f.split("(")[0]].fixed or preds[f.split("(")[0]].kind == "judged"]
    assert forbidden == []
    if example == "amina-selected":  # not vacuous: the selected case has changes to propose
        assert "form_signed(app1)" in proposed


@pytest.mark.parametrize(
    ("lang", "unknown_value", "later_letter"),
    [
        (
            "en",
            "Not met: the answer to the rejection letter for app1, with convincing evidence addressing the reasons,"
            " is due on … (date not known)",
            "No letter concerns app1, is a request for missing documents and is dated after March 2, 2026",
        ),
        (
            "fr",
            "Condition non remplie\u00a0: la réponse à la lettre de rejet d'app1, avec une preuve convaincante"
            " répondant aux motifs, doit parvenir au plus tard le … (date inconnue)",
            "Aucune lettre ne porte sur app1, n'est une demande de documents manquants et n'est datée après le 2 mars"
            " 2026",
        ),
    ],
)
def test_a_value_not_known_and_a_date_of_some_letter_are_worded(
    lang: str, unknown_value: str, later_letter: str
) -> None:
    case = CASES_DIR / "rosa-rejected-documents.yaml"
    verdicts = ["administrative_review_possible", "documents_due"]
    text = render(policy().explain(case, lang=lang, verdicts=verdicts, why_not=True), "text")
    lines = [line.strip().removeprefix("* ") for line in text.splitlines()]
    assert unknown_value in lines and later_letter in lines


@pytest.mark.parametrize(
    ("lang", "case", "verdict", "sentence"),
    [
        (
            "en",
            "kofi-refused",
            "mifi_sends_refusal_letter",
            "Not met: no letter concerns app1 and is a letter announcing a refusal; the refusal letter of 4 May 2026 is"
            " one",
        ),
        (
            "fr",
            "rosa-rejected-documents",
            "mifi_sends_rejection_letter",
            "Aucune lettre ne porte sur app1 et n'est une lettre de rejet",
        ),
    ],
)
def test_the_conditions_of_a_some_clause_share_its_entity(lang: str, case: str, verdict: str, sentence: str) -> None:
    """Said of the entity they are about once, not once per condition."""
    view = policy().explain(EXAMPLES_DIR / f"{case}.yaml", lang=lang, verdicts=[verdict], why_not=True)
    lines = [line.strip().removeprefix("* ") for line in render(view, "text").splitlines()]
    assert sentence in lines


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        (
            "en",
            "No application is such that the principal applicant of that application is Reza Karimi and MIFI sent the"
            " invitation to apply for permanent selection, the form and the list of required documents for that"
            " application",
        ),
        (
            "fr",
            "Aucune demande n'est telle que la personne requérante principale de cette demande est Reza Karimi et le"
            " MIFI a transmis l'invitation à présenter une demande de sélection permanente, le formulaire et la liste"
            " des documents requis pour cette demande",
        ),
    ],
)
def test_a_some_clause_not_about_its_entity_names_it_once_then_refers_to_it(
    tmp_path: Path, lang: str, sentence: str
) -> None:
    """The shipped policy written with the `not some` clause that `invitation_on_file` now names: its entity is not
    the subject of its conditions, so it is named once ("no application"), then referred to ("that application").
    The verdict applies to every person, as it did then, so that Reza, included in Leila's application, is asked."""
    shutil.copytree(ROOT / "policy", tmp_path / "policy")
    rules = tmp_path / "policy/qhc/next_steps.havre"
    written = rules.read_text(encoding="utf-8")
    clause = "and not some A where (principal(A) = P and invitation_issued(A))."
    applies = "  applies if not in_another_process(P) and not citizen_or_permanent_resident(P)\n"
    assert written.count(applies) == 1
    rewritten = written.replace("and not invitation_on_file(P).", clause).replace(applies, "")
    rules.write_text(rewritten, encoding="utf-8")
    edited = load_policy(tmp_path / "policy", cache=False)
    case = EXAMPLES_DIR / "leila-family-selection.yaml"
    view = edited.explain(case, lang=lang, verdicts=["ircc_sends_file_to_mifi"], why_not=True)
    lines = [line.strip().removeprefix("* ") for line in render(view, "text").splitlines()]
    assert sentence in lines


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        (
            "en",
            "no letter concerns app1, is a request for missing documents and is dated after March 2, 2026; Request of"
            " 1 April 2026 is one",
        ),
        (
            "fr",
            "aucune lettre ne porte sur app1, n'est une demande de documents manquants et n'est datée après le 2 mars"
            " 2026\u202f; Request of 1 April 2026 en est une",
        ),
    ],
)
def test_a_not_some_clause_that_fails_names_the_entity_and_its_facts(lang: str, sentence: str) -> None:
    """`not some L2 where (… and sent_on(L2) > sent_on(L))` when a later request exists: the clause as written, the
    request there is, and the facts that make it one (its date among them), not "it is not the case that …"."""
    document = yaml.safe_load((EXAMPLES_DIR / "rosa-rejected-documents.yaml").read_text(encoding="utf-8"))
    later = {"letter_application": "app1", "letter_kind": "missing_documents_request", "sent_on": "2026-04-01"}
    document["letters"]["request_2026_04_01"] = {"name": "Request of 1 April 2026", **later}
    case = policy().case(document)
    graph, _ = policy().explainer.graph(case)
    checked = next(r for r in policy().checked.rules if r.id == "PROC-2.documents-due")
    rule = checked.rule
    assert isinstance(rule.body, n.And)
    later_one = next(c for c in rule.body.items if isinstance(c, n.Not))
    env = {"L": "request_2026_03_02", "A": "app1"}
    words = Views(policy().checked, case, graph, lang).sentences
    with words.rule(rule.id):
        assert words.sentence(later_one, env, failing=True) == sentence
    facts = graph.condition(later_one, env, checked, 0, holds=False).inputs
    assert [(i.pred, i.args, i.value, i.origin) for i in facts] == [
        ("letter_application", ("request_2026_04_01",), "app1", "stated"),
        ("letter_kind", ("request_2026_04_01",), "missing_documents_request", "stated"),
        ("sent_on", ("request_2026_04_01",), dt.date(2026, 4, 1), "stated"),
        ("sent_on", ("request_2026_03_02",), dt.date(2026, 3, 2), "stated"),
    ]


@pytest.mark.parametrize(
    ("lang", "sentence", "evidence"),
    [
        (
            "en",
            "Majok Deng Garang is a family member included in Deng Garang Akol's resettlement application and the"
            " migration officer found Majok Deng Garang inadmissible to Canada (medical examination, security"
            " screening or criminality check)",
            [
                "[stated in the case] Majok Deng Garang is a family member included in Deng Garang Akol's"
                " resettlement application",
                "[an officer's finding] The migration officer found Majok Deng Garang inadmissible to Canada (medical"
                " examination, security screening or criminality check)",
            ],
        ),
        (
            "fr",
            "Majok Deng Garang est un membre de la famille inclus dans la demande de réinstallation de Deng Garang"
            " Akol et l'agente ou l'agent de migration a conclu à l'interdiction de territoire de Majok Deng Garang"
            " au Canada (examen médical, contrôle de sécurité ou vérification de la criminalité)",
            [
                "[indiqué au dossier] Majok Deng Garang est un membre de la famille inclus dans la demande de"
                " réinstallation de Deng Garang Akol",
                "[constat de l'agente ou de l'agent] L'agente ou l'agent de migration a conclu à l'interdiction de"
                " territoire de Majok Deng Garang au Canada (examen médical, contrôle de sécurité ou vérification de"
                " la criminalité)",
            ],
        ),
    ],
)
def test_a_some_clause_that_holds_lists_the_facts_of_its_entity(lang: str, sentence: str, evidence: list[str]) -> None:
    """`some M where (refugee_family(R, M) and not found_admissible_abroad(M))` refuses the visa: the family member
    is named, and the facts that make the clause hold are listed under it, the officer's finding marked as one."""
    document = yaml.safe_load((EXAMPLES_DIR / "deng-gar-camp.yaml").read_text(encoding="utf-8"))
    document["persons"]["majok"]["found_admissible_abroad"] = False
    view = policy().explain(policy().case(document), lang=lang, verdicts=["refugee_pr_visa"])
    lines = [line.strip().removeprefix("* ") for line in render(view, "text").splitlines()]
    assert lines[lines.index(sentence) + 1 : lines.index(sentence) + 3] == evidence


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        (
            "en",
            "Not met: the change in situation (Reza Karimi started a job as a machinist) was reported to IRCC on"
            " October 20, 2026, after October 31, 2026",
        ),
        (
            "fr",
            "Condition non remplie\u00a0: le changement de situation (Reza Karimi a commencé un emploi de machiniste)"
            " a été déclaré à IRCC le 20 octobre 2026, après le 31 octobre 2026",
        ),
    ],
)
def test_of_two_dates_given_by_facts_the_first_is_said_with_its_fact(lang: str, sentence: str) -> None:
    """`change_reported_on(X) > D`, D the due date: what was reported when, not "20 October 2026 is after …"."""
    view = policy().explain(
        EXAMPLES_DIR / "leila-family-selection.yaml", lang=lang, verdicts=["change_report_late"], why_not=True
    )
    assert sentence in [line.strip() for line in render(view, "text").splitlines()]


def test_a_case_explained_again_reads_the_same_in_either_language() -> None:
    """What one explanation keeps (atoms read, dates worded, derivations worked out) changes no other."""
    case = CASES_DIR / "kofi-refused.yaml"
    first = {lang: policy().explain(case, lang=lang, why_not=True) for lang in LANGS}
    again = {lang: policy().explain(case, lang=lang, why_not=True) for lang in reversed(LANGS)}
    assert first == again
    assert first["en"]["verdicts"] != first["fr"]["verdicts"]


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        (
            "en",
            "Applies only if MIFI decided that Ruth Kabila's application for permanent selection is other than"
            " refused or rejected",
        ),
        (
            "fr",
            "S'applique seulement si le MIFI a décidé que la demande de sélection permanente de Ruth Kabila est autre"
            " que refusée ou rejetée",
        ),
    ],
)
def test_values_a_condition_excludes_are_said_once_as_other_than(lang: str, line: str) -> None:
    """`applies if not decision(A) = refused and not decision(A) = rejected`: one fact, the values it is not, in
    the `clause` text of `decision`; not "it is not the case that …: refused and it is not the case that …:
    rejected"."""
    view = policy().explain(EXAMPLES_DIR / "grace-services.yaml", lang=lang, verdicts=["supporting_family_harm"])
    (verdict,) = view["verdicts"]
    assert (verdict["status"], verdict["applies_line"]) == ("undetermined", line)
    assert f"  {line}." in render(view, "text").splitlines()


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en", "Applies only if Yusuf Haddad is not a Canadian citizen"),
        ("fr", "S'applique seulement si Yusuf Haddad n'a pas la citoyenneté canadienne"),
    ],
)
def test_applies_only_if_says_only_what_the_case_leaves_in_doubt(lang: str, line: str) -> None:
    """`applies if resides_in_quebec(P) and not canadian_citizen(P)`: Yusuf resides in Québec, his status is not
    stated; the line names the citizenship alone, and the verdict keeps the answer its rules give."""
    view = policy().explain(EXAMPLES_DIR / "amina-selected.yaml", lang=lang, verdicts=["access_integration_services"])
    (yusuf,) = [v for v in view["verdicts"] if v["subject"] == ["yusuf"]]
    assert (yusuf["status"], yusuf["applicable"], yusuf["applies_line"]) == ("holds", None, line)
    assert f"  {line}." in render(view, "text").splitlines()


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (
            "en",
            [
                "Not met: Québec and Canada agreed to admit government-assisted refugees from Syria under a pool of"
                " government-assisted refugees",
                "Not met: Rania Al-Khatib's resettlement application was counted among the places of a pool of"
                " government-assisted refugees",
            ],
        ),
        (
            "fr",
            [
                "Condition non remplie : le Québec et le Canada ont convenu d'admettre des réfugiés pris en charge par"
                " l'État provenant du pays suivant dans un bassin de réfugiés pris en charge par l'État : la Syrie",
                "Condition non remplie : la demande de réinstallation de Rania Al-Khatib a été comptée parmi les places"
                " d'un bassin de réfugiés pris en charge par l'État",
            ],
        ),
    ],
)
def test_an_entity_the_case_does_not_name_is_said_by_its_kind_once(lang: str, lines: list[str]) -> None:
    """A pool the case has none of reads as "a pool of government-assisted refugees", not "the pool a pool of …";
    a named one as its name ("the 2026 GAR selection pool (Québec-Canada)")."""
    view = policy().explain(EXAMPLES_DIR / "rania-psr-montreal-group.yaml", lang=lang, verdicts=["within_gar_pool"])
    text = [line.strip().replace("\u00a0", " ") for line in render(view, "text").splitlines()]
    assert [line for line in text if line.startswith(("Not met", "Condition non remplie"))] == lines


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        (
            "en",
            "* The sponsors have submitted Rania Al-Khatib's resettlement application, the refugees' application for"
            " permanent residence, to ROC-O [stated in the case]",
        ),
        (
            "fr",
            "* Les répondants ont présenté la demande de réinstallation de Rania Al-Khatib, la demande de résidence"
            " permanente des personnes réfugiées, au CORO [indiqué au dossier]",
        ),
    ],
)
def test_an_entity_named_by_the_case_is_not_named_again_by_its_kind(lang: str, line: str) -> None:
    """The refugees' application is named as the case names it, not as "the refugee's permanent residence
    application Rania Al-Khatib's resettlement application"."""
    view = policy().explain(EXAMPLES_DIR / "rania-psr-montreal-group.yaml", lang=lang, verdicts=["roc_creates_case"])
    assert line in [text.strip() for text in render(view, "text").splitlines()]


@pytest.mark.parametrize(
    ("lang", "heading", "condition"),
    [
        ("en", "[holds] MIFI's decision on app1: selected", "* MIFI decided that app1 is selected"),
        ("fr", "[établi] Décision du MIFI sur app1\u00a0: sélectionnée", "* Le MIFI a décidé qu'app1 est sélectionnée"),
    ],
)
def test_a_value_read_in_a_condition_is_said_in_its_clause_text(lang: str, heading: str, condition: str) -> None:
    """The verdict keeps its label where it is the answer; the rule that reads it says it as a sentence, and the
    step that concludes it, under that sentence, does not repeat it as a label."""
    view = policy().explain(EXAMPLES_DIR / "amina-selected.yaml", lang=lang, verdicts=["decision", "csq_count"])
    lines = [line.strip() for line in render(view, "text").splitlines()]
    assert heading in lines
    below = lines[lines.index(condition) + 1]
    assert below.startswith(("by rule PROC-4.selected ", "selon la règle PROC-4.selected ")), below


@pytest.mark.parametrize(
    ("lang", "condition", "rule"),
    [
        ("en", "* Leila Karimi has access to the services open after the CSQ", "by rule SVC-4.csq "),
        ("fr", "* Leila Karimi a accès aux services ouverts après le CSQ", "selon la règle SVC-4.csq "),
    ],
)
def test_a_long_yes_no_text_is_said_short_in_a_condition(lang: str, condition: str, rule: str) -> None:
    """The services a person has access to are listed where that is the answer, not in each rule that reads it."""
    view = policy().explain(
        EXAMPLES_DIR / "leila-family-selection.yaml", lang=lang, verdicts=["access_integration_services"]
    )
    lines = [line.strip() for line in render(view, "text").splitlines()]
    assert lines[lines.index(condition) + 1].startswith(rule)


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        (
            "en",
            "* The migration officer abroad found Deng Garang Akol to be a Convention refugee abroad [an officer's"
            " finding]",
        ),
        (
            "fr",
            "* L'agente ou l'agent de migration à l'étranger a conclu que Deng Garang Akol est une personne réfugiée"
            " au sens de la Convention outre-frontières [constat de l'agente ou de l'agent]",
        ),
    ],
)
def test_a_finding_under_its_condition_is_said_as_the_condition_is(lang: str, line: str) -> None:
    """An input listed under the condition that reads it uses the same `clause` text, so the two stay one line."""
    view = policy().explain(EXAMPLES_DIR / "deng-gar-camp.yaml", lang=lang, verdicts=["gar_criteria_met"])
    assert line in [text.strip() for text in render(view, "text").splitlines()]


def test_applies_only_if_is_one_sentence_with_its_elisions() -> None:
    """ "S'applique seulement s'il existe …", not "… si il existe …": the line is polished as a whole."""
    view = policy().explain(EXAMPLES_DIR / "grace-services.yaml", lang="fr", verdicts=["csq_expiry"])
    lines = {v["applies_line"] for v in view["verdicts"]}
    assert lines == {
        "S'applique seulement s'il existe des certificats de sélection du Québec pour la demande de sélection"
        " permanente de Ruth Kabila\u00a0: le MIFI a sélectionné la personne requérante, ou les a délivrés"
    }


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (
            "en",
            [
                "Not met, because MIFI has sent Leila Karimi the invitation to apply for permanent selection",
                'by rule QHC-2.invitation-on-file (policy/qhc/next_steps.havre:99) "The invitation is on file for an'
                ' application of which the person is the principal applicant", applying QHC-2 (IRCC approval in'
                " principle first, then MIFI's invitation).",
                "* The principal applicant of Leila Karimi's application for permanent selection is Leila Karimi"
                " [stated in the case]",
                "* MIFI sent the invitation to apply for permanent selection, the form and the list of required"
                " documents for Leila Karimi's application for permanent selection [stated in the case]",
            ],
        ),
        (
            "fr",
            [
                "Condition non remplie, car le MIFI a transmis à Leila Karimi l'invitation à présenter une demande de"
                " sélection permanente",
                "selon la règle QHC-2.invitation-on-file (policy/qhc/next_steps.havre:99) «\u00a0L'invitation figure"
                " au dossier d'une demande dont la personne est la requérante principale\u00a0», en application de"
                " QHC-2 (Approbation en principe d'IRCC d'abord, puis invitation du MIFI).",
                "* La personne requérante principale de la demande de sélection permanente de Leila Karimi est Leila"
                " Karimi [indiqué au dossier]",
                "* Le MIFI a transmis l'invitation à présenter une demande de sélection permanente, le formulaire et la"
                " liste des documents requis pour la demande de sélection permanente de Leila Karimi [indiqué au"
                " dossier]",
            ],
        ),
    ],
)
def test_a_rule_stopped_by_a_derived_fact_says_why_that_fact_holds(lang: str, lines: list[str]) -> None:
    """`not invitation_on_file(P)` fails for Leila Karimi, whose invitation is on file: "Not met, because" it is,
    then (not saying it again) the rule that concluded it and the stated facts it read."""
    case = EXAMPLES_DIR / "leila-family-selection.yaml"
    view = policy().explain(case, lang=lang, verdicts=["ircc_sends_file_to_mifi"])
    [verdict] = [v for v in view["verdicts"] if v["subject"] == ["leila"]]
    [failure] = verdict["why_not"]
    assert (failure["rule_id"], [b["rule_id"] for b in failure["because"]]) == (
        "QHC-2.file-to-mifi",
        ["QHC-2.invitation-on-file"],
    )
    shown = [line.strip() for line in render(view, "text").splitlines()]
    at = shown.index(lines[0])
    assert shown[at : at + len(lines)] == lines


def test_a_value_compared_in_a_failed_condition_says_how_it_was_found() -> None:
    """Sami Benali, 23, was 22 when the application was made: each rule that would make him a dependent child
    fails on an age, and the rule that found that age is given under it (once in full, then "as shown above")."""
    [verdict] = [v for v in view("layla-dependent-over-22", "en")["verdicts"] if v["subject"] == ["sami", "layla"]]
    found = {f["rule_id"]: [(b["rule_id"], b["again"]) for b in f["because"]] for f in verdict["why_not"]}
    assert found == {
        "FAM-2.under-22-on-application": [("FAM-2.age-on-application", False)],
        "FAM-2.under-22": [("FAM-2.age", True)],
    }


EXCLUDING = """\
source S "https://example.org/s" "A document" authority law
entity person
input status(P: person): one of citizen, permanent_resident, foreign_national
  en "{P} is {value}"
  fr "{P} est {value}"
  question en "What is the status of {P}?"
  question fr "Quel est le statut de {P} ?"
  label citizen en "a Canadian citizen"
  label citizen fr "de citoyenneté canadienne"
  label permanent_resident en "a permanent resident"
  label permanent_resident fr "titulaire de la résidence permanente"
  label foreign_national en "a foreign national"
  label foreign_national fr "une personne ressortissante étrangère"
verdict may_apply(P: person)
  en "{P} may apply"
  fr "{P} peut présenter une demande"
rule R1 "Only a foreign national applies" fr "Seule une personne ressortissante étrangère présente une demande" cites S
  may_apply(P) if status(P) != citizen and status(P) != permanent_resident.
"""


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (
            "en",
            [
                "Not met: Samir Haddad is other than a permanent resident",
                "* Fatou Diallo is a foreign national, not a Canadian citizen",
                "* Fatou Diallo is a foreign national, not a permanent resident",
            ],
        ),
        (
            "fr",
            [
                "Condition non remplie\u00a0: Samir Haddad est autre que titulaire de la résidence permanente",
                "* Fatou Diallo est une personne ressortissante étrangère, et non de citoyenneté canadienne",
                "* Fatou Diallo est une personne ressortissante étrangère, et non titulaire de la résidence permanente",
            ],
        ),
    ],
)
def test_a_value_a_condition_excludes_with_not_equal_is_said_by_its_label(
    tmp_path: Path, lang: str, lines: list[str]
) -> None:
    """`status(P) != permanent_resident`: the value written in the rule in its label, never its name in the policy
    ("…, not permanent resident"); met, as compared with the fact's value; not met, as the value it excludes."""
    (tmp_path / "main.havre").write_text(EXCLUDING, encoding="utf-8")
    persons = {"samir": {"name": "Samir Haddad", "status": "permanent_resident"}}
    persons["fatou"] = {"name": "Fatou Diallo", "status": "foreign_national"}
    case = {"case": "c1", "assessment_date": "2026-01-01", "persons": persons}
    view = load_policy(tmp_path, cache=False).explain(case, lang=lang, why_not=True, show_all=True)
    rendered_lines = [line.strip() for line in render(view, "text").splitlines()]
    assert [line for line in lines if line not in rendered_lines] == []
    assert not [line for line in rendered_lines if "permanent_resident" in line or "permanent resident," in line]


@pytest.mark.parametrize(
    ("lang", "family", "line"),
    [
        ("en", [], "Deng Garang Akol's resettlement application concerns 1 person: the principal applicant"),
        ("en", ["achol"], "Deng Garang Akol's resettlement application concerns 2 persons: the principal applicant"),
        ("fr", [], "La demande de réinstallation de Deng Garang Akol vise 1 personne : la personne requérante"),
        ("fr", ["achol"], "La demande de réinstallation de Deng Garang Akol vise 2 personnes : la personne"),
    ],
)
def test_a_number_is_followed_by_its_noun_in_the_singular_or_the_plural(
    lang: str, family: list[str], line: str
) -> None:
    """`{value:person|persons}`: one person, two persons, by the language's rule (Babel's)."""
    case = yaml.safe_load((EXAMPLES_DIR / "deng-gar-camp.yaml").read_text(encoding="utf-8"))
    case["refugee_applications"]["deng_case"]["refugee_family"] = family
    view = policy().explain(case, lang=lang, verdicts=["refugee_case_size"])
    [heading] = [v["label"] for v in view["verdicts"]]
    assert heading.replace("\u00a0", " ").startswith(line)


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (
            "en",
            [
                "[does not apply] Deng Garang Akol's resettlement application may be selected by Québec as a privately"
                " sponsored refugee (PSR) under a collective sponsorship",
                "Does not apply. Not met: Deng Garang Akol's resettlement application is the subject of a collective"
                " sponsorship undertaking",
            ],
        ),
        (
            "fr",
            [
                "[sans objet] La demande de réinstallation de Deng Garang Akol peut être sélectionnée par le Québec au"
                " titre des réfugiés parrainés par le secteur privé (parrainage collectif)",
                "Sans objet. Condition non remplie : la demande de réinstallation de Deng Garang Akol fait l'objet"
                " d'un engagement de parrainage collectif",
            ],
        ),
    ],
)
def test_a_verdict_asked_for_by_name_is_shown_where_it_does_not_apply(lang: str, lines: list[str]) -> None:
    """Asked about the PSR route of a government-assisted case, the explanation says it does not apply and why,
    rather than that one verdict is hidden; unasked, it is one of those hidden and counted."""
    view = policy().explain(EXAMPLES_DIR / "deng-gar-camp.yaml", lang=lang, verdicts=["psr_selectable"])
    text = [line.strip().replace("\u00a0", " ") for line in render(view, "text").splitlines()]
    assert text[-2:] == lines and view["hidden"] == 0
    every = policy().explain(EXAMPLES_DIR / "deng-gar-camp.yaml", lang=lang)
    assert "psr_selectable" not in {v["verdict"] for v in every["verdicts"]} and every["hidden"] == 162


def test_a_count_not_known_takes_the_plural() -> None:
    """A number not known reads "… persons", not a fault in filling `{value:person|persons}`."""
    from explain.wording.phrases import Phrases

    loaded = policy()
    case = loaded.case(EXAMPLES_DIR / "deng-gar-camp.yaml")
    said = {lang: Phrases(loaded.checked, case, lang).fact("refugee_case_size", ("deng_case",)) for lang in LANGS}
    assert said["en"].startswith("Deng Garang Akol's resettlement application concerns … persons: ")
    assert said["en"].endswith(" (not known)")
    assert said["fr"].startswith("la demande de réinstallation de Deng Garang Akol vise … personnes")


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        (
            "en",
            "Not met, because the change in situation (Reza Karimi started a job as a machinist) was reported to IRCC"
            " [stated in the case]",
        ),
        (
            "fr",
            "Condition non remplie, car le changement de situation (Reza Karimi a commencé un emploi de machiniste) a"
            " été déclaré à IRCC [indiqué au dossier]",
        ),
    ],
)
def test_a_not_that_fails_is_said_by_what_holds_and_where_it_comes_from(lang: str, line: str) -> None:
    """`not change_reported(X)` fails for Reza Karimi's new job, which was reported: said by that fact, stated in
    the case, on one line (as written, "Not met: … was not reported to IRCC" reads as the opposite)."""
    case = EXAMPLES_DIR / "leila-family-selection.yaml"
    view = policy().explain(case, lang=lang, verdicts=["change_report_late"], why_not=True)
    [verdict] = [v for v in view["verdicts"] if v["subject"] == ["reza_new_job"]]
    [failure] = [f for f in verdict["why_not"] if f["rule_id"] == "PROC-3.not-reported"]
    fact = line.split(" [")[0].split(", because " if lang == "en" else ", car ")[1]
    assert failure["fact"] == fact[0].upper() + fact[1:]
    shown = [text.strip() for text in render(view, "text").splitlines()]
    assert line in shown
    said = [text for text in shown if "machinist)" in text or "machiniste)" in text]
    assert not any("was not reported" in text or "n'a pas été déclaré" in text for text in said)
