"""The one place where a problem becomes a status and a body in the API's own error shape."""

from __future__ import annotations

from typing import Any

from orgkit.errors import DomainError, Problem
from orgkit.model import ErrorShape

STATUS: dict[Problem, int] = {
    Problem.INVALID_INPUT: 400,
    Problem.UNAUTHENTICATED: 401,
    Problem.FORBIDDEN: 403,
    Problem.NOT_FOUND: 404,
    Problem.METHOD_NOT_ALLOWED: 405,
    Problem.NOT_ACCEPTABLE: 406,
    Problem.CONFLICT: 409,
    Problem.TOO_LARGE: 413,
    Problem.UNSUPPORTED_MEDIA_TYPE: 415,
    Problem.UNPROCESSABLE: 422,
    Problem.INTERNAL: 500,
    Problem.UNAVAILABLE: 503,
}

CODE_BY_STATUS: dict[int, str] = {status: problem.value for problem, status in STATUS.items()}


def code_for(status: int) -> str:
    """The snake_case error code for a status (e.g. 404 → not_found)."""
    return CODE_BY_STATUS.get(status, "error")


def render(shape: ErrorShape, status: int, message: str, code: str | None = None) -> Any:
    """Fill the shape's template for this status."""
    values = {
        "{status}": status,
        "{code}": code or code_for(status),
        "{message}": message,
        "{messages}": [message],
    }
    return _fill(shape.template_for(status), values)


def from_error(shape: ErrorShape, error: DomainError) -> tuple[int, Any]:
    """Status and body for a domain error."""
    status = STATUS[error.problem]
    body = render(shape, status, error.message)
    if error.extra and isinstance(body, dict) and isinstance(body.get("extra_info"), dict):
        body["extra_info"] = dict(error.extra)
    return status, body


def _fill(template: Any, values: dict[str, Any]) -> Any:
    if isinstance(template, str):
        return values.get(template, template)
    if isinstance(template, dict):
        return {k: _fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, values) for v in template]
    return template
