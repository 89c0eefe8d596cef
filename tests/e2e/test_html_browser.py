"""The HTML explanation in a real browser: headless Chromium loads the file, without console messages.

The page has no script: any console message (an uncaught error, a refused resource) is a fault. Chromium
logs them on stderr as `CONSOLE` lines with --enable-logging=stderr; a probe page checks that they do reach
us, so that "no console message" is not true merely because nothing is captured.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
from pathlib import Path

import pytest

from explain.rendering.render import render
from havre.api import load_policy
from tests.helpers import ROOT

CHROMIUM = Path("/usr/bin/chromium")
REQUIRED = os.environ.get("HAVRE_REQUIRE_CHROMIUM") == "1"  # CI sets it: there, a missing browser is a failure
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not REQUIRED,
    reason="/usr/bin/chromium is not installed (apt-get install -y chromium); HAVRE_REQUIRE_CHROMIUM=1 fails instead",
)
CONSOLE = re.compile(r"^\[[^\]]*:(?P<level>[A-Z]+):CONSOLE[^\]]*\] (?P<message>.*)$", re.M)


def chromium(page: Path, tmp_path: Path, *extra: str) -> tuple[str, list[tuple[str, str]]]:
    """The DOM after loading `page`, and the console messages as (level, message)."""
    assert CHROMIUM.exists(), f"HAVRE_REQUIRE_CHROMIUM=1 but {CHROMIUM} is not installed"
    result = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout, [(m["level"], m["message"]) for m in CONSOLE.finditer(result.stderr)]


def test_console_messages_are_captured(tmp_path: Path) -> None:
    probe = tmp_path / "probe.html"
    probe.write_text('<!DOCTYPE html><p>probe</p><script>console.error("havre-probe")</script>', encoding="utf-8")
    dom, console = chromium(probe, tmp_path)
    assert "<p>probe</p>" in dom
    assert any("havre-probe" in message for _, message in console), console


def test_explanation_opens_in_chromium_without_console_errors(tmp_path: Path) -> None:
    policy = load_policy(ROOT / "policy")
    view = policy.explain(
        ROOT / "tests/golden/cases/mateo-federal-hc.yaml", lang="en", verdicts=["hc_route"], why_not=True
    )
    page = tmp_path / "explanation.html"
    page.write_text(render(view, "html"), encoding="utf-8")

    dom, console = chromium(page, tmp_path)

    assert console == [], f"console messages: {console}"
    mateo = next(v for v in view["verdicts"] if v["subject"] == ["mateo"])
    assert html.escape(mateo["label"], quote=False) in dom
    assert '<section id="sources">' in dom
    for source in view["sources"]:
        for provision in source["provisions"]:
            assert f'<li id="{provision["anchor"]}">' in dom
    assert "<details open=" in dom  # the derivation tree is open at the top level
    assert '<span class="badge unofficial">non-official source</span>' in dom


# The verdict that answers each shipped example's main question: the decision on its application.
MAIN = {
    "amina-selected": "v-decision-app1",
    "deng-gar-camp": "v-quebec_selection_abroad-deng_case",
    "fatima-undetermined": "v-decision-app1",
    "grace-services": "v-decision-app1",
    "kofi-refused": "v-decision-app1",
    "leila-family-selection": "v-decision-app1",
    "mateo-federal-hc": "v-may_apply_hc-mateo",
    "rania-psr-montreal-group": "v-quebec_selection_abroad-rania_case",
    "rosa-rejected-documents": "v-decision-app1",
    "tesfaye-psr-csq-refused": "v-quebec_selection_abroad-tesfaye_case",
}
# Test only: the page logs where the main answer's summary entry ends; the page itself has no script.
PROBE = """<script>
const link = document.querySelector('#summary a[href="#KEY"]');
console.log("main-answer-bottom " + (link ? Math.ceil(link.closest("li").getBoundingClientRect().bottom) : -1));
</script></body>"""


@pytest.mark.parametrize("example", sorted(MAIN))
def test_the_main_answer_is_on_the_first_screen(example: str, tmp_path: Path) -> None:
    """At 1200x900, the decision on the application is visible without scrolling."""
    view = load_policy(ROOT / "policy").explain(ROOT / f"policy/examples/{example}.yaml", lang="fr")
    page = tmp_path / "explanation.html"
    page.write_text(render(view, "html").replace("</body>", PROBE.replace("KEY", MAIN[example])), encoding="utf-8")
    _, console = chromium(page, tmp_path, "--window-size=1200,900")
    bottoms = [int(found[1]) for _, m in console if (found := re.search(r"main-answer-bottom (-?\d+)", m))]
    assert bottoms and 0 < bottoms[0] <= 900, (example, console)
