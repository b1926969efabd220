"""Errors: directed probes per operation, each answered with a 4xx in the API's error shape."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import httpx

from contract_tests.checks.errors import (
    invalid_uuid_rejected,
    malformed_json_rejected,
    unknown_path_not_found,
    unsupported_method_405,
    wrong_content_type_rejected,
)
from contract_tests.driver import broadest_persona
from contract_tests.failures import fail
from contract_tests.requests import required, sample
from contract_tests.sites import selected_operations
from contract_tests.suite import Suite
from contract_tests.target import Exchange
from orgkit.model import Operation

FAMILY = "errors"
UNKNOWN_SEGMENT = "/orgkit-no-such-path"
METHODS = ("PATCH", "PUT", "POST", "DELETE", "GET")
MALFORMED_JSON = b'{"orgkit": '


def run(suite: Suite) -> None:
    """Send the five probes to every operation (or say why one does not apply)."""
    probe = Prober(suite)
    for op in selected_operations(suite):
        probe.malformed_json(op)
        probe.wrong_content_type(op)
        probe.invalid_uuid(op)
        probe.unknown_path(op)
        probe.unsupported_method(op)


def fill_path(op: Operation, overrides: Mapping[str, str] | None = None) -> str:
    """The operation's path with every parameter filled with a valid-looking value."""
    path = op.path
    for p in op.parameters:
        if p.location == "path":
            value = (overrides or {}).get(p.name, str(sample(p.schema)))
            path = path.replace("{" + p.name + "}", value)
    return path


def matches(path: str, template: str) -> bool:
    """Whether a concrete path matches a spec path template."""
    pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template))
    return re.fullmatch(pattern, path) is not None


def unknown_path(templates: list[str], op: Operation) -> str:
    """The operation's filled path plus as many unknown segments as no template matches."""
    path = fill_path(op) + UNKNOWN_SEGMENT
    while any(matches(path, t) for t in templates):
        path += UNKNOWN_SEGMENT
    return path


class Prober:
    """Sends each probe as the broadest persona and records its verdict."""

    def __init__(self, suite: Suite) -> None:
        self.suite = suite
        self.token = broadest_persona(suite.personas).token

    def send(self, op: Operation, method: str, path: str, *,
             headers: Mapping[str, str] | None = None, content: bytes | None = None) -> Exchange:
        """One probe request; a network failure is a check failure."""
        try:
            return self.suite.target.call(
                method, path, token=self.token, params=required(op, "query"),
                headers={**required(op, "header"), **(headers or {})}, content=content)
        except httpx.HTTPError as exc:
            raise fail(f"no answer to {method} {path}: {exc!r}", "an HTTP answer") from None

    def verdict(self, name: str, op: Operation, probe: Callable[[], Exchange]) -> None:
        """Record one probe's verdict."""
        self.suite.verdict(FAMILY, name, op, probe)

    def malformed_json(self, op: Operation) -> None:
        """Truncated JSON where the spec declares a JSON body."""
        name = "malformed_json_rejected"
        if not any("json" in t for t in op.body_content_types):
            self.suite.not_applicable(FAMILY, name, op, "the operation takes no JSON body")
            return
        headers = {"Content-Type": next(t for t in op.body_content_types if "json" in t)}
        self.verdict(name, op, lambda: malformed_json_rejected(self.suite.api, op, self.send(
            op, op.method, fill_path(op), headers=headers, content=MALFORMED_JSON)))

    def wrong_content_type(self, op: Operation) -> None:
        """A text/plain body where the spec declares another media type."""
        name = "wrong_content_type_rejected"
        if not op.has_body:
            self.suite.not_applicable(FAMILY, name, op, "the operation takes no request body")
            return
        declared = op.body_content_types
        media = "text/plain" if "text/plain" not in declared else "application/x-orgkit"
        self.verdict(name, op, lambda: wrong_content_type_rejected(self.suite.api, op, self.send(
            op, op.method, fill_path(op), headers={"Content-Type": media},
            content=b"orgkit probe")))

    def invalid_uuid(self, op: Operation) -> None:
        """`not-a-uuid` in the first uuid path parameter."""
        name = "invalid_uuid_rejected"
        uuids = [p.name for p in op.parameters
                 if p.location == "path" and p.schema.get("format") == "uuid"]
        if not uuids:
            self.suite.not_applicable(FAMILY, name, op, "no path parameter is a uuid")
            return
        path = fill_path(op, {uuids[0]: "not-a-uuid"})
        self.verdict(name, op, lambda: invalid_uuid_rejected(
            self.suite.api, op, self.send(op, op.method, path)))

    def unknown_path(self, op: Operation) -> None:
        """The operation's path plus segments no spec path has."""
        path = unknown_path([o.path for o in self.suite.api.model.operations], op)
        self.verdict("unknown_path_not_found", op, lambda: unknown_path_not_found(
            self.suite.api, op, self.send(op, op.method, path)))

    def unsupported_method(self, op: Operation) -> None:
        """A method the path does not declare: 405 with the path's methods in Allow."""
        allowed = sorted({o.method for o in self.suite.api.model.operations if o.path == op.path})
        method = next(m for m in METHODS if m not in allowed)
        self.verdict("unsupported_method_405", op, lambda: unsupported_method_405(
            self.suite.api, op, self.send(op, method, fill_path(op)), allowed))
