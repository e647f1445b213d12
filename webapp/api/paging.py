"""Paged lists, as API.md's conventions say: `?page=` (from 1) and `?per_page=` (default 50, at most 500).

The body stays a JSON list; the answer carries `X-Total-Count` and a `Link` header with
`next` and `prev` where they exist, so a client never mistakes a page for the whole list.
Every list endpoint uses the same two calls: `requested_page()` before the query,
`paged(items, total, page)` to answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, request

from engine.errors import Invalid

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500


@dataclass(frozen=True)
class Page:
    """Which slice of a list the client asked for."""

    number: int
    size: int

    @property
    def offset(self) -> int:
        """How many items come before this page."""
        return (self.number - 1) * self.size


def requested_page() -> Page:
    """The page the query string asks for; Invalid (422) naming `page` or `per_page` when it is not usable."""
    fields: dict[str, str] = {}
    number = _positive(request.args.get("page"), 1, "page", fields)
    size = _positive(request.args.get("per_page"), DEFAULT_PER_PAGE, "per_page", fields)
    if "per_page" not in fields and size > MAX_PER_PAGE:
        fields["per_page"] = f"At most {MAX_PER_PAGE}"
    if fields:
        raise Invalid("The page asked for cannot be given", fields)
    return Page(number, size)


def _positive(text: str | None, default: int, name: str, fields: dict[str, str]) -> int:
    if text is None or text == "":
        return default
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
        fields[name] = "A whole number from 1"
        return default
    return int(text)


def paged(items: list[Any], total: int, page: Page) -> Response:
    """The JSON list with X-Total-Count and a Link header (next, prev), the other query arguments kept."""
    response = jsonify(items)
    response.headers["X-Total-Count"] = str(total)
    links = []
    if page.offset + page.size < total:
        links.append(f'<{_url(page.number + 1, page.size)}>; rel="next"')
    if page.number > 1:
        last = max((total + page.size - 1) // page.size, 1)
        links.append(f'<{_url(min(page.number - 1, last), page.size)}>; rel="prev"')
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


def _url(number: int, size: int) -> str:
    arguments = [(key, value) for key, value in request.args.items(multi=True) if key not in ("page", "per_page")]
    arguments += [("page", str(number)), ("per_page", str(size))]
    return f"{request.base_url}?{urlencode(arguments)}"
