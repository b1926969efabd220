"""Comparing the two sides' answers to one step, through the id map (pure functions).

Values the request determined (names echoed back) and, for resources the scenario made, every
value that is not server-chosen are compared exactly; server-chosen values (ids, URLs, cursors,
timestamps) only by type and through the id map; data the scenario did not make (the two sides'
own fixtures) only by the fields and types they show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contract_tests.diff.mapping import TIME_KEY, IdMap, is_reference
from contract_tests.target import Exchange
from contract_tests.walks import Walk
from orgkit.pagination import sort_value

WORD = re.compile(r"[A-Za-z_]{1,40}")


@dataclass(frozen=True)
class Difference:
    """One way the two answers differ: which aspect, where, and each side's value."""

    aspect: str  # status | content_type | allow | fields | type | value | membership | order
    #              | total | termination | walk | checks
    where: str
    left: str
    right: str


@dataclass(frozen=True)
class Lens:
    """How to look at one step's answers."""

    ids: IdMap
    echoed: frozenset[str] = frozenset()  # strings the request carried
    scenario: bool = False  # the answer describes something the scenario made or changed
    membership: bool = True  # compare which made items lists hold (not for single pages)
    id_field: str = "id"
    status_field: str | None = None  # the error shape's field that must equal the status


def kind(value: Any) -> str:
    """The JSON type name of a value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object" if isinstance(value, dict) else "other"


def compare_exchanges(left: Exchange, right: Exchange, lens: Lens) -> list[Difference]:
    """The differences between two answers to the same request."""
    if left.status != right.status:
        return [Difference("status", "status", str(left.status), str(right.status))]
    found = []
    if left.content_type != right.content_type:
        found.append(Difference("content_type", "Content-Type", left.content_type,
                                right.content_type))
    if left.status == 405:
        found += compare_allow(left, right)
    if left.status >= 400:  # the message texts are free: compare the envelope's structure
        found += compare_status_field(left, right, lens.status_field)
        lens = Lens(lens.ids, frozenset(), False, False, lens.id_field)
    return found + compare_values(left.json(), right.json(), "", lens)


def compare_status_field(left: Exchange, right: Exchange, field: str | None) -> list[Difference]:
    """Whether each error body's status field states its HTTP status."""
    if field is None:
        return []
    values = [_field(e, field) for e in (left, right)]
    agree = [v == e.status for v, e in zip(values, (left, right), strict=True)]
    if agree[0] == agree[1]:
        return []
    return [Difference("status_field", field, repr(values[0]), repr(values[1]))]


def _field(exchange: Exchange, field: str) -> Any:
    body = exchange.json()
    return body.get(field) if isinstance(body, dict) else None


def allow_of(exchange: Exchange) -> frozenset[str]:
    """The methods of an Allow header."""
    text = next((v for k, v in exchange.response_headers.items() if k.lower() == "allow"), "")
    return frozenset(m.strip().upper() for m in text.split(",") if m.strip())


def compare_allow(left: Exchange, right: Exchange) -> list[Difference]:
    """The Allow headers of two 405 answers, as sets."""
    la, ra = allow_of(left), allow_of(right)
    if la == ra:
        return []
    return [Difference("allow", "Allow", ", ".join(sorted(la)), ", ".join(sorted(ra)))]


def compare_values(left: Any, right: Any, where: str, lens: Lens,
                   key: str = "") -> list[Difference]:
    """The differences between two JSON values at the same place."""
    lk, rk = kind(left), kind(right)
    if lk != rk:
        if "null" in (lk, rk) and not lens.scenario and not _echoed(left, lens):
            return []  # optional data of two different data sets
        return [Difference("type", where or "(body)", lk, rk)]
    if lk == "object":
        return _objects(left, right, where, lens)
    if lk == "array":
        return _arrays(left, right, where, lens, key)
    return _scalars(left, right, where, lens, key)


def _echoed(value: Any, lens: Lens) -> bool:
    return isinstance(value, str) and value in lens.echoed


def _objects(left: Mapping[str, Any], right: Mapping[str, Any], where: str,
             lens: Lens) -> list[Difference]:
    found = []
    only_left, only_right = sorted(set(left) - set(right)), sorted(set(right) - set(left))
    if only_left or only_right:
        found.append(Difference("fields", where or "(body)", ", ".join(only_left) or "-",
                                ", ".join(only_right) or "-"))
    for k in left:
        if k in right:
            found += compare_values(left[k], right[k], f"{where}/{k}", lens, str(k))
    return found


def _arrays(left: Sequence[Any], right: Sequence[Any], where: str, lens: Lens,
            key: str) -> list[Difference]:
    if _keyed(left, lens.id_field) or _keyed(right, lens.id_field):
        return _items(left, right, where, lens)
    known = lens.scenario or all(isinstance(v, str) and v in lens.echoed for v in left)
    if known and all(isinstance(v, str) and (v in lens.echoed or lens.ids.right_of(v))
                     for v in left):
        want = sorted(lens.ids.translate_text(v) for v in left)
        if want != sorted(str(v) for v in right):
            return [Difference("value", where, repr(want), repr(sorted(map(str, right))))]
        return []
    if len(left) == len(right) and lens.scenario:
        return [d for i, (lv, rv) in enumerate(zip(left, right, strict=True))
                for d in compare_values(lv, rv, f"{where}/{i}", lens, key)]
    return []


def _keyed(items: Sequence[Any], id_field: str) -> bool:
    return bool(items) and all(isinstance(i, Mapping) and id_field in i for i in items)


def _items(left: Sequence[Any], right: Sequence[Any], where: str,
           lens: Lens) -> list[Difference]:
    """Lists of identified items: made items paired through the map, membership, order."""
    field = lens.id_field
    right_by_id = {str(i.get(field)): i for i in right if isinstance(i, Mapping)}
    found = []
    for item in left:
        if not isinstance(item, Mapping):
            continue
        left_id = str(item.get(field))
        mapped = lens.ids.right_of(left_id)
        # Only made items pair up: the two sides' own data share no content.
        if mapped is not None and mapped in right_by_id and lens.ids.created(left_id):
            sub = Lens(lens.ids, lens.echoed, True, lens.membership, field, lens.status_field)
            found += compare_values(item, right_by_id[mapped], f"{where}[{field}={mapped}]", sub)
    if lens.membership:
        found += membership(made_ids(left, field, lens.ids), made_ids_right(right, field, lens.ids),
                            where)
    return found


def made_ids(items: Sequence[Any], field: str, ids: IdMap) -> list[str]:
    """The left ids of items the scenario made, in list order."""
    return [str(i.get(field)) for i in items
            if isinstance(i, Mapping) and ids.created(str(i.get(field)))]


def made_ids_right(items: Sequence[Any], field: str, ids: IdMap) -> list[str]:
    """The right items the scenario made, as left ids, in list order."""
    lefts = [ids.left_of(str(i.get(field))) for i in items if isinstance(i, Mapping)]
    return [v for v in lefts if v is not None and ids.created(v)]


def membership(left: list[str], right: list[str], where: str) -> list[Difference]:
    """Which made items each side lists, then their relative order."""
    if set(left) != set(right):
        return [Difference("membership", where, ", ".join(sorted(set(left) - set(right))) or "-",
                           ", ".join(sorted(set(right) - set(left))) or "-")]
    if left != right:
        return [Difference("order", where, ", ".join(left), ", ".join(right))]
    return []


def _scalars(left: Any, right: Any, where: str, lens: Lens, key: str) -> list[Difference]:
    if isinstance(left, str):
        ids = lens.ids
        mapped = ids.right_of(left)
        if mapped is not None:  # a pairing of two data sets' items is evidence only if echoed
            evidence = right != mapped and (ids.trusted(left) or left in lens.echoed)
            return [Difference("value", where, left, str(right))] if evidence else []
        other = ids.left_of(str(right))
        if other is not None and ids.trusted(other):
            return [Difference("value", where, left, str(right))]
        # A made item's words (statuses, kinds) follow from the scenario; other strings
        # (generated domains, timestamps, references) are the server's choice.
        word = bool(WORD.fullmatch(left)) and not is_reference(key, left)
        exact = left in lens.echoed or (lens.scenario and word)
        return [Difference("value", where, left, str(right))] if exact and left != right else []
    if lens.scenario and left != right and not TIME_KEY.search(key):
        return [Difference("value", where, repr(left), repr(right))]
    return []


def compare_walks(left: Walk, right: Walk, lens: Lens) -> list[Difference]:
    """Two walks of the same list: how they ended, totals, the made items and their order."""
    where = left.describe()
    if bool(left.problem) != bool(right.problem):
        return [Difference("walk", where, left.problem or "complete", right.problem or "complete")]
    found = []
    if left.ended != right.ended or left.repeated != right.repeated:
        found.append(Difference("termination", where, _end(left), _end(right)))
    left_ids = made_ids(left.items(), lens.id_field, lens.ids)
    right_ids = made_ids_right(right.items(), lens.id_field, lens.ids)
    # Totals count each side's own data too; only a list the scenario made whole is evidence
    # (each side's totals are judged against its own walk by meta_totals_agree).
    if len(left_ids) == len(left.items()) and len(right_ids) == len(right.items()):
        found += _totals(left, right, where)
    if set(left_ids) != set(right_ids):
        return [*found, *membership(left_ids, right_ids, where)]
    keys = (_keys(left, lens, left_ids, False), _keys(right, lens, right_ids, True))
    inverted = inversion(left_ids, right_ids, keys[0], keys[1])
    if inverted:
        found.append(Difference("order", where, " before ".join(inverted),
                                " before ".join(reversed(inverted))))
    return found


def _keys(walk: Walk, lens: Lens, made: list[str], right: bool) -> dict[str, Any]:
    """Left id -> the walk's order key value of that item (ties leave order open)."""
    found = {}
    for item in walk.items():
        item_id = str(item.get(lens.id_field))
        left_id = lens.ids.left_of(item_id) if right else item_id
        if left_id in made:
            found[left_id] = sort_value(item.get(walk.order.key))
    return found


def inversion(left: list[str], right: list[str], left_keys: Mapping[str, Any],
              right_keys: Mapping[str, Any]) -> tuple[str, str] | None:
    """Two items both sides order strictly (different keys), but in opposite order."""
    at = {v: i for i, v in enumerate(right)}
    for i, a in enumerate(left):
        for b in left[i + 1:]:
            strict = left_keys.get(a) != left_keys.get(b) and right_keys.get(a) != right_keys.get(b)
            if strict and at[a] > at[b]:
                return a, b
    return None


def _totals(left: Walk, right: Walk, where: str) -> list[Difference]:
    """Differences of meta totals and of the number of items walked."""
    found = []
    lt, rt = _total(left), _total(right)
    if lt != rt:
        found.append(Difference("total", where, str(lt), str(rt)))
    if len(left.items()) != len(right.items()) and left.ended and right.ended:
        found.append(Difference("total", f"{where}: items walked", str(len(left.items())),
                                str(len(right.items()))))
    return found


def _end(walk: Walk) -> str:
    if walk.repeated:
        return f"cursor {walk.repeated!r} repeated"
    return "ended" if walk.ended else f"still going after {len(walk.pages)} pages"


def _total(walk: Walk) -> Any:
    meta = walk.pages[0].meta if walk.pages else None
    return None if meta is None else meta.get("total_count")
