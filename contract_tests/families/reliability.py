"""Reliability (quick, bounded): concurrent creates all become visible; bursts get no 5xx."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

from contract_tests.checks import check
from contract_tests.driver import best_caller, broadest_persona, json_pointer, undo_create
from contract_tests.failures import fail
from contract_tests.personas import Persona
from contract_tests.requests import required
from contract_tests.sites import selected_operations
from contract_tests.suite import Suite
from contract_tests.target import Exchange
from orgkit.model import Operation, PagingStyle

FAMILY = "reliability"
BURST_SECONDS = 60.0  # the whole burst must be answered within this
MAX_PAGES = 200  # a list walk that does not end is itself a finding
Pins = Mapping[tuple[str, str], str]


def run(suite: Suite) -> None:
    """One verdict per create with a listing sibling, and per GET without parameters."""
    pairs = create_list_pairs(suite)
    for op in selected_operations(suite):
        if op.operation_id in pairs:
            concurrent_creates(suite, op, pairs[op.operation_id])
        else:
            suite.not_applicable(FAMILY, "concurrent_creates_visible", op,
                                 "not a create (201) with a list operation on the same path")
        if burstable(op):
            burst(suite, op)
        else:
            suite.not_applicable(FAMILY, "burst_without_server_errors", op,
                                 "the burst targets GET operations without required parameters")


def create_list_pairs(suite: Suite) -> dict[str, Operation]:
    """Creates (POST answering 201) → the list operation of the same path and collection."""
    pairs = {}
    ops = suite.api.model.operations
    for op in ops:
        if op.method != "POST" or op.success_status != 201 or op.resource is None:
            continue
        for other in ops:
            if (other.method == "GET" and other.path == op.path and other.resource is not None
                    and other.resource.collection == op.resource.collection):
                pairs[op.operation_id] = other
    return pairs


def burstable(op: Operation) -> bool:
    """A GET without path parameters and without required parameters."""
    return op.method == "GET" and not any(
        p.location == "path" or p.required for p in op.parameters)


def parallel(count: int, call: Callable[[int], Exchange]) -> list[Exchange]:
    """Run `call(i)` for i < count on `count` threads; CheckFailure if it takes too long."""
    pool = ThreadPoolExecutor(max_workers=count)
    try:
        futures = [pool.submit(call, i) for i in range(count)]
        done, pending = wait(futures, timeout=BURST_SECONDS)
    finally:
        # Do not wait for stragglers: the time bound is the point.
        pool.shutdown(wait=False, cancel_futures=True)
    if pending:
        raise fail(f"{len(pending)} of {count} concurrent requests got no answer within "
                   f"{BURST_SECONDS:.0f} s", "every request answered")
    errors = [f.exception() for f in done if f.exception() is not None]
    if errors:
        raise fail(f"{len(errors)} of {count} concurrent requests failed: {errors[0]!r}",
                   "every request answered")
    return [f.result() for f in futures]


def burst(suite: Suite, op: Operation) -> None:
    """`profile.burst` concurrent GETs as the broadest persona: none may get a 5xx."""
    token = broadest_persona(suite.personas).token

    suite.verdict(FAMILY, "burst_without_server_errors", op, lambda: burst_without_server_errors(
        parallel(suite.config.settings.burst,
                 lambda _: suite.target.call(op.method, op.path, token=token))))


@check("burst_without_server_errors", FAMILY,
       "A burst of concurrent GETs (profile.burst) is answered in time and without any 5xx")
def burst_without_server_errors(answers: list[Exchange]) -> Exchange:
    """Every answer of the burst is below 500."""
    errors = [a for a in answers if a.status >= 500]
    if errors:
        raise fail(f"{len(errors)} of {len(answers)} concurrent requests got "
                   f"{errors[0].status}", "no 5xx under a burst of requests", errors[0])
    return answers[0]


@check("concurrent_creates_visible", FAMILY,
       "Concurrent creates with valid bodies (profile.burst) all succeed, and every created item "
       "appears when the list operation of the same path is walked to its end")
def concurrent_creates_visible(listing: Operation, answers: list[Exchange], created: set[Any],
                               listed: set[Any], last: Exchange) -> Exchange:
    """No create refused, no created id missing from the walked list."""
    refused = [a for a in answers if not 200 <= a.status < 300]
    if refused:
        raise fail(f"{len(refused)} of {len(answers)} concurrent creates answered "
                   f"{refused[0].status}", "every valid create succeeds", refused[0])
    missing = sorted(str(i) for i in created - listed)
    if missing:
        raise fail(f"{len(missing)} of {len(created)} created items are missing from "
                   f"{listing.operation_id}: {', '.join(missing[:5])}",
                   "every created item is listed", last)
    return last


def concurrent_creates(suite: Suite, create: Operation, listing: Operation) -> None:
    """Concurrent creates (valid bodies) all succeed and all appear in the list afterwards."""
    if not suite.config.selects(listing.operation_id):
        suite.not_tested(FAMILY, "concurrent_creates_visible", create,
                         f"operation {listing.operation_id} not selected (--operation), and "
                         "this check lists what it created with it")
        return
    found = best_caller(suite, create, listing)
    if found is None:
        suite.skip(FAMILY, "concurrent_creates_visible", create,
                   f"no persona may call both {create.operation_id} and "
                   f"{listing.operation_id} in its own tenant/org")
        return
    persona, pins = found
    suite.verdict(FAMILY, "concurrent_creates_visible", create,
                  lambda: Burst(suite, create, listing, persona, pins).check())


class Burst:
    """One concurrent-create round: send, verify, list, clean up."""

    def __init__(self, suite: Suite, create: Operation, listing: Operation, persona: Persona,
                 pins: Pins) -> None:
        self.suite, self.create, self.listing = suite, create, listing
        self.token, self.pins = persona.token, pins
        self.headers = {"Authorization": f"Bearer {persona.token}"}
        self.tag = uuid.uuid4().hex[:8]

    def check(self) -> Exchange:
        """The verdict's body; cleans up whatever was created, whatever happens."""
        answers = parallel(self.suite.config.settings.burst, self.send)
        try:
            return self.verify(answers)
        finally:
            for answer in answers:
                if 200 <= answer.status < 300:
                    undo_create(self.suite, self.create, answer, self.headers)

    def send(self, index: int) -> Exchange:
        """One create with a body made unique for this round."""
        body = unique(request_body(self.create), f"{self.tag}-{index}")
        return self.call(self.create, json_body=body)

    def call(self, op: Operation, **kwargs: Any) -> Exchange:
        """A request to op with the persona's scope ids in the pinned parameters."""
        path, headers = op.path, required(op, "header")
        for (location, name), value in self.pins.items():
            if location == "path":
                path = path.replace("{" + name + "}", value)
            elif location == "header":
                headers[name] = value
        return self.suite.target.call(op.method, path, token=self.token, headers=headers,
                                      **kwargs)

    def verify(self, answers: list[Exchange]) -> Exchange:
        """Every create succeeded, and the list shows every created id."""
        if any(not 200 <= a.status < 300 for a in answers):
            return concurrent_creates_visible(self.listing, answers, set(), set(), answers[0])
        created = {created_id(self.create, a) for a in answers}
        listed, last = self.walk()
        return concurrent_creates_visible(self.listing, answers, created, listed, last)

    def walk(self) -> tuple[set[Any], Exchange]:
        """Every id the list shows, following its pages or cursors to the end."""
        rule = self.listing.pagination
        params: dict[str, Any] = {}
        if rule is not None and rule.per_page_param:
            params[rule.per_page_param] = rule.max_per_page
        ids: set[Any] = set()
        for page in range(1, MAX_PAGES + 1):
            if rule is not None and rule.page_param and PagingStyle.PAGE in rule.styles:
                params[rule.page_param] = page
            answer = self.call(self.listing, params=params)
            if answer.status != 200:
                raise fail(f"{self.listing.operation_id} answered {answer.status}",
                           "200 with the items", answer)
            items = list_items(self.listing, answer.json())
            ids |= {item_id(self.listing, i) for i in items}
            if not items or not self.more(answer, params, page):
                return ids, answer
        raise fail(f"{self.listing.operation_id} still had pages after {MAX_PAGES}",
                   "a list that ends")

    def more(self, answer: Exchange, params: dict[str, Any], page: int) -> bool:
        """Whether another page follows (updating params for the cursor style)."""
        rule, body = self.listing.pagination, answer.json()
        if rule is None:
            return False
        if rule.page_param and PagingStyle.PAGE in rule.styles:
            meta = body.get(rule.meta) if rule.meta and isinstance(body, dict) else None
            return isinstance(meta, dict) and page < int(meta.get("total_pages") or 0)
        cursor = body.get(rule.next_cursor) if rule.next_cursor else None
        if cursor and rule.cursor_param:
            params[rule.cursor_param] = cursor
            return True
        return False


def request_body(op: Operation) -> Any:
    """The spec's example request body, else a minimal valid one from the schema."""
    content = op.request_content
    media = content.get("application/json") or next(iter(content.values()))
    schema = media.get("schema") or {}
    example = media.get("example", schema.get("example"))
    body = copy.deepcopy(example) if example is not None else minimal(schema)
    if isinstance(body, dict) and op.resource is not None:
        # A fixed example id would make every create after the first a conflict; an id the
        # client must choose (a membership's user_id) is a fresh one for each create.
        body.pop(op.resource.id_field, None)
        if op.resource.id_field in (schema.get("required") or ()):
            body[op.resource.id_field] = str(uuid.uuid4())
    return body


def minimal(schema: Mapping[str, Any]) -> Any:
    """A small instance of a schema: required properties only."""
    if "example" in schema:
        return copy.deepcopy(schema["example"])
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: minimal(props.get(k, {})) for k in schema.get("required", [])}
    if kind == "array":
        return [minimal(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
    return {"integer": 1, "number": 1, "boolean": True}.get(kind, "orgkit")


def unique(body: Any, tag: str) -> Any:
    """The body with every `name` (top level or one envelope down) made unique."""
    if not isinstance(body, dict):
        return body
    for holder in (body, *(v for v in body.values() if isinstance(v, dict))):
        if "name" in holder:
            holder["name"] = f"orgkit burst {tag}"
    return body


def list_items(op: Operation, body: Any) -> list[Any]:
    """The items of a list answer (pagination rule's field, else the resource envelope)."""
    field = (op.pagination.items if op.pagination else None) or (
        op.resource.envelope if op.resource else None)
    items = body.get(field) if isinstance(body, dict) and field else body
    return items if isinstance(items, list) else []


def item_id(op: Operation, item: Any) -> Any:
    """An item's id by the resource rule's id field."""
    field = op.resource.id_field if op.resource else "id"
    return item.get(field) if isinstance(item, dict) else None


def created_id(op: Operation, answer: Exchange) -> Any:
    """The id in a create's answer (inside its envelope when it has one)."""
    rule = op.resource
    envelope = f"/{rule.envelope}" if rule and rule.envelope else ""
    return json_pointer(answer.json(), f"{envelope}/{rule.id_field if rule else 'id'}")
