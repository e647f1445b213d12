"""The base of the UI's WTForms forms: Flask-WTF's CSRF token, and messages in the reader's language;
and the fields our pages add to WTForms' (dates as DD-MM-YYYY, several choices as tick boxes).

WTForms ships no Hindi catalogue, so its own messages go through our gettext catalogue
too: the ones our fields can produce are marked below, so that extraction puts them there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from engine.i18n import N_
from engine.services.repair import MAX_REASON
from webapp.ui.formatting import DAY_FORMAT

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


_DAY = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")
DAY_EXPECTED = _l("Enter the date as DD-MM-YYYY, for example 05-03-1984.")
NO_SUCH_DAY = _l("There is no such date: check the day and the month.")


def read_day(text: str) -> tuple[date | None, str | None]:
    """A date typed as DD-MM-YYYY (GIGW), read strictly: `(date, None)`, or `(None, why)` for
    text of another form (`05/03/1984`, `5-3-1984`, `1984-03-05`) or a day that does not exist.
    Spaces around the text are ignored."""
    match = _DAY.fullmatch(text.strip())
    if match is None:
        return None, str(DAY_EXPECTED)
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day), None
    except ValueError:
        return None, str(NO_SUCH_DAY)


def iso_day(day: date | None) -> str | None:
    """A date as the engine and the API take it (YYYY-MM-DD), or None."""
    return day.isoformat() if day else None


class DayField(StringField):  # type: ignore[misc]  # WTForms ships no type hints
    """A date typed as DD-MM-YYYY; `data` is a `date` (or None when nothing was entered)."""

    def process_formdata(self, valuelist: Sequence[str]) -> None:
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        if not self.raw.strip():
            return
        self.data, problem = read_day(self.raw)
        if problem:
            raise ValueError(problem)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.strftime(DAY_FORMAT) if isinstance(self.data, date) else ""


class ChoicesField(SelectMultipleField):  # type: ignore[misc]
    """Several choices, drawn as tick boxes (the field macro's `checkboxes`)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


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


class ConfirmForm(Form):
    """Only the confirmation asked before a deletion that cannot be undone."""

    confirm = BooleanField(_l("I am sure"), validators=[DataRequired(message=_l("Tick the box to confirm."))])
