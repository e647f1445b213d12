"""Who may see and do what: the one authorisation policy the API, the UI and the CLI share.

What a caller may not see is reported as not found, so the answer leaks nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from engine.errors import Forbidden
from engine.models import Application, HumanTask, Upload, User

# Process owners see every application too: they repair its process data and move it to
# other versions (the instance monitor), which they cannot do on what they may not see.
SEE_ALL_APPLICATIONS = ("dopt", "course_team", "finance", "process_owner")
COUPON_KEEPERS = ("course_team",)
COUPON_READERS = ("course_team", "dopt")
PAYMENT_READERS = ("finance", "dopt")


def require(allowed: bool, message: str) -> None:
    """Raise Forbidden with `message` unless `allowed` (one of the may_ checks below)."""
    if not allowed:
        raise Forbidden(message)


def may_manage_coupons(user: User) -> bool:
    """The course team adds codes to the pools and voids unused ones."""
    return any(user.has_role(role) for role in COUPON_KEEPERS)


def may_view_coupons(user: User) -> bool:
    """The course team and DoPT see the pools and their codes."""
    return any(user.has_role(role) for role in COUPON_READERS)


def may_view_payments(user: User) -> bool:
    """Finance and DoPT see the claims waiting for payment and the ledger of payments."""
    return any(user.has_role(role) for role in PAYMENT_READERS)


def can_see_payment(user: User, application: Application) -> bool:
    """An application's payment: its officer, finance and DoPT."""
    return application.officer_id == user.id or may_view_payments(user)


def can_see_application(user: User, application: Application) -> bool:
    """Officers their own; CCA approvers their CCA's; DoPT, course team, finance and process owners all."""
    if any(user.has_role(role) for role in SEE_ALL_APPLICATIONS):
        return True
    if user.has_role("cca_approver") and user.cca_code and application.cca_code == user.cca_code:
        return True
    return user.has_role("officer") and application.officer_id == user.id


OPERATOR_ROLES = ("dopt", "process_owner")


def can_operate(user: User) -> bool:
    """DoPT and process owners see incidents, retry them, suspend and resume applications (API.md)."""
    return any(user.has_role(role) for role in OPERATOR_ROLES)


def can_repair(user: User) -> bool:
    """Only process owners change an application's process data or move it to another version (API.md)."""
    return user.has_role("process_owner")


PROCESS_READERS = ("process_owner", "dopt")


def can_read_processes(user: User) -> bool:
    """Process owners and DoPT see the deployed versions, their diagrams, forms and scenarios (API.md)."""
    return any(user.has_role(role) for role in PROCESS_READERS)


def can_deploy(user: User) -> bool:
    """Only process owners deploy a version, roll back to an older one or change a form (API.md)."""
    return user.has_role("process_owner")


def can_see_coupon(user: User, application: Application) -> bool:
    """The coupon code is shown to its officer, the course team and DoPT only."""
    return application.officer_id == user.id or user.has_role("course_team") or user.has_role("dopt")


def visible_applications(user: User) -> ColumnElement[bool]:
    """The same rule as can_see_application, as an SQL condition for lists."""
    if any(user.has_role(role) for role in SEE_ALL_APPLICATIONS):
        return true()
    conditions: list[Any] = []
    if user.has_role("cca_approver") and user.cca_code:
        conditions.append(Application.cca_code == user.cca_code)
    if user.has_role("officer"):
        conditions.append(Application.officer_id == user.id)
    return or_(*conditions) if conditions else false()


def can_work_task(user: User, task: HumanTask) -> bool:
    """The role of the task's lane (the right CCA for CCA tasks; the applicant for officer tasks)."""
    if task.role == "officer":
        return user.has_role("officer") and task.owner_username == user.username
    if not user.has_role(task.role):
        return False
    if task.role == "cca_approver":
        return bool(user.cca_code) and task.scope_cca == user.cca_code
    return True


def workable_tasks(user: User) -> ColumnElement[bool]:
    """The same rule as can_work_task, as an SQL condition for the inbox."""
    conditions: list[Any] = []
    for role in user.roles:
        if role == "officer":
            conditions.append(and_(HumanTask.role == "officer", HumanTask.owner_username == user.username))
        elif role == "cca_approver":
            if user.cca_code:
                conditions.append(and_(HumanTask.role == role, HumanTask.scope_cca == user.cca_code))
        else:
            conditions.append(HumanTask.role == role)
    return or_(*conditions) if conditions else false()


def can_read_upload(session: Session, user: User, upload: Upload) -> bool:
    """The owner, and whoever may see some application of the owner."""
    if upload.owner_id == user.id:
        return True
    query = select(Application.id).where(Application.officer_id == upload.owner_id, visible_applications(user))
    return session.scalars(query.limit(1)).first() is not None


ADMINISTER = ("admin",)


def can_administer(user: User) -> bool:
    """Administrators manage users, roles, CCAs and passwords, and read the account audit."""
    return user.active and any(user.has_role(role) for role in ADMINISTER)


def can_change_contact_details(actor: User, officer: User) -> bool:
    """An officer their own e-mail, mobile, designation and edX username; an administrator anyone's."""
    return actor.id == officer.id or can_administer(actor)


def can_change_service_details(actor: User, officer: User, has_live_application: bool) -> bool:
    """Name, service, CCA and dates of joining and birth: the officer while no application of
    theirs is under way; an administrator at any time.

    The eligibility rules and the CCA's approval read these details. A running application
    keeps the copy it was submitted with, so a change never alters a decision under way,
    but a change of CCA mid-way would leave the nomination with the wrong authority: the
    officer waits until nothing is under way (or withdraws), and corrections that cannot
    wait go through an administrator. Every change is audited with before and after.
    """
    if can_administer(actor):
        return True
    return actor.id == officer.id and not has_live_application


# Which report each role may read (DOMAIN.md: DoPT reads them all; a CCA approver its CCA's
# figures; the course team the coupon pools; finance the money). Officers read none.
REPORT_READERS: dict[str, tuple[str, ...]] = {
    "summary": ("dopt", "cca_approver"),
    "pending": ("dopt", "cca_approver"),
    "coupons": ("dopt", "course_team"),
    "money": ("dopt", "finance"),
    "dfft": ("dopt", "cca_approver"),
}


def can_read_report(user: User, report: str) -> bool:
    """True when one of the user's roles may read the report (a CCA approver only when bound to a CCA)."""
    for role in REPORT_READERS.get(report, ()):
        if user.has_role(role) and (role != "cca_approver" or user.cca_code):
            return True
    return False


def readable_reports(user: User) -> list[str]:
    """The reports the user may read, in REPORT_READERS' order."""
    return [report for report in REPORT_READERS if can_read_report(user, report)]


def report_scope(user: User) -> str | None:
    """The CCA whose figures alone the user sees, or None for every CCA's.

    DoPT (and finance, the course team) see all; a CCA approver who holds no such role sees
    their own CCA's.
    """
    if any(user.has_role(role) for role in ("dopt", "finance", "course_team")):
        return None
    return user.cca_code if user.has_role("cca_approver") else None


def can_list_applications(user: User) -> bool:
    """The staff list of applications: roles that see all applications, and CCA approvers (their CCA's)."""
    return any(user.has_role(role) for role in SEE_ALL_APPLICATIONS) or bool(
        user.has_role("cca_approver") and user.cca_code
    )
