"""Templates compiled once and kept for later processes (explain.rendering.render.keep_compiled_templates)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from explain.rendering import render
from explain.view.views import View
from havre.api import Policy, load_policy
from tests.helpers import ROOT

CASE = ROOT / "policy/examples/kofi-refused.yaml"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(ROOT / "policy")


@pytest.fixture(autouse=True)
def fresh_environments() -> Iterator[None]:
    """Each test starts as a new process would: no environment built, no folder chosen; and leaves it so."""
    render.keep_compiled_templates(None)
    render._environment.cache_clear()
    yield
    render.keep_compiled_templates(None)
    render._environment.cache_clear()


def as_new_process(folder: Path | None) -> None:
    render._environment.cache_clear()
    render.keep_compiled_templates(folder)


def decided(policy: Policy, lang: str = "fr") -> View:
    view, _ = policy.decision_view(CASE, lang=lang)
    return view


def kept_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("templates/*/*.cache"))


def test_a_later_process_renders_from_the_kept_templates_without_compiling(
    policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = decided(policy)
    as_new_process(None)
    expected = render.render(view, "decision"), render.render(view, "html")
    as_new_process(tmp_path)
    assert (render.render(view, "decision"), render.render(view, "html")) == expected
    # the decision's template; the HTML page's, the macros it imports and the style sheet it includes
    assert len(kept_files(tmp_path)) == 4
    as_new_process(tmp_path)
    monkeypatch.setattr(jinja2.Environment, "compile", lambda *_, **__: pytest.fail("compiled again"))
    assert (render.render(view, "decision"), render.render(view, "html")) == expected


def test_both_languages_share_the_kept_templates(policy: Policy, tmp_path: Path) -> None:
    as_new_process(tmp_path)
    english = render.render(decided(policy, "en"), "decision")
    as_new_process(tmp_path)
    french = render.render(decided(policy, "fr"), "decision")
    assert len(kept_files(tmp_path)) == 1
    assert english.startswith("Case kofi-2026-027, assessed on August 10, 2026 (policy ")
    assert french.startswith("Dossier kofi-2026-027, évalué le 10 août 2026 (politique ")


def test_a_template_kept_under_other_code_is_not_used(
    policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_new_process(tmp_path)
    render.render(decided(policy), "decision")
    monkeypatch.setattr(jinja2, "__version__", "0.0-other")
    as_new_process(tmp_path)
    render.render(decided(policy), "decision")
    assert len({path.parent for path in kept_files(tmp_path)}) == 2


def test_a_damaged_kept_template_is_compiled_again_and_replaced(policy: Policy, tmp_path: Path) -> None:
    view = decided(policy)
    as_new_process(tmp_path)
    expected = render.render(view, "decision")
    [kept] = kept_files(tmp_path)
    good = kept.read_bytes()
    for damage in (b"", good[:40], good[:-100], b"\x00" * 500):
        kept.write_bytes(damage)
        as_new_process(tmp_path)
        assert render.render(view, "decision") == expected
        assert kept.read_bytes() == good


def test_a_folder_that_cannot_be_made_only_costs_the_compiling(policy: Policy, tmp_path: Path) -> None:
    view = decided(policy)
    as_new_process(None)
    expected = render.render(view, "decision")
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    as_new_process(blocked)
    assert render.render(view, "decision") == expected
    taken = tmp_path / "taken"
    as_new_process(taken)
    render.render(view, "decision")
    [kept] = kept_files(taken)  # made; then a folder stands where the compiled template would be written
    kept.unlink()
    kept.mkdir()
    as_new_process(taken)
    assert render.render(view, "decision") == expected
    assert kept.is_dir()
