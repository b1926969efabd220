"""Callers from verified tokens and the declared grants rule (x-orgkit.grants); no API by name."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from operator import attrgetter
from typing import Any

from mockserver.store import Item, Store
from orgkit.errors import Unauthenticated
from orgkit.grants import canonical_id
from orgkit.model import ApiModel, GrantSource
from orgkit.rights import Caller, Grants
from orgkit.rightsrules import Scope


class Lookup:
    """Finds the items of one collection whose fields have given values, without a scan: by the
    storage key when the fields are exactly the key, else through the store's maintained index."""

    def __init__(self, collection: str) -> None:
        self.collection = collection

    def find(self, store: Store, values: Mapping[str, str]) -> list[Item]:
        """The items whose fields equal values (compared as text, as keys are)."""
        coll = store[self.collection]
        if set(coll.key_fields) == set(values):
            item = coll.get(tuple(values[f] for f in coll.key_fields))
            return [] if item is None else [item]
        entries = coll.sorted_entries(values, coll.key_fields[-1])
        return [coll.by_entry_key(joined) for _, joined in entries]


class Source:
    """One declared grant source bound to its lookup."""

    def __init__(self, rule: GrantSource) -> None:
        self.rule = rule
        self.lookup = None if rule.collection is None else Lookup(rule.collection)

    def counts(self, item: Item) -> bool:
        """Whether an item passes the source's `where` filter."""
        return all(item.get(k) == v for k, v in self.rule.where.items())

    def rights(self, item: Item) -> frozenset[str]:
        """The rights an item holds: a list of names, or one name."""
        return _names(item.get(self.rule.rights_field))

    def held(self, store: Store, subject: str, claims: Mapping[str, Any]) -> frozenset[str]:
        """Every right of a global or permission source (claim or items of the subject)."""
        if self.rule.claim is not None:
            return _names(claims.get(self.rule.claim))
        assert self.lookup is not None
        found = self.lookup.find(store, {self.rule.user_field: subject})
        return frozenset().union(*(self.rights(i) for i in found if self.counts(i)))


class ScopedRights(Mapping[str, frozenset[str]]):
    """A caller's rights per tenant or org, looked up when a scope id is asked for.

    Building the whole table on every request cost O(records): a user who creates orgs becomes
    admin of each, and every later request got slower. A lookup is O(1) per scope asked, and
    its answer is kept (bounded) until a write to a source's collection: the Caller lives as
    long as its token and the flat sources, so the next request would otherwise look again.
    """

    def __init__(self, store: Store, sources: tuple[Source, ...], subject: str) -> None:
        self._store, self._sources, self._subject = store, sources, subject
        self._collections = tuple(store[s.rule.collection] for s in sources
                                  if s.rule.collection is not None)
        self._seen: dict[str, frozenset[str] | None] = {}  # None: no right there
        self._at: tuple[object, ...] = self._revision()

    def _revision(self) -> tuple[object, ...]:
        return tuple(map(_REVISION, self._collections))

    def __getitem__(self, scope_id: str) -> frozenset[str]:
        held = self._held(scope_id)
        if held is None:
            raise KeyError(scope_id)
        return held

    def get(self, scope_id: str, default: Any = None) -> Any:  # type: ignore[override]
        """The rights held in one scope, else default (no KeyError raised on the way)."""
        held = self._held(scope_id)
        return default if held is None else held

    def _held(self, scope_id: str) -> frozenset[str] | None:
        """The rights held in one scope (None: none), remembered until a source's next write."""
        revision = self._revision()
        if revision != self._at or len(self._seen) >= SCOPE_MEMO_ENTRIES:
            self._seen.clear()
            self._at = revision
        if scope_id in self._seen:
            held = self._seen[scope_id]
        else:
            held = self._seen[scope_id] = self._look_up(scope_id)
        return held

    def _look_up(self, scope_id: str) -> frozenset[str] | None:
        """The rights the sources' items give in one scope (None: no item counts)."""
        held, found = frozenset[str](), False
        for source in self._sources:
            assert source.lookup is not None and source.rule.scope_field is not None
            values = {source.rule.user_field: self._subject, source.rule.scope_field: scope_id}
            for item in source.lookup.find(self._store, values):
                if source.counts(item):
                    held, found = held | source.rights(item), True
        return held if found else None

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for source in self._sources:
            assert source.lookup is not None and source.rule.scope_field is not None
            for item in source.lookup.find(self._store, {source.rule.user_field: self._subject}):
                scope_id = str(item.get(source.rule.scope_field))
                if source.counts(item) and scope_id not in seen:
                    seen.add(scope_id)
                    yield scope_id

    def __len__(self) -> int:
        return sum(1 for _ in self)


class Identity:
    """Builds the Caller of one API from verified claims, as its grants rule declares."""

    def __init__(self, model: ApiModel) -> None:
        self.api, self.auth, self.rule = model.name, model.auth, model.identity
        self.subjects = None if self.rule.subject is None else Lookup(self.rule.subject.collection)
        sources = tuple(Source(s) for s in self.rule.sources)
        self.sources = {scope: tuple(s for s in sources if s.rule.scope is scope)
                        for scope in Scope}
        # What a Caller is computed from besides its claims: the subject's collection and the
        # flat (global, permission) sources'. Tenant and org rights are looked up live.
        flat = self.sources[Scope.GLOBAL] + self.sources[Scope.PERMISSION]
        self.depends = tuple(dict.fromkeys(
            ([] if self.rule.subject is None else [self.rule.subject.collection])
            + [s.rule.collection for s in flat if s.rule.collection is not None]))
        # Where a token of the wrong kind can get a right one (Transmit: its token endpoint).
        token_url = self.auth.token_url
        self.hint = "" if token_url is None else f"; get one from POST {model.mount}{token_url}"

    def revision(self, store: Store) -> tuple[object, ...]:
        """What a Caller built now depends on: equal revisions, the same Caller (its tenant and
        org rights are read from the store when asked, so they need no revision)."""
        return (store, *(store[name].revision for name in self.depends))

    def caller(self, store: Store, claims: Mapping[str, Any]) -> Caller:
        """The caller the claims name; Unauthenticated when the grants rule refuses them."""
        subject = self._subject(claims)
        kind = self._token_kind(claims)
        self._check_subject(store, subject)
        org = _text(claims, self.rule.org_claim)
        return Caller(subject, _text(claims, self.auth.tenant_claim), kind, org,
                      self.grants(store, subject, claims), self.rule.confines(kind, org))

    def grants(self, store: Store, subject: str, claims: Mapping[str, Any]) -> Grants:
        """Every right the subject holds: flat scopes now, tenant and org ones when asked."""
        return Grants(
            global_rights=self._flat(store, Scope.GLOBAL, subject, claims),
            tenant_rights=ScopedRights(store, self.sources[Scope.TENANT], subject),
            org_rights=ScopedRights(store, self.sources[Scope.ORG], subject),
            permissions=self._flat(store, Scope.PERMISSION, subject, claims))

    def _flat(self, store: Store, scope: Scope, subject: str,
              claims: Mapping[str, Any]) -> frozenset[str]:
        return frozenset().union(*(s.held(store, subject, claims) for s in self.sources[scope]))

    def _subject(self, claims: Mapping[str, Any]) -> str:
        value = claims.get(self.auth.subject_claim)
        if not isinstance(value, str) or not value:
            raise Unauthenticated(f"the token's {self.auth.subject_claim!r} claim must be a "
                                  f"non-empty string{self.hint}")
        return canonical_id(value)

    def _token_kind(self, claims: Mapping[str, Any]) -> str:
        claim = self.rule.token_kind_claim
        if claim is None:
            return "user"
        kind = claims.get(claim)
        if not isinstance(kind, str) or (self.rule.token_kinds and
                                         kind not in self.rule.token_kinds):
            accepted = ", ".join(self.rule.token_kinds) or "a string"
            raise Unauthenticated(f"not an access token of the {self.api} API: its {claim!r} "
                                  f"claim is {kind!r}, expected {accepted}{self.hint}")
        return kind

    def _check_subject(self, store: Store, subject: str) -> None:
        if self.subjects is None or self.rule.subject is None:
            return
        if not self.subjects.find(store, {self.rule.subject.field: subject}):
            raise Unauthenticated(f"the token's subject {subject!r} names no item of "
                                  f"{self.rule.subject.collection} (it does not exist, or no "
                                  f"longer){self.hint}")


# Scope ids whose rights one ScopedRights keeps (a full memo is simply emptied).
SCOPE_MEMO_ENTRIES = 256
_REVISION = attrgetter("revision")


def _names(value: Any) -> frozenset[str]:
    """Right names from a field or claim: a list of names, or one name."""
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset((value,))
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(str(v) for v in value)
    return frozenset()


def _text(claims: Mapping[str, Any], claim: str | None) -> str | None:
    value = None if claim is None else claims.get(claim)
    return None if value in (None, "") else str(value)
