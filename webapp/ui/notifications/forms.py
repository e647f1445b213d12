"""The notifications page's forms: marking read (a CSRF token only) and the choice of mail delivery."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from webapp.ui.forms import Form


class MarkReadForm(Form):
    """Mark one message, or all, read: nothing to fill in but the CSRF token."""


class DeliveryForm(Form):
    """One mail per message, or one summary a day."""

    delivery = RadioField(_l("How messages reach you by e-mail"), [InputRequired(message=_l("Choose one."))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.delivery.choices = [
            SelectChoice("immediate", _("One e-mail for each message, as it comes")),
            SelectChoice("daily", _("One summary a day of what waits for you")),
        ]
