"""A read-only view of the mock's state for people: counts per collection and paged items."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from mockserver.engine import ApiRuntime
from orgkit.errors import ConfigError, NotFound

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20


@dataclass(frozen=True)
class PageAsk:
    """Which page of a collection is wanted (1-based)."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


def counts(runtimes: Mapping[str, ApiRuntime]) -> dict[str, dict[str, int]]:
    """How many items each collection of each API holds."""
    return {api: {name: len(rt.store[name]) for name in rt.store.names()}
            for api, rt in runtimes.items()}


def page_ask(query: Mapping[str, str]) -> PageAsk:
    """The checked ?page=&per_page= of a state request; ConfigError says what is wrong."""
    page = _whole(query, "page", 1, 1, 10**9)
    per_page = _whole(query, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    return PageAsk(page, per_page)


def _whole(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, got {raw!r:.40}")
    return int(raw)


def page_of(runtimes: Mapping[str, ApiRuntime], api: str, collection: str,
            ask: PageAsk) -> dict[str, Any]:
    """One page of a collection in insertion order, without the mock's private `_` fields."""
    runtime = runtimes.get(api)
    if runtime is None:
        raise NotFound(f"no API {api!r}; the mock serves {sorted(runtimes)}")
    if collection not in runtime.store.names():
        raise NotFound(f"no collection {collection!r} in {api}; it has "
                       f"{sorted(runtime.store.names())}")
    items = runtime.store[collection]
    start = (ask.page - 1) * ask.per_page
    shown = [_public(item) for item in islice(items.values(), start, start + ask.per_page)]
    return {"api": api, "collection": collection, "page": ask.page, "per_page": ask.per_page,
            "total": len(items), "items": shown}


def _public(item: Mapping[str, Any]) -> dict[str, Any]:
    # Private fields hold derived keys, blob bytes and secrets: the snapshot has them all.
    return {k: copy.deepcopy(v) for k, v in item.items() if not k.startswith("_")}
