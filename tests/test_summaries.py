"""The main answers first: `havre decide` on every shipped example opens with its summary.

Golden files (tests/golden/summaries/) hold `havre decide --summary` for each example in both languages;
they are read by eye when they change (HAVRE_UPDATE_GOLDEN=1 rewrites them).
"""

from __future__ import annotations

from functools import cache

import pytest

from explain.rendering.render import render
from explain.view.views import View
from havre.api import Policy, load_policy
from tests.helpers import ROOT
from tests.test_golden import check_golden

EXAMPLES = sorted(p.stem for p in (ROOT / "policy/examples").glob("*.yaml"))
# The label of the verdict that answers each example's main question: the decision on its application.
MAIN = {
    "amina-selected": "MIFI's decision on app1: selected",
    "deng-gar-camp": "Québec's resettlement selection of the refugees of Deng Garang Akol's resettlement application: "
    "selected",
    "fatima-undetermined": "MIFI's decision on app1: …",
    "grace-services": "MIFI's decision on Ruth Kabila's application for permanent selection: …",
    "kofi-refused": "MIFI's decision on app1: refused",
    "leila-family-selection": "MIFI's decision on Leila Karimi's application for permanent selection: selected",
    "mateo-federal-hc": "Mateo Restrepo may apply for permanent residence on humanitarian and compassionate grounds",
    "rania-psr-montreal-group": "Québec's resettlement selection of the refugees of Rania Al-Khatib's",
    "rosa-rejected-documents": "MIFI's decision on app1: rejected",
    "tesfaye-psr-csq-refused": "Québec's resettlement selection of the refugees of Tesfaye Gebremedhin's",
}


@cache
def policy() -> Policy:
    return load_policy(ROOT / "policy")


@cache
def decided(example: str, lang: str) -> View:
    return policy().decision_view(ROOT / "policy/examples" / f"{example}.yaml", lang=lang)[0]


def test_every_example_is_listed() -> None:
    assert sorted(MAIN) == EXAMPLES


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_summary_golden(example: str, lang: str) -> None:
    check_golden(f"summaries/{example}.{lang}.txt", render(decided(example, lang), "decision", summary_only=True))


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_main_answer_is_in_the_first_15_lines(example: str) -> None:
    lines = render(decided(example, "en"), "decision").splitlines()
    at = next(i for i, line in enumerate(lines) if MAIN[example] in line)
    assert at < 15, (example, at)
    assert lines[2] == "Main answers"


def test_verdicts_that_do_not_apply_are_not_shown_and_ask_nothing() -> None:
    view = decided("kofi-refused", "en")
    shown = {(v["verdict"], tuple(v["subject"])) for v in view["verdicts"]}
    decision = policy().decide(ROOT / "policy/examples/kofi-refused.yaml")
    hidden = {v.key for v in decision.verdicts if v.status == "not_applicable"}
    assert ("csq_valid", ("app1",)) in hidden and ("may_apply_hc", ("kofi",)) in hidden
    assert not hidden & shown
    assert all(not v.missing for v in decision.verdicts if v.status == "not_applicable")
    text = render(view, "decision")
    assert "selection certificates for app1 are valid" not in text
    assert "may apply for permanent residence on humanitarian" not in text
    assert text.rstrip().endswith(
        f"{len(hidden)} verdicts do not apply to this case and are not shown (--all shows them)."
    )


def test_questions_in_french_for_an_undetermined_case() -> None:
    text = render(decided("fatima-undetermined", "fr"), "decision", summary_only=True)
    assert text.splitlines()[3:6] == [  # the question on its own line: no capital after a colon in French
        "  [indéterminé] Décision du MIFI sur app1\u00a0: …",
        "      pour décider, il faut savoir\u00a0:",
        "        - L'agente ou l'agent a-t-il conclu que Fatima Zahra El Amrani a la"
        " capacité de s'intégrer à la société québécoise (langue, capacité de contribuer à l'économie, liens"
        " familiaux et sociaux, connaissance du Québec)\u202f?",
    ]
