"""A brief decision view, as `havre decide` prints it, gives each verdict the reason the whole view gives it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from havre.api import Policy, load_policy
from tests.helpers import ROOT

EXAMPLES = sorted((ROOT / "policy/examples").glob("*.yaml"))


@cache
def policy() -> Policy:
    return load_policy(ROOT / "policy")


def _without_steps(view: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in view.items() if k not in ("why", "why_not")}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_a_brief_view_gives_every_verdict_the_reason_of_the_whole_view(example: Path) -> None:
    for lang in ("en", "fr"):
        whole, _ = policy().decision_view(example, lang=lang, show_all=True)
        brief, _ = policy().decision_view(example, lang=lang, show_all=True, brief=True)
        assert [_without_steps(v) for v in brief["verdicts"]] == [_without_steps(v) for v in whole["verdicts"]]
        assert brief["summary"] == whole["summary"] and brief["next_deadline"] == whole["next_deadline"]
        assert all(v["why"] == [] and v["why_not"] == [] for v in brief["verdicts"])


def test_the_examples_take_reasons_from_steps_and_from_rules_that_did_not_conclude() -> None:
    """What the brief view works out alone: the first step's rule, the first failure's text."""
    stepped = failed = 0
    for example in EXAMPLES:
        whole, _ = policy().decision_view(example, show_all=True)
        for v in whole["verdicts"]:
            if v["status"] == "holds" and not v["grounds"] and v["why"]:
                stepped += v["reason"] == f"{v['why'][0]['title']} ({v['why'][0]['rule']})"
            elif v["status"] == "fails" and v["why_not"]:
                failed += v["reason"] == v["why_not"][0]["text"]
    assert stepped > 100 and failed > 100


def test_a_subject_asked_for_is_explained_why_not_in_brief_as_in_whole() -> None:
    """`--subject` asks why not of a verdict that holds: the brief view's reason is still the first step's."""
    example = ROOT / "policy/examples/mateo-federal-hc.yaml"
    asked = [("mateo",)]
    whole, _ = policy().decision_view(example, verdicts=["hc_route"], subjects=asked)
    brief, _ = policy().decision_view(example, verdicts=["hc_route"], subjects=asked, brief=True)
    assert [v["reason"] for v in brief["verdicts"]] == [v["reason"] for v in whole["verdicts"]]
    assert [v["reason"] for v in brief["verdicts"]] == [
        "From inside Canada: the H&C application package (secondary source) (FHC-5.in-canada-route)"
    ]
    assert whole["verdicts"][0]["why_not"] and not brief["verdicts"][0]["why_not"]
