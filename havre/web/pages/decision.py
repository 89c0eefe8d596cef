"""The reviewers' pages: a case in, the decision with its reasons, why and why not, what-if, the policy."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from explain.view.views import AUTHORITY, STATUS, View
from explain.wording.i18n import gettext
from explain.wording.phrases import Phrases
from grammar.checks.checked import CheckedPolicy
from havre.web import catalog
from havre.web.cases import PASTED, case_names, decode, document_from_text, named_case, shown_name
from havre.web.drafts import Draft
from havre.web.interview import open_main
from havre.web.pages.common import case_error, html, lang_of, service
from solver.cases.case import Case, CaseError
from solver.solve.answer import Decision, Verdict

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return _home(request, lang_of(request.query_params.get("lang")))


def _home(
    request: Request, lang: str, status: int = 200, error: dict[str, str] | None = None, pasted: str = ""
) -> HTMLResponse:
    svc = service(request)
    names = case_names(svc.settings.cases)
    return html(
        request, "home.html.j2", lang, status, policy_hash=svc.policy.hash, names=names, error=error, pasted=pasted
    )


async def _document(form: Any, source: str, folder: Path | None) -> tuple[object, str]:
    """The document and the name its messages give it: the file's name, or `<pasted>`."""
    if source == "upload":
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise CaseError("<request>", "file", "choose a case file to upload")
        name = shown_name(upload.filename)
        return document_from_text(decode(await upload.read(), name), upload.filename), name
    if source == "pick":
        return named_case(folder, str(form.get("name", "")))
    return document_from_text(str(form.get("text", "")), origin=PASTED), PASTED


@router.post("/cases")
async def submit(request: Request) -> Response:
    """A case from a file, a text or a name: decided, logged, and shown at its own address."""
    svc = service(request)
    form = await request.form()
    lang, source = lang_of(form.get("lang")), str(form.get("source", "paste"))
    try:
        document, origin = await _document(form, source, svc.settings.cases)
        done = await svc.decide(document, "page", lang, origin=origin)
    except CaseError as err:
        pasted = str(form.get("text", "")) if source == "paste" else ""
        return _home(request, lang, 422, case_error(err, source), pasted)
    draft = await svc.keep(document, decision_id=done.record_id, view=(done.view, done.decision), lang=lang)
    return RedirectResponse(f"/cases/{draft.id}?lang={lang}", status_code=303)


async def draft_and_case(request: Request, draft_id: str) -> tuple[Draft, Case]:
    svc = service(request)
    draft = svc.drafts.get(draft_id)
    if draft is None:
        raise HTTPException(404, "no such case here")
    return draft, await svc.case(draft.document)


@router.get("/cases/{draft_id}", response_class=HTMLResponse)
async def decision_page(request: Request, draft_id: str) -> HTMLResponse:
    svc, lang = service(request), lang_of(request.query_params.get("lang"))
    draft, case = await draft_and_case(request, draft_id)
    view, decision = await svc.view_of(draft, case, lang)
    closer = [option_value(s["verdict"], s["subject"]) for s in view["summary"]]  # each main answer's `key`
    return html(
        request,
        "decision.html.j2",
        lang,
        **{k: v for k, v in view.items() if k != "lang"},
        by_key={v["key"]: v for v in view["verdicts"]},
        draft=draft.id,
        record_id=draft.decision_id,
        open_questions=bool(open_main(svc.policy.checked, decision)),
        keys=_keys(svc.policy.checked, case, decision, lang),
        opens_on=closer[0] if closer else None,  # the first main answer: the likeliest to be looked at closer
        closer=closer,
        back=None,
    )


def _keys(policy: CheckedPolicy, case: Case, decision: Decision, lang: str) -> list[dict[str, Any]]:
    """Every verdict and subject of the decision, to look closer at any of them, under the entity it is first
    about (in the case's order, as the page lists them): each as the sentence a reviewer reads, its status first
    ("[holds] Amina Haddad resides in Québec"), in the order of those sentences, those that do not apply last.
    An entity none of whose verdicts applies (a refugee's principal applicant abroad, asked of none of Québec's
    services) comes after the others, as the page below does not list it: what the list opens on applies."""
    _, ph = gettext(lang), Phrases(policy, case, lang)
    by_entity: dict[str, list[tuple[str, Verdict]]] = {}
    for v in decision.verdicts:
        by_entity.setdefault(v.subject[0], []).append((ph.cap(ph.fact(v.verdict, v.subject, blank="…")), v))
    groups: list[dict[str, Any]] = []
    outside: list[dict[str, Any]] = []  # entities none of whose verdicts applies
    for e in case.entities:
        found = sorted(
            by_entity.get(e.id, []),
            key=lambda f: (f[1].status == "not_applicable", f[0].casefold(), f[1].verdict, f[1].subject),
        )
        options = [
            {"value": option_value(v.verdict, v.subject), "text": f"[{_(STATUS[v.status])}] {sentence}"}
            for sentence, v in found
        ]
        if options:
            applying = any(v.status != "not_applicable" for _, v in found)
            (groups if applying else outside).append({"label": ph.heading(e.id), "options": options})
    return groups + outside


def option_value(verdict: str, subject: Sequence[str]) -> str:
    """A verdict and subject as the list's option and the `key` of a closer look give it: `decision|app1`."""
    return f"{verdict}|{','.join(subject)}"


def _key(request: Request) -> tuple[str, tuple[str, ...]]:
    verdict, _, subject = str(request.query_params.get("key", "")).partition("|")
    policy = service(request).policy
    policy.check_verdicts([verdict])
    subjects = tuple(s for s in subject.split(",") if s)
    if len(subjects) != len(policy.checked.predicates[verdict].params):
        raise CaseError(
            "<request>", "key", f"`{verdict}` needs {len(policy.checked.predicates[verdict].params)} subject(s)"
        )
    return verdict, subjects


@router.get("/cases/{draft_id}/verdict", response_class=HTMLResponse)
async def verdict_page(request: Request, draft_id: str) -> HTMLResponse:
    """Why a verdict stands as it does for one subject, and why the other rules did not conclude."""
    return await _closer(request, draft_id, what_if=False)


@router.get("/cases/{draft_id}/what-if", response_class=HTMLResponse)
async def what_if_page(request: Request, draft_id: str) -> HTMLResponse:
    """The smallest changes to the case's facts that would change one verdict (computed on demand)."""
    return await _closer(request, draft_id, what_if=True)


async def _closer(request: Request, draft_id: str, *, what_if: bool) -> HTMLResponse:
    svc, lang = service(request), lang_of(request.query_params.get("lang"))
    draft, case = await draft_and_case(request, draft_id)
    verdict, subject = _key(request)
    findings = request.query_params.get("findings") == "1"

    def explain() -> View:
        return svc.policy.explain(
            case,
            lang=lang,
            verdicts=[verdict],
            subjects=[subject],
            why_not=not what_if,
            what_if=what_if,
            include_judged=findings,
        )

    view = await svc.solve(explain)
    key = f"{verdict}|{','.join(subject)}"
    here = f"/cases/{draft.id}/what-if?key={key}&lang={lang}"
    return html(
        request,
        "verdict.html.j2",
        lang,
        case=view["case"],
        policy=view["policy"],
        verdicts=view["verdicts"],
        sources=view["sources"],
        draft=draft.id,
        record_id=draft.decision_id,
        open_questions=False,
        back=f"/cases/{draft.id}?lang={lang}#{view['verdicts'][0]['key']}",
        what_if=what_if,
        findings=findings,
        with_findings=here + "&findings=1",
        without_findings=here,
    )


@router.get("/cases/{draft_id}/case.yaml")
async def download(request: Request, draft_id: str) -> Response:
    draft, case = await draft_and_case(request, draft_id)
    text = yaml.safe_dump(draft.document, allow_unicode=True, sort_keys=False)
    name = re.sub(r"[^A-Za-z0-9._-]", "-", case.id) + ".yaml"
    return Response(
        text, media_type="application/yaml", headers={"content-disposition": f'attachment; filename="{name}"'}
    )


@router.get("/policy", response_class=HTMLResponse)
async def policy_page(request: Request) -> HTMLResponse:
    svc, lang = service(request), lang_of(request.query_params.get("lang"))
    checked = svc.policy.checked
    _ = gettext(lang)
    return html(
        request,
        "policy.html.j2",
        lang,
        policy_hash=checked.hash,
        verdicts=catalog.verdicts(checked),
        sources=catalog.sources(checked),
        inputs=catalog.inputs(checked),
        authority={k: _(v) for k, v in AUTHORITY.items()},
    )


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request) -> HTMLResponse:
    return html(request, "docs.html.j2", "en", spec=request.app.openapi())
