"""The REST API under /api/v1: decide, explain, what-if; the policy's verdicts, inputs, questions and sources;
the case JSON Schema; the named cases; the decision log (with the token only)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from explain.rendering.render import render
from explain.view.case_view import chosen_verdicts
from havre.output import decision_json, view_questions
from havre.web import catalog
from havre.web.cases import REQUEST, case_names, document_from_body, named_case
from havre.web.interview import plan, question_json
from havre.web.security import request_token, token_matches
from havre.web.service import Service
from solver.cases.case import CaseError
from solver.cases.schema import case_schema

router = APIRouter(prefix="/api/v1")
Lang = Literal["en", "fr"]
LangQ = Annotated[Lang, Query(description="The language of every sentence.")]
VerdictQ = Annotated[list[str] | None, Query(description="Only this verdict (repeat for several).")]
SubjectQ = Annotated[
    list[str] | None,
    Query(description="With `verdict`: this subject, e.g. `omar` or `omar,app1`, whatever its status."),
]
SkipQ = Annotated[list[str] | None, Query(description="Facts answered `unknown / not yet`, e.g. `age(omar)`.")]
CASE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A case document (at most 1 MiB); GET /api/v1/schema gives its JSON Schema.",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}


def service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


def subjects_of(values: list[str] | None, verdicts: list[str] | None) -> list[tuple[str, ...]]:
    if values and not verdicts:
        raise CaseError(REQUEST, "query.subject", "name the verdict too, with `verdict`")
    return [tuple(part.strip() for part in value.split(",")) for value in values or ()]


async def document(request: Request) -> object:
    return document_from_body(await request.body(), request.headers.get("content-type", ""))


@router.post("/decide", openapi_extra=CASE_BODY, summary="Decide a case, as `havre decide --format json`")
async def decide(
    request: Request, lang: LangQ = "en", verdict: VerdictQ = None, subject: SubjectQ = None, all: bool = False
) -> JSONResponse:
    """The main answers (`summary`), every verdict with its status, value, rules, missing facts and questions.
    The decision is recorded in the log; its id is `log.id`."""
    svc, names = service(request), verdict or []
    subjects = subjects_of(subject, verdict)
    done = await svc.decide(await document(request), "api", lang, names, subjects, all)
    chosen = chosen_verdicts(svc.policy.checked, done.decision, names, subjects, all)
    view = done.view
    out = decision_json(done.decision, chosen, view_questions(view), view["summary"], view.get("next_deadline"))
    return JSONResponse(out | {"log": {"id": done.record_id}})


@router.post("/explain", openapi_extra=CASE_BODY, summary="Explain a case, as `havre explain`")
async def explain(
    request: Request,
    format: Literal["json", "html", "text", "markdown"] = "json",
    lang: LangQ = "en",
    verdict: VerdictQ = None,
    subject: SubjectQ = None,
    why_not: bool = False,
    all: bool = False,
) -> Response:
    """Each verdict's derivation with its rules, provisions and facts; why not; the questions that would decide."""
    svc, names = service(request), verdict or []
    subjects = subjects_of(subject, verdict)
    case = await svc.case(await document(request))
    svc.policy.check_verdicts(names)
    view = await svc.solve(
        lambda: svc.policy.explain(case, lang=lang, verdicts=names, subjects=subjects, why_not=why_not, show_all=all)
    )
    return rendered(view, format)


def rendered(view: dict[str, Any], fmt: str) -> Response:
    text = render(view, fmt)  # type: ignore[arg-type]
    if fmt == "json":
        return Response(text, media_type="application/json")
    if fmt == "html":
        return HTMLResponse(text)
    return PlainTextResponse(text, media_type="text/markdown" if fmt == "markdown" else "text/plain")


@router.post("/what-if", openapi_extra=CASE_BODY, summary="The smallest changes that would change one verdict")
async def what_if(
    request: Request,
    verdict: Annotated[str, Query(description="The verdict.")],
    subject: Annotated[str, Query(description="Its subject, e.g. `app1` or `omar,app1`.")],
    lang: LangQ = "en",
    change_findings: bool = False,
    format: Literal["json", "html", "text", "markdown"] = "json",
) -> Response:
    """As `havre explain --what-if --verdict V --subject S`: never birth dates, past events, or officers' findings
    unless `change_findings`."""
    svc = service(request)
    case = await svc.case(await document(request))
    svc.policy.check_verdicts([verdict])
    subjects = subjects_of([subject], [verdict])
    view = await svc.solve(
        lambda: svc.policy.explain(
            case, lang=lang, verdicts=[verdict], subjects=subjects, what_if=True, include_judged=change_findings
        )
    )
    return rendered(view, format)


@router.post("/questions/next", openapi_extra=CASE_BODY, summary="The next question of a guided interview")
async def next_question(request: Request, lang: LangQ = "en", skip: SkipQ = None) -> JSONResponse:
    """The question whose answer can still change a main verdict (from the missing facts of the undetermined
    main verdicts), why it is asked, and how many questions at most remain; `skip` puts facts aside."""
    svc = service(request)
    case = await svc.case(await document(request))
    _, decision = await svc.view(case, lang)
    found = plan(svc.policy.checked, decision, set(skip or ()))
    return JSONResponse(question_json(svc.policy.checked, case, decision, found, lang))


@router.get("/policy", summary="The policy's hash and main verdicts")
def policy(request: Request) -> dict[str, Any]:
    checked = service(request).policy.checked
    return {"hash": checked.hash, "summary": list(checked.summary), "entities": sorted(checked.entities)}


@router.get("/verdicts", summary="The policy's verdicts, main ones first")
def verdicts(request: Request) -> list[dict[str, Any]]:
    return catalog.verdicts(service(request).policy.checked)


@router.get("/inputs", summary="The policy's inputs, their types and texts")
def inputs(request: Request) -> list[dict[str, Any]]:
    return catalog.inputs(service(request).policy.checked)


@router.get("/questions", summary="The question asked for each input, in English and French")
def questions(request: Request) -> list[dict[str, Any]]:
    return catalog.questions(service(request).policy.checked)


@router.get("/sources", summary="The sources, their provisions and the rules citing them")
def sources(request: Request) -> list[dict[str, Any]]:
    return catalog.sources(service(request).policy.checked)


@router.get("/schema", summary="The JSON Schema of case files")
def schema(request: Request) -> dict[str, Any]:
    return case_schema(service(request).policy.checked)


@router.get("/cases", summary="The case files of the --cases folder, by name")
def cases(request: Request) -> list[str]:
    return case_names(service(request).settings.cases)


@router.get("/cases/{name}", summary="One case file of the --cases folder")
def case(request: Request, name: str) -> Any:
    found, _ = named_case(service(request).settings.cases, name)
    return found


def log_reader(request: Request) -> Service:
    """The log holds decisions about people: readable only when the server has a token and the request bears it."""
    svc = service(request)
    if svc.settings.token is None:
        raise HTTPException(403, "the decision log is readable only with a token: start the server with HAVRE_TOKEN")
    if not token_matches(svc.settings.token, request_token(request.scope)):
        raise HTTPException(401, "a token is required (Authorization: Bearer TOKEN)")
    return svc


@router.get("/log", summary="Logged decisions, newest first (token only)")
def log(
    request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 50, offset: Annotated[int, Query(ge=0)] = 0
) -> list[dict[str, Any]]:
    return log_reader(request).log.records(limit=limit, offset=offset, newest_first=True)


@router.get("/log/{record_id}", summary="One logged decision, its case masked (token only)")
def log_record(request: Request, record_id: int) -> dict[str, Any]:
    found = log_reader(request).log.get(record_id)
    if found is None:
        raise HTTPException(404, f"no decision {record_id} in the log")
    return found
