"""Generated cases: valid for the policy, reproducible, near the rules' boundaries; and, drawn by hypothesis,
decided the same one by one as grounded together."""

from __future__ import annotations

import datetime as dt
import io
import json
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from havre.api import Policy, load_policy
from havre.caseload.generate import Bounds, Generator, write_jsonl
from solver.cases import calendar
from solver.cases.casefile import parse_case
from tests.helpers import ROOT

POLICIES = {"shipped": ROOT / "policy", "mini": ROOT / "tests/fixtures/mini"}


@cache
def policy(name: str) -> Policy:
    return load_policy(POLICIES[name])


def jsonl(name: str, seed: int, count: int, rate: float = 0.1) -> str:
    out = io.StringIO()
    write_jsonl(out, Generator(policy(name).checked, seed=seed, unknown_rate=rate).cases(count))
    return out.getvalue()


@pytest.mark.parametrize("name", POLICIES)
def test_a_thousand_generated_cases_load_without_error(name: str) -> None:
    checked = policy(name).checked
    for number, line in enumerate(jsonl(name, 11, 1000).splitlines(), 1):
        parse_case(json.loads(line), checked, f"generated:{number}")  # raises CaseError on any problem


@pytest.mark.parametrize("name", POLICIES)
def test_the_same_seed_gives_the_same_bytes_and_a_longer_run_extends_a_shorter_one(name: str) -> None:
    assert jsonl(name, 42, 30) == jsonl(name, 42, 30)
    assert jsonl(name, 42, 60).startswith(jsonl(name, 42, 30))
    assert jsonl(name, 43, 30) != jsonl(name, 42, 30)


def test_boundaries_are_read_from_the_rules() -> None:
    bounds = Bounds.of(policy("shipped").checked)
    assert {(60, "days"), (24, "months"), (22, "years")} <= set(bounds.durations)
    assert 22 in bounds.ages


@pytest.mark.parametrize(("name", "least"), [("mini", 20), ("shipped", 1)])
def test_children_are_born_near_the_ages_the_rules_test(name: str, least: int) -> None:
    """The fixture policy tests one age (22); the shipped one many, so fewer land on 22 exactly."""
    near = 0
    for line in jsonl(name, 3, 300).splitlines():
        doc = json.loads(line)
        today = dt.date.fromisoformat(doc["assessment_date"])
        birthday_22 = calendar.add_years(today, -22)
        for person in doc.get("persons", {}).values():
            born = person.get("birth_date")
            near += born is not None and abs((dt.date.fromisoformat(born) - birthday_22).days) <= 2
    assert near >= least


def test_families_have_a_realistic_shape() -> None:
    docs = [json.loads(line) for line in jsonl("shipped", 8, 200, rate=0.0).splitlines()]
    sizes = [len(d["persons"]) for d in docs]
    assert min(sizes) == 1 and max(sizes) >= 5
    assert all(len(d.get("applications", {})) >= 1 for d in docs)
    children = [p for d in docs for p in d["persons"].values() if p.get("child_of")]
    assert len(children) > 100
    assert all(" " in p["name"] for d in docs for p in d["persons"].values())
    kinds = {letter.get("letter_kind") for d in docs for letter in d.get("letters", {}).values()}
    assert len(kinds - {None}) >= 3


def test_no_two_entities_of_a_case_share_a_name() -> None:
    # Seed 3 draws the same first name twice in one family (its 8th case); seed 0 two letters sent the same
    # day (its 168th); both have applicants with two applications.
    for seed in (0, 3):
        for line in jsonl("shipped", seed, 200).splitlines():
            doc = json.loads(line)
            named = [e["name"] for s in doc.values() if isinstance(s, dict) for e in s.values() if "name" in e]
            for lang in ("en", "fr"):
                names = [n[lang] if isinstance(n, dict) else n for n in named]
                assert len(names) == len(set(names)), doc["case"]
    eighth = json.loads(jsonl("shipped", 3, 8).splitlines()[7])
    assert sorted(p["name"] for p in eighth["persons"].values()) == [  # Thi drawn twice: the next name
        "Carlos Karimi",
        "Minh Karimi",
        "Mireille Karimi",
        "Thi Karimi",
    ]


def test_what_is_not_a_person_or_a_country_is_named_in_both_languages_as_a_sentence_says_it() -> None:
    doc = json.loads(jsonl("shipped", 0, 1))
    names = {eid: e.get("name") for s in doc.values() if isinstance(s, dict) for eid, e in s.items()}
    assert names["app1"] == {"en": "the application of Ruth Sharma", "fr": "la demande de Ruth Sharma"}
    assert names["passport_mireille"] == {
        "en": "the passport of Mireille Sharma",
        "fr": "le passeport de Mireille Sharma",
    }
    assert names["birth_certificate_mateo"] == {
        "en": "the birth certificate of Mateo Sharma",
        "fr": "l'acte de naissance de Mateo Sharma",
    }
    assert names["letter1"] == {"en": "the letter of 2025-07-11", "fr": "la lettre du 2025-07-11"}
    assert names["gar_pool1"] == {
        "en": "Pool of government-assisted refugees 1",
        "fr": "Bassin de réfugiés pris en charge par l'État 1",
    }
    assert (names["ruth"], names["ghana"]) == ("Ruth Sharma", "Ghana")  # French explanations put a country in French


def test_the_unknown_rate_leaves_facts_out() -> None:
    def facts(rate: float) -> int:
        docs = [json.loads(line) for line in jsonl("mini", 5, 100, rate).splitlines()]
        return sum(len(fields) for d in docs for k, s in d.items() if isinstance(s, dict) for fields in s.values())

    assert facts(0.0) > facts(0.3) > facts(1.0)
    everything_unknown = json.loads(jsonl("mini", 5, 1, 1.0))
    assert all(set(e) <= {"name"} for s in ("persons", "applications") for e in everything_unknown[s].values())


def test_a_bad_unknown_rate_is_refused() -> None:
    with pytest.raises(ValueError):
        Generator(policy("mini").checked, unknown_rate=1.5)


def _same(policy_name: str, seed: int, count: int, rate: float) -> None:
    loaded = policy(policy_name)
    cases = [loaded.case(d) for d in Generator(loaded.checked, seed=seed, unknown_rate=rate).cases(count)]
    together = loaded.decide_many(cases)
    for case, grouped in zip(cases, together, strict=True):
        alone = loaded.decide(case)
        assert grouped.case_id == alone.case_id == case.id
        key = [(v.verdict, v.subject, v.status, v.value, v.rules, v.missing) for v in alone.verdicts]
        assert [(v.verdict, v.subject, v.status, v.value, v.rules, v.missing) for v in grouped.verdicts] == key
        assert grouped.violations == alone.violations


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32), rate=st.sampled_from([0.0, 0.1, 0.3]))
def test_a_chunk_is_decided_as_its_cases_one_by_one_on_the_fixture_policy(seed: int, rate: float) -> None:
    _same("mini", seed, 4, rate)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_a_chunk_is_decided_as_its_cases_one_by_one_on_the_shipped_policy(seed: int) -> None:
    _same("shipped", seed, 3, 0.05)
