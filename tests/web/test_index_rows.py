"""The rows of an index page are built in Python (`web/index_rows.py`), not by a template: what
users typed is escaped there exactly as the templates escape it (S1), and dates read the same."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from markupsafe import escape

from liaison.services import associations
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.users import User
from liaison.web import index_rows, urls
from liaison.web.index_params import IndexParams
from tests.helpers import company, contact

XSS = "<script>alert(1)</script>"


def test_S1_index_rows_escape_every_character_as_the_templates_do() -> None:
    for value in (XSS, 'Tom & Jerry\'s "<b>"', "&amp; already", "plain", "", "é — “q”"):
        assert index_rows.text(value) == str(escape(value))


def test_S1_index_rows_escape_names_values_and_cells(
    web: TestClient, db: Database, ann: User
) -> None:
    me = ann.caller
    evil = company(db, me, XSS, domain="evil.example")
    person = contact(db, me, XSS, lastname="", jobtitle='"><img src=x onerror=1>')
    associations.associate(db, me, [AssociationInput(person.id, evil.id)]).check()
    html = web.get("/app/contacts?cols=assoc:companies,primary:companies").text
    assert XSS not in html
    assert "<img src=x" not in html
    # the row's name, its checkbox label, its primary company and its companies cell
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5


def test_u4_index_rows_show_the_creation_day_as_the_template_did() -> None:
    for month in range(1, 13):
        moment = datetime(2026, month, 3, 23, 59, tzinfo=UTC)
        assert index_rows.day(moment) == moment.strftime("%d %b %Y")


def test_u4_index_rows_of_ascii_values_are_ascii(web: TestClient, db: Database, ann: User) -> None:
    """The rows' own markup is ASCII (its dash and ellipsis as references, decision 0021): a
    literal "…" in a cell would make every row, and the page, a string of wide characters."""
    me = ann.caller
    acme = company(db, me, "Acme", domain="acme.example")
    for name in ("Ada", "Bob"):
        person = contact(db, me, name, lastname="Smith")
        associations.associate(db, me, [AssociationInput(person.id, acme.id)]).check()
    contact(db, me, "Cy", lastname="Smith")  # an empty cell: the dash
    html = web.get("/app/contacts?cols=assoc:companies,assoc:deals,primary:companies").text
    rows = html[html.index("<tbody>") : html.index("</tbody>")]
    assert "Loading&#8230;" in rows and "&#8212;" in rows
    assert rows.isascii()


def test_u4_index_links_quote_their_parameters_as_urlencode_does() -> None:
    values = ["plain", "a b", "é/€&=+%~._-", "assoc:companies,primary:companies", "x\ny", "", "'\""]
    for value in values:
        pairs = [("q", value), ("sort", "name")]
        assert urls._query({}, pairs) == f"?{urlencode(pairs)}"
    params = IndexParams(search="Tom & Jerry")
    assert params.pairs() == [("q", "Tom & Jerry"), ("sort", "created"), ("dir", "desc")]
