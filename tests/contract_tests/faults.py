"""Deliberately broken implementations: the mock with one behaviour a vendor might get wrong.

Each fault wraps or patches one mock instance (never the module-level code), so the faithful
mock and every broken variant can run side by side in one test session.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from mockserver import svx_world
from mockserver.app import MockApp
from mockserver.engine import ApiRuntime, Ctx
from orgkit import pagination
from orgkit.model import PagingStyle

Patch = Callable[[Any, str, Any], None]  # pytest's monkeypatch.setattr: undone after the test
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGI = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                Awaitable[None]]


# Where test_mutations records caught/not caught per fault; conftest prints the score.
SCORE_KEY = pytest.StashKey[dict[str, bool]]()


@dataclass(frozen=True)
class Fault:
    """A named defect, the check family that must catch it, and where."""

    name: str
    family: str
    check: str
    operation: str
    api: str
    apply: Callable[[MockApp, Patch], ASGI]
    description: str
    # Operations the check needs besides `operation` (to create or look up what it addresses):
    # --operation restricts fully, so the run selects them too.
    helpers: tuple[str, ...] = ()
    # FAIL where the seed states the property; ADVISORY where the check rests on our inference
    # (the fault proves the MUST/SHOULD classification as well as the catch).
    verdict: str = "fail"

    @property
    def operations(self) -> tuple[str, ...]:
        """What the run selects: the operation judged and its helpers."""
        return (self.operation, *self.helpers)


# --- engine-level faults (patch one mock instance) -------------------------------------------


def _runtimes(app: MockApp) -> list[ApiRuntime]:
    return list(app.mock.runtimes.values())


def rights_never_enforced(app: MockApp, patch: Patch) -> ASGI:
    """Every authenticated caller may do everything."""
    for runtime in _runtimes(app):
        patch(runtime, "_authorize", lambda ctx: None)
    return app


def cross_tenant_reads(app: MockApp, patch: Patch) -> ASGI:
    """Reads are never checked against the caller's scope."""
    for runtime in _runtimes(app):
        original = runtime._authorize

        def authorize(ctx: Ctx, original: Callable[[Ctx], None] = original) -> None:
            if ctx.op.method != "GET":
                original(ctx)

        patch(runtime, "_authorize", authorize)
    return app


def visible_list_leaks(app: MockApp, patch: Patch) -> ASGI:
    """'Organisations the user can see' returns every organisation."""
    runtime = app.mock.runtimes["svx"]
    leaky = dataclasses.replace(runtime.plugin, behaviours={
        **runtime.plugin.behaviours, "list_visible_orgs": _all_orgs})
    patch(runtime, "plugin", leaky)
    return app


def _all_orgs(ctx: Ctx) -> Any:
    from mockserver.http import Response

    orgs = [ctx.render(o) for o in ctx.store["orgs"].values() if o.get("status") == "active"]
    return Response(200, {"orgs": sorted(orgs, key=svx_world._by_name)})


def org_admin_not_confined(app: MockApp, patch: Patch) -> ASGI:
    """Transmit org-admin tokens may act on any organization."""
    runtime = app.mock.runtimes["transmit"]
    original = runtime._authorize

    def authorize(ctx: Ctx) -> None:
        if ctx.caller.token_kind != "org_admin":
            original(ctx)

    patch(runtime, "_authorize", authorize)
    return app


def off_by_one_pages(app: MockApp, patch: Patch) -> ASGI:
    """Page N starts one item early: the last item of page N-1 shows up again."""
    from mockserver import crud

    class Shifted:
        def __getattr__(self, name: str) -> Any:
            return getattr(pagination, name)

        @staticmethod
        def select(entries: Any, request: pagination.PageRequest) -> pagination.Page:
            page = pagination.select(entries, request)
            if request.style is not PagingStyle.PAGE or request.page < 2 or not page.entries:
                return page
            before = pagination.select(entries, dataclasses.replace(request,
                                                                    page=request.page - 1))
            shifted = (before.entries[-1], *page.entries[:-1])
            return dataclasses.replace(page, entries=shifted)

    # crud reads `pagination.select` through its module global, so this patch is process-wide;
    # the test's monkeypatch undoes it before the next fault runs.
    patch(crud, "pagination", Shifted())
    return app


# --- wire-level faults (ASGI wrappers) --------------------------------------------------------


def rewrite_query(app: ASGI, change: Callable[[list[tuple[str, str]]],
                                              list[tuple[str, str]]]) -> ASGI:
    """An ASGI app that rewrites the query string before the implementation sees it."""

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            pairs = parse_qsl(scope["query_string"].decode(), keep_blank_values=True)
            scope = dict(scope, query_string=urlencode(change(pairs)).encode())
        await app(scope, receive, send)

    return wrapped


def rewrite_response(app: ASGI, change: Callable[[int, Any], tuple[int, Any]],
                     headers: Callable[[int, list[Any]], list[Any]] | None = None) -> ASGI:
    """An ASGI app that rewrites JSON response bodies (and optionally headers)."""

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            await _emit(send, start, b"".join(chunks), change, headers)

        await app(scope, receive, capture)

    return wrapped


async def _emit(send: Any, start: dict[str, Any], raw: bytes,
                change: Callable[[int, Any], tuple[int, Any]],
                headers: Callable[[int, list[Any]], list[Any]] | None) -> None:
    status, body = start["status"], raw
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    if parsed is not None:
        status, new = change(status, parsed)
        body = json.dumps(new).encode()
    kept = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
    kept.append((b"content-length", str(len(body)).encode()))
    if headers is not None:
        kept = headers(status, kept)
    await send({"type": "http.response.start", "status": status, "headers": kept})
    await send({"type": "http.response.body", "body": body})


def per_page_ignored(app: MockApp, patch: Patch) -> ASGI:
    """per_page is dropped: every page has the default size."""
    return rewrite_query(app, lambda pairs: [(k, v) for k, v in pairs if k != "per_page"])


def desc_ignored(app: MockApp, patch: Patch) -> ASGI:
    """order=desc is ignored: lists always come ascending."""
    return rewrite_query(app, lambda pairs: [(k, v) for k, v in pairs
                                             if not (k == "order" and v.lower() == "desc")])


def page_and_cursor_accepted(app: MockApp, patch: Patch) -> ASGI:
    """page with next_page_after is accepted (the cursor is silently dropped)."""

    def drop(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        if any(k == "page" for k, _ in pairs):
            return [(k, v) for k, v in pairs if k != "next_page_after"]
        return pairs

    return rewrite_query(app, drop)


def errors_in_other_shape(app: MockApp, patch: Patch) -> ASGI:
    """Errors come as {"detail": ...} instead of the API's documented shape."""

    def change(status: int, body: Any) -> tuple[int, Any]:
        if status >= 400 and isinstance(body, dict):
            return status, {"detail": body.get("message") or "error"}
        return status, body

    return rewrite_response(app, change)


def wrong_http_code(app: MockApp, patch: Patch) -> ASGI:
    """Error bodies always say http_code 400, whatever the status."""

    def change(status: int, body: Any) -> tuple[int, Any]:
        if status >= 400 and isinstance(body, dict) and "http_code" in body:
            return status, {**body, "http_code": 400}
        return status, body

    return rewrite_response(app, change)


def forbidden_for_missing_token(app: MockApp, patch: Patch) -> ASGI:
    """A request without credentials gets 403 instead of 401."""

    def change(status: int, body: Any) -> tuple[int, Any]:
        if status == 401 and isinstance(body, dict):
            return 403, {**body, "http_code": 403, "error": "forbidden"}
        return status, body

    return rewrite_response(app, change)


def cursor_never_ends(app: MockApp, patch: Patch) -> ASGI:
    """The last page still carries a cursor, so a client never stops."""

    def change(status: int, body: Any) -> tuple[int, Any]:
        if isinstance(body, dict) and "next_page_after" in body and body["next_page_after"] is None:
            return status, {**body, "next_page_after": "c3RpbGwtbW9yZQ"}
        return status, body

    return rewrite_response(app, change)


def meta_total_off(app: MockApp, patch: Patch) -> ASGI:
    """meta.total_count is one more than the collection holds."""

    def change(status: int, body: Any) -> tuple[int, Any]:
        if isinstance(body, dict) and isinstance(body.get("meta"), dict):
            meta = body["meta"]
            return status, {**body, "meta": {**meta, "total_count": meta["total_count"] + 1}}
        return status, body

    return rewrite_response(app, change)


def no_allow_header(app: MockApp, patch: Patch) -> ASGI:
    """405 answers omit the Allow header."""
    return rewrite_response(app, lambda s, b: (s, b), headers=lambda status, hs: [
        (k, v) for k, v in hs if not (status == 405 and k.lower() == b"allow")])


async def _body_of(receive: Any) -> bytes:
    """The whole request body, however many messages it comes in."""
    body = b""
    while True:
        message = await receive()
        chunk: bytes = message.get("body", b"")
        body += chunk
        if not message.get("more_body"):
            return body


def rewrite_request_body(app: ASGI, change: Callable[[bytes], bytes | None]) -> ASGI:
    """An ASGI app that rewrites request bodies; a None from change answers 500 with a trace."""

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT"):
            await app(scope, receive, send)
            return
        body = await _body_of(receive)
        new = change(body)
        if new is None:
            await _crash(send)
            return
        await app(_with_length(scope, len(new)), _once(new), send)

    return wrapped


async def _crash(send: Any) -> None:
    trace = b'Traceback (most recent call last):\n  File "app.py", line 1\nValueError: bad'
    await send({"type": "http.response.start", "status": 500,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": trace})


def _with_length(scope: Scope, length: int) -> Scope:
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
    return dict(scope, headers=[*headers, (b"content-length", str(length).encode())])


def _once(body: bytes) -> Callable[[], Awaitable[Message]]:
    sent = [False]

    async def receive() -> Message:
        if sent[0]:
            return {"type": "http.disconnect"}
        sent[0] = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def crash_on_malformed_json(app: MockApp, patch: Patch) -> ASGI:
    """A body that is not JSON crashes the server: 500 with a stack trace."""

    def change(body: bytes) -> bytes | None:
        try:
            json.loads(body or b"{}")
        except ValueError:
            return None
        return body

    return rewrite_request_body(app, change)


def tenant_bodies_not_validated(app: MockApp, patch: Patch) -> ASGI:
    """POST /tenants takes any body: whatever arrives, a tenant gets created."""
    lenient = rewrite_request_body(app, lambda body: json.dumps({"name": "lenient"}).encode())

    async def route(scope: Scope, receive: Any, send: Any) -> None:
        target = lenient if scope.get("path") == "/svx/tenants" else app
        await target(scope, receive, send)

    return route


# --- escalation, invitation contexts and foreign tokens (x-orgkit-grants, mode context, auth) --


def escalation_allowed(app: MockApp, patch: Patch) -> ASGI:
    """Assignments check only the caller's right to assign: anyone may grant anything, to
    anyone, themself included."""
    from mockserver import svx_rights

    # The assign behaviours look the refusal up through their module global; the test's
    # monkeypatch undoes it before the next fault runs.
    patch(svx_rights, "_refuse_delegation", lambda ctx, names: None)
    return app


def _skip_context_rule(app: MockApp, patch: Patch) -> None:
    from orgkit.rightsrules import RightsMode

    runtime = app.mock.runtimes["svx"]
    original = runtime._authorize

    def authorize(ctx: Ctx) -> None:
        if ctx.op.rights.mode is not RightsMode.CONTEXT:
            original(ctx)

    patch(runtime, "_authorize", authorize)


def invitations_open_to_anyone(app: MockApp, patch: Patch) -> ASGI:
    """Invitations are open to every authenticated user, rights or not (the old mock)."""
    _skip_context_rule(app, patch)
    return app


def invitation_outside_context(app: MockApp, patch: Patch) -> ASGI:
    """The organisation header is taken as it comes: a tenant admin invites into, and manages
    invitations of, another tenant's organisation."""
    from mockserver import svx_invitations

    original = svx_invitations.context_of

    def trusting(ctx: Ctx) -> svx_invitations.Context:
        org_id = ctx.req.header(svx_invitations.HEADER)
        org = ctx.store["orgs"].get((org_id,)) if org_id else None
        if org is None:
            return original(ctx)
        return svx_invitations.Context("org", str(org["tenant_id"]), org_id)

    _skip_context_rule(app, patch)
    # The behaviours look context_of up through their module global; undone after the test.
    patch(svx_invitations, "context_of", trusting)
    return app


def foreign_token_accepted(app: MockApp, patch: Patch) -> ASGI:
    """SVX takes any token the shared key signed, a Transmit access token included."""
    runtime = app.mock.runtimes["svx"]
    lenient = dataclasses.replace(runtime.model.auth, foreign_claims=())
    patch(runtime, "model", dataclasses.replace(runtime.model, auth=lenient))
    return app
# --- refusals and valid requests (issue 11, items 5-8) ----------------------------------------


def _on_api(app: ASGI, mount: str, broken: ASGI) -> ASGI:
    """Requests under one API's mount go to the broken app, the others to the faithful one."""

    async def route(scope: Scope, receive: Any, send: Any) -> None:
        target = broken if str(scope.get("path", "")).startswith(mount + "/") else app
        await target(scope, receive, send)

    return route


def _reshaped(app: ASGI, status: int, shape: Callable[[Any], Any]) -> ASGI:
    """The app with every JSON error body of one status rewritten by shape."""

    def change(code: int, body: Any) -> tuple[int, Any]:
        return (code, shape(body)) if code == status else (code, body)

    return rewrite_response(app, change)


def svx_401_foreign_shape(app: MockApp, patch: Patch) -> ASGI:
    """SVX 401s come as {"error", "message"}: no http_code, no extra_info."""
    broken = _reshaped(app, 401, lambda b: {"error": "unauthorized",
                                            "message": b.get("message", "")})
    return _on_api(app, "/svx", broken)


def transmit_401_foreign_shape(app: MockApp, patch: Patch) -> ASGI:
    """Transmit 401s come in another framework's shape ({"detail": ...})."""
    return _on_api(app, "/cis", _reshaped(app, 401, lambda b: {"detail": "Not authenticated"}))


def transmit_403_foreign_shape(app: MockApp, patch: Patch) -> ASGI:
    """Transmit 403s come in another framework's shape ({"statusCode", "error"})."""
    broken = _reshaped(app, 403, lambda b: {"statusCode": 403, "error": "Forbidden"})
    return _on_api(app, "/cis", broken)


def org_reads_not_found(app: MockApp, patch: Patch) -> ASGI:
    """GET /orgs/{id} answers 404 (in the error shape) for organisations that exist."""

    def change(status: int, body: Any) -> tuple[int, Any]:
        if status == 200 and isinstance(body, dict) and isinstance(body.get("org"), dict):
            return 404, {"error": "not_found", "extra_info": {}, "http_code": 404,
                         "message": "organisation not found"}
        return status, body

    broken = rewrite_response(app, change)

    async def route(scope: Scope, receive: Any, send: Any) -> None:
        path = str(scope.get("path", ""))
        single = path.startswith("/svx/orgs/") and path.count("/") == 3
        target = broken if scope.get("method") == "GET" and single else app
        await target(scope, receive, send)

    return route


def optional_field_refused(app: MockApp, patch: Patch) -> ASGI:
    """POST /tenants refuses a body carrying the optional legal_name (400 in the error shape)."""

    async def route(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") != "/svx/tenants" or \
                scope.get("method") != "POST":
            await app(scope, receive, send)
            return
        body = await _body_of(receive)
        if b'"legal_name"' in body:
            await _refuse(send)
            return
        await app(scope, _once(body), send)

    return route


async def _refuse(send: Any) -> None:
    error = {"error": "bad_request", "extra_info": {}, "http_code": 400,
             "message": "unknown field legal_name"}
    raw = json.dumps(error).encode()
    await send({"type": "http.response.start", "status": 400,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(raw)).encode())]})
    await send({"type": "http.response.body", "body": raw})
# --- authorization faults (the authorization family) -----------------------------------------


def children_found_under_any_parent(app: MockApp, patch: Patch) -> ASGI:
    """An item below a parent (an org's admin) is found by its own id, whatever the parent."""
    from mockserver.store import Item

    original = Ctx.target

    def target(ctx: Ctx) -> Item:
        rule = ctx.rule
        if rule is None or rule.id_ref is None or not rule.parent:
            return original(ctx)
        wanted = ctx.resolve(rule.id_ref)
        found = (i for i in ctx.store[rule.collection].values()
                 if str(i.get(rule.id_field)) == wanted)
        return next(found, None) or original(ctx)

    # Ctx is made per request, so the class is patched (process-wide, undone after the test).
    patch(Ctx, "target", target)
    return app


def refused_creates_stored(app: MockApp, patch: Patch) -> ASGI:
    """A create the rights rule refuses is carried out anyway before the 403 is answered."""
    from orgkit.errors import DomainError, Forbidden

    for runtime in _runtimes(app):
        original, dispatch = runtime._authorize, runtime._dispatch

        def authorize(ctx: Ctx, original: Callable[[Ctx], None] = original,
                      dispatch: Callable[[Ctx], Any] = dispatch) -> None:
            try:
                original(ctx)
            except Forbidden:
                if ctx.op.method == "POST":
                    try:
                        dispatch(ctx)
                    except DomainError:
                        pass
                raise

        patch(runtime, "_authorize", authorize)
    return app


def undeclared_fields_stored(app: MockApp, patch: Patch) -> ASGI:
    """Creates store every body field the item has: id, status, timestamps, parents, rights."""
    from mockserver import crud
    from mockserver.store import Item

    original = crud.new_item

    def new_item(ctx: Ctx, fields: Any) -> Item:
        item = original(ctx, fields)
        props = ctx.op.item_schema.get("properties", {})
        item.update({k: v for k, v in ctx.body().items() if k in props})
        return item

    # Behaviours call crud.new_item through the module (process-wide, undone after the test).
    patch(crud, "new_item", new_item)
    return app


def odd_ids_crash(app: MockApp, patch: Patch) -> ASGI:
    """A path segment that is long or not ASCII crashes the server: 500 with a stack trace."""

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        raw = scope.get("raw_path") or scope.get("path", "").encode()
        odd = scope["type"] == "http" and any(
            len(part) > 1000 or b"%C3" in part.upper() or b"%E6" in part.upper()
            for part in raw.split(b"/"))
        if odd:
            await _crash(send)
            return
        await app(scope, receive, send)

    return wrapped


def existence_checked_first(app: MockApp, patch: Patch) -> ASGI:
    """The addressed item is looked up before the rights check: 404 for ids that do not exist,
    403 for ids that do (so anybody can learn which ids exist)."""
    for runtime in _runtimes(app):
        original = runtime._authorize

        def authorize(ctx: Ctx, original: Callable[[Ctx], None] = original) -> None:
            if ctx.rule is not None and ctx.rule.id_ref is not None:
                ctx.target()
            original(ctx)

        patch(runtime, "_authorize", authorize)
    return app


def stale_reads(app: MockApp, patch: Patch) -> ASGI:
    """GET answers are kept per path, query and token and never refreshed (a read cache with no
    invalidation): a right granted or revoked since is not seen."""
    kept: dict[tuple[Any, ...], list[Message]] = {}

    async def asgi(scope: Scope, receive: Callable[[], Awaitable[Message]],
                   send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await app(scope, receive, send)
            return
        key = (scope["path"], scope["query_string"], dict(scope["headers"]).get(b"authorization"))
        if key in kept:
            for message in kept[key]:
                await send(message)
            return
        sent: list[Message] = []

        async def keep(message: Message) -> None:
            sent.append(message)
            await send(message)

        await app(scope, receive, keep)
        kept[key] = sent

    return asgi
