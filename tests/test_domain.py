"""Every provision of the domain catalogue is encoded by a rule or explained in INTERPRETATION.md."""

from __future__ import annotations

import re

import pytest

from havre.api import Policy, load_policy
from tests.helpers import ROOT

DOMAIN = ROOT.parent / "shared" / "DOMAIN.md"
DOMAIN_ID = re.compile(r"^- ([A-Z]{3,4}-\d+)\b", re.MULTILINE)
CATALOGUE_ID = re.compile(r"^[A-Z]{3,4}-\d+$")


@pytest.fixture(scope="module")
def shipped() -> Policy:
    return load_policy(ROOT / "policy")


def catalogue(policy: Policy) -> list[str]:
    """The IDs of the catalogue: DOMAIN.md when it is beside the project, else the provisions the policy declares."""
    if DOMAIN.is_file():
        return DOMAIN_ID.findall(DOMAIN.read_text(encoding="utf-8"))
    return [cid for cid in policy.checked.citations if CATALOGUE_ID.match(cid)]


def test_every_catalogue_id_is_declared(shipped: Policy) -> None:
    if not DOMAIN.is_file():
        pytest.skip(f"{DOMAIN} is not beside the project")
    assert [i for i in catalogue(shipped) if i not in shipped.checked.citations] == []


def test_every_catalogue_id_is_cited_by_a_rule_or_explained(shipped: Policy) -> None:
    cited = {c.id for cr in shipped.checked.rules for c in cr.rule.cites}
    notes = (ROOT / "policy" / "INTERPRETATION.md").read_text(encoding="utf-8")
    explained = set(re.findall(r"\b[A-Z]{3,4}-\d+\b", notes))
    missing = [i for i in catalogue(shipped) if i not in cited and i not in explained]
    assert missing == [], f"neither cited by a rule nor explained in policy/INTERPRETATION.md: {missing}"


def test_every_text_exists_in_english_and_french(shipped: Policy) -> None:
    """Inputs, derived facts, verdicts, verdict values, questions and rule titles: none missing."""
    assert [w.headline() for w in shipped.checked.warnings] == []
