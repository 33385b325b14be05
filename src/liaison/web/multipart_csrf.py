"""A guard in front of asgi-csrf for multipart POSTs: asgi-csrf 0.11 reads a multipart body's
`csrftoken` field with an API python-multipart no longer has (a TypeError: a 500). Multipart
forms (the import upload) send the token in the `x-csrftoken` header, as htmx does; this guard
refuses, before asgi-csrf parses anything, a multipart POST whose header is not the valid
token of its cookie. What passes, asgi-csrf accepts by the header alone."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "csrftoken"
HEADER = b"x-csrftoken"
NAMESPACE = "csrftoken"
Refuse = Callable[[Scope, Send, object], Awaitable[None]]


def guard_multipart(app: ASGIApp, signing_secret: str, refuse: Refuse) -> ASGIApp:
    signer = URLSafeSerializer(signing_secret)

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and _multipart(scope):
            headers = dict(scope.get("headers") or [])
            sent = headers.get(HEADER, b"").decode("latin-1")
            cookie = _cookie(headers.get(b"cookie", b"").decode("latin-1"))
            if not sent or not secrets.compare_digest(sent, cookie) or not _signed(signer, sent):
                await refuse(scope, send, "multipart")
                return
        await app(scope, receive, send)

    return guarded


def _multipart(scope: Scope) -> bool:
    for name, value in scope.get("headers") or []:
        if name == b"content-type":
            return bool(value.lower().startswith(b"multipart/"))
    return False


def _cookie(header: str) -> str:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header: no token
        return ""
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None else ""


def _signed(signer: URLSafeSerializer, token: str) -> bool:
    try:
        signer.loads(token, NAMESPACE)
    except BadSignature:
        return False
    return True
