"""Domain errors; the API's base handler maps each to one HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause; ``status`` is the HTTP answer."""

    status = 400

    def __init__(self, message: str, errors: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    """Missing, or private and not visible to the caller: both answer exactly the same."""

    status = 404

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found")


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    """Bad input: names the field and the reason."""

    status = 422

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}", [(field, reason)])


class InvalidBody(DomainError):
    """A request body that fails its schema: every failing field with its reason."""

    status = 422


class TooLarge(DomainError):
    status = 413
