"""The mock's in-memory state: collections of JSON objects with sorted secondary indexes."""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import Any

from sortedcontainers import SortedList

from orgkit.names import name_key
from orgkit.pagination import Entry, sort_value

Item = dict[str, Any]
Key = tuple[str, ...]
IndexSpec = tuple[tuple[str, ...], str]  # (partition fields, order field)
SEP = "\x1f"  # joins key parts in index entries; never part of an id
# Derived values (encoded items) kept per collection; a full memo is simply emptied.
MEMO_ENTRIES = 50_000
# Joined pages of derived values kept per collection (any write empties them all), each at
# most PAGE_BYTES (an unpaged list of a large collection is joined anew each time).
PAGE_ENTRIES = 64
PAGE_BYTES = 1024 * 1024


def unique_index_field(field: str) -> str:
    """The private field holding the comparable form of a unique field (see orgkit.names)."""
    return f"_{field}_key"


class Journal:
    """What changed in a store since its durable copy last caught up (mockserver/statefile.py).

    Only the keys are noted: the writer reads their current items (or their absence) itself.
    """

    def __init__(self) -> None:
        self.whole = True  # the whole store must be written (new, reset or restored)
        # Per collection, in the order the items now have: key -> whether it moved (inserted or
        # deleted, so it goes last) rather than being replaced where it was.
        self.keys: dict[str, dict[Key, bool]] = {}

    def touch(self, collection: str, key: Key, *, moved: bool) -> None:
        """Note that the item under key was replaced, or inserted or deleted (moved)."""
        if self.whole:
            return
        keys = self.keys.setdefault(collection, {})
        if moved:
            keys.pop(key, None)
            keys[key] = True
        else:
            keys.setdefault(key, False)

    def rewrite(self) -> None:
        """Note that every collection was replaced."""
        self.whole = True
        self.keys.clear()

    def take(self) -> tuple[bool, dict[str, dict[Key, bool]]]:
        """(whole store?, changed keys per collection) since the last take; starts afresh."""
        taken = (self.whole, self.keys)
        self.whole, self.keys = False, {}
        return taken


class Collection:
    """Items of one kind keyed by (parent ids..., id), with sorted indexes built on demand."""

    def __init__(self, name: str, key_fields: tuple[str, ...],
                 unique: tuple[str, ...] = (), journal: Journal | None = None,
                 on_write: Callable[[], None] | None = None) -> None:
        self.name, self.key_fields, self.unique = name, key_fields, unique
        self.journal = journal
        self._on_write = on_write  # the store's revision moves with each collection's
        self._items: dict[Key, Item] = {}
        self._indexes: dict[IndexSpec, dict[tuple[Any, ...], SortedList]] = {}
        # Values derived from an item (its encoded JSON), valid until the item is next written:
        # every write goes through put or delete (the indexes and the journal rely on it too).
        self._memo: dict[str, Any] = {}  # by joined key, as index entries name items
        self._pages: dict[Any, bytes] = {}  # whole pages (joined items, or answers)
        # A new object on every write: equal revisions mean unchanged contents (a cache of
        # something computed from the collection keeps the revision it was computed at).
        self.revision = object()

    def __len__(self) -> int:
        return len(self._items)

    def key_of(self, item: Mapping[str, Any]) -> Key:
        """The storage key of an item."""
        return tuple(str(item.get(f)) for f in self.key_fields)

    def get(self, key: Key) -> Item | None:
        """The item stored under key (the live object: copy before handing it out)."""
        return self._items.get(key)

    def values(self) -> Iterator[Item]:
        """Every item, in insertion order."""
        return iter(self._items.values())

    def put(self, item: Item) -> Item:
        """Insert or replace an item, keeping every index current."""
        for field in self.unique:
            # Derived on every put (loads and snapshots included), so it can never go stale.
            item[unique_index_field(field)] = name_key(str(item.get(field) or ""))
        key = self.key_of(item)
        self._written(key)
        old = self._items.get(key)
        if old is not None:
            self._unindex(key, old)
        self._items[key] = item
        self._index(key, item)
        if self.journal is not None:
            self.journal.touch(self.name, key, moved=old is None)
        return item

    def holder(self, field: str, value: str, *, besides: Key | None = None) -> Key | None:
        """The key of another item whose unique field is the same name as value, if any."""
        entries = self.sorted_entries({unique_index_field(field): name_key(value)},
                                      self.key_fields[-1])
        for _, joined in entries[:2]:
            key = tuple(joined.split(SEP))
            if key != besides:
                return key
        return None

    def delete(self, key: Key) -> Item | None:
        """Remove and return the item under key."""
        item = self._items.pop(key, None)
        self._written(key)
        if item is not None:
            self._unindex(key, item)
            if self.journal is not None:
                self.journal.touch(self.name, key, moved=True)
        return item

    def sorted_entries(self, partition: Mapping[str, Any], order_field: str) -> SortedList:
        """Entries (sort value, key) of the items matching partition, ascending by order_field."""
        fields = tuple(sorted(partition))
        spec = (fields, order_field)
        if spec not in self._indexes:
            self._build(spec)
        bucket = tuple(str(partition[f]) for f in fields)
        return self._indexes[spec].setdefault(bucket, SortedList())

    def _build(self, spec: IndexSpec) -> None:
        table: dict[tuple[Any, ...], SortedList] = {}
        self._indexes[spec] = table
        for key, item in self._items.items():
            self._add_entry(spec, table, key, item)

    def _entry(self, spec: IndexSpec, key: Key, item: Item) -> tuple[tuple[Any, ...], Entry]:
        fields, order_field = spec
        bucket = tuple(str(item.get(f)) for f in fields)
        return bucket, (sort_value(item.get(order_field)), SEP.join(key))

    def _add_entry(self, spec: IndexSpec, table: dict[Any, SortedList], key: Key,
                   item: Item) -> None:
        bucket, entry = self._entry(spec, key, item)
        table.setdefault(bucket, SortedList()).add(entry)

    def _written(self, key: Key) -> None:
        """Forget what was derived from the item under key, and every page."""
        self._memo.pop(SEP.join(key), None)
        self._pages.clear()
        self._moved()

    def _moved(self) -> None:
        self.revision = object()
        if self._on_write is not None:
            self._on_write()

    def _index(self, key: Key, item: Item) -> None:
        for spec, table in self._indexes.items():
            self._add_entry(spec, table, key, item)

    def _unindex(self, key: Key, item: Item) -> None:
        for spec, table in self._indexes.items():
            bucket, entry = self._entry(spec, key, item)
            table[bucket].discard(entry)

    def by_entry_key(self, joined: str) -> Item:
        """The item an index entry points at."""
        return self._items[tuple(joined.split(SEP))]

    def derived(self, joined: str, make: Callable[[Item], Any]) -> Any:
        """make(item) for the item an index entry points at, computed once per write (every
        caller passes the same function of the item: the list's JSON encoding)."""
        found = self._memo.get(joined)
        if found is None:
            if len(self._memo) >= MEMO_ENTRIES:
                self._memo.clear()
            found = self._memo[joined] = make(self._items[tuple(joined.split(SEP))])
        return found

    def derived_page(self, joined: tuple[str, ...], make: Callable[[Item], bytes],
                     separator: bytes) -> bytes:
        """The derived bytes of these items joined by separator, kept until the next write."""
        return self.remembered(joined, lambda: separator.join(
            [self.derived(key, make) for key in joined]))

    def remembered(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        """make(), a pure function of the collection's items named by key, kept until the
        collection's next write (a list answer, a joined page)."""
        found = self._pages.get(key)
        if found is None:
            found = make()
            if len(found) <= PAGE_BYTES:
                if len(self._pages) >= PAGE_ENTRIES:
                    self._pages.clear()
                self._pages[key] = found
        return found

    def dump(self) -> list[Item]:
        """A deep copy of every item, for snapshots."""
        return copy.deepcopy(list(self._items.values()))

    def clear(self) -> None:
        """Drop every item and index."""
        self._items.clear()
        self._indexes.clear()
        self._memo.clear()
        self._pages.clear()
        self._moved()


class Store:
    """All collections of one mock instance; reset / snapshot / restore make state explicit."""

    def __init__(self, layout: Mapping[str, tuple[str, ...]],
                 unique: Mapping[str, tuple[str, ...]] | None = None,
                 journal: Journal | None = None) -> None:
        self._layout, self._unique = dict(layout), dict(unique or {})
        # None (in-memory mode): nothing is noted, so nothing grows.
        self.journal = journal
        self._collections = {name: Collection(name, keys, self._unique.get(name, ()), journal,
                                              self._moved)
                             for name, keys in layout.items()}
        # A new object on every write to any collection (see Collection.revision): an answer
        # computed from the store keeps the revision it was computed at (mockserver/answers.py).
        self.revision = object()

    def _moved(self) -> None:
        self.revision = object()

    def __getitem__(self, name: str) -> Collection:
        return self._collections[name]

    def empty_like(self) -> Store:
        """A new, empty store with the same collections (to fill apart from the live one)."""
        return Store(self._layout, self._unique,
                     None if self.journal is None else Journal())

    def journaled(self) -> Store:
        """This store, noting its changes from now on (a state file keeps its durable copy)."""
        self.journal = Journal()
        for coll in self._collections.values():
            coll.journal = self.journal
        return self

    def names(self) -> Iterable[str]:
        """The collection names."""
        return self._collections.keys()

    def reset(self, data: Mapping[str, Iterable[Item]]) -> None:
        """Replace the whole state with data (collection name → items); unknown names fail."""
        unknown = set(data) - set(self._collections)
        if unknown:
            raise KeyError(f"unknown collections {sorted(unknown)}; known: {sorted(self._layout)}")
        for coll in self._collections.values():
            coll.clear()
        if self.journal is not None:
            self.journal.rewrite()
        for name, items in data.items():
            for item in items:
                self._collections[name].put(copy.deepcopy(item))

    def snapshot(self) -> dict[str, Any]:
        """The whole state as JSON-able data; restore(snapshot()) gives the same state."""
        return {"collections": {n: c.dump() for n, c in self._collections.items()}}

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Replace the state with a snapshot made by snapshot()."""
        self.reset(snapshot.get("collections", {}))
