"""Safe by default: request bodies over the limit refused, the token on every request when one is set, and
headers that forbid any script but the application's own file."""

from __future__ import annotations

import hmac
import json
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
COOKIE = "havre_token"
OPEN_PATHS = ("/login", "/static/")  # what a browser needs to show the login form


def token_matches(expected: str | None, given: str | None) -> bool:
    return expected is not None and given is not None and hmac.compare_digest(expected.encode(), given.encode())


def request_token(scope: Scope) -> str | None:
    """The bearer token of an API call, or the login cookie of a page."""
    headers = dict(scope.get("headers") or [])
    auth = headers.get(b"authorization", b"").decode("latin-1")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value
    return None


async def _send_json(send: Send, status: int, error: dict[str, object], extra: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"error": error}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers + HEADERS})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """ASGI middleware: security headers, the body limit and the token."""

    def __init__(self, app: ASGIApp, *, token: str | None, max_body: int) -> None:
        self.app, self.token, self.max_body = app, token, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        open_path = path.startswith(OPEN_PATHS)
        if self.token is not None and not open_path and not token_matches(self.token, request_token(scope)):
            await self._refuse(scope, send, path)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await self._too_large(send)
            return
        seen = 0

        async def limited() -> Message:  # a body sent in chunks, without a length, is counted as it comes
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise HTTPException(413, self.too_large)
            return message

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, limited, secured)

    @property
    def too_large(self) -> str:
        return f"the request body is larger than {self.max_body // 1024} KiB"

    async def _too_large(self, send: Send) -> None:
        error = {"origin": "<request>", "path": "", "message": self.too_large, "text": self.too_large}
        await _send_json(send, 413, error, [])

    async def _refuse(self, scope: Scope, send: Send, path: str) -> None:
        if path.startswith("/api/") or path in ("/docs", "/openapi.json"):
            message = "a token is required (Authorization: Bearer TOKEN)"
            error = {"origin": "<request>", "path": "", "message": message, "text": message}
            await _send_json(send, 401, error, [(b"www-authenticate", b"Bearer")])
            return
        query = scope.get("query_string", b"").decode("latin-1")
        target = quote(path + (f"?{query}" if query else ""), safe="")
        location = f"/login?next={target}".encode()
        await send({"type": "http.response.start", "status": 303, "headers": [(b"location", location), *HEADERS]})
        await send({"type": "http.response.body", "body": b""})
