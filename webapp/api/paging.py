"""Paged lists in the API, as API.md's conventions say: the body stays a JSON list; the answer
carries `X-Total-Count` and a `Link` header with `next` and `prev` where they exist, so a
client never mistakes a page for the whole list.

Every list endpoint uses the same two calls: `requested_page()` (webapp.core.paging) before
the query, `paged(items, total, page)` to answer.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, request

from webapp.core.paging import Page


def paged(items: list[Any], total: int, page: Page) -> Response:
    """The JSON list with X-Total-Count and a Link header (next, prev), the other query arguments kept."""
    response = jsonify(items)
    response.headers["X-Total-Count"] = str(total)
    links = []
    if page.offset + page.size < total:
        links.append(f'<{_url(page.number + 1, page.size)}>; rel="next"')
    if page.number > 1:
        links.append(f'<{_url(min(page.number - 1, page.last(total)), page.size)}>; rel="prev"')
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


def _url(number: int, size: int) -> str:
    arguments = [(key, value) for key, value in request.args.items(multi=True) if key not in ("page", "per_page")]
    arguments += [("page", str(number)), ("per_page", str(size))]
    return f"{request.base_url}?{urlencode(arguments)}"
