"""Pagination checks over complete walks of a list (see contract_tests.walks)."""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import Any

from contract_tests.checks.base import check
from contract_tests.checks.errors import require_error
from contract_tests.failures import fail
from contract_tests.target import Exchange
from contract_tests.walks import Walk
from orgkit.model import Operation, OrderRule, PagingStyle
from orgkit.specs import LoadedApi

FAMILY = "pagination"


def whole(walk: Walk) -> None:
    """CheckFailure when the walk broke off on an error answer or a malformed body."""
    if walk.problem:
        raise fail(f"{walk.describe()}: {walk.problem}", "200 with the list on every page",
                   walk.last)


@check("page_size_respected", FAMILY,
       "No page holds more than per_page items, every page but the last is full, and a page "
       "walk ends with a short page")
def page_size_respected(walk: Walk) -> None:
    """Page sizes of one walk."""
    whole(walk)
    for page in walk.pages:
        if len(page.items) > walk.per_page:
            raise fail(f"{walk.describe()}: page {page.number} has {len(page.items)} items",
                       f"at most {walk.per_page} items", page.exchange)
    for page in walk.pages[:-1]:
        if len(page.items) != walk.per_page:
            raise fail(f"{walk.describe()}: page {page.number} has {len(page.items)} items but "
                       "is not the last", f"{walk.per_page} items on every page but the last",
                       page.exchange)
    if walk.style is PagingStyle.PAGE and not walk.ended:
        raise fail(f"{walk.describe()}: no short page after {len(walk.pages)} pages",
                   "a page with fewer than per_page items ends the list", walk.last)


@check("pages_are_disjoint", FAMILY, "No item appears on two pages of one walk")
def pages_are_disjoint(walk: Walk, id_field: str) -> None:
    """Duplicates across the pages of one walk."""
    whole(walk)
    twice = sorted(i for i, n in Counter(walk.ids(id_field)).items() if n > 1)
    if twice:
        raise fail(f"{walk.describe()}: {len(twice)} item(s) appear on more than one page, "
                   f"e.g. {id_field} {twice[0]!r}", "every item on exactly one page", walk.last)


@check("pages_cover_collection", FAMILY,
       "Walking the pages (and the cursors) yields exactly the items listed at per_page=max")
def pages_cover_collection(walk: Walk, id_field: str, reference: Sequence[str]) -> None:
    """One walk against the collection as seen with the largest page."""
    whole(walk)
    got, want = walk.ids(id_field), list(reference)
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    if missing or extra or len(got) != len(want):
        detail = "; ".join(part for part in (
            f"missing {len(missing)}, e.g. {missing[0]!r}" if missing else "",
            f"unexpected {len(extra)}, e.g. {extra[0]!r}" if extra else "",
            f"{len(got)} items walked" if not (missing or extra) else "") if part)
        raise fail(f"{walk.describe()}: {detail}",
                   f"the {len(want)} items listed with per_page=max", walk.last)


@check("cursor_chain_terminates", FAMILY,
       "Following next cursors ends with a null cursor within total/per_page+2 requests and "
       "never hands out the same cursor twice")
def cursor_chain_terminates(walk: Walk) -> None:
    """The cursor chain of one cursor walk."""
    whole(walk)
    if walk.repeated is not None:
        raise fail(f"{walk.describe()}: the cursor {walk.repeated!r} came back twice",
                   "a new cursor on every page", walk.last)
    if not walk.ended:
        raise fail(f"{walk.describe()}: still a next cursor after {len(walk.pages)} pages",
                   "a null next cursor on the last page", walk.last)


@check("order_respected", FAMILY,
       "Items come sorted by the rule's order key in the requested direction, for every key the "
       "rule offers; collation and where missing values go follow the rule (inferred parts: "
       "advisory)")
def order_respected(walk: Walk, rule: OrderRule) -> None:
    """The order of the items of one walk."""
    whole(walk)
    values = [item.get(walk.order.key) for item in walk.items()]
    found = order_problem(values, desc=walk.order.direction == "desc", rule=rule)
    if found is not None:
        index, problem, part = found
        raise fail(f"{walk.describe()}: {problem}", f"{walk.order.describe()} ({rule_text(rule)})",
                   _page_of(walk, index), advisory=part in rule.inferred)


def rule_text(rule: OrderRule) -> str:
    """`collation any, nulls either` for messages."""
    return f"collation {rule.collation}, nulls {rule.nulls}"


def order_problem(values: Sequence[Any], *, desc: bool,
                  rule: OrderRule) -> tuple[int, str, str] | None:
    """(item index, what is wrong, the rule part it breaks: key / collation / nulls), or None.

    The key part breaks when no collation at all explains the order (compared at primary
    strength: accents, case and punctuation ignored); the collation part when only a
    collation the rule does not name does.
    """
    nulls = [i for i, v in enumerate(values) if v is None]
    valued = [i for i, v in enumerate(values) if v is not None]
    present = [values[i] for i in valued]
    misplaced = nulls_problem(nulls, len(values), rule.nulls)
    if misplaced is not None:
        return (misplaced, f"item {misplaced + 1} has no value, which rule nulls "
                f"{rule.nulls} does not place there", "nulls")
    keys = collations(present, rule.collation)
    if any(first_break(k, desc) is None for k in keys):
        return None
    broken = first_break(primary(present), desc)
    part = "key" if broken is not None else "collation"
    where = broken if broken is not None else first_break(keys[0], desc)
    assert where is not None  # every accepted collation broke somewhere
    why = "" if part == "key" else f" (not sorted by collation {rule.collation})"
    return (valued[where], f"item {valued[where] + 1} has {present[where]!r} after "
            f"{present[where - 1]!r}{why}", part)


def nulls_problem(nulls: Sequence[int], count: int, placement: str) -> int | None:
    """The index of a missing value out of place (a block at the start or end), or None."""
    if not nulls:
        return None
    first = list(range(len(nulls))) == list(nulls)
    last = list(range(count - len(nulls), count)) == list(nulls)
    ok = {"either": first or last, "first": first, "last": last}[placement]
    return None if ok else nulls[0]


def collations(values: Sequence[Any], collation: str) -> list[list[Any]]:
    """The values as sort keys under each collation the rule accepts."""
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return [list(values)]
    text = [str(v) for v in values]
    folded = [t.casefold() for t in text]
    return {"binary": [text], "case-insensitive": [folded]}.get(collation, [text, folded])


def primary(values: Sequence[Any]) -> list[Any]:
    """Sort keys at primary strength: accents, case and punctuation do not count."""
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return list(values)
    return ["".join(c for c in unicodedata.normalize("NFKD", str(v)).casefold() if c.isalnum())
            for v in values]


def first_break(keys: Sequence[Any], desc: bool) -> int | None:
    """The first index whose key is out of order (ties allowed), or None."""
    for i in range(1, len(keys)):
        if (keys[i] > keys[i - 1]) if desc else (keys[i] < keys[i - 1]):
            return i
    return None


def _page_of(walk: Walk, index: int) -> Exchange | None:
    for page in walk.pages:
        if index < len(page.items):
            return page.exchange
        index -= len(page.items)
    return walk.last


@check("meta_totals_agree", FAMILY,
       "meta.total_count is the number of items walked, total_pages is ceil(total/per_page), "
       "per_page echoes the request and page is the page number asked for; page is null after "
       "a cursor and null or 1 on a first page that names neither (inferred: advisory)")
def meta_totals_agree(walk: Walk, total: int) -> None:
    """The meta object of every page of one walk."""
    whole(walk)
    pages = math.ceil(total / walk.per_page)
    for page in walk.pages:
        want = {"total_count": total, "total_pages": pages, "per_page": walk.per_page}
        got = {k: (page.meta or {}).get(k, "(absent)") for k in (*want, "page")}
        wrong = [f"{k} {got[k]!r}" for k in want if got[k] != want[k]]
        pages_ok, page_inferred = page_numbers(walk, page.number)
        if page.meta is None or wrong:
            raise fail(f"{walk.describe()}: page {page.number} meta has "
                       f"{', '.join(wrong) or 'no object'}",
                       ", ".join(f"{k} {v!r}" for k, v in want.items()), page.exchange)
        if got["page"] not in pages_ok:
            raise fail(f"{walk.describe()}: page {page.number} meta has page {got['page']!r}",
                       f"page {' or '.join(map(repr, pages_ok))}", page.exchange,
                       advisory=page_inferred)


def page_numbers(walk: Walk, number: int) -> tuple[list[int | None], bool]:
    """The meta.page values a page of a walk may carry, and whether that is our inference.

    Page style: the number asked for (stated by the page parameter). A cursor walk's first
    request names neither page nor cursor: the seed does not say which mode that is, so null
    and 1 both conform; later cursor pages: null ("null in cursor mode" is inferred).
    """
    if walk.style is PagingStyle.PAGE:
        return [number], False
    return ([None, 1] if number == 1 else [None]), True


@check("combined_paging_rejected", FAMILY,
       "Sending both exclusive paging parameters (page and a cursor) is a 400 in the error shape")
def combined_paging_rejected(api: LoadedApi, op: Operation, exchange: Exchange) -> None:
    """The answer to a request with every exclusive parameter."""
    require_error(api, op, exchange, statuses=[400])


@check("bad_paging_rejected", FAMILY,
       "per_page 0, per_page max+1, a non-number per_page, page 0 and a malformed cursor are "
       "each a 400 in the error shape")
def bad_paging_rejected(api: LoadedApi, op: Operation, label: str, exchange: Exchange) -> None:
    """The answer to one bad paging parameter."""
    try:
        require_error(api, op, exchange, statuses=[400])
    except AssertionError as failure:
        message = getattr(failure, "message", str(failure))
        raise fail(f"{label}: {message}", getattr(failure, "expected", "400"),
                   exchange) from None
