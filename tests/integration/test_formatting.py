"""Amounts, numbers and dates as pages show them, in English and in Hindi (Babel, en_IN / hi_IN)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask import session as cookie
from flask_babel import get_locale

from webapp import create_app
from webapp.ui.formatting import day, inr, moment, number, usd

LOCALES = {"en": "en_IN", "hi": "hi_IN"}


@pytest.fixture(scope="module")
def page_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The application; formatting reads no table, so its database stays empty."""
    folder: Path = tmp_path_factory.mktemp("formatting")
    url = f"sqlite:///{folder / 'empty.sqlite3'}"
    return create_app({"DATABASE_URL": url, "INSTANCE_PATH": folder, "TESTING": True})


@pytest.fixture(params=sorted(LOCALES))
def reader(request: pytest.FixtureRequest, page_app: Flask) -> Iterator[str]:
    """Inside a request of a reader who chose the parameter's language."""
    code = str(request.param)
    with page_app.test_request_context("/"):
        cookie["lang"] = code
        assert str(get_locale()) == LOCALES[code]
        yield code


def test_rupees_have_the_symbol_and_indian_grouping(reader: str) -> None:
    assert inr(Decimal("100000")) == "₹1,00,000.00"
    assert inr(8300.5) == "₹8,300.50"


def test_dollars_have_the_currency_code(reader: str) -> None:
    assert usd(100) == "USD 100.00"
    assert usd(Decimal("175.5")) == "USD 175.50"


def test_dates_are_day_month_year_with_hyphens(reader: str) -> None:
    assert day(date(2027, 3, 1)) == "01-03-2027"
    assert day("2027-03-01") == "01-03-2027"


def test_a_timestamp_is_shown_in_india_time(reader: str) -> None:
    evening_utc = datetime(2027, 2, 28, 20, 0, tzinfo=UTC)

    assert day(evening_utc) == "01-03-2027"
    assert moment(evening_utc) == "01-03-2027 01:30 IST"


def test_counts_use_indian_grouping(reader: str) -> None:
    assert number(1234567) == "12,34,567"


def test_templates_format_through_the_same_filters(reader: str) -> None:
    html = render_template_string("{{ 100 | usd }} · {{ '2027-03-01' | day }}")

    assert html == "USD 100.00 · 01-03-2027"
