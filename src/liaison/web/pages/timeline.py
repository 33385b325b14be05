"""The timeline of a record's page (T1): its activities newest first, filtered by type and
paged by cursor, and the forms that log a note, email, call, meeting or task on the record
(the activity rules then add their associations, T2)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.object_types import CALLS, EMAILS, MEETINGS, NOTES, TASKS
from liaison.services import activities
from liaison.services.activities import Timeline, TimelineEntry
from liaison.services.database import Database
from liaison.services.users import User
from liaison.web import urls
from liaison.web.pages.record import Message, context_of
from liaison.web.session import Db, SignedIn
from liaison.web.templating import render

router = APIRouter()
PAGE_SIZE = 20


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"
    """text, textarea, datetime (a date and time, UTC), minutes (stored as milliseconds) or
    select."""
    options: tuple[tuple[str, str], ...] = ()
    required: bool = False


@dataclass(frozen=True)
class ActivityForm:
    type_id: str
    name: str
    title: str
    fields: tuple[Field, ...]


_WHEN = Field("hs_timestamp", "Date and time (UTC)", "datetime")
FORMS = (
    ActivityForm(
        NOTES,
        "notes",
        "Note",
        (Field("hs_note_body", "Note", "textarea", required=True), _WHEN),
    ),
    ActivityForm(
        EMAILS,
        "emails",
        "Email",
        (
            Field("hs_email_subject", "Subject", required=True),
            Field("hs_email_text", "Body", "textarea"),
            Field(
                "hs_email_direction",
                "Direction",
                "select",
                (
                    ("EMAIL", "Sent"),
                    ("INCOMING_EMAIL", "Received"),
                    ("FORWARDED_EMAIL", "Forwarded"),
                ),
            ),
            _WHEN,
        ),
    ),
    ActivityForm(
        CALLS,
        "calls",
        "Call",
        (
            Field("hs_call_title", "Title", required=True),
            Field("hs_call_body", "Notes", "textarea"),
            Field("hs_call_duration", "Duration (minutes)", "minutes"),
            Field(
                "hs_call_status",
                "Outcome",
                "select",
                (
                    ("COMPLETED", "Connected"),
                    ("NO_ANSWER", "No answer"),
                    ("BUSY", "Busy"),
                    ("FAILED", "Failed"),
                ),
            ),
            _WHEN,
        ),
    ),
    ActivityForm(
        MEETINGS,
        "meetings",
        "Meeting",
        (
            Field("hs_meeting_title", "Title", required=True),
            Field("hs_meeting_start_time", "Start (UTC)", "datetime"),
            Field("hs_meeting_end_time", "End (UTC)", "datetime"),
            Field(
                "hs_meeting_outcome",
                "Outcome",
                "select",
                (
                    ("SCHEDULED", "Scheduled"),
                    ("COMPLETED", "Completed"),
                    ("RESCHEDULED", "Rescheduled"),
                    ("NO_SHOW", "No show"),
                    ("CANCELED", "Canceled"),
                ),
            ),
            Field("hs_meeting_body", "Description", "textarea"),
        ),
    ),
    ActivityForm(
        TASKS,
        "tasks",
        "Task",
        (
            Field("hs_task_subject", "Subject", required=True),
            Field("hs_timestamp", "Due (UTC)", "datetime"),
            Field(
                "hs_task_status",
                "Status",
                "select",
                (
                    ("NOT_STARTED", "Not started"),
                    ("IN_PROGRESS", "In progress"),
                    ("WAITING", "Waiting"),
                    ("COMPLETED", "Completed"),
                    ("DEFERRED", "Deferred"),
                ),
            ),
            Field(
                "hs_task_priority",
                "Priority",
                "select",
                (("NONE", "None"), ("LOW", "Low"), ("MEDIUM", "Medium"), ("HIGH", "High")),
            ),
            Field("hs_task_body", "Notes", "textarea"),
        ),
    ),
)
_FORMS = {f.name: f for f in FORMS}
_SUMMARY = {
    NOTES: ("hs_note_body",),
    EMAILS: ("hs_email_subject", "hs_email_text"),
    CALLS: ("hs_call_title", "hs_call_body"),
    MEETINGS: ("hs_meeting_title", "hs_meeting_body"),
    TASKS: ("hs_task_subject", "hs_task_body"),
}
_STATUS = {
    EMAILS: "hs_email_direction",
    CALLS: "hs_call_status",
    MEETINGS: "hs_meeting_outcome",
    TASKS: "hs_task_status",
}


@dataclass(frozen=True)
class TimelineView:
    """What `_timeline.html` shows: a page of the record's timeline, the filter."""

    timeline: Timeline
    filter: str = ""
    message: Message | None = None
    forms: tuple[ActivityForm, ...] = FORMS

    @property
    def record_url(self) -> str:
        return urls.record(self.timeline.object_type, self.timeline.record_id)

    def url(self, **query: str) -> str:
        base = self.record_url + "/timeline"
        params = "&".join(f"{k}={v}" for k, v in query.items() if v)
        return base + (f"?{params}" if params else "")

    def log_url(self, form: ActivityForm) -> str:
        return f"{self.record_url}/timeline/{form.name}"

    def others(self, entry: TimelineEntry) -> list[activities.Linked]:
        """The records the activity is associated with, but the one whose page this is."""
        return [r for r in entry.associated if r.id != self.timeline.record_id]

    def summary(self, entry: TimelineEntry) -> tuple[str, str]:
        """The entry's title and body."""
        values = entry.activity.properties
        names = _SUMMARY.get(entry.activity_type.id, ())
        title = values.get(names[0]) if names and len(names) > 1 else None
        body = values.get(names[-1]) if names else None
        return title or entry.activity_type.singular.capitalize(), body or ""

    def status(self, entry: TimelineEntry) -> str:
        name = _STATUS.get(entry.activity_type.id)
        return (entry.activity.properties.get(name) or "") if name else ""


def view_of(
    database: Database,
    user: User,
    type_name: str,
    record_id: int,
    *,
    activity_type: str = "",
    after: str | None = None,
    message: Message | None = None,
) -> TimelineView:
    kinds = [activity_type] if activity_type else []
    timeline = activities.timeline(
        database,
        user.caller,
        type_name,
        record_id,
        activity_types=kinds,
        after=after,
        limit=PAGE_SIZE,
    )
    return TimelineView(timeline, activity_type, message)


@router.get("/{type_name}/{record_id}/timeline", response_class=HTMLResponse)
def timeline_part(
    request: Request,
    database: Db,
    user: SignedIn,
    type_name: str,
    record_id: int,
    type: str = "",
    after: str = "",
) -> Response:
    """The timeline, filtered by activity type; with `after`, only the next (older) entries."""
    view = view_of(database, user, type_name, record_id, activity_type=type, after=after or None)
    template = "_timeline_entries.html" if after else "_timeline.html"
    return render(request, template, timeline=view)


@router.post("/{type_name}/{record_id}/timeline/{activity}", response_class=HTMLResponse)
async def log_activity(
    request: Request, database: Db, user: SignedIn, type_name: str, record_id: int, activity: str
) -> Response:
    """Log an activity on the record; answers the timeline, the sidebar and the overview."""
    form = _FORMS.get(activity)
    if form is None:
        raise LiaisonError(ErrorCode.OBJECT_TYPE_NOT_FOUND, f"Unknown activity type {activity}.")
    try:
        values = _values(form, await request.form())
        activities.log_activity(database, user.caller, type_name, record_id, form.name, values)
    except LiaisonError as error:
        if error.code in _NOT_FOUND:
            raise
        view = view_of(database, user, type_name, record_id, message=Message(error.message, True))
        return render(request, "_timeline.html", timeline=view)
    page = context_of(database, user, type_name, record_id)
    view = view_of(database, user, type_name, record_id, message=Message(f"{form.title} logged."))
    return render(
        request, "_timeline_logged.html", timeline=view, page=page, oob=True, sidebar_oob=True
    )


_NOT_FOUND = (ErrorCode.RECORD_NOT_FOUND, ErrorCode.OBJECT_TYPE_NOT_FOUND)
_OFFSET = re.compile(r"(Z|[+-]\d\d:?\d\d)$")


def _values(form: ActivityForm, data: FormData) -> dict[str, object]:
    """The form's values as properties: times read as UTC, minutes as milliseconds."""
    values: dict[str, object] = {}
    for field in form.fields:
        raw = str(data.get(field.name) or "").strip()
        if field.required and not raw:
            raise LiaisonError(
                ErrorCode.MISSING_REQUIRED_PROPERTY,
                f"{field.label} is required.",
                property=field.name,
            )
        if not raw:
            continue
        if field.kind == "datetime" and not _OFFSET.search(raw):
            raw += "+00:00"
        if field.kind == "minutes":
            raw = _milliseconds(field, raw)
        values[field.name] = raw
    if form.type_id == MEETINGS and "hs_meeting_start_time" in values:
        values.setdefault("hs_timestamp", values["hs_meeting_start_time"])
    return values


def _milliseconds(field: Field, minutes: str) -> str:
    try:
        value = float(minutes)
    except ValueError:
        value = -1
    if not 0 <= value < 100_000:
        raise LiaisonError(
            ErrorCode.INVALID_PROPERTY,
            f"{field.label} must be a number of minutes.",
            property=field.name,
        )
    return str(round(value * 60_000))
