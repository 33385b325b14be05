"""Property definitions and validation of property values (O2, O4)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from liaison.domain.errors import ErrorCode, LiaisonError

PropertyValue = str | None
Properties = dict[str, PropertyValue]

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
_BOOL = {"true": "true", "false": "false", "1": "true", "0": "false", "yes": "true", "no": "false"}


class PropertyType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    ENUMERATION = "enumeration"
    BOOL = "bool"


_STRING = PropertyType.STRING


@dataclass(frozen=True)
class PropertyDefinition:
    name: str
    label: str
    type: PropertyType = PropertyType.STRING
    options: tuple[str, ...] = field(default=())
    option_labels: tuple[str, ...] = field(default=())
    """What each option is called where it is shown, when not its value (same order)."""

    def option_label(self, index: int) -> str:
        """The label of `options[index]`: its own, else the value itself."""
        labels = self.option_labels
        return labels[index] if index < len(labels) and labels[index] else self.options[index]

    def normalize(self, raw: object) -> PropertyValue:
        """Return the stored text of `raw`, or raise INVALID_PROPERTY naming this property."""
        if type(raw) is str and self.type is _STRING:  # most values: the short way
            text = raw.strip()
            if "\x00" not in text:
                return text if raw else None
        if raw is None or raw == "":
            return None
        text = str(raw).strip() if not isinstance(raw, bool) else str(raw).lower()
        if "\x00" in text:
            raise LiaisonError(
                ErrorCode.INVALID_PROPERTY,
                f"Property '{self.name}' cannot hold a NUL character.",
                property=self.name,
            )
        try:
            return _NORMALIZERS[self.type](self, text)
        except (ValueError, InvalidOperation, KeyError):
            raise LiaisonError(
                ErrorCode.INVALID_PROPERTY,
                f"Property '{self.name}' must be {self._expected()}; got {text!r}.",
                property=self.name,
                value=text,
            ) from None

    def _expected(self) -> str:
        if self.type is PropertyType.ENUMERATION:
            return "one of " + ", ".join(self.options)
        return {
            PropertyType.STRING: "text",
            PropertyType.NUMBER: "a number",
            PropertyType.DATE: "a date (YYYY-MM-DD)",
            PropertyType.DATETIME: "a date and time (ISO 8601) or milliseconds since 1970",
            PropertyType.BOOL: "true or false",
        }[self.type]


def _number(_: PropertyDefinition, text: str) -> str:
    value = Decimal(text)
    if not value.is_finite():
        raise ValueError(text)
    return format(value.normalize(), "f")


def _date(_: PropertyDefinition, text: str) -> str:
    return date.fromisoformat(text[:10] if "T" in text else text).isoformat()


def _datetime(_: PropertyDefinition, text: str) -> str:
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000).astimezone().isoformat()
    return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()


def _enumeration(definition: PropertyDefinition, text: str) -> str:
    if text not in definition.options:
        raise ValueError(text)
    return text


def _string(_: PropertyDefinition, text: str) -> str:
    return text


def _bool(_: PropertyDefinition, text: str) -> str:
    return _BOOL[text.lower()]


_NORMALIZERS: dict[PropertyType, Callable[[PropertyDefinition, str], str]] = {
    PropertyType.STRING: _string,
    PropertyType.NUMBER: _number,
    PropertyType.DATE: _date,
    PropertyType.DATETIME: _datetime,
    PropertyType.ENUMERATION: _enumeration,
    PropertyType.BOOL: _bool,
}


def check_property_name(name: str) -> None:
    if not _NAME.match(name):
        raise LiaisonError(
            ErrorCode.INVALID_INPUT,
            f"Property name {name!r} must start with a lowercase letter and contain only "
            "lowercase letters, digits and underscores.",
            property=name,
        )


def validate(
    definitions: Mapping[str, PropertyDefinition],
    values: Mapping[str, object],
    *,
    type_name: str,
) -> Properties:
    """Check `values` against `definitions`; return them normalized. Nothing partial."""
    clean: Properties = {}
    for name, raw in values.items():
        definition = definitions.get(name)
        if definition is None:
            raise LiaisonError(
                ErrorCode.UNKNOWN_PROPERTY,
                f"Property '{name}' does not exist on {type_name}.",
                property=name,
                objectType=type_name,
            )
        clean[name] = definition.normalize(raw)
    return clean
