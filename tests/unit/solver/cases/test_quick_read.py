"""The one-pass reader of case documents agrees with the full check: on every document it reads, it makes the
Case the full check makes; every document the full check refuses, it leaves to the full check."""

from __future__ import annotations

import copy
import datetime as dt
import random
from functools import cache
from typing import Any

import pytest

from havre.api import Policy, load_policy
from havre.caseload.generate import Generator
from solver.cases.case import Case, CaseError
from solver.cases.casefile import load_case, parse_case, parse_case_in_full, read_document
from solver.cases.quick import FileMapping, read_common
from tests.helpers import ROOT

EXAMPLES = sorted((ROOT / "policy/examples").glob("*.yaml"))


@cache
def shipped() -> Policy:
    return load_policy(ROOT / "policy")


def in_full(doc: object) -> Case | None:
    try:
        return parse_case_in_full(copy.deepcopy(doc), shipped().checked, "c.json")
    except CaseError:
        return None


@pytest.mark.parametrize("unknown_rate", [0.0, 0.1, 0.5])
def test_every_generated_case_is_read_in_one_pass_as_in_full(unknown_rate: float) -> None:
    docs = Generator(shipped().checked, seed=7, unknown_rate=unknown_rate).cases(150)
    for doc in docs:
        case = read_common(doc, shipped().checked, "c.json")
        assert case is not None
        assert case == in_full(doc)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_file_is_read_in_one_pass_as_in_full(path: Any) -> None:
    doc = read_document(path)
    case = read_common(doc, shipped().checked, str(path))
    assert case is not None
    assert case == load_case(path, shipped().checked)
    assert case == parse_case_in_full(doc, shipped().checked, str(path))


def _duplicated(mapping: dict[str, Any]) -> FileMapping:
    out = FileMapping()
    for key, value in mapping.items():
        out.put(key, value)
    if mapping:
        out.put(next(iter(mapping)), None)
    return out


VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 2**31, -(2**31) - 1, 2.0, 2.5, "", "x", "yes", "refugee",
    "2024-02-29", "2024-02-30", "2024-2-01", "20240101", "２０２４-01-01", "a\ud800", "a\n", "x y", [], {}, ["x", "x"],
    dt.date(2020, 1, 1), (1, 2), {"name": None}, [{"a": 1}], {1: True},
    {"en": "x"}, {"fr": "é", "en": "e"}, {"de": "x"}, {"fr": 3}, {"en": "a\ud800"},
]  # fmt: skip


def _paths(node: object, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*path, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_paths(value, (*path, i)))
    return out


def _mutated(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The document with one place changed: a value replaced, a key dropped, renamed, added or given twice."""
    doc = copy.deepcopy(doc)
    ids = [eid for section in doc.values() if isinstance(section, dict) for eid in section]
    path = rng.choice(_paths(doc)[1:])
    parent: Any = doc
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    move = rng.randrange(6)
    if move == 0:
        parent[key] = rng.choice(VALUES + ids)
    elif move == 1 and isinstance(parent, dict):
        del parent[key]
    elif move == 2 and isinstance(parent, dict):
        parent[rng.choice(["name", "x", "case", *ids, *[str(k) for k in parent]]) + rng.choice(["", "_", "\n"])] = (
            parent.pop(key)
        )
    elif move == 3 and isinstance(parent, dict):
        parent[rng.choice(["name", "other", "persons", "sponsor", 7, *ids])] = rng.choice(VALUES + ids)
    elif move == 4 and isinstance(parent[key], dict):
        parent[key] = _duplicated(parent[key])
    elif isinstance(parent[key], list) and parent[key]:
        parent[key].append(rng.choice([*parent[key], *ids]))
    else:
        parent[key] = rng.choice(VALUES + ids)
    return doc


def test_a_document_changed_in_one_place_is_read_in_one_pass_only_as_in_full() -> None:
    rng = random.Random(11)
    docs = [
        *(read_document(path) for path in EXAMPLES),
        *Generator(shipped().checked, seed=3, unknown_rate=0.2).cases(40),
    ]
    read = refused = 0
    for i in range(1500):
        doc = _mutated(docs[i % len(docs)], rng)
        full = in_full(doc)
        case = read_common(doc, shipped().checked, "c.json")
        assert case is None or case == full, (i, doc)
        read += case is not None
        refused += full is None
    assert read > 200 and refused > 400  # both ways were taken often


def test_parse_case_gives_the_full_checks_first_problem() -> None:
    doc = read_document(EXAMPLES[0])
    assert isinstance(doc, dict)
    doc["persons"][next(iter(doc["persons"]))]["birth_date"] = "2024-02-30"
    with pytest.raises(CaseError) as err:
        parse_case(doc, shipped().checked, "c.json")
    assert str(err.value).endswith('"2024-02-30" is not a valid date')


def test_any_value_in_any_field_is_read_in_one_pass_only_as_in_full() -> None:
    rng = random.Random(5)
    places = [
        (doc, path)
        for doc in (read_document(path) for path in EXAMPLES)
        for path in _paths(doc)
        if len(path) >= 3 and path[2] != "name"
    ]
    for doc, path in rng.sample(places, 120):
        for value in VALUES:
            changed: Any = copy.deepcopy(doc)
            parent = changed
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = value
            case = read_common(changed, shipped().checked, "c.json")
            assert case is None or case == in_full(changed), (path, value)
