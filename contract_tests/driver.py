"""Schemathesis through the suite's Target: load the spec, send cases, run checks, keep evidence."""

from __future__ import annotations

import copy
import functools
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import requests
import schemathesis
from openapi_schema_validator import OAS30Validator
from requests.structures import CaseInsensitiveDict
from schemathesis.checks import CheckContext, load_all_checks, run_checks
from schemathesis.core.failures import FailureGroup
from schemathesis.engine.run import PhaseName

from contract_tests.personas import Persona
from contract_tests.suite import Suite
from contract_tests.target import Exchange, Target
from orgkit.declared import Link
from orgkit.errors import Forbidden
from orgkit.model import Operation
from orgkit.rights import authorize
from orgkit.rightsrules import Scope, ScopeRef, SourceKind
from orgkit.specs import LOADED_FROM

CheckFn = Callable[..., Any]
# Headers requests adds for its own wire format; httpx sets its own.
_DROPPED_HEADERS = {"content-length", "x-schemathesis-testcaseid"}


def load_schema(suite: Suite) -> Any:
    """A Schemathesis schema of the suite's (resolved, cleaned) document, pointed at the target."""
    document = schema_document(suite)
    # An explicit config: a schemathesis.toml lying around must not change what a run checks.
    schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config())
    schema.config.update(base_url=suite.target.base_url)
    return schema


def schema_document(suite: Suite) -> dict[str, Any]:
    """A private copy of the suite's document for Schemathesis, saying where it was loaded from
    (the checks judge by that document, not by the bundled one of the same API name)."""
    document = copy.deepcopy(dict(suite.api.document))
    document[LOADED_FROM] = suite.api.loaded_from
    return document


def api_operation(schema: Any, op: Operation) -> Any:
    """The Schemathesis APIOperation of a model operation."""
    return schema[op.path][op.method]


def auth_headers(persona: Persona) -> dict[str, str]:
    """The bearer header of a persona."""
    return {"Authorization": f"Bearer {persona.token}"}


def rights_count(persona: Persona) -> int:
    """How many rights a persona holds in all scopes (Transmit: permissions)."""
    grants = persona.grants
    scoped = [*grants.tenant_rights.values(), *grants.org_rights.values()]
    return len(grants.global_rights) + len(grants.permissions) + sum(len(r) for r in scoped)


def broadest_persona(personas: Mapping[str, Persona]) -> Persona:
    """The persona holding the most rights (ties: first name in alphabetical order)."""
    return max(sorted(personas.values(), key=lambda p: p.name), key=rights_count)


def scope_pins(op: Operation, persona: Persona) -> dict[tuple[str, str], str] | None:
    """(location, name) → the persona's tenant/org id for each scope parameter the rule names."""
    pins: dict[tuple[str, str], str] = {}
    for req in op.rights.any_of:
        ref = req.source
        if ref is None or ref.kind in (SourceKind.JWT, SourceKind.ITEM):
            continue
        org_scoped = ref.kind is SourceKind.PARENT_TENANT_OF or req.scope is Scope.ORG
        target = ref.inner if ref.inner is not None else ref
        value = persona.org_id if org_scoped else persona.tenant_id
        if value is None or target.kind.value not in ("path", "query", "header"):
            return None
        pins[(target.kind.value, target.name)] = value
    return pins


def may_call(op: Operation, persona: Persona, pins: Mapping[tuple[str, str], str]) -> bool:
    """Whether the spec's rights rule lets the persona call op with these pinned values."""

    def resolve(ref: ScopeRef) -> str | None:
        if ref.kind is SourceKind.PARENT_TENANT_OF:
            inner = ref.inner or ScopeRef(SourceKind.PATH, ref.name)
            return persona.tenant_id if resolve(inner) == persona.org_id else None
        if ref.kind is SourceKind.JWT:
            return persona.caller.tenant
        return pins.get((ref.kind.value, ref.name))

    try:
        authorize(op.rights, persona.caller, resolve)
    except Forbidden:
        return False
    return True


def best_caller(suite: Suite, *ops: Operation,
                ) -> tuple[Persona, dict[tuple[str, str], str]] | None:
    """The persona with most rights allowed to call every op with its own scope ids pinned."""
    allowed = []
    for persona in suite.personas.values():
        pins: dict[tuple[str, str], str] | None = {}
        for op in ops:
            found = scope_pins(op, persona)
            pins = None if found is None or pins is None else {**pins, **found}
        if pins is not None and all(may_call(op, persona, pins) for op in ops):
            allowed.append((rights_count(persona), persona.name, persona, pins))
    if not allowed:
        return None
    # As broadest_persona: most rights first, ties by name.
    _, _, persona, pins = min(allowed, key=lambda a: (-a[0], a[1]))
    return persona, pins


@dataclass(frozen=True)
class Sent:
    """A case as sent: the evidence (Exchange) and the response in Schemathesis' form."""

    exchange: Exchange
    response: Any


def send_case(target: Target, case: Any, headers: Mapping[str, str]) -> Sent:
    """Serialize a case like Schemathesis does, send it with the target's httpx client."""
    kwargs = case.as_transport_kwargs(base_url=target.base_url, headers=dict(headers))
    prepared = requests.Request(
        method=kwargs["method"], url=kwargs["url"], headers=kwargs.get("headers"),
        params=kwargs.get("params"), cookies=kwargs.get("cookies"), json=kwargs.get("json"),
        data=kwargs.get("data"), files=kwargs.get("files")).prepare()
    raw = prepared.body
    body = raw.encode() if isinstance(raw, str) else raw if isinstance(raw, bytes) else None
    # Latin-1 both ways: generated header values may hold any byte, as on the wire.
    wire_headers = [(k.encode("latin-1"), v.encode("latin-1") if isinstance(v, str) else v)
                    for k, v in prepared.headers.items() if k.lower() not in _DROPPED_HEADERS]
    request = target.client.build_request(str(prepared.method), str(prepared.url),
                                          headers=wire_headers, content=body)
    started = time.perf_counter()
    response = target.client.send(request)
    try:
        response.elapsed  # noqa: B018  # injected transports (MockTransport) never set it
    except RuntimeError:
        response.elapsed = timedelta(seconds=time.perf_counter() - started)
    return Sent(to_exchange(request, response), schemathesis.Response.from_any(response))


def to_exchange(request: httpx.Request, response: httpx.Response) -> Exchange:
    """The evidence of one httpx round trip."""
    headers = {k: v for k, v in request.headers.items()}
    return Exchange(request.method, str(request.url), headers, request.content or None,
                    response.status_code, dict(response.headers), response.text)


def run_check(fn: CheckFn, case: Any, response: Any, headers: Mapping[str, str],
              recorder: Any = None) -> str | None:
    """Run one Schemathesis check; the failure text, or None when it holds."""
    try:
        case.validate_response(response, checks=[fn], headers=dict(headers), recorder=recorder)
    except FailureGroup as group:
        return "; ".join(_describe(f) for f in group.exceptions)
    except AssertionError as exc:
        return str(exc) or type(exc).__name__
    return None


class Judge:
    """Runs several checks on one answer in one pass, a verdict per check.

    Equivalent to `case.validate_response(response, checks=[fn])` per check, but the context
    (configuration lookups) is built once per operation and phase instead of once per check.
    """

    def __init__(self, headers: Mapping[str, str]) -> None:
        load_all_checks()
        self.headers = CaseInsensitiveDict(dict(headers))
        self._contexts: dict[tuple[str, str | None], CheckContext] = {}

    def judge(self, case: Any, response: Any, checks: Mapping[str, CheckFn],
              ) -> dict[str, str | None]:
        """Check name → failure text, or None where the check holds."""
        names = {fn.__name__: name for name, fn in checks.items()}
        verdicts: dict[str, str | None] = dict.fromkeys(checks)

        def failed(check: str, collected: set[Any], failure: Any) -> None:
            collected.add(failure)
            text, name = _describe(failure), names[check]
            verdicts[name] = text if verdicts[name] is None else f"{verdicts[name]}; {text}"

        run_checks(case=case, response=response, ctx=self._context(case),
                   checks=list(checks.values()), on_failure=failed)
        return verdicts

    def _context(self, case: Any) -> CheckContext:
        phase = case.meta.phase.name.value if case.meta is not None else None
        key = (case.operation.label, phase)
        if key not in self._contexts:
            config = case.operation.schema.config.checks_config_for(operation=case.operation,
                                                                    phase=phase)
            self._contexts[key] = CheckContext(
                override=None, auth=None, headers=self.headers, config=config,
                # A check that re-sends a request (a control for a Content-Type probe) sends
                # it with the persona's token.
                transport_kwargs={"headers": dict(self.headers)}, response_checks=None,
                phase=_phase_name(phase))
        return self._contexts[key]


def _phase_name(phase: str | None) -> PhaseName | None:
    return PhaseName.from_str(phase) if phase is not None else None


def guarded(fn: CheckFn) -> CheckFn:
    """fn, with a crash turned into a failure naming it (so one check cannot hide the others)."""

    @functools.wraps(fn)
    def check(ctx: Any, response: Any, case: Any) -> Any:
        try:
            return fn(ctx, response, case)
        except (AssertionError, FailureGroup):
            raise
        except Exception as exc:
            raise AssertionError(f"the check could not judge this answer: {exc!r}") from exc

    return check


def is_negative(case: Any) -> bool:
    """Whether some component of the case was really made invalid."""
    meta = case.meta
    return meta is not None and any(c.mode.is_negative for c in meta.components.values())


def applies(name: str, case: Any, response: Any) -> bool:
    """Whether a check has something to judge in this answer."""
    if name == "negative_data_rejection":
        return is_negative(case)
    if name == "error_shape_matches":
        return bool(response.status_code >= 400)
    if name == "ensure_resource_availability":
        # An empty link value ("" as a name) turns /things/{name} into another URL that
        # cannot address the resource; the 404 is about that URL, not about availability.
        return "" not in (case.path_parameters or {}).values()
    if name == "response_headers_conformance":
        found = case.operation.responses.find_by_status_code(response.status_code)
        return found is not None and bool(found.headers)
    return True


def _describe(failure: Any) -> str:
    title = getattr(failure, "title", "") or type(failure).__name__
    message = getattr(failure, "message", "") or ""
    return f"{title}: {message}".strip().rstrip(":")


@dataclass
class CheckTally:
    """What one check saw on one operation: how often it applied, the first failure."""

    applied: int = 0
    failure: str | None = None
    exchange: Exchange | None = None
    # The first failure that violates only an inferred expectation (advisory), kept apart so
    # that a later hard failure still wins.
    advisory: str | None = None
    advisory_exchange: Exchange | None = None


@dataclass
class Tally:
    """Per operation × check evidence, gathered while Hypothesis drives the cases."""

    checks: dict[tuple[str, str], CheckTally] = field(default_factory=dict)

    def get(self, operation_id: str, check: str) -> CheckTally:
        """The tally of one operation × check."""
        return self.checks.setdefault((operation_id, check), CheckTally())

    def record(self, operation_id: str, check: str, failure: str | None,
               exchange: Exchange | None, *, advisory: bool = False) -> None:
        """Count one application; keep the first failure (and first advisory) with its exchange."""
        tally = self.get(operation_id, check)
        tally.applied += 1
        if failure is None:
            return
        if advisory and tally.advisory is None:
            tally.advisory, tally.advisory_exchange = failure, exchange
        elif not advisory and tally.failure is None:
            tally.failure, tally.exchange = failure, exchange


def emit(suite: Suite, family: str, op: Operation, check: str, tally: CheckTally,
         not_applied: str, expected: str, *, applicable: bool = True) -> None:
    """Turn a tally into a verdict: fail with the first failing case, pass, or say why not
    (not applicable when `applicable` is False, else not tested)."""
    from contract_tests.failures import fail

    if tally.applied == 0:
        record = suite.not_tested if applicable else suite.not_applicable
        record(family, check, op, not_applied)
        return
    failure, exchange = tally.failure, tally.exchange

    def verdict() -> Exchange | None:
        if failure is not None:
            raise fail(failure, expected, exchange)
        if tally.advisory is not None:
            raise fail(tally.advisory, expected, tally.advisory_exchange, advisory=True)
        return exchange

    suite.verdict(family, check, op, verdict)


class Deadline:
    """A time budget shared by the operations of one family."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    @property
    def passed(self) -> bool:
        """Whether the budget is spent."""
        return time.monotonic() >= self.ends


def json_pointer(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer (None when absent)."""
    value = document
    for raw in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def link_value(expression: str, body: Any, request_headers: Mapping[str, str]) -> Any:
    """Evaluate the runtime expressions links use here ($response.body#/..., $request.header.X)."""
    if expression.startswith("$response.body#"):
        return json_pointer(body, expression.partition("#")[2])
    if expression.startswith("$request.header."):
        wanted = expression.removeprefix("$request.header.").lower()
        return next((v for k, v in request_headers.items() if k.lower() == wanted), None)
    return None


def delete_links(suite: Suite, op: Operation, status: int) -> Iterable[tuple[Operation, Link]]:
    """(DELETE operation, link) pairs the spec links from this response: how to undo a create."""
    for link in op.links:
        if link.status != str(status):
            continue
        target = suite.api.model.operation(link.operation_id)
        if target.method == "DELETE":
            yield target, link


def undo_create(suite: Suite, op: Operation, exchange: Exchange, headers: Mapping[str, str],
                ) -> None:
    """Delete what a successful create made, following the spec's link to the DELETE."""
    for target, link in delete_links(suite, op, exchange.status):
        path, extra = target.path, {}
        for name, expression in link.parameters.items():
            value = link_value(str(expression), exchange.json(), exchange.request_headers)
            if value is None:
                return
            location, _, bare = name.rpartition(".")
            if location == "header":
                extra[bare] = str(value)
            else:
                path = path.replace("{" + bare + "}", str(value))
        suite.target.call(target.method, path, headers={**extra, **headers})
        return


def violates_only_inferred(check: str, failure: str, inferred: tuple[str, ...],
                           case: Any = None, lenient_body: Mapping[str, Any] | None = None) -> bool:
    """Whether a negative-data failure broke only constraints the spec marks inferred, so
    accepting it is advisory: the failure names one (a pattern), or the case was negative only
    in its body and the body fits the body schema without the inferred keywords (maxLength)."""
    if check != "negative_data_rejection":
        return False
    if any(value in failure for value in inferred):
        return True
    return lenient_body is not None and _fits_without_inference(case, lenient_body)


def _fits_without_inference(case: Any, lenient_body: Mapping[str, Any]) -> bool:
    meta = getattr(case, "meta", None)
    if meta is None:
        return False
    negative = {loc.value for loc, info in meta.components.items() if info.mode.is_negative}
    if negative != {"body"}:
        return False
    validator = OAS30Validator(lenient_body, format_checker=OAS30Validator.FORMAT_CHECKER)
    return bool(validator.is_valid(case.body))
