"""Generic actions any spec gets for free: list, create, get, update, delete, archive, restore."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mockserver.engine import Ctx
from mockserver.http import Response
from mockserver.schemas import skeleton
from mockserver.store import SEP, Collection, Item, Key
from orgkit import pagination
from orgkit.errors import Conflict, InvalidInput, NotFound, Unprocessable
from orgkit.model import Filter
from orgkit.names import name_key
from orgkit.pagination import SortedListView


def list_items(ctx: Ctx) -> Response:
    """A list, filtered by the rule's parents and filters, paged by its pagination rule."""
    assert ctx.rule is not None
    coll = ctx.store[ctx.rule.collection]
    ensure_parents_exist(ctx)
    partition, scans = split_filters(ctx)
    # The answer is a function of the collection and of what the request asks (its parents,
    # filters and query): kept until the collection's next write, a repeated page is a lookup.
    asked = repr((ctx.op.operation_id, sorted(partition.items()),
                  [(f.field, f.match, v) for f, v in scans], sorted(ctx.req.query.items())))
    return Response(200, raw=coll.remembered(asked, lambda: _answer(ctx, coll, partition, scans)))


def _answer(ctx: Ctx, coll: Collection, partition: dict[str, Any],
            scans: list[tuple[Filter, str]]) -> bytes:
    """The list's body: the page the request asks for, out of the sorted index."""
    assert ctx.rule is not None
    paging = ctx.op.pagination
    order_key = _order_key(ctx)
    entries = coll.sorted_entries(partition, order_key)
    if scans:
        entries = SortedListView([e for e in entries if _passes(coll.by_entry_key(e[1]), scans)])
    if paging is None:
        return _page(ctx.rule.envelope or "items", _encoded(ctx, coll, entries), {})
    request = pagination.parse_request(paging, ctx.req.query)
    page = pagination.select(entries, request)
    rest: dict[str, Any] = {}
    if paging.meta:
        rest[paging.meta] = page.meta
    if paging.next_cursor:
        rest[paging.next_cursor] = page.next_cursor
    return _page(paging.items, _encoded(ctx, coll, page.entries), rest)


def _encoded(ctx: Ctx, coll: Collection, entries: Iterable[tuple[Any, str]]) -> bytes:
    """The listed items' JSON, comma-joined: each item encoded once per write of it, and a
    page joined once until the collection's next write (a page then costs a slice of the
    index, not a copy and an encoding of every item)."""
    return coll.derived_page(tuple(joined for _, joined in entries),
                             lambda item: _encode(ctx, item), b", ")


def _encode(ctx: Ctx, item: Item) -> bytes:
    """An item's JSON as lists and gets answer it (the one function the item memo keeps)."""
    return json.dumps(ctx.render(item)).encode()


def _page(items_field: str, items: bytes, rest: Mapping[str, Any]) -> bytes:
    """A list body, as json.dumps would write it: the items first, then the rest."""
    tail = b", " + json.dumps(rest)[1:-1].encode() if rest else b""
    return b"".join([b"{", json.dumps(items_field).encode(), b": [", items, b"]", tail, b"}"])


def _order_key(ctx: Ctx) -> str:
    paging = ctx.op.pagination
    assert ctx.rule is not None
    if paging is None or paging.order is None:
        return ctx.rule.id_field
    by = ctx.req.query.get(paging.order.by) if paging.order.by else None
    return str(by) if by else paging.order.key


def split_filters(ctx: Ctx) -> tuple[dict[str, Any], list[tuple[Filter, str]]]:
    """Split list constraints into an indexed partition (equality) and scanned filters."""
    assert ctx.rule is not None
    partition: dict[str, Any] = {f: v for f, v in ctx.parents().items()}
    scans: list[tuple[Filter, str]] = []
    for f in ctx.rule.filters:
        value = ctx.req.query.get(f.param)
        value = f.default if value is None else str(value)
        if value is None or (f.all_value is not None and value == f.all_value):
            continue
        if f.match == "equals":
            partition[f.field] = value
        else:
            scans.append((f, value))
    return partition, scans


def _passes(item: Mapping[str, Any], scans: Iterable[tuple[Filter, str]]) -> bool:
    for f, value in scans:
        field = str(item.get(f.field) or "")
        if f.match == "contains" and value.casefold() not in field.casefold():
            return False
        if f.match == "in_csv" and field not in {v.strip() for v in value.split(",")}:
            return False
    return True


def create(ctx: Ctx) -> Response:
    """Create an item from the body, the resource's parents and the schema's defaults."""
    assert ctx.rule is not None
    item = new_item(ctx, ctx.body())
    ctx.store[ctx.rule.collection].put(item)
    return ctx.wrap(item)


def new_item(ctx: Ctx, fields: Mapping[str, Any]) -> Item:
    """A new item: schema skeleton, then allowed body fields, parents, id, status, timestamps.

    Only fields the request schema declares come from the body (no mass assignment): the id,
    the parents, `status` and the timestamps are the server's unless the request declares them.
    """
    assert ctx.rule is not None
    schema = ctx.op.item_schema
    props, allowed = schema.get("properties", {}), ctx.op.request_fields
    item = skeleton(schema)
    item.update({k: v for k, v in fields.items() if k in props and k in allowed})
    item.update({k: v for k, v in ctx.parents().items() if v is not None})
    ensure_parents_exist(ctx)
    id_field = ctx.rule.id_field
    _assign_id(ctx, item, fields.get(id_field) if id_field in props and id_field in allowed
               else None)
    _check_unique(ctx, item)
    stamp(ctx, item, schema, created=True)
    if "active" in schema.get("properties", {}).get("status", {}).get("enum", []):
        item["status"] = "active"
    return item


def _assign_id(ctx: Ctx, item: Item, given: Any) -> None:
    assert ctx.rule is not None
    coll = ctx.store[ctx.rule.collection]
    if given and any(ord(c) < 32 or c == "/" for c in str(given)):
        # Whatever format a spec declares: a control character (the store's key separator is
        # one) or a slash would make a key no path can address.
        raise InvalidInput(f"{ctx.rule.id_field} must not contain control characters or '/'")
    item[ctx.rule.id_field] = str(given) if given else ctx.api.new_id()
    if given and coll.get(coll.key_of(item)) is not None:
        raise Conflict(f"a {ctx.rule.collection} item with {ctx.rule.id_field} {given!r} "
                       "already exists")


def _check_unique(ctx: Ctx, item: Item, *, besides: Key | None = None) -> None:
    """Conflict (Unprocessable where the operation declares no 409: 422 is implicit everywhere)
    when another item has the same name in a unique field, compared as orgkit.names.name_key
    does; InvalidInput for a name without a visible character."""
    assert ctx.rule is not None
    coll = ctx.store[ctx.rule.collection]
    for field in coll.unique:
        if not name_key(str(item.get(field) or "")):
            raise InvalidInput(f"{field} must not be empty (a name needs visible characters), "
                               f"got {item.get(field)!r:.80}")
        holder = coll.holder(field, str(item.get(field) or ""), besides=besides)
        if holder is not None:
            taken = coll.get(holder) or {}
            refuse = Conflict if "409" in ctx.op.statuses else Unprocessable
            raise refuse(f"{field} {item.get(field)!r:.80} is already taken by "
                         f"{taken.get(field)!r:.80} (names are compared ignoring case, "
                         "Unicode form, invisible characters and surrounding spaces)")


def ensure_parents_exist(ctx: Ctx) -> None:
    """NotFound when a parent the request names does not exist: the collection a parent field
    names is declared (x-orgkit.collections.<collection>.references).

    Whether the path or a header names it, the resource the request lives under is missing;
    the specs declare 404 for that on every such operation.
    """
    assert ctx.rule is not None
    sources = dict(ctx.rule.parent)
    declared = ctx.api.model.collections.get(ctx.rule.collection)
    references = declared.references if declared is not None else {}
    for field, value in ctx.parents().items():
        collection = references.get(field)
        if value is None or collection is None:
            continue
        if ctx.api.find(collection, value) is None:
            ref = sources.get(field)
            where = f" ({ref.kind.value} parameter {ref.name})" if ref is not None else ""
            raise NotFound(f"no {field.removesuffix('_id')} with id {value!r}{where}")


def stamp(ctx: Ctx, item: Item, schema: Mapping[str, Any], *, created: bool = False) -> None:
    """Set the timestamps the schema declares (ISO strings, or epoch ms where numeric)."""
    props = schema.get("properties", {})
    names = ("inserted_at", "created_at", "updated_at") if created else ("updated_at",)
    read: dict[bool, Any] = {}  # the clock read once per form: the stamps of one write agree
    for name in names:
        if name in props:
            numeric = props[name].get("type") in ("number", "integer")
            if numeric not in read:
                read[numeric] = ctx.api.now_ms() if numeric else ctx.api.now()
            item[name] = read[numeric]


def get(ctx: Ctx) -> Response:
    """The addressed item: its JSON encoded once per write of it (as lists use it)."""
    item = ctx.target()
    assert ctx.rule is not None
    if ctx.op.success_status == 204:
        return ctx.wrap(item)
    coll = ctx.store[ctx.rule.collection]
    encoded = coll.derived(SEP.join(coll.key_of(item)), lambda found: _encode(ctx, found))
    envelope = ctx.rule.envelope
    if envelope:
        encoded = b"".join([b"{", json.dumps(envelope).encode(), b": ", encoded, b"}"])
    return Response(ctx.op.success_status, raw=encoded)


def update(ctx: Ctx) -> Response:
    """Change the fields the request schema (and the rule's `mutable`) allow."""
    assert ctx.rule is not None
    item = ctx.target()
    allowed = set(ctx.op.request_fields)
    if ctx.rule.mutable:
        allowed &= set(ctx.rule.mutable)
    fixed = {ctx.rule.id_field, *(name for name, _ in ctx.rule.parent)}
    coll = ctx.store[ctx.rule.collection]
    changed = dict(item)
    changed.update({k: v for k, v in ctx.body().items() if k in allowed and k not in fixed})
    _check_unique(ctx, changed, besides=coll.key_of(item))
    stamp(ctx, changed, ctx.op.item_schema)
    coll.put(changed)
    return ctx.wrap(changed)


def delete(ctx: Ctx) -> Response:
    """Delete the addressed item and, by the spec's cascade rules, what hangs off it."""
    assert ctx.rule is not None
    item = ctx.target()
    remove_with_cascade(ctx, ctx.rule.collection, item)
    return ctx.wrap(item, 204) if ctx.op.success_status == 204 else ctx.wrap(item)


def remove_with_cascade(ctx: Ctx, collection: str, item: Item) -> None:
    """Delete an item and, recursively, the items the API's cascade rules attach to it."""
    coll = ctx.store[collection]
    coll.delete(coll.key_of(item))
    id_field = coll.key_fields[-1]
    for child, field in ctx.api.cascades.get(collection, ()):
        doomed = [c for c in ctx.store[child].values() if c.get(field) == item.get(id_field)]
        for victim in doomed:
            remove_with_cascade(ctx, child, victim)


def set_status(status: str) -> Callable[[Ctx], Response]:
    """An action moving the addressed item to a status (archive / restore)."""

    def action(ctx: Ctx) -> Response:
        assert ctx.rule is not None
        item = dict(ctx.target())
        item["status"] = status
        if "archived_at" in item or status == "archived":
            item["archived_at"] = ctx.api.now() if status == "archived" else None
        stamp(ctx, item, ctx.op.item_schema)
        ctx.store[ctx.rule.collection].put(item)
        return ctx.wrap(item)

    return action


ACTIONS: Mapping[str, Callable[[Ctx], Response]] = {
    "list": list_items,
    "create": create,
    "get": get,
    "update": update,
    "delete": delete,
    "archive": set_status("archived"),
    "restore": set_status("active"),
}
