"""Pages only admins may see (the account's settings)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from liaison.services.users import User
from liaison.web.templating import render


def refusal(request: Request, user: User) -> HTMLResponse | None:
    """A 403 page for a user who is not an admin; None for an admin."""
    if user.is_admin:
        return None
    message = "Only an admin of this account can see and change its settings."
    return render(request, "error.html", status_code=403, message=message)
