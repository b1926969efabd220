"""Walking a paginated list page by page or cursor by cursor, keeping every answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contract_tests.requests import Planned, send
from contract_tests.target import Exchange, Target
from orgkit.model import PaginationRule, PagingStyle


@dataclass(frozen=True)
class Order:
    """A sort direction ('asc'/'desc') and key, and the query parameters that ask for them."""

    direction: str
    key: str
    params: Mapping[str, str]

    def describe(self) -> str:
        """`desc by name` for messages."""
        return f"{self.direction} by {self.key}"


def orders(rule: PaginationRule) -> list[Order]:
    """Every direction for the default key and every `by` key the rule offers."""
    order = rule.order
    if order is None or rule.order_param is None:
        return [Order("asc", "id", {})]
    found = []
    for key in (order.key, *order.keys):
        by = {order.by: key} if order.by and key != order.key else {}
        for direction, value in (("asc", order.asc), ("desc", order.desc)):
            found.append(Order(direction, key, {rule.order_param: value, **by}))
    return found


def default_order(rule: PaginationRule) -> Order:
    """The order of a request that names none."""
    if rule.order is None:
        return Order("asc", "id", {})
    return Order(rule.order.direction(None), rule.order.key, {})


@dataclass(frozen=True)
class Page:
    """One answer of a walk: its items, the next cursor it gave and its meta object."""

    exchange: Exchange
    items: tuple[Mapping[str, Any], ...]
    cursor: str | None
    meta: Mapping[str, Any] | None
    number: int  # 1-based position in the walk (the page parameter in page style)


@dataclass(frozen=True)
class Walk:
    """A complete walk through a list with one style, page size and order."""

    style: PagingStyle
    per_page: int
    order: Order
    pages: tuple[Page, ...]
    ended: bool  # a short page (page style) or a null cursor (cursor style) ended it
    problem: str = ""  # why the walk broke off: an error answer or a malformed body
    repeated: str | None = None  # a cursor the list handed out twice

    def describe(self) -> str:
        """`cursor walk, per_page=3, order desc by name` for messages."""
        return f"{self.style.value} walk, per_page={self.per_page}, order {self.order.describe()}"

    def ids(self, id_field: str) -> list[str]:
        """The ids of every item, in the order walked."""
        return [str(item.get(id_field)) for page in self.pages for item in page.items]

    def items(self) -> list[Mapping[str, Any]]:
        """Every item, in the order walked."""
        return [item for page in self.pages for item in page.items]

    @property
    def last(self) -> Exchange | None:
        """The last answer of the walk."""
        return self.pages[-1].exchange if self.pages else None


@dataclass(frozen=True)
class Walker:
    """Sends the requests of walks for one list operation as one persona."""

    target: Target
    planned: Planned
    token: str
    rule: PaginationRule

    def walk(self, style: PagingStyle, per_page: int, order: Order, bound: int) -> Walk:
        """Walk in one style; at most `bound` requests."""
        pages: list[Page] = []
        seen: set[str] = set()
        for number in range(1, bound + 1):
            cursor = pages[-1].cursor if pages else None
            page = self._fetch(style, per_page, order, number, cursor)
            if isinstance(page, str):
                return Walk(style, per_page, order, tuple(pages), False, page)
            pages.append(page)
            end = _end(style, page, per_page, seen)
            if end is not None:
                ended, repeated = end
                return Walk(style, per_page, order, tuple(pages), ended, "", repeated)
        return Walk(style, per_page, order, tuple(pages), False)

    def request(self, **params: Any) -> Planned:
        """The list request with paging parameters (None values dropped)."""
        return self.planned.with_query(**params)

    def _fetch(self, style: PagingStyle, per_page: int, order: Order, number: int,
               cursor: str | None) -> Page | str:
        rule = self.rule
        params: dict[str, Any] = {**order.params}
        if rule.per_page_param:
            params[rule.per_page_param] = per_page
        if style is PagingStyle.PAGE and rule.page_param:
            params[rule.page_param] = number
        if style is PagingStyle.CURSOR and rule.cursor_param and cursor is not None:
            params[rule.cursor_param] = cursor
        exchange = send(self.target, self.request(**params), self.token)
        return read_page(rule, exchange, number)


def _end(style: PagingStyle, page: Page, per_page: int,
         seen: set[str]) -> tuple[bool, str | None] | None:
    """(ended, repeated cursor) when this page ends the walk; None to go on."""
    if style is PagingStyle.PAGE:
        return (True, None) if len(page.items) < per_page else None
    if page.cursor is None:
        return True, None
    if page.cursor in seen:
        return False, page.cursor
    seen.add(page.cursor)
    return None


def read_page(rule: PaginationRule, exchange: Exchange, number: int) -> Page | str:
    """The page an answer carries, or what is wrong with it."""
    where = f"{exchange.method} {exchange.url}"
    if exchange.status != 200:
        return f"{where} answered {exchange.status}: {exchange.response_text[:200]}"
    body = exchange.json()
    items = body.get(rule.items) if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return f"{where}: the body has no list of objects in {rule.items!r}"
    cursor = body.get(rule.next_cursor) if rule.next_cursor else None
    meta = body.get(rule.meta) if rule.meta else None
    return Page(exchange, tuple(items), None if cursor is None else str(cursor),
                meta if isinstance(meta, dict) else None, number)
