"""Page- and cursor-based pagination over a sorted index, as pure functions."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from orgkit.errors import InvalidInput
from orgkit.model import PaginationRule, PagingStyle

# A sort entry: (normalised sort value, item id). Ids break ties so the order is total.
Entry = tuple[tuple[int, str], str]


class SortedEntries(Protocol):
    """A sequence of entries sorted ascending that can be bisected (e.g. a SortedList)."""

    def __len__(self) -> int: ...
    def __getitem__(self, index: int) -> Entry: ...
    def bisect_left(self, value: Entry) -> int: ...
    def bisect_right(self, value: Entry) -> int: ...
    def islice(self, start: int, stop: int, reverse: bool = False) -> Iterator[Entry]: ...


def sort_value(value: Any) -> tuple[int, str]:
    """Normalise a field value for ordering: case-insensitive, missing values last."""
    if value is None:
        return (1, "")
    return (0, str(value).casefold())


@dataclass(frozen=True)
class Cursor:
    """Where a cursor page continues: after `entry`, in `direction`, ordered by `key`."""

    entry: Entry
    direction: str
    key: str

    def encode(self) -> str:
        """An opaque, URL-safe token."""
        raw = json.dumps([list(self.entry[0]), self.entry[1], self.direction, self.key])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, param: str) -> Cursor:
        """Parse a token made by encode(); InvalidInput names the parameter otherwise."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            (flag, text), item_id, direction, key = json.loads(raw)
            if not (isinstance(flag, int) and isinstance(text, str) and isinstance(item_id, str)
                    and direction in ("asc", "desc") and isinstance(key, str)):
                raise ValueError(token)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise InvalidInput(
                f"{param}={token!r} is not a cursor issued by this API; "
                f"send the {param} value of a previous response"
            ) from None
        return cls(((flag, text), item_id), direction, key)


@dataclass(frozen=True)
class PageRequest:
    """A validated paging request."""

    style: PagingStyle
    per_page: int
    page: int
    cursor: Cursor | None
    direction: str
    order_key: str


@dataclass(frozen=True)
class Page:
    """The entries of one page plus what the response reports about it."""

    entries: tuple[Entry, ...]
    next_cursor: str | None
    meta: dict[str, Any]


def parse_request(rule: PaginationRule, params: Mapping[str, Any]) -> PageRequest:
    """Validate paging parameters against the rule; InvalidInput says what was wrong."""
    present = [name for name in rule.exclusive if params.get(name) is not None]
    if len(present) > 1:
        got = " and ".join(f"{n}={params[n]!r}" for n in present)
        raise InvalidInput(f"{' and '.join(present)} cannot be combined: got {got}; use "
                           f"{present[0]} for page-based or {present[1]} for cursor-based paging")
    per_page = _int_param(params, rule.per_page_param, rule.default_per_page, 1, rule.max_per_page)
    page = _int_param(params, rule.page_param, 1, 1, None)
    order_key = _order_key(rule, params)
    direction = rule.order.direction(_str(params, rule.order_param)) if rule.order else "asc"
    token = _str(params, rule.cursor_param)
    if token is not None and PagingStyle.CURSOR in rule.styles:
        cursor = Cursor.decode(token, rule.cursor_param or "cursor")
        if (cursor.direction, cursor.key) != (direction, order_key):
            raise InvalidInput(f"{rule.cursor_param} was issued for order {cursor.direction} by "
                               f"{cursor.key}, got order {direction} by {order_key}")
        return PageRequest(PagingStyle.CURSOR, per_page, 1, cursor, direction, order_key)
    return PageRequest(PagingStyle.PAGE, per_page, page, None, direction, order_key)


def _str(params: Mapping[str, Any], name: str | None) -> str | None:
    value = params.get(name) if name else None
    return None if value is None else str(value)


def _int_param(
    params: Mapping[str, Any], name: str | None, default: int, low: int, high: int | None
) -> int:
    raw = params.get(name) if name else None
    if raw is None:
        return default
    try:
        value = int(raw)
        if isinstance(raw, bool) or str(value) != str(raw).strip():
            raise ValueError(raw)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be a whole number, got {raw!r}") from None
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidInput(f"{name} must be {bounds}, got {value}")
    return value


def _order_key(rule: PaginationRule, params: Mapping[str, Any]) -> str:
    if rule.order is None:
        return "id"
    by = _str(params, rule.order.by)
    if by is None:
        return rule.order.key
    if by not in rule.order.keys:
        raise InvalidInput(f"{rule.order.by} must be one of {list(rule.order.keys)}, got {by!r}")
    return by


def select(entries: SortedEntries, request: PageRequest) -> Page:
    """Cut one page out of ascending entries: O(log n + per_page), never a sort."""
    total = len(entries)
    if request.cursor is not None:
        positions = _after_cursor(entries, request.cursor, request.per_page)
    else:
        start = (request.page - 1) * request.per_page
        positions = range(start, min(start + request.per_page, total))
    picked = _picked(entries, positions, total, request.direction)
    more = bool(positions) and positions[-1] + 1 < total
    next_cursor = (Cursor(picked[-1], request.direction, request.order_key).encode()
                   if picked and more else None)
    meta = {
        "total_count": total,
        "per_page": request.per_page,
        "page": request.page if request.style is PagingStyle.PAGE else None,
        "total_pages": math.ceil(total / request.per_page),
    }
    return Page(picked, next_cursor, meta)


def _picked(entries: SortedEntries, positions: range, total: int,
            direction: str) -> tuple[Entry, ...]:
    """The entries at logical positions, as one slice (not one O(log n) lookup each)."""
    if not positions:
        return ()
    if direction == "desc":
        return tuple(entries.islice(total - positions[-1] - 1, total - positions[0], True))
    return tuple(entries.islice(positions[0], positions[-1] + 1))


def _after_cursor(entries: SortedEntries, cursor: Cursor, per_page: int) -> range:
    """Logical positions (in the requested direction) of the page after the cursor."""
    total = len(entries)
    if cursor.direction == "desc":
        start = total - entries.bisect_left(cursor.entry)
    else:
        start = entries.bisect_right(cursor.entry)
    return range(start, min(start + per_page, total))


class SortedListView:
    """Adapts a plain ascending list of entries to SortedEntries (tests, small lists)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._entries = list(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> Entry:
        return self._entries[index]

    def islice(self, start: int, stop: int, reverse: bool = False) -> Iterator[Entry]:
        """The entries from start to stop (reversed if asked), as SortedList.islice."""
        part = self._entries[start:stop]
        return reversed(part) if reverse else iter(part)

    def bisect_left(self, value: Entry) -> int:
        """Index of the first entry >= value."""
        import bisect

        return bisect.bisect_left(self._entries, value)

    def bisect_right(self, value: Entry) -> int:
        """Index of the first entry > value."""
        import bisect

        return bisect.bisect_right(self._entries, value)
