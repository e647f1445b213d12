"""The coupon pages' forms: an upload of codes (pasted or a CSV file), and a void with its reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField

from webapp.ui.fields import Field
from webapp.ui.forms import Form


class UploadForm(Form):
    """Codes pasted or a CSV file; after a report, `valid_codes` and `confirm` add the valid ones."""

    codes = TextAreaField(_l("Paste codes"))
    file = FileField(_l("Or choose a CSV file"))
    valid_codes = HiddenField()
    confirm = HiddenField()

    def fields(self, errors: dict[str, str]) -> list[Field]:
        """The two inputs as the field macro draws them, with the errors of the last post."""
        return [
            Field(
                name="codes",
                label=str(self.codes.label.text),
                kind="textarea",
                help=str(_l("One code per line, or several on a line separated by commas, semicolons or spaces.")),
                value=self.codes.data or "",
                error=errors.get("codes", ""),
            ),
            Field(
                name="file",
                label=str(self.file.label.text),
                kind="file",
                accept=".csv,text/csv,text/plain",
                help=str(
                    _l(
                        "A column of codes, one per row. A first line naming the column (such as “code” or "
                        "“coupon code”) is skipped; other columns are ignored. Save it as CSV (UTF-8)."
                    )
                ),
                error=errors.get("file", ""),
            ),
        ]


class VoidForm(Form):
    """The reason for voiding a code (required; the engine checks it)."""

    reason = TextAreaField(
        _l("Reason"),
        description=_l("Why the code must never be given, for example “reported as leaked”. Kept with the code."),
        render_kw={"required": True, "maxlength": 500},
    )
