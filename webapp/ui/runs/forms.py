"""The run and course forms. Dates are typed DD-MM-YYYY (as pages show them) and handed to
engine.services.reference as ISO dates, so a run is checked by exactly the rules the API
applies; the engine's errors are put beside the fields."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from engine.models import Course, CourseRun
from webapp.ui.forms import DayField, Form, iso_day

DAY_HINT = _l("DD-MM-YYYY, e.g. 01-03-2027.")


def _required() -> InputRequired:
    return InputRequired(message=_l("Enter this."))


class RunForm(Form):
    """A course run's dates, exam window, fee and reimbursement cap (the course only when adding)."""

    course = SelectField(_l("Course"), [InputRequired(message=_l("Choose one."))], validate_choice=False)
    starts_on = DayField(_l("Starts on"), [_required()], description=DAY_HINT)
    registration_closes_on = DayField(
        _l("Registration closes on"),
        [_required()],
        description=_l("The last day to apply; on or before the start. DD-MM-YYYY."),
    )
    ends_on = DayField(_l("Ends on"), [_required()], description=_l("After the start. DD-MM-YYYY."))
    exam_starts_on = DayField(
        _l("Proctored exam window opens"),
        description=_l("After the run starts; leave both exam days empty if not yet known. DD-MM-YYYY."),
    )
    exam_ends_on = DayField(_l("Proctored exam window closes"), description=DAY_HINT)
    fee_usd = StringField(
        _l("Course fee (USD)"),
        [_required(), Length(max=12)],
        description=_l("What the officer pays for the course, e.g. 100.00."),
        render_kw={"inputmode": "decimal", "maxlength": 12},
    )
    reimbursement_cap_usd = StringField(
        _l("Reimbursement cap (USD)"),
        [_required(), Length(max=12)],
        description=_l("The most DoPT reimburses; it may be less than the fee."),
        render_kw={"inputmode": "decimal", "maxlength": 12},
    )

    def __init__(self, courses: Iterable[Course], run: CourseRun | None = None, **kwargs: Any) -> None:
        # Shown before the first post; a post's own values replace them.
        if run is not None:
            kwargs["data"] = {
                "course": run.course_code,
                "starts_on": run.starts_on,
                "registration_closes_on": run.registration_closes_on,
                "ends_on": run.ends_on,
                "exam_starts_on": run.exam_starts_on,
                "exam_ends_on": run.exam_ends_on,
                "fee_usd": _amount_text(run.fee_usd),
                "reimbursement_cap_usd": _amount_text(run.reimbursement_cap_usd),
            }
        else:
            kwargs["data"] = {"fee_usd": "100.00", "reimbursement_cap_usd": "100.00"}
        super().__init__(**kwargs)
        self.course.choices = [(course.code, f"{course.title} ({course.code})") for course in courses]
        if run is not None:
            del self.course

    def body(self) -> dict[str, Any]:
        """What engine.services.reference expects (ISO dates; amounts as typed)."""
        body: dict[str, Any] = {name: iso_day(self[name].data) or "" for name in self.day_names()}
        body.update(fee_usd=self.fee_usd.data.strip(), reimbursement_cap_usd=self.reimbursement_cap_usd.data.strip())
        if "course" in self:
            body["course"] = self.course.data
        return body

    def day_names(self) -> list[str]:
        return ["starts_on", "registration_closes_on", "ends_on", "exam_starts_on", "exam_ends_on"]


def _amount_text(amount: Decimal | None) -> str:
    return f"{amount:.2f}" if amount is not None else ""


class CourseForm(Form):
    """A course of the catalogue: code (only when adding), title, prerequisites."""

    code = StringField(
        _l("Code"),
        [_required(), Length(max=16)],
        description=_l("2 to 16 capital letters, digits or '-', e.g. PEED. It cannot change later."),
        render_kw={"maxlength": 16},
    )
    title = StringField(_l("Title"), [_required(), Length(max=200)], render_kw={"maxlength": 200})
    prerequisites = TextAreaField(
        _l("Prerequisites"),
        [Length(max=2000)],
        description=_l("Shown to officers before they apply; leave empty for none."),
        render_kw={"maxlength": 2000},
    )
    title_hi = StringField(
        _l("Title in Hindi"),
        [Length(max=200)],
        description=_l("Shown on pages in Hindi; leave empty to show the title above."),
        render_kw={"maxlength": 200, "lang": "hi"},
    )
    prerequisites_hi = TextAreaField(
        _l("Prerequisites in Hindi"),
        [Length(max=2000)],
        description=_l("Shown on pages in Hindi; leave empty to show the prerequisites above."),
        render_kw={"maxlength": 2000, "lang": "hi"},
    )

    def __init__(self, course: Course | None = None, **kwargs: Any) -> None:
        if course is not None:
            kwargs["data"] = {
                "title": course.title,
                "prerequisites": course.prerequisites,
                "title_hi": course.title_hi,
                "prerequisites_hi": course.prerequisites_hi,
            }
        super().__init__(**kwargs)
        if course is not None:
            del self.code

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "title": self.title.data,
            "prerequisites": self.prerequisites.data or "",
            "title_hi": self.title_hi.data or "",
            "prerequisites_hi": self.prerequisites_hi.data or "",
        }
        if "code" in self:
            body["code"] = (self.code.data or "").strip()
        return body


class CloseRunForm(Form):
    """The confirmation of closing a run: nothing but the CSRF token."""
