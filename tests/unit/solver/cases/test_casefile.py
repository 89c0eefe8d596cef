"""Case files: loading, the facts they state, and the exact errors they give."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grammar.checks.check import check
from grammar.checks.checked import CheckedPolicy
from grammar.text.parse import parse_text
from grammar.typed import nodes as n
from solver.cases.case import Case, CaseError, Closed, Entity, Fact
from solver.cases.casefile import Kind, case_from_text, load_case, parse_case, parse_document, read_document
from tests.helpers import CASE_FILE_SRC

SRC = CASE_FILE_SRC


def _policy() -> CheckedPolicy:
    return check(n.Policy("t.havre", (parse_text(SRC, "t.havre"),), (("t.havre", SRC),)))


POLICY = _policy()

EXAMPLE = """\
case: amina-2026-001
assessment_date: 2026-11-21
persons:
  amina:
    name: Amina Haddad
    birth_date: 1988-03-14
    resides_in_quebec: true
    status: foreign_national
    child_of: [karim]
    distressful_situation: true
  karim: {}
applications:
  app1:
    principal: amina
    household_size: 3
"""

EXPECTED_ENTITIES = (
    Entity("person", "amina", "Amina Haddad"),
    Entity("person", "karim", None),
    Entity("application", "app1", None),
)
EXPECTED_FACTS = (
    Fact("birth_date", ("amina",), dt.date(1988, 3, 14)),
    Fact("resides_in_quebec", ("amina",), True),
    Fact("status", ("amina",), "foreign_national"),
    Fact("child_of", ("amina", "karim"), True),
    Fact("distressful_situation", ("amina",), True),
    Fact("principal", ("app1",), "amina"),
    Fact("household_size", ("app1",), 3),
)


def _error(text: str, kind: Kind = "yaml") -> str:
    with pytest.raises(CaseError) as info:
        case_from_text(text, POLICY, kind)
    return str(info.value)


def _facts(text: str) -> tuple[Fact, ...]:
    return case_from_text(text, POLICY).facts


# ---------------------------------------------------------------- facts


def test_example_yaml_gives_the_exact_case() -> None:
    case = case_from_text(EXAMPLE, POLICY, origin="amina.yaml")
    assert case == Case(
        "amina-2026-001",
        dt.date(2026, 11, 21),
        EXPECTED_ENTITIES,
        EXPECTED_FACTS,
        (Closed("child_of", "amina"),),
        "amina.yaml",
    )
    assert case.display("amina") == "Amina Haddad"


def test_example_as_json_gives_the_same_case(tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE)
    data["assessment_date"] = "2026-11-21"
    data["persons"]["amina"]["birth_date"] = "1988-03-14"
    yaml_file, json_file = tmp_path / "a.yaml", tmp_path / "a.json"
    yaml_file.write_text(EXAMPLE, encoding="utf-8")
    json_file.write_text(json.dumps(data, indent=2), encoding="utf-8")
    from_yaml, from_json = load_case(yaml_file, POLICY), load_case(json_file, POLICY)
    assert from_yaml.origin == str(yaml_file) and from_json.origin == str(json_file)
    assert from_json.facts == from_yaml.facts == EXPECTED_FACTS
    assert from_json.entities == from_yaml.entities == EXPECTED_ENTITIES
    assert from_json.closed == from_yaml.closed == (Closed("child_of", "amina"),)


def test_yml_extension_is_yaml(tmp_path: Path) -> None:
    f = tmp_path / "a.yml"
    f.write_text(EXAMPLE, encoding="utf-8")
    assert load_case(f, POLICY).facts == EXPECTED_FACTS


def test_a_name_may_be_given_per_language() -> None:
    text = EXAMPLE.replace(
        "  app1:\n", "  app1:\n    name:\n      en: Application of Amina\n      fr: Demande d'Amina\n"
    )
    for kind, document in (("yaml", text), ("json", json.dumps(parse_document(text, "yaml", "c.yaml")))):
        case = case_from_text(document, POLICY, kind)  # type: ignore[arg-type]
        app = case.entities[-1]
        assert app == Entity(
            "application", "app1", "Application of Amina", (("en", "Application of Amina"), ("fr", "Demande d'Amina"))
        )
        assert (case.display("app1", "fr"), case.display("app1", "en"), case.display("amina", "fr")) == (
            "Demande d'Amina",
            "Application of Amina",
            "Amina Haddad",
        )
        assert app.document_name() == {"en": "Application of Amina", "fr": "Demande d'Amina"}


def test_absent_and_null_fields_are_unknown() -> None:
    text = EXAMPLE.replace("resides_in_quebec: true", "resides_in_quebec: null").replace("status: foreign_national", "")
    facts = _facts(text)
    assert not [f for f in facts if f.pred in ("resides_in_quebec", "status", "form_signed")]
    assert not [f for f in facts if f.args[0] == "karim"]


def test_relation_mapping_states_pairs_without_closing() -> None:
    mapping = "child_of: {karim: true, leila: false, omar: null}"
    people = "  karim: {}\n  leila: {}\n  omar: {}\n"
    text = EXAMPLE.replace("child_of: [karim]", mapping).replace("  karim: {}\n", people)
    case = case_from_text(text, POLICY)
    assert [f for f in case.facts if f.pred == "child_of"] == [
        Fact("child_of", ("amina", "karim"), True),
        Fact("child_of", ("amina", "leila"), False),
    ]
    assert case.closed == ()


def test_empty_relation_list_closes_with_no_pairs() -> None:
    case = case_from_text(EXAMPLE.replace("child_of: [karim]", "child_of: []"), POLICY)
    assert [f for f in case.facts if f.pred == "child_of"] == []
    assert case.closed == (Closed("child_of", "amina"),)


def test_value_relation_is_a_mapping() -> None:
    text = EXAMPLE.replace("  karim: {}", "  karim:\n    role_in: {app1: dependant}")
    assert Fact("role_in", ("karim", "app1"), "dependant") in _facts(text)


def test_yaml_scalars_are_strict() -> None:
    text = "a: 2026-11-21\nb: TRUE\nc: False\nd: on\ne: 010\nf: yes\ng: 1.5\nh: ~\n<<: 0x10\n1: 12:30\n"
    data = parse_document(text, "yaml")
    assert data == {
        "a": "2026-11-21",
        "b": True,
        "c": False,
        "d": "on",
        "e": 10,
        "f": "yes",
        "g": 1.5,
        "h": None,
        "<<": "0x10",
        "1": "12:30",
    }


def test_whole_float_is_a_whole_number() -> None:
    data = json.loads(json.dumps(yaml.safe_load(EXAMPLE), default=str))
    data["applications"]["app1"]["household_size"] = 3.0
    assert Fact("household_size", ("app1",), 3) in parse_case(data, POLICY).facts


# ---------------------------------------------------------------- errors, exactly


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("1988-03-14", "2026-02-30", 'persons.amina.birth_date: "2026-02-30" is not a valid date'),
        ("1988-03-14", "1988-3-14", 'persons.amina.birth_date: "1988-3-14" is not a valid date'),
        ("birth_date:", "brith_date:", 'persons.amina.brith_date: unknown field; did you mean "birth_date"?'),
        (
            "birth_date:",
            "zzz:",
            "persons.amina.zzz: unknown field; the fields of a person are birth_date, child_of, "
            "distressful_situation, name, resides_in_quebec, role_in, status",
        ),
        ("applications:", "aplications:", 'aplications: unknown section; did you mean "applications"?'),
        (
            "applications:",
            "zzz:",
            "zzz: unknown section; the sections are applications, assessment_date, case, persons",
        ),
        (
            "principal: amina",
            "principal: amna",
            'applications.app1.principal: "amna" is not a person in this case; did you mean "amina"?',
        ),
        ("principal: amina", "principal: app1", 'applications.app1.principal: "app1" is not a person in this case'),
        (
            "resides_in_quebec: true",
            "resides_in_quebec: yes",
            'persons.amina.resides_in_quebec: expected true or false, found "yes"',
        ),
        (
            "status: foreign_national",
            "status: citizn",
            'persons.amina.status: "citizn" is not one of citizen, '
            'permanent_resident, foreign_national; did you mean "citizen"?',
        ),
        (
            "household_size: 3",
            "household_size: three",
            'applications.app1.household_size: expected a whole number, found "three"',
        ),
        (
            "household_size: 3",
            "household_size: true",
            "applications.app1.household_size: expected a whole number, found true",
        ),
        (
            "household_size: 3",
            "household_size: 2.5",
            "applications.app1.household_size: expected a whole number, found 2.5",
        ),
        ("assessment_date: 2026-11-21\n", "", "assessment_date: missing"),
        ("case: amina-2026-001\n", "", "case: missing"),
        (
            "assessment_date: 2026-11-21",
            "assessment_date: 2026-13-01",
            'assessment_date: "2026-13-01" is not a valid date',
        ),
        (
            "case: amina-2026-001",
            "case: amina 2026",
            'case: "amina 2026" is not a valid case id (letters, digits, ".", "-" and "_")',
        ),
        ("case: amina-2026-001", "case: 12", "case: expected a text id, found 12"),
        ("  app1:", "  amina:", 'persons.amina: the id "amina" is also used in applications'),
        (
            "  karim: {}",
            "  karim: {}\n  bad id: {}",
            'persons.bad id: "bad id" is not a valid id (letters, digits, "-" and "_")',
        ),
        ("child_of: [karim]", "child_of: [karim, karim]", 'persons.amina.child_of[1]: "karim" is listed twice'),
        (
            "child_of: [karim]",
            "child_of: [krim]",
            'persons.amina.child_of[0]: "krim" is not a person in this case; did you mean "karim"?',
        ),
        (
            "child_of: [karim]",
            "child_of: {karim: yes}",
            'persons.amina.child_of.karim: expected true or false, found "yes"',
        ),
        (
            "child_of: [karim]",
            "child_of: karim",
            "persons.amina.child_of: expected a list of person ids or a mapping of "
            'person ids to true or false, found "karim"',
        ),
        (
            "  karim: {}",
            "  karim: {}\n  x:\n    lives_with: true",
            "persons.x.lives_with: inputs with 3 parameters cannot be given in a case file yet",
        ),
        (
            "  karim: {}",
            "  karim:\n    adult: true",
            "persons.karim.adult: not an input: adult is worked out by the policy",
        ),
        (
            "  karim: {}",
            "  karim:\n    household_size: 3",
            "persons.karim.household_size: unknown field; household_size is a field of an application, not of a person",
        ),
        (
            "  karim: {}",
            "  karim:",
            "persons.karim: expected a mapping of fields (write {} if nothing is known), found null",
        ),
        (
            "  karim: {}",
            "  karim:\n    name: 3",
            "persons.karim.name: expected a text, or a text per language (en, fr), found 3",
        ),
        (
            "  karim: {}",
            "  karim:\n    name: {de: Karim}",
            'persons.karim.name: "de" is not a language of the policy (en, fr)',
        ),
        (
            "  karim: {}",
            "  karim:\n    name: {fra: Karim}",
            'persons.karim.name: "fra" is not a language of the policy (en, fr); did you mean "fr"?',
        ),
        (
            "  karim: {}",
            "  karim:\n    name: {}",
            "persons.karim.name: expected a text in at least one language (en, fr)",
        ),
        (
            "  karim: {}",
            "  karim:\n    name: {fr: [Karim]}",
            "persons.karim.name: expected a text for fr, found a list",
        ),
        (
            "applications:\n  app1:\n    principal: amina\n    household_size: 3\n",
            "applications: []\n",
            "applications: expected a mapping of application ids to their fields, found a list",
        ),
    ],
)
def test_error_messages(old: str, new: str, message: str) -> None:
    assert old in EXAMPLE
    assert _error(EXAMPLE.replace(old, new, 1)) == f"<case>: {message}"


def test_first_error_in_file_order_is_reported() -> None:
    both = EXAMPLE.replace("resides_in_quebec: true", "resides_in_quebec: yes").replace(
        "household_size: 3", "household_size: three"
    )
    assert "resides_in_quebec" in _error(both)
    persons, applications = both.split("applications:")
    swapped = persons.split("persons:")[0] + "applications:" + applications + "persons:" + persons.split("persons:")[1]
    assert "household_size" in _error(swapped)


def test_unknown_section_before_missing_key() -> None:
    assert _error(EXAMPLE.replace("case:", "cas:")) == '<case>: cas: unknown section; did you mean "case"?'


def test_top_level_must_be_a_mapping() -> None:
    expected = "<case>: a case file must be a mapping of sections (case, assessment_date, ...), found a list"
    assert _error("- a\n") == expected
    assert _error("") == "<case>: the case file is empty"


# ---------------------------------------------------------------- safe loading


def test_aliases_and_anchors_are_refused() -> None:
    top = "case: c\nassessment_date: 2026-01-01\npersons:\n"
    assert _error(top + "  a: &x {}\n  b: *x\n") == "<case>: line 4: YAML aliases are not allowed in case files"
    assert _error(top + "  a: {}\n  b: *x\n") == "<case>: line 5: YAML aliases are not allowed in case files"
    laughs = "a: &a [1, 1]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert _error(laughs) == "<case>: line 1: YAML aliases are not allowed in case files"


@pytest.mark.parametrize(
    "tag", ["!!python/object:os.system", "!!python/object/apply:os.system ['true']", "!!str", "!custom", "!"]
)
def test_tags_are_refused(tag: str) -> None:
    assert _error(EXAMPLE.replace("  karim: {}", f"  karim: {tag} {{}}")) == (
        "<case>: line 11: YAML tags are not allowed in case files"
    )


def test_duplicate_keys_yaml_and_json() -> None:
    text = EXAMPLE.replace("    birth_date: 1988-03-14\n", "    birth_date: 1988-03-14\n    birth_date: 1988-03-15\n")
    assert _error(text) == '<case>: persons.amina: duplicate key "birth_date"'
    doc = (
        '{"case": "c", "assessment_date": "2026-01-01", "persons": {"amina": {"birth_date": "1988-03-14", '
        '"birth_date": "1988-03-15"}}}'
    )
    assert _error(doc, "json") == '<case>: persons.amina: duplicate key "birth_date"'


def test_syntax_errors_name_the_line() -> None:
    message = _error("case: a\npersons: [1, 2\n")
    assert message.startswith("<case>: line 3: ") and "Traceback" not in message and "unicode string" not in message
    assert _error('{\n"case": "a",\n"x" 1}', "json") == "<case>: line 3: Expecting ':' delimiter"
    assert _error('{"case": NaN}', "json") == "<case>: NaN is not allowed in case files"
    assert _error("a: 1\n---\nb: 2\n").startswith("<case>: line 2: expected a single document")
    assert _error("a: \x00\n") == "<case>: line 1: unacceptable character #x0000"


def test_file_errors(tmp_path: Path) -> None:
    def fails(path: Path, **kw: Any) -> str:
        with pytest.raises(CaseError) as info:
            load_case(path, POLICY, **kw)
        return str(info.value)

    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (1_048_576 + 1))
    assert fails(big) == f"{big}: file is larger than 1 MiB"
    small = tmp_path / "small.json"
    small.write_text(json.dumps({"case": "x" * 2000}), encoding="utf-8")
    assert fails(small, max_bytes=1024) == f"{small}: file is larger than 1 KiB"
    txt = tmp_path / "a.txt"
    txt.write_text("x", encoding="utf-8")
    assert fails(txt) == f'{txt}: unsupported file type ".txt"; use .yaml, .yml or .json'
    assert fails(tmp_path / "none.yaml") == f"{tmp_path / 'none.yaml'}: no such file"
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("case: caf\u00e9".encode("latin-1"))
    assert fails(latin) == f"{latin}: the file is not UTF-8 text (line 1, column 10)"
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    assert fails(folder).startswith(f"{folder}: ")


def test_read_document_keeps_dates_as_text(tmp_path: Path) -> None:
    f = tmp_path / "a.yaml"
    f.write_bytes(b"\xef\xbb\xbf" + EXAMPLE.encode())
    data = read_document(f)
    assert isinstance(data, dict) and data["assessment_date"] == "2026-11-21"


# ---------------------------------------------------------------- nothing but CaseError escapes

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
_KEYS = st.sampled_from(
    [
        "case",
        "assessment_date",
        "persons",
        "applications",
        "amina",
        "karim",
        "app1",
        "name",
        "birth_date",
        "status",
        "child_of",
        "role_in",
        "principal",
        "household_size",
        "adult",
        "lives_with",
        "2026-02-30",
        "citizen",
        "bad id",
    ]
) | st.text(max_size=8)
_VALUES = st.recursive(
    _SCALARS | _KEYS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=30,
)


def _outcome(data: object) -> None:
    with contextlib.suppress(CaseError):
        assert isinstance(parse_case(data, POLICY), Case)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_KEYS, _VALUES, max_size=6) | _VALUES)
def test_any_document_gives_a_case_or_a_case_error(data: object) -> None:
    _outcome(data)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:- \n[]{},&*!'\"#?|>%@`1.~\t")) | st.characters(), max_size=60))
def test_any_text_gives_a_case_or_a_case_error(text: str) -> None:
    kinds: tuple[Kind, ...] = ("yaml", "json")
    for kind in kinds:
        with contextlib.suppress(CaseError):
            case_from_text(text, POLICY, kind)


def test_deep_nesting_is_a_case_error() -> None:
    assert _error("a: " + "[" * 1500 + "]" * 1500).startswith("<case>: ")
    assert _error("[" * 100_000, "json").startswith("<case>: ")
    deep: Any = "x"
    for _ in range(50):
        deep = [deep]
    with pytest.raises(CaseError, match="nested too deeply"):
        parse_case({"case": deep}, POLICY)


def test_python_values_from_api_callers() -> None:
    from types import MappingProxyType

    data = {
        "case": "c1",
        "assessment_date": dt.date(2026, 11, 21),
        "persons": MappingProxyType(
            {"amina": {"birth_date": dt.date(1988, 3, 14), "child_of": ("karim",)}, "karim": {}}
        ),
    }
    case = parse_case(data, POLICY)
    assert case.assessment_date == dt.date(2026, 11, 21)
    assert case.facts == (
        Fact("birth_date", ("amina",), dt.date(1988, 3, 14)),
        Fact("child_of", ("amina", "karim"), True),
    )
    with pytest.raises(CaseError, match=r"^<case>: persons: keys must be text, found 3$"):
        parse_case({"case": "c", "assessment_date": "2026-01-01", "persons": {3: {}}}, POLICY)


def _both_readings(text: str) -> tuple[object, object]:
    """The document as libyaml's fast path reads it and as the careful reader does (or the error each gives)."""
    from solver.cases import casefile

    def read(how: Any) -> object:
        try:
            return ("value", how(text))
        except CaseError as e:
            return ("error", str(e))

    careful = read(lambda t: casefile._parse_yaml_carefully(t, "<case>"))
    return read(lambda t: casefile._parse_yaml(t, "<case>")), careful


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:- \n[]{},&*!'\"#?|>%@`1.~\t")) | st.characters(), max_size=60))
def test_the_fast_yaml_reader_reads_as_the_careful_one(text: str) -> None:
    fast, careful = _both_readings(text)
    assert fast == careful


def test_the_fast_yaml_reader_reads_every_shipped_file_as_the_careful_one() -> None:
    files = sorted(Path("policy").rglob("*.yaml")) + sorted(Path("tests/fuzz/corpus/case").glob("*"))
    assert len(files) > 40
    for path in files:
        fast, careful = _both_readings(path.read_text(encoding="utf-8", errors="replace"))
        assert fast == careful, path


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_KEYS, _VALUES, max_size=6) | _VALUES)
def test_the_compiled_schema_check_agrees_with_the_full_validator(data: object) -> None:
    from solver.cases import schema as sc

    assert sc.meets_schema(POLICY, data) == (not list(sc.schema_findings(data, sc.validator(POLICY))))
