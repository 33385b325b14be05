"""Signing in and out (S1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from liaison.services import users
from liaison.storage.accounts import DEFAULT_ACCOUNT_ID
from liaison.web import session
from liaison.web.session import Db
from liaison.web.templating import render

router = APIRouter()


@dataclass(frozen=True)
class SignInPage:
    email: str = ""
    account: int = DEFAULT_ACCOUNT_ID
    next: str = ""
    error: str | None = None
    signed_out: bool = False


@router.get("/signin", response_class=HTMLResponse, name="signin")
def sign_in_form(request: Request, next: str = "", signed_out: bool = False) -> Response:
    return render(request, "signin.html", page=SignInPage(next=next, signed_out=signed_out))


@router.post("/signin", response_class=HTMLResponse)
def sign_in(
    request: Request,
    database: Db,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
    account: Annotated[int, Form(ge=1)] = DEFAULT_ACCOUNT_ID,
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    user = users.sign_in(database, account, email, password)
    if user is None:
        page = SignInPage(email, account, next, "Wrong email or password.")
        return render(request, "signin.html", status_code=401, page=page)
    session.remember(request, user)
    return RedirectResponse(session.safe_next(next), status_code=303)


@router.post("/signout")
def sign_out(request: Request) -> Response:
    session.forget(request)
    return RedirectResponse(session.sign_in_url() + "?signed_out=true", status_code=303)
