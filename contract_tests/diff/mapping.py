"""Values that differ between the two sides by nature (ids, tokens), mapped by their origin.

A value is mapped left -> right by where it came from: a persona's facts (the same role on
both sides), or the step whose answers carried it (the left id of step 7 is the right id of
step 7). Requests for the right side are the left requests with every mapped value replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

# Keys whose values are server-chosen references (ids, URLs, cursors): learned, never compared.
ID_KEY = re.compile(r"(^|_)(id|ids|url|uri|token|cursor|after)$|^next_page_after$", re.I)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# Keys of server-chosen moments (ISO strings or epoch numbers): compared by type only.
TIME_KEY = re.compile(r"(^|_)(at|on|time|timestamp|date|expires|expiry)$", re.I)


@dataclass(frozen=True)
class Origin:
    """Where a mapped value came from: a persona fact (step 0) or a step's answers."""

    step: int
    label: str
    created: bool = False  # made by the scenario (a create step), not found in the data


class IdMap:
    """A one-to-one map of left values to right values, each with its origin."""

    def __init__(self) -> None:
        self._right: dict[str, str] = {}
        self._left: dict[str, str] = {}
        self.origins: dict[str, Origin] = {}

    def add(self, left: str, right: str, origin: Origin) -> bool:
        """Map left to right unless either is mapped already; whether it was added."""
        if left in self._right or right in self._left or not left or not right:
            return False
        self._right[left], self._left[right] = right, left
        self.origins[left] = origin
        return True

    def right_of(self, left: str) -> str | None:
        """The right value of a mapped left value."""
        return self._right.get(left)

    def left_of(self, right: str) -> str | None:
        """The left value of a mapped right value."""
        return self._left.get(right)

    def created(self, left: str) -> bool:
        """Whether a left value is an id the scenario created."""
        origin = self.origins.get(left)
        return origin is not None and origin.created

    def trusted(self, left: str) -> bool:
        """Whether a mapping is evidence for comparisons: a persona fact or a made item (not a
        pairing of two data sets' items that merely sat at the same place of a list)."""
        origin = self.origins.get(left)
        return origin is not None and (origin.step == 0 or origin.created)

    def __len__(self) -> int:
        return len(self._right)

    def translate(self, value: Any) -> Any:
        """A JSON value with every mapped string (and path segment) replaced."""
        if isinstance(value, str):
            return self.translate_text(value)
        if isinstance(value, list):
            return [self.translate(v) for v in value]
        if isinstance(value, dict):
            return {k: self.translate(v) for k, v in value.items()}
        return value

    def translate_text(self, text: str) -> str:
        """A string mapped as a whole, else segment by segment when it is a path."""
        whole = self._right.get(text)
        if whole is not None:
            return whole
        if "/" not in text:
            return text
        return "/".join(quote(self._right.get(unquote(s), unquote(s)), safe="")
                        if s and unquote(s) in self._right else s for s in text.split("/"))

    def learn(self, left: Any, right: Any, origin: Origin, known: frozenset[str]) -> int:
        """Map server-chosen values found at the same places of two answers; how many."""
        added = 0
        for key, lval, rval in parallel_leaves(left, right):
            # Equal references are mapped too: they still record the step that made them.
            if (isinstance(lval, str) and isinstance(rval, str) and lval not in known
                    and is_reference(key, lval)):
                added += self.add(lval, rval, origin)
        return added

    def uses(self, values: frozenset[str]) -> list[int]:
        """The steps (not persona facts) whose values a request uses, in order."""
        return sorted({o.step for v in values if (o := self.origins.get(v)) and o.step > 0})


def is_reference(key: str, value: str) -> bool:
    """Whether a value is a server-chosen reference: an id-like key or a UUID, no timestamp."""
    return not DATETIME.match(value) and (bool(ID_KEY.search(key)) or bool(UUID.match(value)))


def parallel_leaves(left: Any, right: Any, key: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(nearest key, left leaf, right leaf) at the places both values have."""
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        for k in left:
            if k in right:
                yield from parallel_leaves(left[k], right[k], str(k))
    elif isinstance(left, list) and isinstance(right, list):
        for lv, rv in zip(left, right, strict=False):
            yield from parallel_leaves(lv, rv, key)
    else:
        yield key, left, right


def strings_in(value: Any) -> frozenset[str]:
    """Every string leaf of a JSON value (the values a request determined)."""
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, Mapping):
        return frozenset().union(*(strings_in(v) for v in value.values()))
    if isinstance(value, list):
        return frozenset().union(*(strings_in(v) for v in value))
    return frozenset()
