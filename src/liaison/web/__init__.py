"""The web UI: server-rendered pages (Jinja2) made interactive with htmx, mounted at /app."""
