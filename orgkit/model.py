"""The typed model of an API: operations and their x-orgkit rules, as frozen values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from orgkit.declared import EMPTY, DeclaredResponse, Link, Schema
from orgkit.rightsrules import GrantRule, RightsRule, Scope, ScopeRef

# The status the clean step declares for operations whose source declares no success at all.
IMPLICIT_SUCCESS = 204


class PagingStyle(StrEnum):
    """Page-number or cursor pagination."""

    PAGE = "page"
    CURSOR = "cursor"


@dataclass(frozen=True)
class OrderRule:
    """How a list is ordered and how the client asks for a direction or key."""

    key: str
    asc: str = "asc"
    desc: str = "desc"
    default: str = "asc"
    by: str | None = None
    keys: tuple[str, ...] = ()
    # How values compare: any (binary or case-insensitive), binary, case-insensitive; where
    # missing values go: either (first or last), first, last.
    collation: str = "any"
    nulls: str = "either"
    inferred: tuple[str, ...] = ()  # parts that are our inference: key, collation, nulls

    def direction(self, value: str | None) -> str:
        """Map a parameter value (or None) to 'asc' or 'desc'."""
        if value is None:
            return self.default
        return "desc" if value == self.desc else "asc"


@dataclass(frozen=True)
class PaginationRule:
    """The paging contract of one list operation."""

    styles: tuple[PagingStyle, ...]
    items: str
    page_param: str | None
    per_page_param: str | None
    cursor_param: str | None
    order_param: str | None
    default_per_page: int
    max_per_page: int
    order: OrderRule | None
    meta: str | None
    next_cursor: str | None
    exclusive: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filter:
    """A list filter: which item field a parameter constrains and how."""

    param: str
    field: str
    match: str = "equals"
    default: str | None = None
    all_value: str | None = None


@dataclass(frozen=True)
class ResourceRule:
    """What the generic engine does for an operation."""

    collection: str  # "" for behaviours that own no collection (version, alive)
    action: str
    id_ref: ScopeRef | None = None
    id_field: str = "id"
    envelope: str | None = None
    parent: tuple[tuple[str, ScopeRef], ...] = ()
    filters: tuple[Filter, ...] = ()
    mutable: tuple[str, ...] = ()  # empty: every property of the request body may change
    cascade: tuple[tuple[str, str], ...] = ()  # (collection, field) deleted along with the item
    unique: tuple[str, ...] = ()  # create: fields no two items of the collection may share


@dataclass(frozen=True)
class ErrorShape:
    """An API's error body: schema per status, body template per status, content type."""

    name: str
    content_type: str
    status_field: str | None
    schemas: Mapping[str, str]
    templates: Mapping[str, Any]

    def template_for(self, status: int) -> Any:
        """The body template for a status, falling back to 'default'."""
        return self.templates.get(str(status), self.templates["default"])

    def schema_for(self, status: int) -> str:
        """The component schema name for a status, falling back to 'default'."""
        return self.schemas.get(str(status), self.schemas["default"])


def _shared() -> Any:
    """A field holding a document-derived view: empty by default, left out of == and repr."""
    return field(default_factory=lambda: EMPTY, compare=False, repr=False)


@dataclass(frozen=True)
class Parameter:
    """A declared request parameter."""

    name: str
    location: str
    required: bool
    schema: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    """One API operation with everything the mock and the suite need to know about it."""

    api: str
    operation_id: str
    method: str
    path: str
    summary: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    has_body: bool
    body_content_types: tuple[str, ...]
    statuses: tuple[str, ...]
    secured: bool
    rights: RightsRule
    pagination: PaginationRule | None
    resource: ResourceRule | None
    error_shape: ErrorShape
    grants: GrantRule | None = None
    # What it sends and answers, read once from the cleaned document by load_spec
    # (orgkit/payloads.py): read-only views; the schemas inside are shared, never mutate them.
    request_content: Mapping[str, Mapping[str, Any]] = _shared()  # media type -> media object
    body_required: bool = False
    request_schema: Schema = _shared()  # the JSON request body's, envelope included
    request_fields: tuple[str, ...] = ()  # what the body may carry (inside the envelope)
    responses: Mapping[str, DeclaredResponse] = _shared()  # status -> response
    response_schemas: Mapping[str, Schema] = _shared()  # status -> JSON body schema
    item_schema: Schema = _shared()  # one item of its collection, as the collection's get answers
    links: tuple[Link, ...] = field(default=(), compare=False, repr=False)

    @cached_property
    def success_status(self) -> int:
        """The lowest documented 2xx/3xx status; 204 where none is (see the clean step);
        computed once, read on every request."""
        codes = sorted(int(s) for s in self.statuses if s[0] in "23" and s.isdigit())
        return codes[0] if codes else IMPLICIT_SUCCESS

    @property
    def pointer(self) -> str:
        """The JSON pointer of the operation in its document (for errors found after parsing)."""
        return f"/paths/{self.path.replace('~', '~0').replace('/', '~1')}/{self.method.lower()}"

    @cached_property
    def uuid_parameters(self) -> Mapping[str, tuple[str, ...]]:
        """Names of the `format: uuid` parameters per location (header names lower-cased, as
        they arrive); computed once, read on every request."""
        found: dict[str, tuple[str, ...]] = {}
        for p in self.parameters:
            if p.schema.get("format") == "uuid":
                name = p.name.lower() if p.location == "header" else p.name
                found[p.location] = (*found.get(p.location, ()), name)
        return found

    def parameter(self, name: str, location: str | None = None) -> Parameter | None:
        """The declared parameter with that name (header names case-insensitively)."""
        for p in self.parameters:
            same = p.name.lower() == name.lower() if p.location == "header" else p.name == name
            if same and (location is None or p.location == location):
                return p
        return None


@dataclass(frozen=True)
class AuthConfig:
    """How an API authenticates callers."""

    kind: str
    subject_claim: str = "sub"
    tenant_claim: str | None = None
    token_url: str | None = None
    # What tells this API's tokens from another API's signed with the same key: claims a token
    # must carry, and claims that mark it as another API's (either way: 401).
    required_claims: tuple[str, ...] = ()
    foreign_claims: tuple[str, ...] = ()

    def foreign(self, claims: Mapping[str, Any]) -> str | None:
        """Why the claims are not a token of this API (None: they may be)."""
        missing = [c for c in self.required_claims if claims.get(c) in (None, "")]
        if missing:
            return f"it lacks the claim(s) {', '.join(missing)}"
        alien = [c for c in self.foreign_claims if c in claims]
        if alien:
            return f"it carries the claim(s) {', '.join(alien)} of another API's tokens"
        return None


@dataclass(frozen=True)
class CollectionRule:
    """A collection declared at document level (x-orgkit.collections)."""

    name: str
    key: tuple[str, ...] = ()  # empty: as the operations address it, else (id,)
    schema: str | Mapping[str, Any] | None = None  # component name or inline schema of an item
    references: Mapping[str, str] = field(default_factory=dict)  # field -> collection it names


@dataclass(frozen=True)
class SubjectRule:
    """The collection a token's subject must name an item of (else 401)."""

    collection: str
    field: str = "id"


@dataclass(frozen=True)
class GrantSource:
    """Where some of a caller's rights live: items of a collection, or a token claim."""

    scope: Scope
    collection: str | None = None  # exactly one of collection and claim
    claim: str | None = None
    user_field: str = "id"  # the item field equal to the subject
    scope_field: str | None = None  # tenant/org scopes: the item field naming the scope's id
    rights_field: str = ""  # a list of right names, or one name
    where: Mapping[str, Any] = field(default_factory=dict)  # only items with these values count


@dataclass(frozen=True)
class IdentityRule:
    """How the generic engine builds a caller from a verified token (x-orgkit.grants)."""

    subject: SubjectRule | None = None
    token_kind_claim: str | None = None  # None: every caller is a "user"
    token_kinds: tuple[str, ...] = ()  # accepted token kinds (empty: any)
    org_claim: str | None = None  # org-confined tokens name their org here
    # Token kinds limited to the org their org_claim names (empty: every token carrying it).
    confined_token_kinds: tuple[str, ...] = ()
    sources: tuple[GrantSource, ...] = ()

    def confines(self, token_kind: str, org: str | None) -> bool:
        """Whether a caller of this kind, whose token names org, is limited to that org."""
        if self.confined_token_kinds:
            return token_kind in self.confined_token_kinds
        return self.org_claim is not None and org is not None

    def collections(self) -> tuple[tuple[str, str], ...]:
        """(JSON pointer below the rule, collection) for every collection the rule names."""
        named = [("subject/collection", self.subject.collection)] if self.subject else []
        named += [(f"sources/{i}/collection", s.collection)
                  for i, s in enumerate(self.sources) if s.collection is not None]
        return tuple(named)


@dataclass(frozen=True)
class ScopeNesting:
    """How an inner scope lies in an outer one: the tenant of an org is item[tenant_field]."""

    collection: str
    tenant_field: str


@dataclass(frozen=True)
class ApiModel:
    """All operations of one API plus its document-level rules."""

    name: str
    title: str
    version: str
    mount: str
    auth: AuthConfig
    error_shapes: Mapping[str, ErrorShape]
    default_error_shape: str
    implicit_errors: tuple[int, ...]
    operations: tuple[Operation, ...]
    # Methods a 405's Allow may list besides the path's own: method -> the path method it goes
    # with ("any": every path). Inferred (x-orgkit.method_not_allowed).
    also_allowed: Mapping[str, str] = field(default_factory=dict)
    # Schema constraints that are our inference (`x-orgkit-inferred: {keywords: [...]}` beside
    # them): their values as text, so a checker can tell a violated inferred constraint (advisory)
    # from one the seed states.
    inferred_constraints: tuple[str, ...] = ()
    # Where state lives beyond the operations' own collections, where rights live, how scopes
    # nest (x-orgkit.collections, .grants, .scopes): the generic engine reads names from here.
    collections: Mapping[str, CollectionRule] = field(default_factory=dict)
    identity: IdentityRule = IdentityRule()
    scopes: Mapping[Scope, ScopeNesting] = field(default_factory=dict)
    schemas: Mapping[str, Schema] = _shared()  # components.schemas (set by load_spec)

    def operation(self, operation_id: str) -> Operation:
        """The operation with that id; KeyError names the known ids otherwise."""
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(f"{self.name}: no operation {operation_id!r}")

    def collection_names(self) -> frozenset[str]:
        """Every collection the document declares: its operations' and x-orgkit.collections'."""
        return declared_collections(self.operations, self.collections)

    def path_methods(self, path: str) -> frozenset[str]:
        """The methods (upper case) the document declares for a path."""
        return frozenset(op.method for op in self.operations if op.path == path)

    def error_schema(self, shape: ErrorShape, status: int) -> Schema:
        """The component schema an error shape names for a status."""
        return self.schemas[shape.schema_for(status)]

    @property
    def error_shape(self) -> ErrorShape:
        """The API's default error shape."""
        return self.error_shapes[self.default_error_shape]


def declared_collections(operations: tuple[Operation, ...],
                         collections: Mapping[str, Any]) -> frozenset[str]:
    """The collections operations' x-orgkit-resource rules and x-orgkit.collections declare."""
    named = {op.resource.collection for op in operations
             if op.resource is not None and op.resource.collection}
    return frozenset(named | set(collections))
