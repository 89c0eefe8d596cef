"""The reviewers' pages in a real browser: Playwright drives Debian's /usr/bin/chromium (no browser is
downloaded) against a real `havre serve` on loopback. Any console message (a script error, a resource the
Content-Security-Policy refused) is a fault."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from havre.web.launch import Server
from tests.helpers import ROOT

CHROMIUM = Path("/usr/bin/chromium")
REQUIRED = os.environ.get("HAVRE_REQUIRE_CHROMIUM") == "1"  # CI sets it: there, a missing browser is a failure
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not REQUIRED,
    reason="/usr/bin/chromium is not installed (apt-get install -y chromium); HAVRE_REQUIRE_CHROMIUM=1 fails instead",
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EXAMPLES = ROOT / "policy/examples"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'log.sqlite3'}"
    with Server(ROOT / "policy", db, cases=EXAMPLES, cwd=ROOT) as running:
        yield running


@pytest.fixture
def page() -> Iterator[Any]:
    assert CHROMIUM.exists(), f"HAVRE_REQUIRE_CHROMIUM=1 but {CHROMIUM} is not installed"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)  # a fresh profile for each launch
        context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
        tab = context.new_page()
        tab.console = []
        tab.on("console", lambda m: tab.console.append(f"{m.type}: {m.text}"))
        yield tab
        context.close()
        browser.close()


def test_upload_decision_first_screen_french_and_why_not(server: Server, page: Any) -> None:
    page.goto(server.url + "/")
    page.set_input_files("#file", str(EXAMPLES / "amina-selected.yaml"))
    page.click("form:has(#file) button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/[0-9a-f]{32}\?lang=en$"))
    answer = page.locator('#summary a[href="#v-decision-app1"]')
    assert answer.inner_text() == "MIFI's decision on app1: selected"
    box = answer.locator("xpath=ancestor::li").bounding_box()
    assert box is not None and 0 < box["y"] + box["height"] <= 900  # on the first screen, without scrolling

    answer.click()  # the reader's place: the decision's own section
    page.wait_for_url(re.compile(r"#v-decision-app1$"))
    page.click("a.lang")
    page.wait_for_url(re.compile(r"/cases/[0-9a-f]{32}\?lang=fr#v-decision-app1$"))
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("#summary h2").inner_text() == "Réponses principales"

    page.click('#closer a:has-text("pourquoi, ou pourquoi pas") >> nth=0')
    page.wait_for_url(re.compile(r"/verdict\?key=decision\|app1&lang=fr$"))
    assert page.locator("section#v-decision-app1 h4", has_text="Pourquoi pas une autre issue").count() == 1
    assert page.locator("ul.why-not > li").count() >= 1
    assert page.console == []


def test_an_interview_on_an_undetermined_case_to_a_decided_verdict(server: Server, page: Any) -> None:
    page.goto(server.url + "/?lang=en")
    page.select_option("#name", "fatima-undetermined.yaml")
    page.click("form:has(#name) button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/"))
    assert "undetermined" in page.locator('#summary li:has(a[href="#v-decision-app1"]) .status').inner_text().lower()
    page.click("text=Answer the open questions")
    page.wait_for_url(re.compile(r"/interview/"))
    assert page.locator(".progress").inner_text() == "Question 1 of at most 3"
    page.click("details.why summary")
    assert page.locator("details.why .rule", has_text="QHC-3.conditions").first.is_visible()
    page.check('input[name="value"][value="yes"]')
    page.click('button[value="answer"]')
    page.wait_for_selector("text=Question 2 of at most 2")
    decided = page.locator('#summary li:has(a[href="#v-decision-app1"])')
    assert decided.locator("a.answer").inner_text() == "MIFI's decision on app1: selected"
    assert decided.get_attribute("class") == "holds"
    page.fill('input[name="value"]', "2026-10-15")
    page.click('button[value="answer"]')
    page.wait_for_selector("#done")
    assert page.locator("#done").inner_text() == "Every main answer is decided."
    with page.expect_download() as download:
        page.click("text=Download the case file")
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert "capacity_to_integrate: true" in saved and "csq_issued_on: '2026-10-15'" in saved
    assert page.console == []


def test_the_print_layout_shows_every_subject_without_the_controls(server: Server, page: Any) -> None:
    page.goto(server.url + "/?lang=en")
    page.select_option("#name", "kofi-refused.yaml")
    page.click("form:has(#name) button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/"))
    folded = page.locator("details.subject:not([open]) section.verdict").first
    assert not folded.is_visible()  # folded on screen
    page.emulate_media(media="print")
    assert not page.locator("nav.top").is_visible() and not page.locator("#closer").is_visible()
    assert folded.is_visible()
    box = folded.bounding_box()
    assert box is not None and box["height"] > 0  # every subject's verdicts are printed
