"""The JSON Schema of case files, implied by the policy's inputs."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator

from grammar.checks.check import check
from grammar.checks.checked import CheckedPolicy
from grammar.text.parse import parse_text
from grammar.typed import nodes as n
from solver.cases.schema import case_schema, layout
from tests.helpers import CASE_FILE_SRC

SRC = CASE_FILE_SRC

POLICY: CheckedPolicy = check(n.Policy("t.havre", (parse_text(SRC, "t.havre"),), (("t.havre", SRC),)))
SCHEMA = case_schema(POLICY)
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)

EXAMPLE: dict[str, Any] = {
    "case": "amina-2026-001",
    "assessment_date": "2026-11-21",
    "persons": {
        "amina": {
            "name": "Amina Haddad",
            "birth_date": "1988-03-14",
            "resides_in_quebec": True,
            "status": "foreign_national",
            "child_of": ["karim"],
            "distressful_situation": True,
            "role_in": {"app1": "principal_applicant"},
        },
        "karim": {"child_of": {"amina": False}, "status": None},
    },
    "applications": {"app1": {"principal": "amina", "household_size": 3, "form_signed": None}},
}


def _errors(doc: object) -> list[str]:
    return [e.message for e in VALIDATOR.iter_errors(doc)]


def _field(entity: str, name: str) -> dict[str, Any]:
    field: dict[str, Any] = SCHEMA["$defs"][entity]["properties"][name]
    return field


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["title"] == "Havre case file"
    assert SCHEMA["required"] == ["case", "assessment_date"]
    assert SCHEMA["additionalProperties"] is False


def test_key_order_is_deterministic() -> None:
    again = case_schema(POLICY)
    assert json.dumps(again) == json.dumps(SCHEMA)
    assert list(SCHEMA["properties"]) == ["case", "assessment_date", "persons", "applications"]
    assert list(SCHEMA["$defs"]["person"]["properties"]) == [
        "name",
        "birth_date",
        "resides_in_quebec",
        "status",
        "child_of",
        "role_in",
        "distressful_situation",
    ]


def test_top_level_fields() -> None:
    assert SCHEMA["properties"]["case"]["pattern"] == r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    date = SCHEMA["properties"]["assessment_date"]
    assert (date["type"], date["format"], date["pattern"]) == ("string", "date", r"^\d{4}-\d{2}-\d{2}$")
    persons = SCHEMA["properties"]["persons"]
    assert persons["type"] == "object"
    assert persons["propertyNames"] == {"pattern": r"^[A-Za-z0-9][A-Za-z0-9_-]*$"}
    assert persons["additionalProperties"] == {"$ref": "#/$defs/person"}
    assert SCHEMA["$defs"]["person"]["additionalProperties"] is False


def test_field_types() -> None:
    text, by_language = _field("person", "name")["anyOf"]
    assert text == {"type": ["string", "null"]}
    assert by_language["properties"] == {"en": {"type": "string"}, "fr": {"type": "string"}}
    assert (by_language["additionalProperties"], by_language["minProperties"]) == (False, 1)
    assert _field("person", "resides_in_quebec")["type"] == ["boolean", "null"]
    assert _field("application", "household_size")["type"] == ["integer", "null"]
    birth = _field("person", "birth_date")
    assert (birth["type"], birth["format"]) == (["string", "null"], "date")
    assert _field("person", "status")["enum"] == ["citizen", "permanent_resident", "foreign_national", None]
    assert _field("application", "principal")["type"] == ["string", "null"]
    child_of = _field("person", "child_of")
    assert child_of["type"] == ["array", "object", "null"]
    assert child_of["items"] == {"type": "string"}
    assert child_of["additionalProperties"] == {"type": ["boolean", "null"]}
    role = _field("person", "role_in")
    assert role["type"] == ["object", "null"]
    assert role["additionalProperties"] == {"enum": ["principal_applicant", "dependant", None]}


def test_descriptions() -> None:
    assert _field("person", "birth_date")["description"].startswith("{P} was born on {value}")
    assert "officer's finding" in _field("person", "distressful_situation")["description"]
    assert "absent means false" in _field("application", "form_signed")["description"].lower()
    assert "every other pair is false" in _field("person", "child_of")["description"]


def test_only_one_and_two_parameter_inputs_are_fields() -> None:
    lay = layout(POLICY)
    assert lay.sections == {"persons": "person", "applications": "application"}
    assert "lives_with" not in lay.fields["person"] and "adult" not in lay.fields["person"]
    assert "lives_with" not in SCHEMA["$defs"]["person"]["properties"]


def test_schema_accepts_the_example() -> None:
    assert _errors(EXAMPLE) == []


def test_schema_rejects_a_typo_and_wrong_values() -> None:
    typo = json.loads(json.dumps(EXAMPLE))
    typo["persons"]["amina"]["brith_date"] = typo["persons"]["amina"].pop("birth_date")
    assert len(_errors(typo)) == 1 and "brith_date" in _errors(typo)[0]
    bad = json.loads(json.dumps(EXAMPLE))
    bad["persons"]["amina"]["status"] = "citizn"
    bad["persons"]["amina"]["resides_in_quebec"] = "yes"
    bad["applications"]["app1"]["household_size"] = True
    assert len(_errors(bad)) == 3
    assert _errors({**EXAMPLE, "assessment_date": "2026-02-30"})
    assert _errors({**EXAMPLE, "persons": {"bad id": {}}})
    assert _errors({k: v for k, v in EXAMPLE.items() if k != "case"})
