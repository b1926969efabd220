"""The toolkit's exceptions: one root, domain errors without HTTP, spec and config errors."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class OrgkitError(Exception):
    """Root of every error orgkit raises on purpose."""


class SpecError(OrgkitError):
    """A spec document or one of its x-orgkit rules is broken."""

    def __init__(self, source: str, pointer: str, problem: str) -> None:
        self.source, self.pointer, self.problem = source, pointer, problem
        super().__init__(f"{source}: at {pointer or '/'}: {problem}")


class ConfigError(OrgkitError):
    """The user's configuration (CLI flags, persona file, fixture file) is unusable."""


class Problem(StrEnum):
    """What went wrong, in the domain's words; `orgkit.errorshapes` maps it to a status."""

    INVALID_INPUT = "bad_request"
    UNAUTHENTICATED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    CONFLICT = "conflict"
    TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    UNPROCESSABLE = "unprocessable_entity"
    UNAVAILABLE = "service_unavailable"
    INTERNAL = "internal_server_error"


class DomainError(OrgkitError):
    """A request the API refuses; carries a Problem, never an HTTP status."""

    problem: Problem = Problem.INVALID_INPUT

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        self.message = message
        self.extra = extra or {}
        super().__init__(message)


class InvalidInput(DomainError):
    """The request is malformed or violates the schema or a paging rule."""

    problem = Problem.INVALID_INPUT


class Unauthenticated(DomainError):
    """No credentials, or credentials that do not verify."""

    problem = Problem.UNAUTHENTICATED


class Forbidden(DomainError):
    """Valid credentials without a qualifying right."""

    problem = Problem.FORBIDDEN


class NotFound(DomainError):
    """The addressed resource does not exist (or is not visible to the caller)."""

    problem = Problem.NOT_FOUND


class Conflict(DomainError):
    """The request clashes with the current state (e.g. an id or name already taken)."""

    problem = Problem.CONFLICT


class Unprocessable(DomainError):
    """Well-formed input whose values make no sense (e.g. an unknown security right)."""

    problem = Problem.UNPROCESSABLE


class TooLarge(DomainError):
    """The request body exceeds the configured limit."""

    problem = Problem.TOO_LARGE


class UnsupportedMediaType(DomainError):
    """The request body's content type is not the one the operation declares."""

    problem = Problem.UNSUPPORTED_MEDIA_TYPE


class MethodNotAllowed(DomainError):
    """The path exists but not with this method."""

    problem = Problem.METHOD_NOT_ALLOWED

    def __init__(self, message: str, *, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.allowed = allowed


class Unavailable(DomainError):
    """An injected fault: the mock was told to answer this request with an error."""

    problem = Problem.UNAVAILABLE
