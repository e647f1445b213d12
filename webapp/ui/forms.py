"""The base of the UI's WTForms forms: Flask-WTF's CSRF token, and messages in the reader's language.

WTForms ships no Hindi catalogue, so its own messages go through our gettext catalogue
too: the ones our fields can produce are marked below, so that extraction puts them there.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_translations
from flask_wtf import FlaskForm

from engine.i18n import N_

WTFORMS_MESSAGES = (
    N_("Not a valid date value."),
    N_("Not a valid choice."),
    N_("This field is required."),
)


class CatalogueTranslations:
    """WTForms' translations interface over Flask-Babel's catalogue of the request's locale.

    WTForms fills in the placeholders itself, so the texts are looked up unformatted.
    """

    def gettext(self, string: str) -> str:
        return str(get_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(get_translations().ungettext(singular, plural, n))


class Form(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """A Flask-WTF form whose WTForms messages come from our catalogue."""

    class Meta(FlaskForm.Meta):  # type: ignore[misc]
        def get_translations(self, form: Any) -> CatalogueTranslations:
            return CatalogueTranslations()
