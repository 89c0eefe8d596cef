"""A policy cut down to some verdicts decides them exactly as the whole policy does, on every shipped example."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from havre.api import Policy, load_policy
from havre.cli.main import app
from solver.compile import cone
from solver.compile.cone import decided_with, narrowed_program
from tests.helpers import ROOT

EXAMPLES = sorted((ROOT / "policy/examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def shipped() -> Policy:
    return load_policy(ROOT / "policy")


def asked_sets(policy: Policy) -> list[tuple[str, ...]]:
    """The main answers together, then each alone, then verdicts of programmes far apart."""
    summary = policy.checked.summary
    return [summary, *((v,) for v in summary), ("dependent_child", "roc_obtains_csq")]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_a_narrowed_policy_gives_the_verdicts_of_the_whole(shipped: Policy, example: Path) -> None:
    whole = {v.key: v for v in shipped.decide(example).verdicts}
    for asked in asked_sets(shipped):
        part = shipped.narrowed(asked)
        decision = part.decide(example)
        assert decision.policy_hash == shipped.hash
        got = {v.key: v for v in decision.verdicts}
        assert {k for k in whole if k[0] in asked} == {k for k in got if k[0] in asked}
        assert [k for k, v in got.items() if whole[k] != v] == []


def test_a_narrowed_policy_grounds_only_what_decides_the_verdicts(shipped: Policy) -> None:
    part = shipped.narrowed(["dependent_child"])
    assert sorted(cr.id for cr in part.checked.rules) == [
        "FAM-2.age",
        "FAM-2.age-on-application",
        "FAM-2.over-22",
        "FAM-2.under-22",
        "FAM-2.under-22-on-application",
    ]
    assert decided_with(shipped.checked, ["dependent_child"]) == {
        "age",
        "age_on_application",
        "birth_date",
        "child_of",
        "dependent_child",
        "financial_dependency_since",
        "financially_dependent_on",
        "in_union",
        "pr_application_made_on",
        "principal",
        "unable_to_self_support",
    }
    summary = shipped.narrowed(shipped.checked.summary)
    assert len(summary.checked.rules) < len(shipped.checked.rules)
    assert shipped.narrowed([]) is shipped
    assert shipped.narrowed(["decision"]) is shipped.narrowed(["decision"])


def test_a_part_is_compiled_once_for_the_api_and_the_search(shipped: Policy, monkeypatch: pytest.MonkeyPatch) -> None:
    checked, program = narrowed_program(shipped.checked, ["csq_expiry"])
    monkeypatch.setattr(cone, "emit", None)  # compiled already: nothing compiles it again
    assert shipped.narrowed(["csq_expiry"]).program is program
    # The same part, however the verdicts that decide it are asked for.
    assert narrowed_program(shipped.checked, ("csq_expiry",)) == (checked, program)
    assert program.policy_hash == checked.hash != shipped.hash


def test_an_unknown_verdict_is_named_with_a_suggestion(shipped: Policy) -> None:
    result = CliRunner().invoke(app, ["decide", str(EXAMPLES[0]), "--verdict", "decison"])
    assert result.exit_code == 2
    assert "`decison` is not a verdict of the policy; did you mean `decision`?" in result.output


def test_the_summary_shows_the_whole_policy_hash(shipped: Policy) -> None:
    result = CliRunner().invoke(app, ["decide", str(ROOT / "policy/examples/amina-selected.yaml"), "--summary"])
    assert result.exit_code == 0
    assert f"(policy {shipped.hash})" in result.output
    assert "[holds] MIFI's decision on app1: selected  (rule PROC-4.selected)" in result.output


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_summary_cut_shows_the_next_deadline_of_the_whole(shipped: Policy, example: Path) -> None:
    deadlines = [p.name for p in shipped.checked.predicates.values() if p.deadline is not None]
    part = shipped.narrowed([*shipped.checked.summary, *deadlines])
    assert part.decision_view(example)[0]["next_deadline"] == shipped.decision_view(example)[0]["next_deadline"]
