"""The guided interview's pages: a new case, then one question at a time, each answer decided and logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from havre.web.interview import answered, plan, question_view
from havre.web.pages.common import case_error, html, lang_of, service
from havre.web.pages.decision import draft_and_case
from solver.cases.case import CaseError

router = APIRouter(include_in_schema=False)


def _entities(request: Request) -> list[dict[str, str]]:
    return [{"type": name, "plural": e.plural} for name, e in service(request).policy.checked.entities.items()]


@router.get("/interview/new", response_class=HTMLResponse)
async def new(request: Request) -> HTMLResponse:
    lang = lang_of(request.query_params.get("lang"))
    form = {"case": "interview-" + dt.date.today().strftime("%Y%m%d"), "assessment_date": dt.date.today().isoformat()}
    return html(request, "interview_new.html.j2", lang, form=form, entities=_entities(request), error=None)


@router.post("/interview/new")
async def start(request: Request) -> Response:
    """An empty case with its entities, decided: its open questions start the interview."""
    svc = service(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    lang = lang_of(form.get("lang"))
    document: dict[str, Any] = {
        "case": form.get("case", "").strip(),
        "assessment_date": form.get("assessment_date", ""),
    }
    for e in _entities(request):
        ids = [i.strip() for i in form.get(f"e-{e['type']}", "").split(",") if i.strip()]
        if ids:
            document[e["plural"]] = {i: {} for i in ids}
    try:
        done = await svc.decide(document, "interview", lang)
    except CaseError as err:
        return html(
            request, "interview_new.html.j2", lang, 422, form=form, entities=_entities(request), error=case_error(err)
        )
    draft = await svc.keep(document, decision_id=done.record_id, view=(done.view, done.decision), lang=lang)
    return RedirectResponse(f"/interview/{draft.id}?lang={lang}", status_code=303)


@router.get("/interview/{draft_id}", response_class=HTMLResponse)
async def step(request: Request, draft_id: str) -> HTMLResponse:
    return await _step(request, draft_id, lang_of(request.query_params.get("lang")))


async def _step(
    request: Request, draft_id: str, lang: str, status: int = 200, error: dict[str, str] | None = None
) -> HTMLResponse:
    svc = service(request)
    draft, case = await draft_and_case(request, draft_id)
    view, decision = await svc.view_of(draft, case, lang)
    found = plan(svc.policy.checked, decision, set(draft.skipped))
    question = question_view(svc.policy.checked, case, decision, found, lang, draft.step) if found.fact else None
    return html(
        request,
        "interview.html.j2",
        lang,
        status,
        case=view["case"],
        conflicts=view["conflicts"],
        summary=view["summary"],
        question=question,
        stuck=found.stuck,
        parent=draft.parent,
        draft=draft.id,
        error=error,
    )


@router.post("/interview/{draft_id}/answer")
async def answer(request: Request, draft_id: str) -> Response:
    """An answer makes a new step (going back is going to the step before); "unknown" puts the fact aside."""
    svc = service(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    lang, fact = lang_of(form.get("lang")), form.get("fact", "")
    draft, case = await draft_and_case(request, draft_id)
    _, decision = await svc.view_of(draft, case, lang)
    found = plan(svc.policy.checked, decision, set(draft.skipped))
    if fact != found.fact:  # a stale form (the case moved on): ask again what is to be asked now
        return RedirectResponse(f"/interview/{draft.id}?lang={lang}", status_code=303)
    if form.get("answer") == "unknown":
        new = await svc.keep(
            draft.document,
            parent=draft.id,
            step=draft.step + 1,
            skipped=(*draft.skipped, fact),
            decision_id=draft.decision_id,
        )
        return RedirectResponse(f"/interview/{new.id}?lang={lang}", status_code=303)
    try:
        document = answered(svc.policy.checked, draft.document, fact, form.get("value", ""))
        done = await svc.decide(document, "interview", lang)
    except CaseError as err:
        return await _step(request, draft.id, lang, 422, case_error(err))
    new = await svc.keep(
        document,
        parent=draft.id,
        step=draft.step + 1,
        skipped=draft.skipped,
        decision_id=done.record_id,
        view=(done.view, done.decision),
        lang=lang,
    )
    return RedirectResponse(f"/interview/{new.id}?lang={lang}", status_code=303)
