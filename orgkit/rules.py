"""Parse the x-orgkit extensions of a resolved document into the typed model."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from orgkit.errors import SpecError
from orgkit.model import ErrorShape, Filter, OrderRule, PaginationRule, PagingStyle, ResourceRule
from orgkit.rightsrules import (
    ContextRule,
    GrantRule,
    Requirement,
    RightsMode,
    RightsRule,
    Scope,
    ScopeRef,
    SourceKind,
)

LEVELS = ("global", "tenant", "org")  # a security right's catalogue flags: for_<level>
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class Reader:
    """Reads typed values from a mapping and names the JSON pointer when one is wrong."""

    def __init__(self, source: str, data: Any, pointer: str) -> None:
        if not isinstance(data, Mapping):
            raise SpecError(source, pointer, f"expected a mapping, got {type(data).__name__}")
        self.source, self.data, self.pointer = source, data, pointer

    def fail(self, key: str, problem: str) -> SpecError:
        """An error located at this mapping's key."""
        return SpecError(self.source, f"{self.pointer}/{key}", problem)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        """The value at key, checked against kind; missing → default or error."""
        if key not in self.data:
            if default is ...:
                raise self.fail(key, "is required but missing")
            return default
        value = self.data[key]
        if value is None:
            # null stands for "none" only where that is a valid value: not for a required key,
            # nor for a list (the callers iterate it).
            if default is ... or isinstance(default, list):
                raise self.fail(key, f"expected {_kind_name(kind)}, got null")
            return value
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in kinds):
            raise self.fail(key, f"expected {_kind_name(kind)}, got {value!r}")
        return value

    def sub(self, key: str) -> Reader:
        """A reader for the mapping at key."""
        return Reader(self.source, self.get(key, Mapping), f"{self.pointer}/{key}")

    def enum(self, key: str, enum: type[Any], default: Any = ...) -> Any:
        """The value at key as a member of enum."""
        raw = self.get(key, str, default)
        try:
            return enum(raw)
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            raise self.fail(key, f"got {raw!r}, expected one of: {allowed}") from None


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def parse_ref(text: str, source: str = "", pointer: str = "") -> ScopeRef:
    """Parse `path:org_id`, `parent-tenant-of:path:org_id`, `jwt:tid`, `item:tenant_id`."""
    if not isinstance(text, str):
        raise SpecError(source, pointer, f"got source {text!r}, expected <kind>:<name>")
    kind_text, sep, rest = text.partition(":")
    try:
        kind = SourceKind(kind_text)
    except ValueError:
        allowed = ", ".join(k.value for k in SourceKind)
        raise SpecError(source, pointer, f"got source {text!r}, expected <kind>:<name> "
                        f"with kind one of: {allowed}") from None
    if not sep or not rest:
        raise SpecError(source, pointer, f"got source {text!r}, expected <kind>:<name>")
    if kind is SourceKind.PARENT_TENANT_OF:
        inner = parse_ref(rest, source, pointer)
        return ScopeRef(kind, inner.name, inner)
    return ScopeRef(kind, rest)


def _opt_ref(r: Reader, key: str) -> ScopeRef | None:
    text = r.get(key, str, None)
    return None if text is None else parse_ref(text, r.source, f"{r.pointer}/{key}")


def _requirements(r: Reader, key: str) -> tuple[Requirement, ...]:
    reqs = []
    for i, raw in enumerate(r.get(key, list, [])):
        item = Reader(r.source, raw, f"{r.pointer}/{key}/{i}")
        reqs.append(Requirement(item.get("right", str), item.enum("scope", Scope),
                                _opt_ref(item, "from")))
    return tuple(reqs)


def parse_rights(r: Reader) -> RightsRule:
    """Parse an x-orgkit-rights mapping."""
    mode = r.enum("mode", RightsMode)
    reqs = _requirements(r, "any_of")
    if mode in (RightsMode.ANY_OF, RightsMode.VISIBILITY, RightsMode.MEMBERSHIP) and not reqs:
        raise r.fail("any_of", f"mode {mode.value!r} needs at least one right")
    context = None
    if mode is RightsMode.CONTEXT:
        c = r.sub("context")
        context = ContextRule(_opt_ref(c, "tenant"), _opt_ref(c, "org"),
                              bool(c.get("membership_inferred", bool, False)))
    return RightsRule(
        mode=mode,
        any_of=reqs,
        token_kinds=tuple(r.get("token_kinds", list, [])),
        org_confined_to=_opt_ref(r, "org_confined_to"),
        inferred=bool(r.get("inferred", bool, False)),
        note=r.get("note", str, "") or "",
        context=context,
    )


def parse_grants(r: Reader) -> GrantRule:
    """Parse an x-orgkit-grants mapping (who may hand out which rights)."""
    grantee = _opt_ref(r, "grantee")
    if grantee is None:
        raise r.fail("grantee", "is required: the parameter naming the user who gets the rights")
    levels = r.sub("levels") if "levels" in r.data else None
    table = () if levels is None else tuple(
        (str(level), _requirements(levels, level)) for level in levels.data)
    for level, _ in table:
        if level not in LEVELS:
            raise r.fail(f"levels/{level}", f"unknown level; expected one of: {', '.join(LEVELS)}")
    return GrantRule(
        grantee=grantee, scope=r.enum("scope", Scope), source=_opt_ref(r, "from"),
        levels=table, inferred=bool(r.get("inferred", bool, False)),
        note=r.get("note", str, "") or "",
    )


ORDER_CHOICES = {"default": ("asc", "desc"), "collation": ("any", "binary", "case-insensitive"),
                 "nulls": ("either", "first", "last")}
ORDER_PARTS = ("key", "collation", "nulls")


def _check_order(o: Reader, order: OrderRule) -> None:
    """SpecError for a value of an order rule outside its choices."""
    for key, choices in ORDER_CHOICES.items():
        if getattr(order, key) not in choices:
            raise o.fail(key, f"got {getattr(order, key)!r}, expected one of {list(choices)}")
    unknown = sorted(set(order.inferred) - set(ORDER_PARTS))
    if unknown:
        raise o.fail("inferred", f"got {unknown}, expected parts of {list(ORDER_PARTS)}")


def parse_pagination(r: Reader) -> PaginationRule:
    """Parse an x-orgkit-pagination mapping."""
    styles = []
    for i, s in enumerate(r.get("styles", list)):
        try:
            styles.append(PagingStyle(s))
        except ValueError:
            raise r.fail(f"styles/{i}", f"got {s!r}, expected page or cursor") from None
    params = r.sub("params")
    per_page = r.sub("per_page")
    order = None
    if r.get("order", Mapping, None) is not None:
        o = r.sub("order")
        order = OrderRule(
            key=o.get("key", str), asc=o.get("asc", str, "asc"), desc=o.get("desc", str, "desc"),
            default=o.get("default", str, "asc"), by=o.get("by", str, None),
            keys=tuple(o.get("keys", list, [])), collation=o.get("collation", str, "any"),
            nulls=o.get("nulls", str, "either"), inferred=tuple(o.get("inferred", list, [])),
        )
        _check_order(o, order)
    rule = PaginationRule(
        styles=tuple(styles),
        items=r.get("items", str),
        page_param=params.get("page", str, None),
        per_page_param=params.get("per_page", str, None),
        cursor_param=params.get("cursor", str, None),
        order_param=params.get("order", str, None),
        default_per_page=per_page.get("default", int),
        max_per_page=per_page.get("max", int),
        order=order,
        meta=r.get("meta", str, None),
        next_cursor=r.get("next_cursor", str, None),
        exclusive=tuple(r.get("exclusive", list, [])),
    )
    if PagingStyle.CURSOR in rule.styles and not (rule.cursor_param and rule.next_cursor):
        raise r.fail("styles", "cursor style needs params.cursor and next_cursor")
    if not 1 <= rule.default_per_page <= rule.max_per_page:
        raise per_page.fail("default", "must lie between 1 and max")
    return rule


def parse_resource(r: Reader) -> ResourceRule:
    """Parse an x-orgkit-resource mapping."""
    parent = tuple(
        (name, parse_ref(text, r.source, f"{r.pointer}/parent/{name}"))
        for name, text in (r.get("parent", Mapping, {}) or {}).items()
    )
    filters = []
    for name, raw in (r.get("filters", Mapping, {}) or {}).items():
        f = Reader(r.source, raw, f"{r.pointer}/filters/{name}")
        filters.append(Filter(
            param=name, field=f.get("field", str), match=f.get("match", str, "equals"),
            default=f.get("default", str, None), all_value=f.get("all", str, None),
        ))
    return ResourceRule(
        collection=r.get("collection", str, "") or "",
        action=r.get("action", str),
        id_ref=_opt_ref(r, "id"),
        id_field=r.get("id_field", str, "id") or "id",
        envelope=r.get("envelope", str, None),
        parent=parent,
        filters=tuple(filters),
        mutable=tuple(r.get("mutable", list, []) or []),
        cascade=tuple(_cascade(r)),
        unique=tuple(r.get("unique", list, []) or []),
    )


def _cascade(r: Reader) -> Any:
    for i, text in enumerate(r.get("cascade", list, []) or []):
        collection, dot, field = str(text).partition(".")
        if not (collection and dot and field):
            raise r.fail(f"cascade/{i}", f"got {text!r}, expected <collection>.<field>")
        yield collection, field


def parse_also_allowed(x: Reader) -> dict[str, str]:
    """x-orgkit.method_not_allowed.also_allowed: extra Allow methods -> the method they need."""
    if x.get("method_not_allowed", Mapping, None) is None:
        return {}
    table = x.sub("method_not_allowed").get("also_allowed", Mapping, {})
    for method, needs in table.items():
        if method.upper() not in (m.upper() for m in HTTP_METHODS) or not isinstance(needs, str):
            raise x.fail("method_not_allowed/also_allowed",
                         f"got {method!r}: {needs!r}, expected METHOD: a method or any")
    return {str(k).upper(): str(v).upper() if v != "any" else "any" for k, v in table.items()}


def parse_error_shapes(r: Reader) -> dict[str, ErrorShape]:
    """Parse the error_shapes mapping of the document-level x-orgkit."""
    shapes = {}
    for name in r.data:
        s = r.sub(name)
        schemas, templates = s.get("schemas", Mapping), s.get("templates", Mapping)
        for key, table in (("schemas", schemas), ("templates", templates)):
            if "default" not in table:
                raise s.fail(key, "needs a 'default' entry")
        shapes[name] = ErrorShape(
            name=name, content_type=s.get("content_type", str, "application/json"),
            status_field=s.get("status_field", str, None),
            schemas={str(k): v for k, v in schemas.items()},
            templates={str(k): v for k, v in templates.items()},
        )
    return shapes


def inferred_constraints(document: Any) -> tuple[str, ...]:
    """The text values (a pattern, a format) of schema keywords marked `x-orgkit-inferred:
    {keywords: [...]}`; numbers (maxLength: 255) name nothing a failure message could quote."""
    found: list[str] = []
    for node in mappings(document):
        marker = node.get("x-orgkit-inferred")
        if isinstance(marker, Mapping):
            found += [node[k] for k in marker.get("keywords", []) if isinstance(node.get(k), str)]
    return tuple(sorted(set(found)))


def mappings(document: Any) -> Iterator[Mapping[str, Any]]:
    """Every mapping inside a JSON-like value, each shared one once."""
    stack, seen = [document], set()
    while stack:  # a loop: resolved documents share nodes and may nest deeply
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Mapping):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def without_inferred(schema: Any) -> Any:
    """A copy of a (resolved) schema without the keywords its `x-orgkit-inferred` markers name:
    what the seed alone requires, so a value fitting it broke only our inference."""
    if isinstance(schema, list):
        return [without_inferred(item) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    marker = schema.get("x-orgkit-inferred")
    dropped = set(marker.get("keywords", [])) if isinstance(marker, Mapping) else set()
    return {k: without_inferred(v) for k, v in schema.items() if k not in dropped}
