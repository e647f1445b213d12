"""Paged lists as API.md says: `?page=` (from 1), `?per_page=` (default 50, at most 500), the
body a JSON list, `X-Total-Count`, and a `Link` header with `next` and `prev` where they exist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import jsonify, request

from engine.errors import Invalid

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Page:
    """Which page a request asks for."""

    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def requested_page() -> Page:
    """The page of the query string; 422 naming the argument when it is not a whole number in range."""
    return Page(
        _whole("page", 1, 1, MAX_PAGE),
        _whole("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
    )


def _whole(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name, "")
    if value == "":
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise Invalid(
            f"{name} must be a whole number from {low} to {high}", {name: f"a whole number from {low} to {high}"}
        )
    return int(value)


def paged(items: list[Any], total: int, page: Page) -> Any:
    """The JSON list with its X-Total-Count and Link headers."""
    response = jsonify(items)
    response.headers["X-Total-Count"] = str(total)
    links = []
    if page.offset + len(items) < total:
        links.append(f'<{_url(page.number + 1, page.size)}>; rel="next"')
    if page.number > 1:
        links.append(f'<{_url(page.number - 1, page.size)}>; rel="prev"')
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


def _url(number: int, size: int) -> str:
    arguments = [(key, value) for key, value in request.args.items(multi=True) if key not in ("page", "per_page")]
    arguments += [("page", str(number)), ("per_page", str(size))]
    return f"{request.base_url}?{urlencode(arguments)}"
