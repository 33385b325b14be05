"""The rows of an index page's table as HTML, built in one pass in Python: the web UI's hottest
markup (a page of 50 rows with 4 association columns holds hundreds of values), which Jinja2 made
cost several times the page's SQL (decision 0018). The markup is what the template made (but for
the two references below), and a change to a row's markup is made here; what people typed
(names, property values) is escaped exactly as the templates escape it (`text`). Addresses and
dates need no escaping: they are made of type names (letters, digits and `_`), IDs and digits.

The markup written here is ASCII: its dash and its ellipsis are character references (`&#8212;`,
`&#8230;`: the same characters to a browser). Rows of ASCII values are then an ASCII string,
built, joined and encoded at a fraction of the cost of a wide one: one literal "…" per cell made
every row, and the whole page, a two-byte string (decision 0021)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from liaison.domain.object_types import ObjectType
from liaison.domain.records import Record
from liaison.services.browse import AssociatedRecord, AssociationCard, IndexPage
from liaison.web import urls
from liaison.web.columns import Column

_SPECIAL = re.compile("[&<>\"']")
_NONE = '<span class="muted">&#8212;</span>'  # "—", as a reference: see the module's docstring
_PRIMARY = ' <span class="badge primary">Primary</span>'
_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rows(page: IndexPage, columns: list[Column], companies: ObjectType | None) -> Markup:
    """Each record's row: its checkbox, its name, its `columns`, its primary company (when the
    page shows that column), one cell per association column, and its creation date."""
    table = _Table(
        page,
        page.object_type,
        urls.index(page.object_type),
        tuple(c.name for c in columns),
        companies if page.primary_company else None,
        [_Column.of(page.object_type, t) for t in page.columns],
    )
    return Markup("\n".join([table.row(r) for r in page.records]))


def text(value: str) -> str:
    """`value` escaped as markupsafe (the templates' autoescape) escapes it, character for
    character, in a fraction of its time: no Markup object per value, and most values (names,
    emails) have nothing to escape, which one search finds out."""
    if _SPECIAL.search(value) is None:
        return value
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


def day(moment: datetime) -> str:
    """`strftime("%d %b %Y")` (the C locale's month names, as the server has), in a fifth of
    its time."""
    return f"{moment.day:02d} {_MONTHS[moment.month]} {moment.year}"


@dataclass(frozen=True)
class _Column:
    """An association column: the constant parts of each of its cells, around the row's
    record ID, the cell's summary and the row's name, made once per page."""

    object_type: ObjectType
    id: str
    plural_lower: str
    empty: str
    """The cell of a record with no association to the type."""
    before_id: str
    before_summary: str
    before_name: str
    between_names: str
    after_name: str

    @classmethod
    def of(cls, kind: ObjectType, to_type: ObjectType) -> _Column:
        plural, lower = text(to_type.plural), text(to_type.plural.lower())
        opening = f'\n        <td class="assoc-cell" data-type="{to_type.name}">'
        return cls(
            to_type,
            to_type.id,
            lower,
            f"{opening}{_NONE}</td>",
            f'{opening}<details class="cell-popup popover" hx-get="{urls.index(kind)}/',
            f'/cell/{to_type.name}" hx-trigger="toggle once" '
            f'hx-target="find .popover-body">\n  <summary>\n',
            f'  <span class="visually-hidden">({lower} of ',
            f')</span>\n  </summary>\n  <div class="popover-body" role="dialog" '
            f'aria-label="{plural} of ',
            '"><p class="muted">Loading&#8230;</p></div>\n</details>\n</td>',
        )

    def cell(self, card: AssociationCard | None, record_id: int, named: str) -> str:
        """Up to CELL_SIZE names, or "N companies"; opening it loads its popup
        (`urls.cell`)."""
        if card is None:
            return self.empty
        total, listed = card.total, card.records
        if total > len(listed):
            summary = f"{total} {self.plural_lower}"
        elif len(listed) == 1:
            summary = _name(listed[0], self.object_type)
        else:
            summary = ", ".join([_name(r, self.object_type) for r in listed])
        return (
            f"{self.before_id}{record_id}{self.before_summary}{summary}{self.before_name}"
            f"{named}{self.between_names}{named}{self.after_name}"
        )


@dataclass(frozen=True)
class _Table:
    page: IndexPage
    kind: ObjectType
    records_url: str
    """Where the type's records are: a record's page is this with `/ID` (`urls.record`)."""
    properties: tuple[str, ...]
    """The names of the properties shown (`Column.value`)."""
    companies: ObjectType | None
    """Companies, when the page shows the Primary company column."""
    shown: list[_Column]

    def row(self, record: Record) -> str:
        record_id = record.id
        name = text(record.name or f"{self.kind.singular} {record_id}")
        named = name if record.name else str(record_id)
        found = record.properties
        values = "".join(
            [f"\n        <td>{text(found.get(n) or '')}</td>" for n in self.properties]
        )
        primary = "" if self.companies is None else self._primary(record_id, self.companies)
        cells = self.page.cells
        shown = "".join(
            [c.cell(cells.get((record_id, c.id)), record_id, named) for c in self.shown]
        )
        created = record.created_at
        return (
            f'      <tr>\n        <td class="select-cell"><input type="checkbox" name="id" '
            f'value="{record_id}" form="bulk-form" aria-label="Select {name}"></td>\n'
            f'        <th scope="row"><a href="{self.records_url}/{record_id}">{name}</a></th>'
            f"{values}{primary}{shown}\n"
            f'        <td><time datetime="{created.isoformat()}">{day(created)}</time></td>\n'
            f"      </tr>"
        )

    def _primary(self, record_id: int, companies: ObjectType) -> str:
        found = self.page.primaries.get(record_id)
        if found is None:
            return f'\n        <td class="assoc-cell">{_NONE}</td>'
        url, name = urls.record(companies, found.id), text(found.name or f"Company {found.id}")
        return f'\n        <td class="assoc-cell"><a href="{url}">{name}</a></td>'


def _name(listed: AssociatedRecord, object_type: ObjectType) -> str:
    name = text(listed.name or f"{object_type.singular} {listed.id}")
    return f'<span class="cell-name">{name}{_PRIMARY if listed.primary else ""}</span>'
