"""The reviewers' pages: a case in, the decision first, why and why not, what-if, the policy, escaping."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from markupsafe import escape

from havre.api import Policy
from solver.cases.casefile import parse_document
from tests.unit.web.conftest import EXAMPLES, case_text


def submit(client: TestClient, **form: str) -> str:
    """The decision page's address after a case is sent."""
    response = client.post("/cases", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text[-500:]
    return str(response.headers["location"])


def upload(client: TestClient, name: str, text: str | None = None, lang: str = "en") -> object:
    body = (text if text is not None else case_text(name)).encode()
    files = {"file": (f"{name}.yaml", body, "application/yaml")}
    return client.post("/cases", data={"source": "upload", "lang": lang}, files=files, follow_redirects=False)


def test_an_uploaded_case_is_decided_logged_and_shown_summary_first(client: TestClient) -> None:
    response = upload(client, "amina-selected")
    assert response.status_code == 303  # type: ignore[attr-defined]
    where = response.headers["location"]  # type: ignore[attr-defined]
    assert re.fullmatch(r"/cases/[0-9a-f]{32}\?lang=en", where)
    page = client.get(where).text
    assert (
        page.index('<section id="summary">') < page.index('<section id="closer"') < page.index('<section id="details">')
    )
    assert page.index('<section id="details">') < page.index('<section id="sources">')
    assert "MIFI&#39;s decision on app1: selected" in page
    draft = where.split("?")[0]
    closer = page[page.index('<ul class="closer-main">') : page.index("</ul>", page.index('<ul class="closer-main">'))]
    assert re.findall(r'href="([^"]*)"', closer)[:2] == [
        f"{draft}/verdict?key=decision|app1&amp;lang=en",
        f"{draft}/what-if?key=decision|app1&amp;lang=en",
    ]
    record = re.search(r"logged as decision (\d+)", page)
    assert record is not None
    logged = client.app.state.service.log.get(int(record[1]))  # type: ignore[attr-defined]
    assert logged["channel"] == "page" and logged["verdicts"][0]["value"] == "selected"


def test_the_next_deadline_follows_the_main_answers(client: TestClient) -> None:
    page = client.get(submit(client, source="pick", name="mateo-federal-hc.yaml", lang="fr")).text
    assert page.index('<section id="summary">') < page.index('<p id="next-deadline"') < page.index('id="closer"')
    # The deadline is a main answer: the answer says how it stands, the line below does not say it again.
    assert (
        "<strong>Prochaine échéance\u00a0: le 3 décembre 2026 (dans 12 jours), pour la personne requérante</strong></p>"
    ) in page
    assert '<div class="due coming">Échéance dans 12 jours, pour la personne requérante</div>' in page
    assert (
        '<div class="due past">Échéance dépassée de 3 jours à la date d&#39;évaluation\u00a0: Mateo Restrepo ne'
        " peut plus demander à la Cour fédérale"
    ) in page
    assert 'id="next-deadline"' not in client.get(submit(client, source="pick", name="kofi-refused.yaml")).text


def test_the_list_of_every_verdict_opens_on_one_that_applies(client: TestClient) -> None:
    """Deng Garang Akol and his spouse, abroad, are asked of no verdict about themselves: they come after the
    subjects the page lists, in the case's order, and the list opens on a verdict that applies."""
    page = client.get(submit(client, source="pick", name="deng-gar-camp.yaml", lang="en")).text
    groups = re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', page, re.S)
    assert [label for label, _ in groups] == [
        "Nyandeng Deng Garang",
        "Majok Deng Garang",
        "Ayen Deng Garang",
        "Kuol Garang Akol",
        "Deng Garang Akol&#39;s resettlement application",
        "Deng Garang Akol",
        "Achol Deng Mabior",
    ]
    first = re.search(r'<option value="[^"]*"(?: selected)?>([^<]*)</option>', page)
    assert first is not None and first[1] == "[holds] Nyandeng Deng Garang is a dependent child of Achol Deng Mabior"


def test_the_list_of_every_verdict_opens_on_the_first_main_answer(client: TestClient) -> None:
    """Not on the first sentence of the first subject, which may be a verdict that fails (amina: access to the
    family assistance programs)."""
    page = client.get(submit(client, source="pick", name="amina-selected.yaml", lang="en")).text
    assert re.findall(r'<option value="([^"]*)" selected>([^<]*)</option>', page) == [
        ("decision|app1", "[holds] MIFI&#39;s decision on app1: …")
    ]
    french = client.get(submit(client, source="pick", name="amina-selected.yaml", lang="fr")).text
    assert re.findall(r'<option value="([^"]*)" selected>', french) == ["decision|app1"]


def test_the_other_language_keeps_the_address(client: TestClient) -> None:
    where = submit(client, source="pick", name="kofi-refused.yaml", lang="en")
    page = client.get(where).text
    draft = where.split("?")[0]
    assert f'<a class="lang" data-keep-place href="{draft}?lang=fr" hreflang="fr" lang="fr">Français</a>' in page
    french = client.get(f"{draft}?lang=fr").text
    assert '<html lang="fr">' in french and "Réponses principales" in french
    assert f'href="{draft}?lang=en"' in french
    assert "<li>Décision du MIFI sur app1\u00a0: refusée\u00a0: <a " in french  # a space before the colon
    assert "<li>MIFI&#39;s decision on app1: refused: <a " in page
    # Any verdict of any subject, as the sentence a reviewer reads, its status first.
    assert '<option value="decision|app1" selected>[holds] MIFI&#39;s decision on app1: …</option>' in page
    assert '<option value="decision|app1" selected>[établi] Décision du MIFI sur app1\u00a0: …</option>' in french
    # Under the entity each is first about, in the case's order; in each, by sentence, those that do not apply last.
    groups = re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', page, re.S)
    assert [label for label, _ in groups] == ["Kofi Mensah", "app1"]
    option = r'<option value="[^"]*"(?: selected)?>\[([^]]*)\] ([^<]*)</option>'
    options = [re.findall(option, body) for _, body in groups]
    assert sum(map(len, options)) == 50
    for found in options:
        applies = [text for status, text in found if status != "does not apply"]
        outside = [text for status, text in found if status == "does not apply"]
        assert [text for _, text in found] == sorted(applies, key=str.casefold) + sorted(outside, key=str.casefold)
    assert re.findall(r'<optgroup label="([^"]*)">', french) == ["Kofi Mensah", "app1"]
    # Those that do not apply are not shown below, and the page says where they are, not the command's option.
    outside = sum(status == "does not apply" for found in options for status, _ in found)
    assert (
        f'<p class="hidden-note">{outside} verdicts do not apply to this case and are not shown here; “Any verdict and'
        " subject” above lists them.</p>"
    ) in page
    assert (
        f'<p class="hidden-note">{outside} constats sont sans objet dans ce dossier et ne sont pas affichés ici\u202f;'
        " la liste «\u00a0Tout constat et tout sujet\u00a0» ci-dessus les propose.</p>"
    ) in french


def test_a_bad_case_is_shown_at_its_field_with_the_command_line_message(client: TestClient) -> None:
    text = case_text("amina-selected").replace("birth_date: 1988-03-14", "birth_date: 1988-02-30")
    response = upload(client, "bad", text)
    assert response.status_code == 422  # type: ignore[attr-defined]
    page = response.text  # type: ignore[attr-defined]
    assert "error: bad.yaml: persons.amina.birth_date: &#34;1988-02-30&#34; is not a valid date" in page
    assert "<code>persons.amina.birth_date</code>" in page
    pasted = client.post("/cases", data={"source": "paste", "text": "case: [", "lang": "en"})
    assert pasted.status_code == 422
    assert "error: &lt;pasted&gt;: line 1:" in pasted.text
    assert "case: [</textarea>" in pasted.text  # the text stays, to be corrected


def test_a_case_is_picked_by_name_only(client: TestClient) -> None:
    for name in ("../pyproject.toml", "/etc/passwd", "..", "amina-selected.yaml/../x.yaml"):
        response = client.post("/cases", data={"source": "pick", "name": name, "lang": "en"})
        assert response.status_code == 422, name
        assert "no case file named" in response.text


def test_why_and_why_not_for_any_verdict_and_subject(client: TestClient) -> None:
    draft = submit(client, source="pick", name="kofi-refused.yaml", lang="en").split("?")[0]
    page = client.get(f"{draft}/verdict?key=decision|app1&lang=en").text
    assert "<h4>Why not another outcome</h4>" in page
    assert f'href="{draft}?lang=en#v-decision-app1"' in page
    failed = client.get(f"{draft}/verdict?key=meets_selection_conditions|app1&lang=fr")
    assert failed.status_code == 200 and '<html lang="fr">' in failed.text and "<h4>Pourquoi pas</h4>" in failed.text
    bad = client.get(f"{draft}/verdict?key=decisoin|app1")
    assert bad.status_code == 422 and "did you mean `decision`" in bad.text
    arity = client.get(f"{draft}/verdict?key=decision|app1,kofi")
    assert arity.status_code == 422 and "`decision` needs 1 subject(s)" in arity.text


def test_what_if_on_demand(client: TestClient) -> None:
    draft = submit(client, source="pick", name="amina-selected.yaml", lang="en").split("?")[0]
    page = client.get(f"{draft}/what-if?key=decision|app1&lang=en").text
    assert "<h2>What would change it</h2>" in page and '<ul class="what-if">' in page
    assert f'href="{draft}/what-if?key=decision|app1&amp;lang=en&amp;findings=1"' in page


def test_the_completed_case_downloads_as_it_was_given(client: TestClient) -> None:
    draft = submit(client, source="pick", name="amina-selected.yaml", lang="en").split("?")[0]
    response = client.get(f"{draft}/case.yaml")
    assert response.headers["content-disposition"] == 'attachment; filename="amina-2026-001.yaml"'
    assert parse_document(response.text, "yaml") == parse_document(case_text("amina-selected"), "yaml")


def test_every_string_from_a_case_is_escaped(client: TestClient) -> None:
    text = case_text("amina-selected").replace("name: Amina Haddad", 'name: "<script>alert(1)</script><b>A</b>"')
    response = upload(client, "evil", text)
    page = client.get(response.headers["location"]).text  # type: ignore[attr-defined]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;A&lt;/b&gt;" in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/havre.js" defer>']
    assert "<b>A</b>" not in page


def test_the_policy_browser(client: TestClient, policy: Policy) -> None:
    page = client.get("/policy?lang=fr").text
    assert '<li id="src-QHC-3"><span class="id">QHC-3</span>' in page
    rule = policy.checked.rule("QHC-3.conditions").rule
    spaced = rule.title_fr.replace(chr(39), "&#39;").replace(" :", "\u00a0:")  # the colon's space does not break
    assert f'<span class="rule">QHC-3.conditions</span> <q>{spaced}</q>' in page
    assert f'<span class="place">{rule.span.file}:{rule.span.line}</span>' in page
    resides = policy.checked.predicates["resides_in_quebec"]
    assert f'<td lang="en">{escape(resides.text("en", question=True))}<br>' in page
    assert f'<td lang="fr">{escape(resides.text("fr", question=True))}<br>' in page


def test_pages_serve_their_own_styles_and_script(client: TestClient) -> None:
    css = client.get("/static/explanation.css")
    assert css.headers["content-type"].startswith("text/css") and "section.verdict" in css.text
    assert "@media print" in client.get("/static/havre.css").text
    assert "data-keep-place" in client.get("/static/havre.js").text


def test_unknown_pages_and_cases(client: TestClient) -> None:
    assert client.get("/cases/0123456789abcdef0123456789abcdef").status_code == 404
    assert client.get("/cases/not-an-id").status_code == 404
    assert client.get("/nothing").status_code == 404
    assert EXAMPLES.is_dir()
