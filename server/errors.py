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


class Unauthenticated(DomainError):
    """Signing in would help: no session, an expired one, or no valid API token."""

    code = "UNAUTHENTICATED"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    code = "FORBIDDEN"


class Conflict(DomainError):
    """The request clashes with what is stored (an email already in use, a last owner)."""

    code = "CONFLICT"


class Throttled(DomainError):
    """Too many attempts; `retry_after` seconds until the next one is allowed."""

    code = "THROTTLED"

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after
