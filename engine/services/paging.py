"""Lists cut into pages for the services: a page of a query, and how many items the list has
in all, so no list is ever cut silently (the API reads `page` and `per_page` in
webapp/api/paging.py; pages choose their own size)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

DEFAULT_PER_PAGE = 50

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    """Which page of a list is asked for."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        """How many items come before this page."""
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with the size of the whole list."""

    items: Sequence[T]
    total: int
    request: PageRequest

    @property
    def pages(self) -> int:
        """How many pages the list has (1 for an empty list)."""
        return max((self.total + self.request.per_page - 1) // self.request.per_page, 1)

    @property
    def has_next(self) -> bool:
        return self.request.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.request.page > 1


def paginate(session: Session, query: Select[Any], request: PageRequest) -> Page[Any]:
    """Run `query` (already ordered) for one page, and count its rows in all.

    The count runs on the query without its ordering, as a subquery, so joins and filters
    count exactly as they select.
    """
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    total = int(session.scalar(counted) or 0)
    items = list(session.scalars(query.limit(request.per_page).offset(request.offset)))
    return Page(items, total, request)
