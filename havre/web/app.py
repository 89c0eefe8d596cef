"""The application factory: the service (engine, log, working cases), the guard, the routes, the error pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from havre.log.store import havre_version
from havre.web import api
from havre.web.cases import REQUEST
from havre.web.pages import decision, interview, sign_in
from havre.web.pages.common import html, lang_of
from havre.web.pages.templating import EXPLANATION_CSS, STATIC
from havre.web.security import Guard
from havre.web.service import Service
from havre.web.settings import Settings
from solver.cases.case import CaseError
from solver.solve.run import InternalError


def create_app(settings: Settings) -> FastAPI:
    service = Service(settings)
    service.engine.start()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        service.engine.stop()

    app = FastAPI(
        title="Havre",
        version=havre_version(),
        description="Decide and explain cases under the loaded policy.",
        docs_url=None,  # /docs is served without script (the Content-Security-Policy allows none from elsewhere)
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=lifespan,
    )
    app.state.service = service
    app.add_middleware(Guard, token=settings.token, max_body=settings.max_body)
    app.add_exception_handler(CaseError, _case_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(InternalError, _internal_error)  # type: ignore[arg-type]
    for router in (api.router, sign_in.router, interview.router, decision.router):
        app.include_router(router)

    @app.get("/static/explanation.css", include_in_schema=False)
    def explanation_css() -> FileResponse:  # the explanation's own stylesheet, shared with `havre explain`
        return FileResponse(EXPLANATION_CSS, media_type="text/css")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, error: dict[str, str]) -> Response:
    if _is_api(request):
        return JSONResponse({"error": error}, status_code=status)
    return html(
        request,
        "error.html.j2",
        lang_of(request.query_params.get("lang")),
        status,
        code=status,
        message=error["text"],
    )


async def _case_error(request: Request, err: CaseError) -> Response:
    return _error(
        request, 422, {"origin": err.origin, "path": err.path, "message": err.message, "text": f"error: {err}"}
    )


async def _http_error(request: Request, err: HTTPException) -> Response:
    message = str(err.detail)
    response = _error(request, err.status_code, {"origin": REQUEST, "path": "", "message": message, "text": message})
    for name, value in (err.headers or {}).items():
        response.headers[name] = value
    return response


async def _validation_error(request: Request, err: RequestValidationError) -> Response:
    first = err.errors()[0]
    path = ".".join(str(p) for p in first.get("loc", ()))
    message = str(first.get("msg", "invalid request"))
    return _error(
        request,
        422,
        {"origin": REQUEST, "path": path, "message": message, "text": f"error: {REQUEST}: {path}: {message}"},
    )


async def _internal_error(request: Request, err: InternalError) -> Response:
    text = f"internal error (please report it): {err}"
    return _error(request, 500, {"origin": REQUEST, "path": "", "message": text, "text": text})
