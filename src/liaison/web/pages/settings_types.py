"""Settings: Custom object types (O3, A2): list them, create one (name, labels, primary display
property, typed properties, required ones, types it can be associated with), edit its labels and
properties, define and remove its association definitions, archive it; the engine's refusals
(a name taken, a definition in use, a type that still has records…) shown on the page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.object_types import ObjectType
from liaison.domain.properties import PropertyDefinition, PropertyType
from liaison.services import object_types
from liaison.services.database import Database
from liaison.services.object_types import CustomType
from liaison.services.users import User
from liaison.web import urls
from liaison.web.pages.settings_shared import Notice, chrome_of, form_of
from liaison.web.session import Admin, Db
from liaison.web.templating import Chrome, render

router = APIRouter()
PROPERTY_ROWS = 4
"""How many property rows the create form offers (more can be added afterwards)."""
PROPERTY_TYPES = [t.value for t in PropertyType]


@dataclass(frozen=True)
class TypesPage:
    chrome: Chrome
    types: list[CustomType]
    others: list[ObjectType]
    """What a new type can be associated with at once: the core types and other custom ones."""
    notice: Notice | None = None
    values: dict[str, str] = field(default_factory=dict)
    rows: int = PROPERTY_ROWS
    property_types: list[str] = field(default_factory=lambda: PROPERTY_TYPES)


@dataclass(frozen=True)
class TypePage:
    chrome: Chrome
    custom: CustomType
    others: list[ObjectType]
    """Types it has no definition with yet, to define one."""
    names: dict[str, str]
    """Type ID -> plural, to name each definition's other type."""
    notice: Notice | None = None
    property_types: list[str] = field(default_factory=lambda: PROPERTY_TYPES)

    @property
    def object_type(self) -> ObjectType:
        return self.custom.object_type

    def url(self, action: str = "") -> str:
        return urls.settings(f"types/{self.object_type.name}" + (f"/{action}" if action else ""))


def _list(
    database: Database,
    user: User,
    notice: Notice | None = None,
    values: dict[str, str] | None = None,
) -> TypesPage:
    every = object_types.list_object_types(database, user.caller)
    return TypesPage(
        chrome_of(database, user),
        object_types.list_custom_types(database, user.caller),
        [t for t in every if not t.is_activity],
        notice,
        values or {},
    )


def _one(database: Database, user: User, name: str, notice: Notice | None = None) -> TypePage:
    custom = object_types.get_custom_type(database, user.caller, name)
    every = object_types.list_object_types(database, user.caller)
    defined = {d.type.to_type for d in custom.associations}
    others = [t for t in every if t.id not in defined]
    return TypePage(
        chrome_of(database, user), custom, others, {t.id: t.plural for t in every}, notice
    )


@router.get("/settings/types", response_class=HTMLResponse)
def types_page(request: Request, database: Db, user: Admin) -> Response:
    return render(request, "settings_types.html", page=_list(database, user))


@router.post("/settings/types", response_class=HTMLResponse)
async def create_type(request: Request, database: Db, user: Admin) -> Response:
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.multi_items() if isinstance(v, str)}
    try:
        made = object_types.create_object_type(
            database,
            user.caller,
            name=values.get("name", ""),
            singular=values.get("singular", ""),
            plural=values.get("plural", ""),
            properties=_properties(form),
            required=_required(form),
            primary_display_property=values.get("display") or None,
            associated_types=[str(t) for t in form.getlist("associated")],
        )
    except LiaisonError as error:
        page = _list(database, user, Notice(error.message, True), _typed(form))
        return render(request, "settings_types.html", page=page, status_code=400)
    created = _one(database, user, made.name, Notice(f"Custom object type {made.plural} created."))
    return render(request, "settings_type.html", page=created)


@router.get("/settings/types/{name}", response_class=HTMLResponse)
def type_page(request: Request, database: Db, user: Admin, name: str) -> Response:
    return render(request, "settings_type.html", page=_one(database, user, name))


@router.post("/settings/types/{name}", response_class=HTMLResponse)
async def update_type(request: Request, database: Db, user: Admin, name: str) -> Response:
    """Labels, primary display property and required properties."""
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}

    def update() -> str:
        object_types.update_custom_type(
            database,
            user.caller,
            name,
            singular=values.get("singular") or None,
            plural=values.get("plural") or None,
            required=[str(r) for r in form.getlist("required")],
            primary_display_property=values.get("display") or None,
        )
        return "Saved."

    return _answer(request, database, user, name, update)


@router.post("/settings/types/{name}/properties", response_class=HTMLResponse)
async def add_property(request: Request, database: Db, user: Admin, name: str) -> Response:
    form = await request.form()

    def add() -> str:
        added = _properties(form)
        if not added:
            raise LiaisonError(ErrorCode.INVALID_INPUT, "Give the new property a name and a label.")
        object_types.update_object_type(database, user.caller, name, add_properties=added)
        return f"Property {added[0].label} added."

    return _answer(request, database, user, name, add)


@router.post("/settings/types/{name}/associations", response_class=HTMLResponse)
async def define_association(request: Request, database: Db, user: Admin, name: str) -> Response:
    form = await form_of(request)

    def define() -> str:
        made = object_types.define_custom_association(
            database, user.caller, name, name, form.get("to", "")
        )
        return f"Association definition {made.type.id} added."

    return _answer(request, database, user, name, define)


@router.post(
    "/settings/types/{name}/associations/{definition_id}/remove", response_class=HTMLResponse
)
def remove_association(
    request: Request, database: Db, user: Admin, name: str, definition_id: int
) -> Response:
    def remove() -> str:
        object_types.remove_custom_association(database, user.caller, name, definition_id)
        return "Association definition removed."

    return _answer(request, database, user, name, remove)


@router.get("/settings/types/{name}/archive", response_class=HTMLResponse)
def confirm_archive(request: Request, database: Db, user: Admin, name: str) -> Response:
    return render(request, "settings_type_archive.html", page=_one(database, user, name))


@router.post("/settings/types/{name}/archive", response_class=HTMLResponse)
def archive_type(request: Request, database: Db, user: Admin, name: str) -> Response:
    current = object_types.get_custom_type(database, user.caller, name).object_type
    try:
        object_types.archive_custom_type(database, user.caller, current.id)
    except LiaisonError as error:
        page = _one(database, user, name, Notice(error.message, True))
        return render(request, "settings_type.html", page=page, status_code=400)
    done = _list(database, user, Notice(f"Custom object type {current.plural} archived."))
    return render(request, "settings_types.html", page=done)


def _answer(
    request: Request, database: Database, user: User, name: str, change: Callable[[], str]
) -> Response:
    try:
        done = change()
    except LiaisonError as error:
        page = _one(database, user, name, Notice(error.message, True))
        return render(request, "settings_type.html", page=page, status_code=400)
    return render(request, "settings_type.html", page=_one(database, user, name, Notice(done)))


def _properties(form: FormData) -> list[PropertyDefinition]:
    """The property rows filled in (`prop_name`, `prop_label`, `prop_type`, `prop_options`,
    repeated in the same order); an empty row is skipped."""
    rows = zip(
        form.getlist("prop_name"),
        form.getlist("prop_label"),
        form.getlist("prop_type"),
        form.getlist("prop_options"),
        strict=False,
    )
    found = []
    for name, label, kind, options in rows:
        name, label = str(name).strip(), str(label).strip()
        if not name and not label:
            continue
        if str(kind) not in PROPERTY_TYPES:
            raise LiaisonError(
                ErrorCode.INVALID_INPUT, f"Unknown property type {str(kind)!r}.", type=str(kind)
            )
        choices = tuple(o.strip() for o in str(options).split(",") if o.strip())
        found.append(PropertyDefinition(name, label or name, PropertyType(str(kind)), choices))
    return found


def _required(form: FormData) -> list[str]:
    """The names of the rows whose *Required* box is ticked (`prop_required` = row number)."""
    names = [str(n).strip() for n in form.getlist("prop_name")]
    rows = [int(str(r)) for r in form.getlist("prop_required") if str(r).isdigit()]
    return [names[r] for r in rows if r < len(names) and names[r]]


def _typed(form: FormData) -> dict[str, str]:
    """What the create form held, to show it again after a refusal (`prop_name.0`, …)."""
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    for key in ("prop_name", "prop_label", "prop_type", "prop_options"):
        for index, value in enumerate(form.getlist(key)):
            values[f"{key}.{index}"] = str(value)
    for row in form.getlist("prop_required"):
        values[f"prop_required.{row}"] = "1"
    for name in form.getlist("associated"):
        values[f"associated.{name}"] = "1"
    return values
