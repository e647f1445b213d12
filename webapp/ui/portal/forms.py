"""The portal's forms: applying for a course run, withdrawing an application."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from webapp.ui.forms import Form


class ApplyForm(Form):
    """The declaration an officer confirms when applying; the engine refuses an application without it."""

    declaration = BooleanField(
        _l("I confirm the declaration"),
        description=_l(
            "The details of my profile are true; I have told my cadre controlling authority of this "
            "application; I will pay the discounted course fee myself and claim reimbursement only "
            "with the course certificate."
        ),
        render_kw={"required": True},
    )


class WithdrawForm(Form):
    """The confirmation of a withdrawal: nothing but the CSRF token."""
