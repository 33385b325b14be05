"""Object types: the built-in ones (O1) and custom ones (O3), with their properties (O2)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.properties import (
    Properties,
    PropertyDefinition,
    PropertyType,
    validate,
)

CONTACTS, COMPANIES, DEALS, TICKETS = "0-1", "0-2", "0-3", "0-5"
NOTES, MEETINGS, CALLS, EMAILS, TASKS = "0-46", "0-47", "0-48", "0-49", "0-27"
CORE_TYPES = (CONTACTS, COMPANIES, DEALS, TICKETS)
ACTIVITY_TYPES = (NOTES, MEETINGS, CALLS, EMAILS, TASKS)
CUSTOM_PREFIX = "2-"

_TYPE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
_ABSENT = object()


@dataclass(frozen=True)
class ObjectType:
    id: str
    name: str
    singular: str
    plural: str
    properties: Mapping[str, PropertyDefinition]
    display_properties: tuple[str, ...]
    required: tuple[str, ...] = ()
    defaults: Mapping[str, str] = field(default_factory=dict)
    required_any: tuple[str, ...] = ()

    @property
    def is_activity(self) -> bool:
        return self.id in ACTIVITY_TYPES

    @property
    def can_have_primary_company(self) -> bool:
        """P1, P5: every record type except companies and activities may have one."""
        return self.id != COMPANIES and not self.is_activity

    @property
    def requires_primary_company(self) -> bool:
        """P3: contacts with any company always have a primary one."""
        return self.id == CONTACTS

    def names(self) -> tuple[str, ...]:
        return (self.id, self.name, self.singular)

    def not_found(self, record_id: int, *, deleted: bool = False) -> LiaisonError:
        """The error for a record of this type that does not exist (or not in that state)."""
        state = "deleted " if deleted else ""
        return LiaisonError(
            ErrorCode.RECORD_NOT_FOUND,
            f"There is no {state}{self.singular} with ID {record_id}.",
            objectType=self.name,
            objectId=record_id,
        )

    def display_name(self, properties: Mapping[str, str | None]) -> str:
        """The record's name as shown everywhere (O2)."""
        if self.id == CONTACTS:
            first, last = properties.get("firstname"), properties.get("lastname")
            full = f"{first} {last}" if first and last else first or last
            return full or properties.get("email") or ""
        for name in self.display_properties:
            if value := properties.get(name):
                return value
        return ""

    def validate_new(self, values: Mapping[str, object]) -> Properties:
        """O4 for a record being created: known, well-typed, required properties present."""
        clean = validate(self.properties, values, type_name=self.name)
        if self.defaults:
            clean = {**self.defaults, **clean}
        self._check_required(clean)
        return clean

    def validate_update(self, current: Properties, values: Mapping[str, object]) -> Properties:
        """O4 for an update: the merged result must still satisfy the required properties. When
        every value is a known property's stored one, `current` itself: stored values were
        normalized when written (an import row repeating a record it matched costs no
        validation)."""
        known = self.properties
        for name, value in values.items():
            if current.get(name, _ABSENT) != value or name not in known:
                merged = {**current, **validate(known, values, type_name=self.name)}
                break
        else:
            merged = current
        self._check_required(merged)
        return merged

    def _check_required(self, merged: Properties) -> None:
        # Loops, not comprehensions: this runs for every record an import or a batch writes.
        for name in self.required:
            if not merged.get(name):
                raise _missing(self, name)
        if self.required_any:
            for name in self.required_any:
                if merged.get(name):
                    return
            raise _missing(self, " or ".join(self.required_any))


def _missing(object_type: ObjectType, name: str) -> LiaisonError:
    return LiaisonError(
        ErrorCode.MISSING_REQUIRED_PROPERTY,
        f"A {object_type.singular} needs the property '{name}'.",
        property=name,
        objectType=object_type.name,
    )


RESERVED_TYPE_NAMES = frozenset({"settings", "jobs", "imports", "signin", "signout", "static"})
"""Names the web UI uses for its own pages at `/app/{name}`, where each type has its index."""


def check_type_name(name: str) -> None:
    if name.lower() in RESERVED_TYPE_NAMES:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT,
            f"Object type name {name!r} is reserved for a page of Liaison: choose another name.",
            name=name,
        )
    if not _TYPE_NAME.match(name):
        raise LiaisonError(
            ErrorCode.INVALID_INPUT,
            f"Object type name {name!r} must start with a letter and contain only letters, "
            "digits and underscores.",
            name=name,
        )


def _props(
    *specs: tuple[str, str] | tuple[str, str, PropertyType] | PropertyDefinition,
) -> dict[str, PropertyDefinition]:
    definitions = [
        s if isinstance(s, PropertyDefinition) else PropertyDefinition(*s) for s in specs
    ]
    return {d.name: d for d in definitions}


_TIMESTAMP = ("hs_timestamp", "Activity date", PropertyType.DATETIME)
_OWNER = ("hubspot_owner_id", "Owner")
_ACTIVITY_REQUIRED = ("hs_timestamp",)
"""An activity needs its time, as on HubSpot."""

BUILTIN_TYPES: tuple[ObjectType, ...] = (
    ObjectType(
        CONTACTS,
        "contacts",
        "contact",
        "Contacts",
        _props(
            ("email", "Email"),
            ("firstname", "First name"),
            ("lastname", "Last name"),
            ("jobtitle", "Job title"),
            ("phone", "Phone number"),
            _OWNER,
        ),
        display_properties=("firstname", "lastname", "email"),
    ),
    ObjectType(
        COMPANIES,
        "companies",
        "company",
        "Companies",
        _props(
            ("name", "Company name"),
            ("domain", "Company domain name"),
            ("hs_additional_domains", "Additional domains"),
            ("industry", "Industry"),
            ("city", "City"),
            _OWNER,
        ),
        display_properties=("name", "domain"),
        required_any=("name", "domain"),
    ),
    ObjectType(
        DEALS,
        "deals",
        "deal",
        "Deals",
        _props(
            ("dealname", "Deal name"),
            ("amount", "Amount", PropertyType.NUMBER),
            ("dealstage", "Deal stage"),
            ("pipeline", "Pipeline"),
            ("closedate", "Close date", PropertyType.DATETIME),
            _OWNER,
        ),
        display_properties=("dealname",),
        required=("dealname",),
        defaults={"pipeline": "default", "dealstage": "appointmentscheduled"},
    ),
    ObjectType(
        TICKETS,
        "tickets",
        "ticket",
        "Tickets",
        _props(
            ("subject", "Ticket name"),
            ("content", "Ticket description"),
            ("hs_pipeline", "Pipeline"),
            ("hs_pipeline_stage", "Ticket status"),
            ("hs_ticket_priority", "Priority"),
            _OWNER,
        ),
        display_properties=("subject",),
        required=("subject",),
        defaults={"hs_pipeline": "0", "hs_pipeline_stage": "1"},
    ),
    ObjectType(
        NOTES,
        "notes",
        "note",
        "Notes",
        _props(_TIMESTAMP, ("hs_note_body", "Note body"), _OWNER),
        display_properties=("hs_note_body",),
        required=_ACTIVITY_REQUIRED,
    ),
    ObjectType(
        MEETINGS,
        "meetings",
        "meeting",
        "Meetings",
        _props(
            _TIMESTAMP,
            ("hs_meeting_title", "Meeting name"),
            ("hs_meeting_body", "Description"),
            ("hs_meeting_start_time", "Start time", PropertyType.DATETIME),
            ("hs_meeting_end_time", "End time", PropertyType.DATETIME),
            ("hs_meeting_outcome", "Outcome"),
            _OWNER,
        ),
        display_properties=("hs_meeting_title",),
        required=_ACTIVITY_REQUIRED,
    ),
    ObjectType(
        CALLS,
        "calls",
        "call",
        "Calls",
        _props(
            _TIMESTAMP,
            ("hs_call_title", "Call title"),
            ("hs_call_body", "Call notes"),
            ("hs_call_direction", "Direction"),
            ("hs_call_duration", "Duration (ms)", PropertyType.NUMBER),
            ("hs_call_status", "Call status"),
            _OWNER,
        ),
        display_properties=("hs_call_title",),
        required=_ACTIVITY_REQUIRED,
    ),
    ObjectType(
        EMAILS,
        "emails",
        "email",
        "Emails",
        _props(
            _TIMESTAMP,
            ("hs_email_subject", "Subject"),
            ("hs_email_text", "Body"),
            ("hs_email_direction", "Direction"),
            ("hs_email_status", "Status"),
            _OWNER,
        ),
        display_properties=("hs_email_subject",),
        required=_ACTIVITY_REQUIRED,
    ),
    ObjectType(
        TASKS,
        "tasks",
        "task",
        "Tasks",
        _props(
            _TIMESTAMP,
            ("hs_task_subject", "Task title"),
            ("hs_task_body", "Notes"),
            ("hs_task_status", "Status"),
            ("hs_task_priority", "Priority"),
            ("hs_task_type", "Type"),
            _OWNER,
        ),
        display_properties=("hs_task_subject",),
        required=_ACTIVITY_REQUIRED,
    ),
)
BUILTIN_BY_ID = {t.id: t for t in BUILTIN_TYPES}


def custom_type(
    *,
    number: int,
    name: str,
    singular: str,
    plural: str,
    properties: list[PropertyDefinition],
    required: list[str],
    primary_display_property: str | None,
) -> ObjectType:
    """Build a custom object type (O3) after checking its definition is coherent."""
    check_type_name(name)
    by_name = {p.name: p for p in properties}
    for prop in required + ([primary_display_property] if primary_display_property else []):
        if prop not in by_name:
            raise LiaisonError(
                ErrorCode.INVALID_INPUT,
                f"'{prop}' is named as required or display property but is not defined.",
                property=prop,
            )
    display = primary_display_property or (properties[0].name if properties else "")
    return ObjectType(
        f"{CUSTOM_PREFIX}{number}",
        name,
        singular,
        plural,
        by_name,
        display_properties=(display,) if display else (),
        required=tuple(required),
    )
