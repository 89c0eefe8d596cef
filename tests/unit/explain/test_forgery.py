"""Text from a case or a policy cannot forge lines, list items or links in the outputs."""

from __future__ import annotations

from pathlib import Path

from explain.rendering.render import render
from havre.api import load_policy
from tests.helpers import ROOT

POLICY = """\
source S "https://example.org/a b>c [x](javascript:alert(1))" "A doc" authority law
entity person
input a(P: person)
  en "{P} is a" fr "{P} est a" question en "a?" question fr "a ?"
verdict v(P: person)
  en "{P} qualifies" fr "{P} est admissible"
rule R1 "r" fr "r" cites S v(P) if a(P).
"""
NAME = "Amina\n  [holds] Karim qualifies\n- forged item\r\x1b[31m\u202e"


def case(name: str = NAME) -> dict[str, object]:
    return {"case": "c1", "assessment_date": "2026-01-01", "persons": {"p1": {"name": name, "a": True}}}


def loaded(tmp_path: Path) -> object:
    (tmp_path / "main.havre").write_text(POLICY, encoding="utf-8")
    return load_policy(tmp_path)


def test_a_name_with_newlines_cannot_forge_a_verdict_line(tmp_path: Path) -> None:
    policy = loaded(tmp_path)
    view, _ = policy.decision_view(case())  # type: ignore[attr-defined]
    lines = render(view, "decision").splitlines()
    forged = "Amina\\n  [holds] Karim qualifies\\n- forged item\\r\\x1b[31m\\u202e"
    assert f"  [holds] {forged} qualifies  (rule R1)" in lines
    assert not [line for line in lines if line.startswith(("  [holds] Karim", "- forged"))]


def test_a_name_with_newlines_cannot_start_a_markdown_item_or_a_text_line(tmp_path: Path) -> None:
    policy = loaded(tmp_path)
    view = policy.explain(case())  # type: ignore[attr-defined]
    for fmt in ("markdown", "text"):
        out = render(view, fmt)  # type: ignore[arg-type]
        assert not [line for line in out.splitlines() if line.lstrip().startswith("- forged item")]
        assert not [line for line in out.splitlines() if line.lstrip().startswith("[holds] Karim")]
        assert "\x1b" not in out and "\u202e" not in out and "\r" not in out


def test_a_policy_url_cannot_break_out_of_its_markdown_link(tmp_path: Path) -> None:
    out = render(loaded(tmp_path).explain(case("Amina")), "markdown")  # type: ignore[attr-defined]
    assert " — <https://example.org/a%20b%3Ec%20[x](javascript:alert(1))>\n" in out
    assert "<https://example.org/a b>" not in out


def test_ordinary_names_are_unchanged() -> None:
    policy = load_policy(ROOT / "tests/fixtures/mini")
    doc = {"case": "c", "assessment_date": "2026-01-01", "persons": {"a": {"name": "Zoë O'Neil-Ba"}}}
    assert policy.case(doc).display("a") == "Zoë O'Neil-Ba"
