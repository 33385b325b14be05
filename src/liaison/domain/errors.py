"""Typed errors: every refusal names what is wrong and where."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    ACCOUNT_NOT_FOUND = "ACCOUNT_NOT_FOUND"
    OBJECT_TYPE_NOT_FOUND = "OBJECT_TYPE_NOT_FOUND"
    OBJECT_TYPE_EXISTS = "OBJECT_TYPE_EXISTS"
    OBJECT_TYPE_IN_USE = "OBJECT_TYPE_IN_USE"
    RECORD_NOT_FOUND = "RECORD_NOT_FOUND"
    RECORD_ARCHIVED = "RECORD_ARCHIVED"
    RECORD_NOT_ARCHIVED = "RECORD_NOT_ARCHIVED"
    INVALID_PROPERTY = "INVALID_PROPERTY"
    MISSING_REQUIRED_PROPERTY = "MISSING_REQUIRED_PROPERTY"
    UNKNOWN_PROPERTY = "UNKNOWN_PROPERTY"
    INVALID_INPUT = "INVALID_INPUT"
    NO_ASSOCIATION_DEFINITION = "NO_ASSOCIATION_DEFINITION"
    ASSOCIATION_DEFINITION_EXISTS = "ASSOCIATION_DEFINITION_EXISTS"
    ASSOCIATION_TYPE_NOT_FOUND = "ASSOCIATION_TYPE_NOT_FOUND"
    LABEL_NOT_FOR_PAIR = "LABEL_NOT_FOR_PAIR"
    LABEL_EXISTS = "LABEL_EXISTS"
    LABEL_IN_USE = "LABEL_IN_USE"
    TOO_MANY_LABELS = "TOO_MANY_LABELS"
    BUILTIN_TYPE_READ_ONLY = "BUILTIN_TYPE_READ_ONLY"
    SELF_ASSOCIATION = "SELF_ASSOCIATION"
    NOT_ASSOCIATED = "NOT_ASSOCIATED"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    INVALID_LIMIT = "INVALID_LIMIT"
    PRIMARY_REQUIRED = "PRIMARY_REQUIRED"
    PRIMARY_EXISTS = "PRIMARY_EXISTS"
    INVALID_SUCCESSOR = "INVALID_SUCCESSOR"
    MERGE_INVALID = "MERGE_INVALID"
    OPERATION_NOT_FOUND = "OPERATION_NOT_FOUND"
    TOKEN_NOT_FOUND = "TOKEN_NOT_FOUND"


class LiaisonError(Exception):
    """A refusal: `code` says what kind, `message` says what to fix, `context` names the parts."""

    def __init__(self, code: ErrorCode, message: str, **context: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.context = context

    def __repr__(self) -> str:
        return f"LiaisonError({self.code.value}, {self.message!r})"
