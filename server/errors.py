"""Domain errors: every rule violation a caller can fix carries a field and a code."""

from __future__ import annotations


class DomainError(Exception):
    """Base of errors that are safe to show to the caller as they are."""

    code = "INVALID"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    code = "BAD_USER_INPUT"


class NotFound(DomainError):
    code = "NOT_FOUND"
