"""The one exception handlers raise, and how each API renders it."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

# Our own wording: the suite must never depend on the mock's message texts.
REASONS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "unprocessable_entity",
    501: "not_implemented",
}


class Problem(Exception):
    """A refusal: HTTP status, a human message and optional details for `extra_info`."""

    def __init__(self, status: int, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details
        self.headers: dict[str, str] = {}


def svx_body(problem: Problem) -> dict[str, Any]:
    """The SVX `Error` body (no file/line: they are optional)."""
    return {"error": REASONS.get(problem.status, "error"), "http_code": problem.status,
            "message": problem.message, "extra_info": dict(problem.details)}


def transmit_body(problem: Problem) -> dict[str, Any]:
    """Transmit's bodies: 400 carries a list of messages, 409 a ts_error_code."""
    if problem.status == 400:
        return {"error_code": 400, "message": [problem.message]}
    body: dict[str, Any] = {"error_code": problem.status, "message": problem.message}
    if problem.status == 409:
        body["ts_error_code"] = "IDENTIFIER_TAKEN"
    return body


def invitations_body(problem: Problem) -> dict[str, Any]:
    """SVX's invitation endpoints: `InvitationErrors`, a list of one error."""
    return {"errors": [{"code": REASONS.get(problem.status, "error"), "message": problem.message,
                        "http_code": problem.status}]}


RENDERERS = {"svx": svx_body, "transmit": transmit_body, "invitations": invitations_body}


# Planted rendering bugs (tests only): a status rendered in another framework's shape.
FOREIGN = {("svx", 401, "svx-401-bare"): {"error": "unauthorized", "message": "no token"},
           ("transmit", 403, "transmit-403-foreign"): {"statusCode": 403, "error": "Forbidden"}}


def render(api: str, problem: Problem, flaws: frozenset[str] = frozenset()) -> JSONResponse:
    """The error response of one API."""
    body = next((b for (a, s, flaw), b in FOREIGN.items()
                 if a == api and s == problem.status and flaw in flaws),
                RENDERERS[api](problem))
    return JSONResponse(body, status_code=problem.status, headers=problem.headers)
