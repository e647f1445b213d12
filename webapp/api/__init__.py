"""The JSON API of API.md, under /api/v1."""

from webapp.api.blueprint import api

__all__ = ["api"]
