"""A refusal leads with the conditions found unmet, and only those, whichever refusal rule concluded it;
any verdict of any subject can be explained, whatever its status."""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from typing import Any

import yaml

from explain.rendering.render import render
from havre.api import Policy, load_policy
from tests.helpers import ROOT

KOFI = ROOT / "policy/examples/kofi-refused.yaml"


@cache
def policy() -> Policy:
    return load_policy(ROOT / "policy")


def kofi(**changes: Any) -> dict[str, Any]:
    """Kofi's case, with his person's facts changed."""
    doc = yaml.safe_load(KOFI.read_text(encoding="utf-8"))
    doc["persons"]["kofi"].update(changes)
    return doc


def decision_view(doc: dict[str, Any], lang: str = "en") -> dict[str, Any]:
    view = policy().explain(doc, lang=lang, verdicts=["decision"])
    [v] = view["verdicts"]
    return v


def test_refused_after_an_answer_leads_with_the_one_condition_not_met() -> None:
    v = decision_view(kofi())
    assert (v["value"], v["rules"]) == ("refused", ["PROC-5.after-answer"])
    assert [(g["text"], g["origin_text"]) for g in v["grounds"]] == [
        ("Not met: Kofi Mensah would suffer serious harm if returned to Ghana", "an officer's finding")
    ]
    assert v["reason"] == "Not met: Kofi Mensah would suffer serious harm if returned to Ghana"


def test_refused_without_an_answer_names_every_condition_not_met_and_only_those() -> None:
    doc = kofi(capacity_to_integrate=False)
    letter = doc["letters"]["refusal_2026_05_04"]
    letter["answer_received"] = False
    del letter["answer_received_on"]
    v = decision_view(doc)
    assert (v["value"], v["rules"]) == ("refused", ["PROC-5.no-answer"])
    assert [g["text"] for g in v["grounds"]] == [
        "Not met: Kofi Mensah has the capacity to integrate into Québec society",
        "Not met: Kofi Mensah would suffer serious harm if returned to Ghana",
    ]
    fr = decision_view(doc, "fr")
    assert [g["text"] for g in fr["grounds"]] == [
        "Condition non remplie\u00a0: Kofi Mensah a la capacité de s'intégrer à la société québécoise",
        "Condition non remplie\u00a0: Kofi Mensah subirait un préjudice grave en cas de retour dans son pays"
        " d'origine, le Ghana",
    ]
    text = render(policy().explain(doc, verdicts=["decision"]), "text")
    grounds = text.index("Grounds:")
    assert grounds < text.index("Why:")
    assert text[grounds:].splitlines()[1:3] == [
        "  - Not met: Kofi Mensah has the capacity to integrate into Québec society [an officer's finding]",
        "  - Not met: Kofi Mensah would suffer serious harm if returned to Ghana [an officer's finding]",
    ]


def test_a_rejection_leads_with_its_ground() -> None:
    v = policy().explain(ROOT / "policy/examples/rosa-rejected-documents.yaml", verdicts=["decision"])["verdicts"][0]
    assert [g["text"] for g in v["grounds"]] == [
        "Rejection ground: the missing items were not supplied within 60 days of MIFI's request (PROC-2.late-documents)"
    ]


def explain(*args: str) -> subprocess.CompletedProcess[str]:
    amina = str(ROOT / "policy/examples/amina-selected.yaml")
    command = [sys.executable, "-m", "havre", "explain", amina, *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_any_subject_of_a_verdict_about_several_entities_is_explained_when_asked() -> None:
    r = explain("--verdict", "included_in_application", "--subject", "nour,app1")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    at = lines.index("[does not hold] Nour Haddad is included in app1 as an accompanying family member")
    assert lines[at + 2 : at + 6] == [
        "Why not:",
        '  - Rule FAM-3.included "A family member residing in Québec whom the applicant includes; family members'
        ' abroad are only named on the form" (FAM-3)',
        "    Not met: Nour Haddad resides in Québec",
        "      [stated in the case] Nour Haddad does not reside in Québec",
    ]
    bad = explain("--subject", "nour")
    assert (bad.returncode, bad.stderr.strip()) == (2, "error: --subject: name the verdict too, with --verdict")
