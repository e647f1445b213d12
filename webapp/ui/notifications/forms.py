"""The notifications page's forms: marking read (a CSRF token only) and the choice of mail delivery."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import InputRequired

from webapp.ui.forms import Form


class MarkReadForm(Form):
    """Mark one message, or all, read: nothing to fill in but the CSRF token."""


class DeliveryForm(Form):
    """One mail per message, or one summary a day."""

    delivery = RadioField(
        _l("How messages reach you by e-mail"),
        [InputRequired(message=_l("Choose one."))],
        choices=[
            ("immediate", _l("One e-mail for each message, as it comes")),
            ("daily", _l("One summary a day of what waits for you")),
        ],
    )
