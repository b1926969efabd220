"""Page and cursor pagination with our own choices: nulls sort first, ties by id descending,
cursors are opaque base64 positions, and `meta.page` is null unless `page` was sent."""

from __future__ import annotations

import base64
import binascii
import json
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .inputs import query_choice, query_int
from .problems import Problem

Position = tuple[int, str, tuple[int, ...]]
DEFAULT_PER_PAGE, MAX_PER_PAGE = 20, 100


@dataclass(frozen=True)
class Ordering:
    """How one list sorts: the key field, and the deployment's switches (`page-size-ignored`
    plants a bug; `case-sensitive` and `page-mode-without-cursor` are allowed variants)."""

    key: str
    switches: frozenset[str] = frozenset()

    def position(self, item: Mapping[str, Any]) -> Position:
        """The item's place in ascending order: nulls first, then the text, then id descending."""
        value = item.get(self.key)
        present = 0 if value is None else 1
        return (1 - present if "nulls-last" in self.switches else present,
                collate(value, self.switches),
                tuple(-ord(c) for c in item["id"]))


def collate(value: Any, switches: frozenset[str] = frozenset()) -> str:
    """The sort text: casefolded (default), as is (`case-sensitive`) or also without accents
    (`accent-insensitive`, as a dictionary orders Élodie between Dana and Farid)."""
    if not isinstance(value, str):
        return ""
    text: str = value
    if "case-sensitive" in switches:
        return text
    if "accent-insensitive" in switches:
        text = "".join(c for c in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(c))
    return text.casefold()


def encode_cursor(pos: Position) -> str:
    """An opaque cursor for a position."""
    flag, folded, inverted = pos
    raw = json.dumps([flag, folded, "".join(chr(-n) for n in inverted)]).encode()
    return "pos." + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    """The position a cursor names; 400 for anything this API did not issue."""
    try:
        if not cursor.startswith("pos."):
            raise ValueError(cursor)
        text = cursor[4:]
        flag, folded, ident = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if flag not in (0, 1) or not isinstance(folded, str) or not isinstance(ident, str):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise Problem(400, "The next_page_after value was not issued by this API.",
                      parameter="next_page_after") from None
    return (flag, folded, tuple(-ord(c) for c in ident))


def paginate(items: Sequence[Mapping[str, Any]], query: Mapping[str, str], field: str,
             ordering: Ordering) -> dict[str, Any]:
    """One page of `items` as `{field, meta, next_page_after}`."""
    per_page = query_int(query, "per_page", 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE
    page = query_int(query, "page", 1, None)
    descending = query_choice(query, "order", ("asc", "desc"), "asc") == "desc"
    cursor = query.get("next_page_after")
    if page is not None and cursor is not None:
        raise Problem(400, "Use either page or next_page_after, never both.")
    ranked = sorted(items, key=ordering.position, reverse=descending)
    start = (page - 1) * per_page if page is not None else 0
    if cursor is not None:
        after = decode_cursor(cursor)
        start = next((i for i, item in enumerate(ranked)
                      if (ordering.position(item) < after) == descending
                      and ordering.position(item) != after), len(ranked))
    end = len(ranked) if "page-size-ignored" in ordering.switches else start + per_page
    chunk = ranked[start:end]
    more = end < len(ranked) and bool(chunk) and not (
        page is not None and "page-mode-without-cursor" in ordering.switches)
    return {field: list(chunk),
            "meta": {"total_count": len(ranked), "per_page": per_page, "page": page,
                     "total_pages": math.ceil(len(ranked) / per_page)},
            "next_page_after": encode_cursor(ordering.position(chunk[-1])) if more else None}
