"""The deploy form of the BPMN editor: the XML, the comment, the confirmation, and the version edited."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, TextAreaField

from engine.definitions import MAX_COMMENT
from engine.validation import MAX_XML_BYTES, deployable_process, parse_xml
from webapp.ui.forms import Form


class DeployForm(Form):
    """What the editor posts; `problems` lists what stops a deploy before the engine sees it."""

    key = HiddenField()
    version = IntegerField(default=0)
    xml = TextAreaField(_l("BPMN XML"))
    comment = TextAreaField(_l("Comment: why this version"))
    confirm = BooleanField(_l("I understand this changes the process for new applications"), false_values=("", "no"))
    new_process = BooleanField(
        _l("I mean a new process: deploy it under its new id, and leave the process I opened as it is"),
        false_values=("", "no"),
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problems: list[str] = []
        self.too_large = False
        self.new_key: str | None = None

    @property
    def xml_text(self) -> str:
        """The XML as the files keep it: browsers send a textarea's line breaks as CRLF."""
        return (self.xml.data or "").replace("\r\n", "\n")

    @property
    def xml_bytes(self) -> bytes:
        return self.xml_text.encode("utf-8")

    @property
    def comment_text(self) -> str | None:
        """The comment as given (None when left empty)."""
        return (self.comment.data or "").strip() or None

    def check(self, confirming: bool = True) -> bool:
        """Fill `problems` with what stops the deploy (or, not `confirming`, the check); True when there is none."""
        self.key.data = (self.key.data or "").strip()
        if self.version.data is None:
            self.version.data = 0
        size = len(self.xml_bytes)
        if size > MAX_XML_BYTES:
            self.too_large = True
            self.problems.append(
                _(
                    "The BPMN XML is %(size)s MB; the largest that can be deployed is %(largest)d MB.",
                    size=f"{size / 1024 / 1024:.1f}",
                    largest=MAX_XML_BYTES // 1024 // 1024,
                )
            )
        elif not self.xml_text.strip():
            self.problems.append(_("%(label)s: enter the BPMN XML of the process.", label=self.xml.label.text))
        if len(self.comment_text or "") > MAX_COMMENT:
            self.problems.append(
                _("%(label)s: at most %(count)d characters.", label=self.comment.label.text, count=MAX_COMMENT)
            )
        self.new_key = self._changed_key()
        if confirming and self.new_key and not self.new_process.data:
            self.problems.append(
                _(
                    "The process id changed from %(old)s to %(new)s: deploying makes a new process definition "
                    "%(new)s, and %(old)s stays as it is. Change the id back to %(old)s in the process's "
                    "properties, or tick “%(label)s”.",
                    old=self.key.data,
                    new=self.new_key,
                    label=self.new_process.label.text,
                )
            )
        if confirming and not self.confirm.data:
            self.problems.append(_("Tick “%(label)s” to deploy.", label=self.confirm.label.text))
        return not self.problems

    def _changed_key(self) -> str | None:
        """The process id of the XML when it differs from the process opened in the editor
        (None when it is the same, when no process was opened, or when the XML cannot be
        read: deploy then says why)."""
        if not self.key.data or self.too_large or not self.xml_text.strip():
            return None
        try:
            key = deployable_process(parse_xml(self.xml_bytes)).get("id")
        except ValueError:
            return None
        return key if key and key != self.key.data else None
