"""What an import's columns mean: the mapping, guessed from headers or given as JSON."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.id_properties import RECORD_ID
from liaison.domain.object_types import COMPANIES, CONTACTS
from liaison.domain.schema import Schema

LABELS = "labels"
ASSOCIATIONS = "associations."
_WORD = re.compile(r"[^a-z0-9]+")


class Mode(StrEnum):
    """What a row whose record is found, or not found, does."""

    CREATE_OR_UPDATE = "create_or_update"
    CREATE = "create"
    UPDATE = "update"


class RecordIds(StrEnum):
    """What a Record ID column holds: IDs of this account, or keys of the files' own system."""

    EXISTING = "existing"
    FILE = "file"


@dataclass(frozen=True)
class Target:
    """What one column holds: a property of an object, the row's labels, or associations."""

    kind: str  # "property", "labels" or "associations"
    object: str  # object type ID: the property's, or the associated records'
    property: str = ""

    def describe(self, schema: Schema) -> str:
        plural = schema.object_types[self.object].name
        if self.kind == "property":
            return f"{plural}.{self.property}"
        if self.kind == "labels":
            return LABELS
        return f"{ASSOCIATIONS}{plural}"


@dataclass(frozen=True)
class FileMapping:
    headers: tuple[str, ...]
    objects: tuple[str, ...]
    """The object type IDs of each row, the main one first."""
    columns: Mapping[str, Target]
    """Header -> what it holds; headers not listed are ignored."""

    def properties(self, object_id: str) -> list[tuple[str, str]]:
        """(header, property) of the object's columns."""
        return [
            (h, t.property)
            for h, t in self.columns.items()
            if t.kind == "property" and t.object == object_id
        ]

    def labels_header(self) -> str | None:
        return next((h for h, t in self.columns.items() if t.kind == "labels"), None)

    def association_headers(self) -> list[tuple[str, str]]:
        """(header, target object type ID) of the association columns."""
        return [(h, t.object) for h, t in self.columns.items() if t.kind == "associations"]


@dataclass(frozen=True)
class ImportMapping:
    files: tuple[FileMapping, ...]
    match: Mapping[str, str]
    """Object type ID -> the property that finds its existing records (Record ID, email, …)."""
    mode: Mode = Mode.CREATE_OR_UPDATE
    record_ids: RecordIds = RecordIds.EXISTING

    def match_of(self, object_id: str) -> str | None:
        return self.match.get(object_id)

    def to_json(self, schema: Schema) -> dict[str, Any]:
        names = schema.object_types
        return {
            "files": [
                {
                    "objects": [names[o].name for o in f.objects],
                    "columns": {
                        h: f.columns[h].describe(schema) if h in f.columns else None
                        for h in f.headers
                    },
                }
                for f in self.files
            ],
            "match": {names[o].name: p for o, p in self.match.items()},
            "mode": self.mode.value,
            "record_ids": self.record_ids.value,
        }


# -- building a mapping ------------------------------------------------------------------------
def build(
    schema: Schema,
    headers: Sequence[Sequence[str]],
    objects: Sequence[Sequence[str]],
    given: Mapping[str, Any] | None = None,
) -> ImportMapping:
    """The mapping of files with these headers, holding these objects (type names): the
    columns `given` names as it says, the others guessed from their headers."""
    given = dict(given or {})
    files_given = given.get("files") or [{}] * len(headers)
    if not isinstance(files_given, list) or len(files_given) != len(headers):
        raise _invalid("The mapping's 'files' must list one entry per file, in order.")
    all_objects = tuple(
        dict.fromkeys(schema.object_type(name).id for names in objects for name in names)
    )
    files = tuple(
        _file(schema, list(h), [schema.object_type(n).id for n in o], all_objects, _dict(f))
        for h, o, f in zip(headers, objects, files_given, strict=True)
    )
    match = _default_match(files)
    for name, prop in _dict(given.get("match")).items():
        kind = schema.object_type(name)
        if prop != RECORD_ID and prop not in kind.properties:
            raise _invalid(
                f"Cannot match {kind.plural} by '{prop}': it is not one of their properties."
            )
        match[kind.id] = str(prop)
    try:
        mode = Mode(given.get("mode", Mode.CREATE_OR_UPDATE))
        record_ids = RecordIds(given.get("record_ids", RecordIds.EXISTING))
    except ValueError as error:
        raise _invalid(f"Invalid mapping option: {error}.") from None
    return ImportMapping(files, match, mode, record_ids)


def _file(
    schema: Schema,
    headers: list[str],
    objects: list[str],
    all_objects: tuple[str, ...],
    given: dict[str, Any],
) -> FileMapping:
    if not objects:
        raise _invalid("Each file needs at least one object type.")
    columns: dict[str, Target] = {}
    unknown = set(_dict(given.get("columns"))) - set(headers)
    if unknown:
        raise _invalid(f"The mapping names columns the file does not have: {sorted(unknown)}.")
    named = _dict(given.get("columns"))
    guessing = given.get("guess", True) is not False
    for header in headers:
        if header in named:
            target = _parse_target(schema, named[header], objects) if named[header] else None
        elif not guessing:
            target = None
        else:
            target = guess(
                schema, header, [*objects, *(o for o in all_objects if o not in objects)]
            )
        if target is not None:
            columns[header] = target
    seen = list(objects)
    seen += [t.object for t in columns.values() if t.kind == "property" and t.object not in seen]
    return FileMapping(tuple(headers), tuple(dict.fromkeys(seen)), columns)


def _parse_target(schema: Schema, text: object, objects: list[str]) -> Target:
    spec = str(text)
    if spec == LABELS:
        return Target("labels", objects[0])
    if spec.startswith(ASSOCIATIONS):
        return Target("associations", schema.object_type(spec[len(ASSOCIATIONS) :]).id)
    name, dot, prop = spec.partition(".")
    if not dot:
        raise _invalid(
            f"Column target {spec!r} must read 'OBJECT.PROPERTY', 'labels' or "
            "'associations.OBJECT'."
        )
    kind = schema.object_type(name)
    if prop != RECORD_ID and prop not in kind.properties:
        raise _invalid(f"{kind.plural.capitalize()} have no property '{prop}'.")
    return Target("property", kind.id, prop)


def guess(schema: Schema, header: str, objects: Sequence[str]) -> Target | None:
    """What a header most likely holds, trying the objects in order; None: ignore it."""
    words = _words(header)
    if words in ("association label", "association labels", "labels", "label"):
        return Target("labels", objects[0])
    for object_id in objects:
        kind = schema.object_types[object_id]
        for prefix in ("associated ", "associations "):
            if words.startswith(prefix) and _words(words[len(prefix) :]) in _names(kind):
                return Target("associations", object_id)
    for strict in (True, False):
        for index, object_id in enumerate(objects):
            found = _property(schema, words, object_id, main=index == 0, strict=strict)
            if found:
                return Target("property", object_id, found)
    return None


def _property(schema: Schema, words: str, object_id: str, *, main: bool, strict: bool) -> str:
    """The property of the object `words` names: with its object's name before it
    ("company domain"), or alone for the file's main object (or, not `strict`, any)."""
    kind = schema.object_types[object_id]
    candidates = [words[len(n) + 1 :] for n in _names(kind) if words.startswith(n + " ")]
    if main or not strict:
        candidates.append(words)
    for candidate in candidates:
        if candidate in ("record id", "id", "object id", "hs object id"):
            return RECORD_ID
        for name, definition in kind.properties.items():
            if candidate in (_words(name), _words(definition.label)):
                return name
        if candidate == "name" and object_id == CONTACTS:
            continue
        if candidate in ("domain", "website") and object_id == COMPANIES:
            return "domain"
    return ""


def _names(kind: Any) -> tuple[str, ...]:
    return (_words(kind.singular), _words(kind.plural), _words(kind.name))


def _default_match(files: Sequence[FileMapping]) -> dict[str, str]:
    """Each object is found by its Record ID column, else a contact by email and a company by
    domain; an object with none of these is always created."""
    mapped: dict[str, set[str]] = {}
    for f in files:
        for target in f.columns.values():
            if target.kind == "property":
                mapped.setdefault(target.object, set()).add(target.property)
    match = {}
    for object_id, props in mapped.items():
        if RECORD_ID in props:
            match[object_id] = RECORD_ID
        elif object_id == CONTACTS and "email" in props:
            match[object_id] = "email"
        elif object_id == COMPANIES and "domain" in props:
            match[object_id] = "domain"
    return match


def _words(text: str) -> str:
    return " ".join(_WORD.split(text.lower().replace("_", " "))).strip()


def _dict(value: object) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid("The mapping must be a JSON object of objects.")
    return value


def _invalid(message: str) -> LiaisonError:
    return LiaisonError(ErrorCode.INVALID_INPUT, message)
