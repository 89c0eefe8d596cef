"""Signing in to a server started with HAVRE_TOKEN: the token once in a form, then an HTTP-only cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from explain.wording.i18n import gettext
from havre.web.pages.common import html, lang_of, service
from havre.web.security import COOKIE, token_matches


def safe_next(target: str) -> str:
    """Only a path of this server: never another site (`//host`, `/\\host`, `https://...`)."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> HTMLResponse:
    lang = lang_of(request.query_params.get("lang"))
    return html(request, "login.html.j2", lang, next=safe_next(request.query_params.get("next", "/")), error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    svc = service(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    target, lang = safe_next(form.get("next", "/")), lang_of(form.get("lang"))
    if svc.settings.token is None:
        return RedirectResponse(target, status_code=303)
    if not token_matches(svc.settings.token, form.get("token")):
        _ = gettext(lang)
        return html(request, "login.html.j2", lang, 401, next=target, error=_("This is not the token."))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, svc.settings.token, httponly=True, samesite="strict", path="/")
    return response


@router.post("/logout")
async def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
