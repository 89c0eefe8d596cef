"""Every diagnostic code, with its exact message, place and hint."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grammar.diagnostics import CODES, PolicyError, render_text
from grammar.text.parse import parse, parse_text
from tests.helpers import PRELUDE, diagnostics_of, line_of, policy_of

BASE = """
input birth_date(P: person): date
input married(P: person)
input principal(A: application): person
input notice(A: application): date
derived age(P: person): int
derived meets(A: application)
verdict decision(A: application) one of selected, refused, rejected
"""


def only(src: str) -> tuple[str, str, str | None, int, int]:
    [d] = diagnostics_of(BASE + src)
    return d.code, d.message, d.hint, d.span.line, d.span.column


def test_syntax_error_says_what_was_expected_in_words() -> None:
    with pytest.raises(PolicyError) as err:
        parse_text('rule R1 "t" cites QHC-1 meets(A) if married(P) married(A).', "x.havre")
    [d] = err.value.diagnostics
    assert (d.code, str(d.span), d.message) == ("syntax-error", "x.havre:1:48", "unexpected `married`")
    assert d.hint == "expected `and`, `or`, `unless`, `.`"


def test_syntax_error_at_end_of_file() -> None:
    with pytest.raises(PolicyError) as err:
        parse_text('rule R1 "t" cites QHC-1 meets(A) if', "x.havre")
    [d] = err.value.diagnostics
    assert (d.message, str(d.span)) == ("unexpected end of file", "x.havre:1:36")


def test_a_value_where_a_condition_is_expected() -> None:
    with pytest.raises(PolicyError) as err:
        parse_text('rule R1 "t" cites QHC-1 meets(A) if 22.', "x.havre")
    [d] = err.value.diagnostics
    assert (d.code, d.message) == ("syntax-error", "expected a condition, found a value")


def test_bad_literal_date_and_authority() -> None:
    with pytest.raises(PolicyError) as err:
        parse_text('rule R1 "t" cites QHC-1 meets(A) if notice(A) = 2026-02-30.', "x.havre")
    assert err.value.diagnostics[0].message == "`2026-02-30` is not a valid date"
    with pytest.raises(PolicyError) as err:
        parse_text('source S "f.txt" "t" authority offical', "x.havre")
    d = err.value.diagnostics[0]
    assert (d.code, d.message, d.hint) == ("bad-literal", "unknown authority `offical`", "did you mean `official`?")


def test_import_not_found(tmp_path: Path) -> None:
    (tmp_path / "main.havre").write_text('import "programmes/qhc.havre"\n')
    with pytest.raises(PolicyError) as err:
        parse(tmp_path)
    [d] = err.value.diagnostics
    assert d.code == "import-not-found"
    assert d.message == "imported file `programmes/qhc.havre` does not exist"
    assert (d.span.line, d.span.column) == (1, 1)


def test_undefined_name_with_did_you_mean() -> None:
    src = 'rule R1 "t" cites QHC-1 meets(A) if principal(A) = P and marred(P).'
    assert only(src) == (
        "undefined-name",
        "`marred` is not declared",
        "did you mean `married`?",
        line_of(BASE + src, "marred"),
        src.index("marred") + 1,
    )


def test_undefined_enumeration_value() -> None:
    src = 'rule R1 "t" cites QHC-1 decision(A) = rejectd if meets(A).'
    code, message, hint, *_ = only(src)
    assert (code, message, hint) == (
        "type-mismatch",
        "`rejectd` is not one of selected, refused, rejected",
        "did you mean `rejected` or `selected`?",
    )


def test_undefined_source() -> None:
    src = 'rule R1 "t" cites QHC-2 meets(A) if principal(A) = P and married(P).'
    code, message, hint, *_ = only(src)
    assert (code, message, hint) == (
        "undefined-source",
        "`QHC-2` is not a declared source or provision",
        "did you mean `QHC-3` or `QHC-1`?",
    )


def test_undefined_rule_in_priority() -> None:
    src = 'rule R1 "t" cites QHC-1 meets(A) if notice(A) = D.\npriority R2 over R1'
    code, message, *_ = only(src)
    assert (code, message) == ("undefined-rule", "no rule `R2`")


def test_duplicate_rule_id() -> None:
    src = 'rule R1 "t" cites QHC-1 meets(A) if notice(A) = D.\nrule R1 "u" cites QHC-1 meets(A) if notice(A) = D.'
    code, message, hint, line, _ = only(src)
    first = line_of(BASE + src, 'rule R1 "t"')
    assert hint == (
        "give each rule its own ID, e.g. by adding a suffix such as `.a`; "
        "versions of one rule each say `in force from … until …`"
    )
    assert code == "duplicate-rule"
    assert message == f"rule `R1` is already defined at t.havre:{first}:1"
    assert line == first + 1


VERSIONS = """
rule V-1 "Before" cites QHC-1
  in force until 2019-09-30
  decision(A) = selected if notice(A) = D.
rule V-1 "After" cites QHC-1
  in force from {start}
  decision(A) = refused if notice(A) = D.
"""


def test_two_versions_in_force_at_once_are_a_conflict() -> None:
    src = VERSIONS.format(start="2019-09-01")
    code, message, hint, line, column = only(src)
    first = line_of(BASE + src, 'rule V-1 "Before"')
    assert (code, line, column) == ("version-overlap", first + 4, 3)
    assert message == (
        f"two versions of `V-1` are in force from 2019-09-01 to 2019-09-30: this one and the one at t.havre:{first}:1"
    )
    assert hint == "a version ends the day before the next starts"


def test_a_period_with_no_version_is_a_gap() -> None:
    src = VERSIONS.format(start="2019-11-01")
    [gap] = [w for w in policy_of(BASE + src).warnings if w.code == "version-gap"]
    first = line_of(BASE + src, 'rule V-1 "Before"')
    assert (gap.severity, gap.span.line) == ("warning", first + 4)
    assert gap.message == "no version of `V-1` is in force from 2019-10-01 to 2019-10-31"
    assert gap.hint == f"end the version at t.havre:{first}:1 on 2019-10-31, or start this one on 2019-10-01"


def test_versions_that_follow_one_another_are_clean() -> None:
    policy = policy_of(BASE + VERSIONS.format(start="2019-10-01"))
    assert sorted(r.id for r in policy.rules) == ["V-1@..2019-09-30", "V-1@2019-10-01"]
    assert not [w for w in policy.warnings if w.code.startswith("version")]


def test_versions_conclude_the_same_and_are_chosen_by_the_same_date() -> None:
    src = VERSIONS.format(start="2019-10-01").replace("decision(A) = refused if", "meets(A) if")
    src = src.replace("in force until 2019-09-30", "in force until 2019-09-30 as of notice(A)")
    found = [(d.code, d.message) for d in diagnostics_of(BASE + src)]
    assert found == [
        ("version-mismatch", "the versions of `V-1` are not chosen by the same date"),
        ("version-mismatch", "this version of `V-1` concludes `meets`, another concludes `decision`"),
    ]


def test_a_rule_whose_citations_are_never_in_force_together() -> None:
    src = """
source LAW "l" "A law" authority law
  provision LAW-1 "Old" in force until 2010-12-31
  provision LAW-2 "New" in force from 2011-01-01
rule N-1 "Both" cites LAW-1, LAW-2
  meets(A) if notice(A) = D.
"""
    code, message, _, line, _ = only(src)
    assert (code, line) == ("never-in-force", line_of(BASE + src, 'rule N-1 "Both"'))
    assert message == "rule `N-1` is never in force: its window and those of LAW-1, LAW-2 have no day in common"


def test_duplicate_declaration() -> None:
    src = "input married(Q: person)"
    code, message, *_ = only(src)
    assert code == "duplicate-declaration"
    assert message.startswith("predicate `married` is already declared at t.havre:")


def test_wrong_arity() -> None:
    src = 'rule R1 "t" cites QHC-1 meets(A) if principal(A) = P and married(P, A).'
    assert only(src)[:2] == ("wrong-arity", "`married` takes 1 argument(s), not 2")


def test_type_mismatch_on_arguments_and_comparisons() -> None:
    src = 'rule R1 "t" cites QHC-1 meets(A) if married(A).'
    assert only(src)[:2] == ("type-mismatch", "`A` is an application, but `married` expects a person here")
    src = 'rule R1 "t" cites QHC-1 meets(A) if notice(A) < 5.'
    assert only(src)[:2] == ("type-mismatch", "cannot compare `notice(A)` (date) with `5` (int)")


def test_yes_no_predicate_used_as_value() -> None:
    src = 'rule R1 "t" cites QHC-1 meets(A) if married(principal(A)) = 3.'
    code, message, *_ = only(src)
    assert (code, message) == ("type-mismatch", "`married` is a yes/no predicate, not a value")


def test_unsafe_variable_in_the_languages_terms() -> None:
    src = 'rule R1 "t" cites QHC-1 meets(A) if notice(A) < D + 60 days.'
    code, message, hint, *_ = only(src)
    assert code == "unsafe-variable"
    assert message == "`D` is a date that no condition gives a value to"
    assert hint is not None and hint.startswith("give `D` a value with a condition such as `some_date(A) = D`")


def test_value_given_only_inside_not_is_unsafe_outside() -> None:
    src = 'rule R1 "t" cites QHC-1 meets(A) if not (notice(A) = D) and D < assessment_date.'
    assert only(src)[:2] == ("unsafe-variable", "`D` is a date that no condition gives a value to")


def test_bad_exception_uses_a_condition_variable() -> None:
    src = 'rule R1 "t" cites QHC-1 meets(A) if principal(A) = P unless married(P).'
    code, message, *_ = only(src)
    assert code == "bad-exception"
    assert message == "`unless` may only use the variables of the conclusion (A); `P` comes from the conditions"


def test_rules_cannot_conclude_inputs_or_findings() -> None:
    src = 'judged distress(P: person)\nrule R1 "t" cites QHC-1 distress(P) if married(P).'
    code, message, *_ = only(src)
    assert (code, message) == (
        "concludes-input",
        "`distress` is an officer's finding (judged); rules cannot conclude it",
    )


def test_bad_template_placeholder() -> None:
    src = 'input resides(P: person)\n  en "{Q} resides in Québec"'
    assert only(src)[:2] == ("bad-template", "placeholder `{Q}` names no parameter of `resides`")


def test_a_number_may_give_the_noun_it_counts_and_nothing_else_may() -> None:
    counted = """input children(P: person): int
  en "{P} has {value:child|children}"
  fr "{P} a {value:enfant|enfants}"
  question en "How many children does {P} have?"
  question fr "Combien d'enfants {P} a-t-elle ?"
"""
    assert policy_of(BASE + counted).predicates["children"].text("fr") == "{P} a {value:enfant|enfants}"
    date = 'input born(P: person): date\n  en "{P} was born on {value:day|days}"'
    assert only(date)[:3] == (
        "bad-template",
        "placeholder `{value:day|days}`: `born` is no number",
        "only a number's `{value}` gives the noun that follows it, as `{value:person|persons}`",
    )
    one_form = 'input children(P: person): int\n  en "{P} has {value:children}"'
    assert only(one_form)[:3] == (
        "bad-template",
        "placeholder `{value:children}` gives no singular and plural",
        "after the colon, the noun singular and plural, split by `|`: `{value:person|persons}`",
    )
    assert only('input children(P: person): int\n  en "{P} has {P:child|children}"')[:2] == (
        "bad-template",
        "placeholder `{P:child|children}` names no parameter of `children`",
    )
    asks = 'input children(P: person): int\n  question en "Has {P} {value:child|children}?"'
    assert only(asks)[:3] == (
        "bad-template",
        "the question of `children` names `{value}`",
        "a question asks for the value; name the fact's parameters only",
    )


def test_bad_modifiers() -> None:
    code, message, hint, *_ = only("judged distress(P: person) default false")
    assert (code, message) == ("bad-modifier", "`distress` cannot be `default false`")
    assert hint == "an officer's finding is never presumed: its absence leaves the case undetermined"
    assert only("derived eligible(P: person) fixed")[:2] == ("bad-modifier", "`eligible` cannot be `fixed`")
    assert only("derived later(A: application): date\n  applies if meets(A)")[:2] == (
        "bad-modifier",
        "`later` is not a verdict; only verdicts have `applies if`",
    )
    assert only("verdict due(A: application): date\n  grounds x: meets(A)")[:2] == (
        "bad-modifier",
        "`due` cannot have grounds",
    )


def test_the_old_scope_keyword_points_to_applies_if() -> None:
    with pytest.raises(PolicyError) as err:
        parse_text("verdict d(A: application): date scope meets(A)", "x.havre")
    [d] = err.value.diagnostics
    assert (str(d.span), d.message, d.hint) == (
        "x.havre:1:33",
        "unexpected `scope`",
        "a verdict says which subjects it concerns with `applies if COND`",
    )


def test_summary_and_grounds_name_what_exists() -> None:
    code, message, hint, _, column = only("summary decisoin")
    assert (code, message, hint, column) == (
        "undefined-name",
        "`decisoin` is not declared",
        "did you mean `decision`?",
        9,
    )
    assert only("verdict d(A: application) one of yes_, no_\n  grounds maybe: meets(A)")[:3] == (
        "undefined-name",
        "`maybe` is not a value of `d`",
        "one of yes_, no_",
    )
    assert only("verdict d(A: application) one of yes_, no_\n  grounds no_: married(A)")[:2] == (
        "type-mismatch",
        "`A` is an application, but `married` expects a person here",
    )


def test_a_count_swallowing_arithmetic_gets_a_precise_hint() -> None:
    with pytest.raises(PolicyError) as err:
        parse_text('rule R "t" cites S n(A) = number of P where p(P) + 1.', "x.havre")
    [d] = err.value.diagnostics
    assert d.hint == (
        "`p(...) + ...` was read as a condition after `where`; "
        "parenthesise that condition, e.g. `number of X where (p(X)) + 1`"
    )


def test_negative_cycle_names_both_rules() -> None:
    src = """derived a(P: person)
derived b(P: person)
rule RA "a" cites QHC-1 a(P) if not b(P).
rule RB "b" cites QHC-1 b(P) if a(P)."""
    code, message, *_ = only(src)
    assert code == "negative-cycle"
    assert message == (
        "`a` and `b` depend on each other through `not`: rule `RA` concludes `a` from `not b`, "
        "and rule `RB` concludes `b` from `a`"
    )


def test_negative_cycle_through_a_count_in_a_conclusion() -> None:
    src = """derived a(P: person)
derived n(P: person): int
rule RA "a" cites QHC-1 a(P) if n(P) > 0.
rule RN "n" cites QHC-1 n(P) = number of Q where a(Q)."""
    assert only(src)[0] == "negative-cycle"


def test_priority_cycle_and_mismatch() -> None:
    src = """rule R1 "t" cites QHC-1 decision(A) = selected if meets(A).
rule R2 "t" cites QHC-1 decision(A) = refused if not meets(A).
rule R3 "t" cites QHC-1 meets(A) if notice(A) = D.
priority R1 over R2
priority R2 over R1"""
    codes = {d.code for d in diagnostics_of(BASE + src)}
    assert codes == {"priority-cycle"}
    src = """rule R1 "t" cites QHC-1 decision(A) = selected if meets(A).
rule R3 "t" cites QHC-1 meets(A) if notice(A) = D.
priority R1 over R3"""
    assert only(src)[:2] == ("priority-mismatch", "`R1` concludes `decision` but `R3` concludes `meets`")


def test_keywords_are_not_names() -> None:
    with pytest.raises(PolicyError) as err:
        parse_text('rule R1 "t" cites S y(P) if x(P) and or >= not.', "x.havre")
    [d] = err.value.diagnostics
    assert (d.code, d.message, str(d.span)) == (
        "reserved-name",
        "`or` is a word of the language, not a name",
        "x.havre:1:38",
    )


def test_bare_names_compared_with_nothing_typed() -> None:
    src = 'rule R1 "t" cites QHC-1 meets(A) if notice(A) = D and foo = bar.'
    found = [(d.code, d.message) for d in diagnostics_of(BASE + src)]
    assert found == [("undefined-name", "`foo` is not a value here"), ("undefined-name", "`bar` is not a value here")]


def test_reserved_names() -> None:
    assert only("input name(P: person)")[:2] == ("reserved-name", "`name` is reserved for case files")
    assert only("derived years_since(P: person): int")[:2] == (
        "reserved-name",
        "`years_since` is a built-in function and cannot be declared",
    )


def test_missing_text_is_an_error_for_check_yet_the_draft_loads() -> None:
    policy = policy_of('input resides(P: person)\n  en "{P} resides in Québec"')
    found = [(w.code, w.severity, w.message) for w in policy.warnings if "resides" in w.message]
    assert found == [
        ("missing-text", "error", "`resides` has no fr text"),
        ("missing-text", "error", "`resides` has no en or fr question"),
        ("plain-sentence", "warning", '`resides` has no `not en` text: explanations say "it is not the case that …"'),
    ]


def test_a_fact_read_under_not_without_a_not_text_names_the_rule() -> None:
    src = (
        'input resides(P: person)\n  en "{P} resides in Québec"\n  fr "{P} réside au Québec"\n'
        '  not en "{P} does not reside in Québec"\n'
        '  question en "Does {P} reside in Québec?"\n  question fr "{P} réside-t-elle ou réside-t-il au Québec ?"\n'
        'derived away(P: person)\n  en "{P} is away"\n  fr "{P} est absente ou absent"\n'
        'rule AWAY-1 "Away" cites QHC-1 away(P) if not resides(P).\n'
    )
    found = [(w.code, w.message, w.hint) for w in policy_of(src).warnings if "resides" in w.message]
    assert found == [
        (
            "plain-sentence",
            '`resides` has no `not fr` text: explanations say "it is not the case that …"',
            'rule AWAY-1 reads it under `not`; add e.g. `not fr "..."` with the sentence when it does not hold',
        )
    ]


def test_every_code_is_exercised_here() -> None:
    text = Path(__file__).read_text()
    assert {c for c in CODES if f'"{c}"' not in text} == set()


def test_rendering_shows_the_line_with_a_caret() -> None:
    src = 'rule R1 "t" cites QHC-1 meets(A) if principal(A) = P and marred(P).'
    with pytest.raises(PolicyError) as err:
        policy_of(BASE + src)
    text = render_text(err.value.diagnostics, {"t.havre": PRELUDE + BASE + src})
    lines = text.splitlines()
    assert lines[0].endswith("error[undefined-name]: `marred` is not declared")
    assert lines[2] == "       | " + " " * src.index("marred") + "^" * len("marred(P)")
    assert lines[3] == "  hint: did you mean `married`?"


def _one_file(tmp_path: Path, data: bytes) -> tuple[str, str]:
    (tmp_path / "main.havre").write_bytes(data)
    with pytest.raises(PolicyError) as err:
        parse(tmp_path)
    [d] = err.value.diagnostics
    return d.code, d.message


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"entity person\n\xc3\x28", "the file is not UTF-8 text (line 2, column 1)"),
        ("entity person".encode("utf-16"), "the file is UTF-16 text; save it as UTF-8"),
        (b"entity person\n\x7fELF\x00\x01", "the file holds a NUL character (line 2, column 5): is it a binary file?"),
    ],
)
def test_a_file_that_is_not_text_is_unreadable(tmp_path: Path, data: bytes, problem: str) -> None:
    assert _one_file(tmp_path, data) == ("unreadable-file", f"cannot read `{tmp_path}/main.havre`: {problem}")


def test_imports_that_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    (tmp_path / "secret.havre").write_text("entity person\n")
    (tmp_path / "secret.havre").chmod(0)
    lines = ['import "loop1"', f'import "{"x" * 300}"', 'import "../outside.havre"']
    (tmp_path.parent / "outside.havre").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (tmp_path / "main.havre").write_text("\n".join(lines) + "\n")
    with pytest.raises(PolicyError) as err:
        parse(tmp_path)
    found = [(d.code, d.span.line, d.message) for d in err.value.diagnostics]
    assert found == [
        ("unreadable-file", 1, "cannot read `loop1`: too many symbolic links (a loop?)"),
        ("unreadable-file", 2, f"cannot read `{'x' * 80}`: the name is too long"),
        ("import-not-found", 3, "imported file `../outside.havre` is outside the policy's folder"),
    ]
    assert "root:x" not in render_text(err.value.diagnostics, {})


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_import(tmp_path: Path) -> None:
    (tmp_path / "secret.havre").write_text("entity person\n")
    (tmp_path / "secret.havre").chmod(0)
    assert _one_file(tmp_path, b'import "secret.havre"\n') == (
        "unreadable-file",
        f"cannot read `{tmp_path}/secret.havre`: permission denied",
    )


@pytest.mark.parametrize(
    ("escape", "column", "message"),
    [
        ("\\x4", 19, "unknown escape `\\x`"),
        ("\\q", 19, "unknown escape `\\q`"),
        ("\\N{NO SUCH THING}", 19, "no character is named `NO SUCH THING`"),
        ("\\ud800", 19, "`\\ud800` is not a character a text can hold"),
        ("\\u0000", 19, "`\\u0000` is not a character a text can hold"),
    ],
)
def test_string_escapes_that_mean_nothing(escape: str, column: int, message: str) -> None:
    with pytest.raises(PolicyError) as err:
        parse_text(f'source S "doc" "a {escape} b" authority law\n', "x.havre")
    [d] = err.value.diagnostics
    assert (d.code, d.span.line, d.span.column, d.message) == ("bad-literal", 1, column, message)
    assert d.hint == (
        'a text may use \\" \\\\ \\n \\t, \\uXXXX or \\UXXXXXXXX (hexadecimal) and \\N{NAME} (a Unicode name)'
    )


def test_string_escapes_that_mean_characters() -> None:
    module = parse_text('source S "doc" "\\U0001F600 \\N{BULLET} \\u00e9 \\"q\\" \\\\ \\t" authority law\n', "x.havre")
    assert module.declarations[0].title == '😀 • é "q" \\ \t'  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["{P", "a { b", "}", "{P!r}", "{P:>9}", "{P.x}"])
def test_templates_with_stray_braces_are_refused_at_check(text: str) -> None:
    code, message, hint, *_ = only(f'input resides(P: person)\n  en "{text}"')
    assert code == "bad-template"
    assert message.startswith(("a brace", "placeholder"))
    assert hint == "placeholders are {P}; write {{ and }} for braces"


def test_braces_written_twice_are_text() -> None:
    assert policy_of('input resides(P: person)\n  en "{{P}} {P}"').predicates["resides"]


@pytest.mark.parametrize("nested", ["not " * 60 + "a(P)", "some X where " * 60 + "a(X)", "N" + " + 1" * 60])
def test_deep_nesting_is_refused_before_any_pass_recurses(nested: str) -> None:
    src = "input a(P: person)\ninput n(P: person): int\nderived b(P: person)\n"
    src += f'rule R "r" cites QHC-1 b(P) if {nested}'
    src += " > 1." if nested.startswith("N") else "."
    with pytest.raises(PolicyError) as err:
        parse_text(src, "x.havre")
    [d] = err.value.diagnostics
    assert (d.code, d.span.line) == ("too-deep", 4)
    assert d.message == "conditions and values are nested more than 50 levels deep"
    assert d.hint == "split the condition into derived facts concluded by rules of their own"


def test_a_thousand_nested_nots_are_refused_too() -> None:
    with pytest.raises(PolicyError) as err:
        parse_text('rule R "r" cites S b(P) if ' + "not " * 1000 + "a(P).", "x.havre")
    assert [d.code for d in err.value.diagnostics] == ["too-deep"]


def test_a_value_computed_from_itself_is_refused() -> None:
    src = (
        "input n(A: application): int\nderived total(A: application): int\nderived copy(A: application): int\n"
        'rule R1 "t" cites QHC-1 total(A) = N + 1 if total(A) = N.\n'
        'rule R0 "t" cites QHC-1 total(A) = N if n(A) = N.\n'
        'rule C1 "t" cites QHC-1 copy(A) = D if copy(A) = D and meets(A).\n'
        'rule M1 "t" cites QHC-1 meets(A) if copy(A) = D and E = D + 1 and E > 2.\n'
    )
    [d] = diagnostics_of(BASE + src)
    assert (d.code, d.span.line) == ("unbounded-recursion", line_of(BASE + src, "rule R1"))
    assert d.message == (
        "rule `R1` computes a new value of `total` from `total` itself (through `R1`): deciding a case would never end"
    )
    assert d.hint == "compute the value from facts that do not depend on it, or count with `number of`"


def test_a_value_computed_through_another_rule_names_both() -> None:
    src = (
        "derived a(A: application): int\nderived b(A: application): int\n"
        'rule RA "t" cites QHC-1 a(A) = N if b(A) = M and N = M + 1.\n'
        'rule RB "t" cites QHC-1 b(A) = N if a(A) = N.\n'
    )
    [d] = diagnostics_of(BASE + src)
    assert d.code == "unbounded-recursion"
    assert "(through `RA`, `RB`)" in d.message


def test_a_policy_too_large_is_refused() -> None:
    rules = "".join(f'rule R{i} "t" cites QHC-1 meets(A) if married(A).\n' for i in range(1001))
    with pytest.raises(PolicyError) as err:
        policy_of(BASE + rules)
    [d] = err.value.diagnostics
    assert (d.code, d.message) == ("too-large", "a policy holds at most 1000 rules")
    assert d.span.line == line_of(BASE + rules, "rule R1000 ")


def test_a_count_whose_variable_its_condition_never_uses() -> None:
    src = (
        "derived k(A: application): int\n"
        'rule R1 "t" cites QHC-1 k(A) = number of K where principal(A) = P.\n'
        'rule R2 "t" cites QHC-1 meets(A) if number of K where (principal(A) = P) > 1.\n'
    )
    found = [(d.code, d.message, d.span.line) for d in diagnostics_of(BASE + src)]
    assert found == [
        ("type-mismatch", "cannot tell what `K` stands for", line_of(BASE + src, "rule R1")),
        ("type-mismatch", "cannot tell what `K` stands for", line_of(BASE + src, "rule R2")),
    ]


def test_a_rule_with_too_many_alternatives_is_refused() -> None:
    src = 'rule R1 "t" cites QHC-1 meets(A) if ' + " or ".join(["married(A)"] * 65) + "."
    with pytest.raises(PolicyError) as err:
        policy_of(BASE + src)
    [d] = err.value.diagnostics
    assert (d.code, d.message) == ("too-large", "rule `R1` has more than 64 alternatives (`or`)")
    assert d.hint == "split it into rules that conclude the same thing"


def test_a_list_too_long_to_parse_quickly_is_refused_before_parsing(tmp_path: Path) -> None:
    text = 'rule R "r" cites S c(P) if ' + " and ".join(["a(P)"] * 2002) + ".\n"
    (tmp_path / "main.havre").write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        parse(tmp_path)
    [d] = err.value.diagnostics
    assert (d.code, d.message, d.span.line) == ("too-large", "a file holds at most 2000 `and` and `or`", 1)
    assert d.span.column == text.rindex(" and ") + 2  # the last `and` of 2001 is past the limit


def test_a_file_with_too_many_commas_is_refused_at_the_comma_past_the_limit(tmp_path: Path) -> None:
    args = ", ".join(["P"] * 2002)  # 2001 commas
    text = f'rule R "r" cites S\nc(P) if a({args}).\n'
    (tmp_path / "main.havre").write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        parse(tmp_path)
    [d] = err.value.diagnostics
    assert (d.code, d.message, d.span.line) == ("too-large", "a file holds at most 2000 commas", 2)
    assert d.span.column == text.rindex(",") - text.index("\n")


# "rules", "sources", "inputs" and "order" hold declaration words and `or` as text, 9,000 and 3,000 times over:
# words inside longer ones never count toward the limits.
@pytest.mark.parametrize("notes", ["", "# rules sources inputs in order\n" * 3000], ids=["alone", "with-notes"])
def test_declarations_are_counted_across_files_and_refused_at_the_one_past_the_limit(
    tmp_path: Path, notes: str
) -> None:
    (tmp_path / "main.havre").write_text('import "more.havre"\n' + "entity e\n" * 2999 + notes, encoding="utf-8")
    (tmp_path / "more.havre").write_text("entity f\n" * 2002, encoding="utf-8")  # 3,000 + 2,002 declaration words
    with pytest.raises(PolicyError) as err:
        parse(tmp_path)
    [d] = err.value.diagnostics
    assert (d.code, d.message) == ("too-large", "a policy holds at most 5000 declarations")
    assert (d.span.file.endswith("more.havre"), d.span.line, d.span.column) == (True, 2001, 1)
    (tmp_path / "more.havre").write_text("entity f\n" * 2000, encoding="utf-8")  # exactly 5,000
    assert len(parse(tmp_path).modules) == 2


def test_a_duration_is_not_a_value_to_compare() -> None:
    code, message, hint, *_ = only('rule R1 "t" cites QHC-1 meets(A) if 60 days = 60 days.')
    assert (code, message) == ("type-mismatch", "`60 days` is a duration, not a value to compare")
    assert hint == "add it to a date, e.g. `D + 60 days`"


# ---------------------------------------------------------------- diagnostics at the right place


def test_an_unbound_variable_is_reported_where_it_is_used() -> None:
    src = """rule R1 "t" cites QHC-1
  meets(A) if
        principal(A) = P
    and married(P)
    and notice(A) < J + 2 days."""
    [d] = diagnostics_of(BASE + src)
    assert (d.code, d.message) == ("unsafe-variable", "`J` is a date that no condition gives a value to")
    assert (d.span.line, d.span.column, d.span.end_column) == (line_of(BASE + src, "J + 2"), 21, 22)


def test_a_variable_of_no_type_is_reported_where_it_is_used() -> None:
    src = 'rule R1 "t" cites QHC-1\n  meets(A) if\n        principal(A) = P\n    and X = Y.'
    found = [(d.code, d.message, d.span.line, d.span.column) for d in diagnostics_of(BASE + src)]
    line = line_of(BASE + src, "X = Y")
    assert found == [
        ("type-mismatch", "cannot tell what `X` stands for", line, 9),
        ("type-mismatch", "cannot tell what `Y` stands for", line, 13),
    ]


def test_a_missing_period_is_reported_after_the_rule_not_at_the_next_one() -> None:
    text = 'rule R1 "t" cites S\n  a(P) if b(P)  # no period\n\n# the next rule\nrule R2 "t" cites S a(P) if c(P).\n'
    with pytest.raises(PolicyError) as err:
        parse_text(text, "x.havre")
    [d] = err.value.diagnostics
    assert (d.code, str(d.span), d.message, d.hint) == (
        "syntax-error",
        "x.havre:2:15",
        "missing `.` at the end of the rule",
        "a rule ends with `.`; the next declaration begins at line 5",
    )
    with pytest.raises(PolicyError) as err:
        parse_text('invariant I "t" never a(X) and b(X)\n\n', "x.havre")
    [d] = err.value.diagnostics
    assert (str(d.span), d.message, d.hint) == (
        "x.havre:1:36",
        "missing `.` at the end of the invariant",
        "an invariant ends with `.`",
    )


def test_a_cycle_through_not_keeps_every_not_in_its_wording() -> None:
    src = """derived a(P: person)
derived b(P: person)
rule RA "a" cites QHC-1 a(P) if not b(P).
rule RB "b" cites QHC-1 b(P) if not a(P)."""
    [d] = diagnostics_of(BASE + src)
    assert (d.code, d.span.line) == ("negative-cycle", line_of(BASE + src, "rule RA"))
    assert d.message == (
        "`a` and `b` depend on each other through `not`: rule `RA` concludes `a` from `not b`, "
        "and rule `RB` concludes `b` from `not a`"
    )


def test_a_cycle_through_a_third_predicate_names_every_step() -> None:
    src = """derived a(P: person)
derived b(P: person)
derived c(P: person)
rule RA "a" cites QHC-1 a(P) if not b(P).
rule RB "b" cites QHC-1 b(P) if c(P).
rule RC "c" cites QHC-1 c(P) if a(P)."""
    [d] = diagnostics_of(BASE + src)
    assert d.message == (
        "`a` and `b` depend on each other through `not`: rule `RA` concludes `a` from `not b`, "
        "and rule `RB` concludes `b` from `c`, and rule `RC` concludes `c` from `a`"
    )


def test_a_value_passed_as_an_extra_argument_gets_one_error_with_the_comparison() -> None:
    src = 'rule R1 "t" cites QHC-1 meets(A) if principal(A, P) and married(P).'
    assert only(src) == (
        "wrong-arity",
        "`principal` takes 1 argument(s), not 2; it has a value (person)",
        "compare its value: `principal(A) = P`",
        line_of(BASE + src, "principal(A, P)"),
        src.index("principal(A, P)") + 1,
    )


def test_a_value_predicate_used_as_a_condition_gets_a_hint_of_the_right_arity() -> None:
    src = 'rule R1 "t" cites QHC-1 meets(A) if principal(A) and married(P).'
    assert only(src)[:3] == (
        "type-mismatch",
        "`principal` has a value (person), it is not a yes/no condition",
        "compare its value, e.g. `principal(A) = ...`",
    )


def test_english_and_french_texts_name_the_same_placeholders() -> None:
    src = """input born(P: person): date
  en "{P} was born on {value}"
  fr "{P} est né(e)"
  question en "When was {P} born?"
  question fr "Quand est-elle née ?"
"""
    found = [(d.code, d.message, d.span.line, d.span.column) for d in diagnostics_of(BASE + src)]
    assert found == [
        ("bad-template", "the fr text of `born` has no `{value}`, unlike the en one", line_of(BASE + src, "est né"), 3),
        ("bad-template", "the fr question of `born` has no `{P}`, unlike the en one", line_of(BASE + src, "Quand"), 3),
    ]
    assert diagnostics_of(BASE + src)[0].hint == "the English and French texts name the same placeholders"
