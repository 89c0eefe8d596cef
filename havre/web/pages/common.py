"""What every page needs: the reader's language, the link to the other language, one way to answer."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from havre.web.pages.templating import page
from havre.web.security import request_token, token_matches
from havre.web.service import Service
from solver.cases.case import CaseError


def service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


def lang_of(value: object) -> str:
    return "fr" if value == "fr" else "en"


def other(lang: str) -> str:
    return "en" if lang == "fr" else "fr"


def switch_url(request: Request, lang: str) -> str:
    """The same page in the other language (the script adds the fragment: the reader's place)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", other(lang))]
    return f"{request.url.path}?{urlencode(params)}"


def html(request: Request, name: str, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
    svc = service(request)
    signed_in = svc.settings.token is not None and token_matches(svc.settings.token, request_token(request.scope))
    body = page(
        name,
        lang,
        switch_url=switch_url(request, lang),
        other_lang=other(lang),
        signed_in=signed_in,
        **context,
    )
    return HTMLResponse(body, status_code=status)


def case_error(err: CaseError, where: str = "") -> dict[str, str]:
    """A case's fault as the command line words it (`error: ORIGIN: PATH: MESSAGE`), and the field it is at."""
    return {"where": where, "text": f"error: {err}", "path": err.path}
