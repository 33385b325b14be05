"""The web UI's settings, from the environment (see docs/configuration.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass

SESSION_MAX_AGE_ENV = "LIAISON_SESSION_MAX_AGE"
SECURE_COOKIES_ENV = "LIAISON_SECURE_COOKIES"
DEFAULT_SESSION_MAX_AGE = 12 * 60 * 60


@dataclass(frozen=True)
class WebSettings:
    session_max_age: int = DEFAULT_SESSION_MAX_AGE
    """Seconds a sign-in lasts; the signed cookie is refused after that."""
    secure_cookies: bool = False
    """Send the session and CSRF cookies over HTTPS only."""

    @classmethod
    def from_environment(cls) -> WebSettings:
        raw_age = os.environ.get(SESSION_MAX_AGE_ENV, "").strip()
        age = int(raw_age) if raw_age.isdigit() and int(raw_age) > 0 else DEFAULT_SESSION_MAX_AGE
        secure = os.environ.get(SECURE_COOKIES_ENV, "").strip().lower() in {"1", "true", "yes"}
        return cls(session_max_age=age, secure_cookies=secure)
