"""A record's page (U1): its properties, an overview of its associations, and the association
sidebar with one card per associated type; Set as primary and Remove association from a card."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from liaison.domain.errors import LiaisonError
from liaison.domain.object_types import COMPANIES, ObjectType
from liaison.domain.records import Record
from liaison.services import associations, browse
from liaison.services.associations import AssociationInput
from liaison.services.browse import AssociatedRecord, AssociationCard, RecordWithAssociations
from liaison.services.database import Database
from liaison.services.users import User
from liaison.web import urls
from liaison.web.session import Db, SignedIn
from liaison.web.templating import Chrome, render

router = APIRouter()


@dataclass(frozen=True)
class Property:
    label: str
    value: str


@dataclass(frozen=True)
class Message:
    text: str
    error: bool = False


@dataclass(frozen=True)
class RecordContext:
    chrome: Chrome
    data: RecordWithAssociations
    message: Message | None = None
    panel: Any = None
    """The open + Add panel (`pages.panels.AddPanel`), shown in its card."""
    labels_panel: Any = None
    """The open Edit labels form (`pages.panels.LabelsPanel`), shown under its record."""

    def with_panel(self, panel: object) -> RecordContext:
        return replace(self, panel=panel)

    def with_labels(self, panel: object) -> RecordContext:
        return replace(self, labels_panel=panel)

    def with_message(self, message: Message) -> RecordContext:
        return replace(self, message=message)

    def others(self, card: AssociationCard, to_id: int) -> list[AssociatedRecord]:
        """The card's other listed records: the successors to choose from (P4)."""
        return [item for item in card.records if item.id != to_id]

    def asks_successor(self, card: AssociationCard) -> bool:
        """Removing the association of this card's primary needs a successor: a contact with
        two or more other companies (P4; with one left, that one becomes primary)."""
        return self.object_type.requires_primary_company and self._companies(card) > 2

    def asks_successor_for_primary(self, card: AssociationCard) -> bool:
        """Remove as primary needs a successor: a contact with any other company (P3, P4)."""
        return self.object_type.requires_primary_company and self._companies(card) > 1

    def _companies(self, card: AssociationCard) -> int:
        return card.total if card.object_type.id == COMPANIES else 0

    def add_url(self, to_type: str, step: str = "") -> str:
        return (
            urls.record(self.object_type, self.record.id)
            + f"/add/{to_type}"
            + (f"/{step}" if step else "")
        )

    @property
    def object_type(self) -> ObjectType:
        return self.data.object_type

    @property
    def record(self) -> Record:
        return self.data.record

    @property
    def title(self) -> str:
        return self.record.name or f"{self.object_type.singular.capitalize()} {self.record.id}"

    @property
    def properties(self) -> list[Property]:
        values = self.record.properties
        return [
            Property(d.label, values.get(name) or "")
            for name, d in self.object_type.properties.items()
        ]

    @property
    def cards(self) -> list[AssociationCard]:
        return self.data.cards

    @property
    def associated_total(self) -> int:
        return sum(card.total for card in self.cards)

    def can_be_primary(self, card: AssociationCard) -> bool:
        """Set as primary is offered on company cards of records that have a primary company."""
        return card.object_type.id == COMPANIES and self.object_type.can_have_primary_company

    def action_url(self, to_id: int, action: str) -> str:
        return urls.association(self.object_type, self.record.id, to_id, action)


@router.get("/{type_name}/{record_id}", response_class=HTMLResponse, name="record")
def record_page(
    request: Request, database: Db, user: SignedIn, type_name: str, record_id: int
) -> Response:
    context = context_of(database, user, type_name, record_id)
    if context.record.id != record_id:  # merged away: its survivor's page (L3)
        return RedirectResponse(urls.record(context.object_type, context.record.id), 303)
    return render(request, "record.html", page=context)


@router.post("/{type_name}/{record_id}/associations/{to_id}/primary", response_class=HTMLResponse)
def set_primary(
    request: Request, database: Db, user: SignedIn, type_name: str, record_id: int, to_id: int
) -> Response:
    """Make the company the record's primary (P2); the former primary stays associated."""
    return _change(
        request,
        database,
        user,
        type_name,
        record_id,
        lambda: associations.set_primary(database, user.caller, record_id, to_id),
        "Primary company changed.",
    )


@router.post("/{type_name}/{record_id}/associations/{to_id}/remove", response_class=HTMLResponse)
def remove_association(
    request: Request, database: Db, user: SignedIn, type_name: str, record_id: int, to_id: int
) -> Response:
    """Remove the association with all its labels; refused with P4's message for a primary."""

    def remove() -> object:
        done = associations.remove(database, user.caller, [AssociationInput(record_id, to_id)])
        return done.check()

    return _change(request, database, user, type_name, record_id, remove, "Association removed.")


def _change(
    request: Request,
    database: Database,
    user: User,
    type_name: str,
    record_id: int,
    change: Callable[[], object],
    done: str,
) -> Response:
    browse_first = context_of(database, user, type_name, record_id)  # 404 for another's record
    try:
        change()
    except LiaisonError as error:
        page = RecordContext(browse_first.chrome, browse_first.data, Message(error.message, True))
        return render(request, "_associations.html", page=page, oob=True)
    context = context_of(database, user, type_name, record_id, Message(done))
    return render(request, "_associations.html", page=context, oob=True)


def context_of(
    database: Database,
    user: User,
    type_name: str,
    record_id: int,
    message: Message | None = None,
) -> RecordContext:
    data = browse.record_with_associations(database, user.caller, type_name, record_id)
    chrome = Chrome(user, browse.object_types(database, user.caller), data.object_type.name)
    return RecordContext(chrome, data, message)
