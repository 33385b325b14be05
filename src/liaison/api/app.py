"""The FastAPI app: `create_app(database)` builds it around an opened database."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from liaison.services.database import Database

_HOME = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Liaison</title></head>
<body>
<h1>Liaison is running</h1>
<p>A self-hosted CRM whose heart is associations.</p>
<p><a href="/health">Health check</a></p>
</body>
</html>
"""


def create_app(database: Database) -> FastAPI:
    app = FastAPI(title="Liaison", summary="A self-hosted CRM whose heart is associations.")
    app.state.database = database

    @app.get("/health")
    def health() -> dict[str, str]:
        """Whether the app is up, and which kind of database it uses."""
        return {"status": "ok", "database": "postgresql" if database.is_postgres else "sqlite"}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        return _HOME

    return app
