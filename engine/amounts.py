"""Amounts as people read them in the texts the engine writes (instructions, messages, rule
reasons): the currency always shown, two decimals, Indian digit grouping (GIGW).

`USD 1,00,000.00` and `₹1,00,000.00` (Babel, locale en_IN). The web layer formats pages in
the reader's locale with the same patterns (webapp/ui/formatting.py); these are the English
forms, for texts made where no reader is known.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_currency

LOCALE = "en_IN"
USD_PATTERN = "¤¤ #,##,##0.00"
"""The currency code before the amount, Indian grouping, two decimals (USD 1,00,000.00)."""


def usd(amount: Any) -> str:
    """An amount in US dollars: `USD 100.00`; text that is no number is shown as it is."""
    value = _decimal(amount)
    if value is None:
        return "" if amount is None else str(amount)
    return str(format_currency(value, "USD", USD_PATTERN, locale=LOCALE, currency_digits=False))


def inr(amount: Any) -> str:
    """An amount in rupees: `₹9,000.00`; text that is no number is shown as it is."""
    value = _decimal(amount)
    if value is None:
        return "" if amount is None else str(amount)
    return str(format_currency(value, "INR", locale=LOCALE))


def _decimal(amount: Any) -> Decimal | None:
    if isinstance(amount, bool) or amount is None:
        return None
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
