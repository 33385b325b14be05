"""The rows of an index page's table as HTML, built in one pass in Python: the web UI's hottest
markup (a page of 50 rows with 4 association columns holds about 700 values), which Jinja2 made
cost several times the page's SQL. The markup is the template's; what people typed (names and
property values) is escaped with the templates' own function (markupsafe). Addresses and dates
are not: they are made of type names (letters, digits and `_`), IDs and digits."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from liaison.domain.object_types import ObjectType
from liaison.domain.records import Record
from liaison.services.browse import AssociatedRecord, AssociationCard, IndexPage
from liaison.web import urls
from liaison.web.columns import Column

_NONE = '<span class="muted">—</span>'
_PRIMARY = ' <span class="badge primary">Primary</span>'


def rows(page: IndexPage, columns: list[Column], companies: ObjectType | None) -> Markup:
    """Each record's row: its checkbox, its name, its `columns`, its primary company (when the
    page shows that column), one cell per association column, and its creation date."""
    table = _Table(
        page,
        page.object_type,
        columns,
        companies if page.primary_company else None,
        [_Column.of(t) for t in page.columns],
    )
    return Markup("\n".join(table.row(r) for r in page.records))


@dataclass(frozen=True)
class _Column:
    """An association column, with what each of its cells says escaped once."""

    object_type: ObjectType
    plural: str
    plural_lower: str

    @classmethod
    def of(cls, to_type: ObjectType) -> _Column:
        return cls(to_type, escape(to_type.plural), escape(to_type.plural.lower()))


@dataclass(frozen=True)
class _Table:
    page: IndexPage
    kind: ObjectType
    columns: list[Column]
    companies: ObjectType | None
    """Companies, when the page shows the Primary company column."""
    shown: list[_Column]

    def row(self, record: Record) -> str:
        kind = self.kind
        name = escape(record.name or f"{kind.singular} {record.id}")
        named = escape(record.name or record.id)
        values = "".join(f"\n        <td>{escape(c.value(record))}</td>" for c in self.columns)
        primary = "" if self.companies is None else self._primary(record, self.companies)
        cells = "".join(
            f'\n        <td class="assoc-cell" data-type="{c.object_type.name}">'
            f"{self._cell(self.page.cell(record.id, c.object_type), record, named, c)}</td>"
            for c in self.shown
        )
        created = record.created_at
        return (
            f'      <tr>\n        <td class="select-cell"><input type="checkbox" name="id" '
            f'value="{record.id}" form="bulk-form" aria-label="Select {name}"></td>\n'
            f'        <th scope="row"><a href="{urls.record(kind, record.id)}">{name}</a></th>'
            f"{values}{primary}{cells}\n"
            f'        <td><time datetime="{created.isoformat()}">'
            f"{created.strftime('%d %b %Y')}</time></td>\n      </tr>"
        )

    def _primary(self, record: Record, companies: ObjectType) -> str:
        found = self.page.primaries.get(record.id)
        if found is None:
            return f'\n        <td class="assoc-cell">{_NONE}</td>'
        url, name = urls.record(companies, found.id), escape(found.name or f"Company {found.id}")
        return f'\n        <td class="assoc-cell"><a href="{url}">{name}</a></td>'

    def _cell(self, card: AssociationCard, record: Record, named: str, column: _Column) -> str:
        """Up to CELL_SIZE names, or "N companies"; opening it loads its popup."""
        if card.total == 0:
            return _NONE
        if card.total > len(card.records):
            summary = f"{card.total} {column.plural_lower}"
        else:
            summary = ", ".join(_name(r, column.object_type) for r in card.records)
        url = urls.cell(self.kind, record.id, column.object_type)
        return (
            f'<details class="cell-popup popover" hx-get="{url}" hx-trigger="toggle once" '
            f'hx-target="find .popover-body">\n  <summary>\n'
            f'{summary}  <span class="visually-hidden">({column.plural_lower} of {named})</span>\n'
            f'  </summary>\n  <div class="popover-body" role="dialog" '
            f'aria-label="{column.plural} of {named}"><p class="muted">Loading…</p></div>\n'
            f"</details>\n"
        )


def _name(listed: AssociatedRecord, object_type: ObjectType) -> str:
    name = escape(listed.name or f"{object_type.singular} {listed.id}")
    return f'<span class="cell-name">{name}{_PRIMARY if listed.primary else ""}</span>'
