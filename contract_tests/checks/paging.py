"""Pagination checks over complete walks of a list (see contract_tests.walks)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from contract_tests.checks.base import check
from contract_tests.checks.errors import require_error
from contract_tests.suite import fail
from contract_tests.target import Exchange
from contract_tests.walks import Walk
from orgkit.model import Operation, PagingStyle
from orgkit.pagination import sort_value
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
       "Items come sorted by the rule's order key (case-insensitive, missing values last) in "
       "the requested direction, for every key the rule offers")
def order_respected(walk: Walk) -> None:
    """The order of the items of one walk."""
    whole(walk)
    key, desc = walk.order.key, walk.order.direction == "desc"
    values = [sort_value(item.get(key)) for item in walk.items()]
    for i in range(1, len(values)):
        before, after = values[i - 1], values[i]
        if (after > before) if desc else (after < before):
            raise fail(f"{walk.describe()}: item {i + 1} has {key} {after[1]!r} after "
                       f"{before[1]!r}", f"{walk.order.describe()}", _page_of(walk, i))


def _page_of(walk: Walk, index: int) -> Exchange | None:
    for page in walk.pages:
        if index < len(page.items):
            return page.exchange
        index -= len(page.items)
    return walk.last


@check("meta_totals_agree", FAMILY,
       "meta.total_count is the number of items walked, total_pages is ceil(total/per_page), "
       "per_page echoes the request and page is the page number (null when a cursor is sent)")
def meta_totals_agree(walk: Walk, total: int) -> None:
    """The meta object of every page of one walk."""
    whole(walk)
    pages = math.ceil(total / walk.per_page)
    for page in walk.pages:
        # A cursor walk's first request carries no cursor: it is an ordinary first page.
        paged = walk.style is PagingStyle.PAGE or page.number == 1
        number = page.number if paged else None
        want = {"total_count": total, "total_pages": pages, "per_page": walk.per_page,
                "page": number}
        got = {k: (page.meta or {}).get(k, "(absent)") for k in want}
        wrong = [f"{k} {got[k]!r}" for k in want if got[k] != want[k]]
        if page.meta is None or wrong:
            raise fail(f"{walk.describe()}: page {page.number} meta has "
                       f"{', '.join(wrong) or 'no object'}",
                       ", ".join(f"{k} {v!r}" for k, v in want.items()), page.exchange)


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
