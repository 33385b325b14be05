"""The key that signs web sessions and CSRF tokens: LIAISON_SECRET_KEY, else a random key made
once and kept in the database, so sessions survive restarts and every server process that
shares the database agrees."""

from __future__ import annotations

import os
import secrets

from liaison.services.database import Database
from liaison.storage import instance_secrets
from liaison.storage.clock import now_micros

SECRET_KEY_ENV = "LIAISON_SECRET_KEY"
_NAME = "web_signing_key"


def web_signing_key(database: Database) -> str:
    if configured := os.environ.get(SECRET_KEY_ENV):
        return configured
    with database.engine.begin() as conn:
        return instance_secrets.get_or_create(
            conn, _NAME, secrets.token_urlsafe(48), now=now_micros()
        )
