"""Messages a step sends: written by a process in its diagram (English and Hindi), or by the engine.

A process script calls `notify_officer(subject, body, subject_hi, body_hi)` or
`notify_role(role, subject, body, subject_hi, body_hi)`: the English text first (it is the
API's language and the fallback), the Hindi after it. Both languages live in the one
script the process owner already edits, next to the data they quote, so a process owner
changes a message in the editor without a programmer and without a second place to keep
in step; the Hindi may be left out (readers of Hindi then get the English).

A step collects its notices (`NoticeBox`) and writes them when it is saved, so that one
event makes one message: when a step both tells the officer something and opens a task
for the officer, the two are one message that links to the task (engine/notifications.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.sandbox import SandboxError

NOTIFIABLE_ROLES = ("cca_approver", "dopt", "course_team", "finance")
"""The roles a process may notify; "officer" is the applicant (notify_officer)."""

MAX_SUBJECT = 255


@dataclass(frozen=True)
class Notice:
    """One message from a process script: to the applicant ("officer") or to a role, in
    English (`subject`, `body`) and Hindi (`subject_hi`, `body_hi`, None when not given)."""

    to: str
    subject: str
    body: str
    subject_hi: str | None = None
    body_hi: str | None = None

    @property
    def bilingual(self) -> bool:
        """True when the script gave the Hindi subject and body."""
        return bool(self.subject_hi) and bool(self.body_hi)


class NoticeBox:
    """The two helpers scripts see, collecting what one step sends (nothing is written here).

    Raises SandboxError (which fails the step, naming the script) for a role that cannot be
    notified or a text that is not text.
    """

    def __init__(self) -> None:
        self.notices: list[Notice] = []

    def notify_officer(
        self, subject: str, body: str, subject_hi: str | None = None, body_hi: str | None = None
    ) -> None:
        """Tell the applicant something (English, then optionally Hindi)."""
        self.notices.append(_notice("officer", subject, body, subject_hi, body_hi))

    def notify_role(
        self, role: str, subject: str, body: str, subject_hi: str | None = None, body_hi: str | None = None
    ) -> None:
        """Tell every holder of a role (CCA approvers: of the application's CCA only)."""
        if role not in NOTIFIABLE_ROLES:
            raise SandboxError(f"cannot notify role '{role}'")
        self.notices.append(_notice(role, subject, body, subject_hi, body_hi))


def _notice(to: str, subject: object, body: object, subject_hi: object, body_hi: object) -> Notice:
    texts = {"subject": subject, "body": body, "subject_hi": subject_hi, "body_hi": body_hi}
    for name, value in texts.items():
        if value is not None and not isinstance(value, str):
            raise SandboxError(f"the {name} of a message must be text, not {type(value).__name__}")
    if not subject or not body:
        raise SandboxError("a message needs a subject and a body")
    return Notice(
        to,
        str(subject)[:MAX_SUBJECT],
        str(body),
        str(subject_hi)[:MAX_SUBJECT] if subject_hi else None,
        str(body_hi) if body_hi else None,
    )
