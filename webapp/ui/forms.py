"""The base of the UI's WTForms forms: Flask-WTF's CSRF token, and messages in the reader's language.

WTForms ships no Hindi catalogue, so its own messages go through our gettext catalogue
too: the ones our fields can produce are marked below, so that extraction puts them there.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from engine.i18n import N_
from engine.services.repair import MAX_REASON

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


class ReasonForm(Form):
    """Why an operator or a process owner does something to an application or a process (a
    retry, a suspension, a rollback): it goes into the history."""

    reason = TextAreaField(
        _l("Reason"),
        description=_l("It goes into the history with your name. At most 500 characters."),
        validators=[
            DataRequired(message=_l("Give a reason.")),
            Length(max=MAX_REASON, message=_l("At most 500 characters.")),
        ],
    )


class ConfirmedReasonForm(ReasonForm):
    """A reason, and the confirmation asked before anything that cannot simply be undone."""

    confirm = BooleanField(_l("I am sure"), validators=[DataRequired(message=_l("Tick the box to confirm."))])
