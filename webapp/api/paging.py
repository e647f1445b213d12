"""Paged API lists (API.md): `page` and `per_page` in the query string, the body a JSON list,
the total in `X-Total-Count` and the neighbouring pages in a `Link` header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request, url_for

from engine.services.paging import Page, PageRequest, page_request


def requested_page() -> PageRequest:
    """The page the query string asks for; Invalid (422) names a bad `page` or `per_page`."""
    return page_request(request.args.get("page"), request.args.get("per_page"))


def paged_json(page: Page[Any], present: Callable[[Any], Any]) -> Response:
    """The page's items as a JSON list, with `X-Total-Count` and `Link` (next, prev)."""
    response = jsonify([present(item) for item in page.items])
    response.headers["X-Total-Count"] = str(page.total)
    links = []
    if page.has_next:
        links.append(f'<{_page_url(page.request.page + 1, page.request.per_page)}>; rel="next"')
    if page.has_prev:
        links.append(f'<{_page_url(min(page.request.page - 1, page.pages), page.request.per_page)}>; rel="prev"')
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


def _page_url(number: int, per_page: int) -> str:
    values: dict[str, Any] = {key: value for key, value in request.args.items() if key not in ("page", "per_page")}
    values.update(request.view_args or {})
    values.update(page=number, per_page=per_page)
    return url_for(request.endpoint or "", **values)
