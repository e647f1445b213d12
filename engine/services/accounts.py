"""Administration of accounts: users, their roles and CCA, deactivation, unlocking, new
passwords, and the cadre controlling authorities. Every change is audited.

Each function takes the acting administrator, checks engine.access.can_administer itself,
and flushes only. An audit entry (audit_log, no application) records who changed what,
when, with the values before and after; passwords are never written into it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from engine.access import can_administer, can_work_task
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.i18n import N_
from engine.lanes import ROLES
from engine.models import CCA, Application, AuditEntry, HumanTask, Officer, User, UserRole
from engine.services.auth import revoke_tokens, set_password
from engine.services.paging import Page, PageRequest, paginate
from engine.services.people import CCA_ONLY_FOR_APPROVERS, create_user
from engine.services.reference import create_cca

ACCOUNT_ACTIONS: tuple[str, ...] = (
    "user_created",
    "user_changed",
    "password_set",
    "user_unlocked",
    "cca_created",
    "cca_changed",
    "contact_details_changed",
    "service_details_changed",
    "password_changed",
)
"""The audit actions of accounts and CCAs; the account audit list shows exactly these."""

NOT_ADMIN = N_("Only an administrator may do this")
OWN_DEACTIVATION = N_("You cannot deactivate your own account: another administrator must do it")
OWN_ADMIN_ROLE = N_("You cannot remove your own administrator role: another administrator must do it")
OFFICER_ROLE_NEEDS_PROFILE = N_(
    "Officers register themselves: only an account with an officer profile can be an officer"
)
APPROVER_NEEDS_CCA = N_("A CCA approver must be bound to a CCA")
UNKNOWN_CCA = N_("Choose a CCA from the list")
CHOOSE_ROLES = N_("Choose one or more roles")
CODE_IN_USE = N_("This code is in use by officers, approvers or applications, so it cannot change")


def _require_admin(actor: User) -> None:
    if not can_administer(actor):
        raise Forbidden(NOT_ADMIN)


@dataclass(frozen=True)
class UserFilter:
    """What the users list is narrowed to; every field optional.

    `search` matches the username, an officer's name or e-mail (any case, any part);
    `role` one role; `active` True for active accounts, False for deactivated ones.
    """

    search: str | None = None
    role: str | None = None
    active: bool | None = None


def list_users(session: Session, actor: User, filters: UserFilter, request: PageRequest) -> Page[User]:
    """A page of users, by username. Forbidden for anyone but an administrator."""
    _require_admin(actor)
    query: Select[Any] = select(User).outerjoin(Officer, Officer.user_id == User.id).order_by(User.username)
    if filters.search:
        escaped = filters.search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            or_(
                func.lower(User.username).like(pattern, escape="\\"),
                func.lower(Officer.full_name).like(pattern, escape="\\"),
                func.lower(Officer.email).like(pattern, escape="\\"),
            )
        )
    if filters.role:
        query = query.where(exists().where(UserRole.user_id == User.id, UserRole.role == filters.role))
    if filters.active is not None:
        query = query.where(User.active == filters.active)
    return paginate(session, query, request)


def get_user(session: Session, actor: User, username: str) -> User:
    """The user of that exact username, for an administrator; NotFound otherwise."""
    _require_admin(actor)
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"user {username} not found")
    return user


def add_user(
    session: Session,
    actor: User,
    username: Any,
    password: Any,
    roles: Any,
    cca: Any,
    now: datetime,
    email: Any = None,
) -> User:
    """Create a staff user with roles (and a CCA for an approver, an e-mail address for mail); audited.

    The rules of engine.services.people.create_user apply (Invalid, Conflict); the role
    `officer` is refused: officers register themselves, with the profile the rules read.
    """
    _require_admin(actor)
    if isinstance(roles, list) and "officer" in roles:
        raise Invalid("The user cannot be created", {"roles": OFFICER_ROLE_NEEDS_PROFILE})
    user = create_user(session, username, password, roles, cca, email)
    audit_account_change(session, actor, "user_created", user.username, now, after=_account_state(user))
    return user


def change_user(session: Session, actor: User, user: User, changes: Mapping[str, Any], now: datetime) -> User:
    """Change a user's `roles` (a list), `cca` (a code or None) and `active` (a boolean).

    Only the keys given change; a CCA is bound only to a CCA approver (an approver whose role
    is taken away, with no CCA given, loses the CCA). An administrator cannot deactivate their own account or
    remove their own admin role (Invalid naming the field says why). A deactivated user's
    API tokens are revoked at `now`; tasks the user had taken and may no longer work go
    back to the shared inbox. Audited with the values before and after; no entry when
    nothing changed.
    """
    _require_admin(actor)
    fields = {name: "unknown field" for name in sorted(set(changes) - {"roles", "cca", "active"})}
    roles = _roles(changes.get("roles", user.roles), user, fields)
    # A CCA left unsaid goes with the approver role when that role is taken away.
    cca = changes.get("cca", user.cca_code if "cca_approver" in roles else None)
    active = changes.get("active", user.active)
    if not isinstance(active, bool):
        fields["active"] = "true or false"
    if cca is not None and (not isinstance(cca, str) or session.get(CCA, cca) is None):
        fields["cca"] = UNKNOWN_CCA
    elif "cca_approver" in roles and not cca:
        fields["cca"] = APPROVER_NEEDS_CCA
    elif cca and "cca_approver" not in roles and "roles" not in fields:
        fields["cca"] = CCA_ONLY_FOR_APPROVERS
    if actor.id == user.id:
        if active is False:
            fields["active"] = OWN_DEACTIVATION
        if roles and "admin" not in roles:
            fields["roles"] = OWN_ADMIN_ROLE
    if fields:
        raise Invalid("The user cannot be changed", fields)
    before = _account_state(user)
    user.cca_code = cca
    user.active = active
    if roles != user.roles:
        kept = [row for row in user.role_rows if row.role in roles]
        user.role_rows = kept + [UserRole(role=role) for role in roles if not user.has_role(role)]
    session.flush()
    after = _account_state(user)
    if after != before:
        if not user.active:
            revoke_tokens(session, user, now)
        _release_tasks(session, actor, user, now)
        changed = [name for name in after if after[name] != before[name]]
        audit_account_change(
            session,
            actor,
            "user_changed",
            user.username,
            now,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return user


def _roles(value: Any, user: User, fields: dict[str, str]) -> list[str]:
    known = isinstance(value, list) and all(isinstance(role, str) and role in ROLES for role in value)
    if not known or not value:
        fields["roles"] = CHOOSE_ROLES
        return []
    roles = sorted(set(value))
    if "officer" in roles and user.officer is None:
        fields["roles"] = OFFICER_ROLE_NEEDS_PROFILE
    return roles


def _release_tasks(session: Session, actor: User, user: User, now: datetime) -> None:
    """Give back the open tasks the user had taken and may no longer work (deactivated, or a
    role or CCA taken away), so that nobody's work waits on an account that cannot do it."""
    taken = session.scalars(select(HumanTask).where(HumanTask.state == "open", HumanTask.assignee == user.username))
    for task in taken:
        if user.active and can_work_task(user, task):
            continue
        task.assignee = None
        session.add(
            AuditEntry(
                at=now,
                actor=actor.username,
                action="unclaimed",
                application_id=task.application_id,
                instance_id=task.instance_id,
                task=task.name,
                detail={"user": user.username},
            )
        )
    session.flush()


def new_password(session: Session, actor: User, user: User, password: Any, now: datetime) -> None:
    """Set a user's password (the registration rule; their API tokens end); audited without
    the password. Invalid names `password` when it breaks the rule."""
    _require_admin(actor)
    set_password(session, user, password, now)
    audit_account_change(session, actor, "password_set", user.username, now)


CONSOLE_ACTOR = "igot user password"


def console_password(session: Session, username: str, password: object, now: datetime) -> User:
    """Set the password of `username` from the server's console (`igot user password`): the
    registration rule applies, API tokens are revoked and signed-in pages end (set_password);
    audited as `password_set` by CONSOLE_ACTOR. NotFound for an unknown username (exact
    match); Invalid names `password` when it breaks the rule. `now` is aware UTC; flushes."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"user {username} not found")
    set_password(session, user, password, now)
    session.add(AuditEntry(at=now, actor=CONSOLE_ACTOR, action="password_set", subject=user.username, detail={}))
    session.flush()
    return user


def unlock(session: Session, actor: User, user: User, now: datetime) -> User:
    """Forget the account's wrong sign-ins (`failed_logins` back to 0), so that the web layer,
    which also starts its sign-in throttle for the account afresh, lets the user try at once;
    audited with the count before. Forbidden unless `actor` is an administrator."""
    _require_admin(actor)
    before = {"failed_sign_ins": user.failed_logins}
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    after = {"failed_sign_ins": 0}
    audit_account_change(session, actor, "user_unlocked", user.username, now, before=before, after=after)
    return user


def is_locked(user: User, now: datetime) -> bool:
    """True while an account still carries a lock from before sign-in stopped locking
    accounts (only an old row can; `unlock` clears it). `now` is aware UTC."""
    return user.locked_until is not None and user.locked_until > now


def _account_state(user: User) -> dict[str, Any]:
    return {"roles": user.roles, "cca": user.cca_code, "active": user.active, "email": user.email}


@dataclass(frozen=True)
class CcaUse:
    """A CCA with how many officers, approvers and applications refer to it."""

    cca: CCA
    officers: int
    approvers: int
    applications: int

    @property
    def in_use(self) -> bool:
        """A code in use cannot change (officers, approvers and applications name it)."""
        return bool(self.officers or self.approvers or self.applications)


def ccas_in_use(session: Session) -> list[CcaUse]:
    """Every CCA by name, with its use counted in three grouped queries."""
    officers = _counts(session, select(Officer.cca_code, func.count()).group_by(Officer.cca_code))
    approvers = _counts(
        session,
        select(User.cca_code, func.count())
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "cca_approver")
        .group_by(User.cca_code),
    )
    applications = _counts(session, select(Application.cca_code, func.count()).group_by(Application.cca_code))
    return [
        CcaUse(cca, officers.get(cca.code, 0), approvers.get(cca.code, 0), applications.get(cca.code, 0))
        for cca in session.scalars(select(CCA).order_by(CCA.name, CCA.code))
    ]


def cca_use(session: Session, code: str) -> CcaUse:
    """One CCA with its use; NotFound when there is none of that code."""
    for row in ccas_in_use(session):
        if row.cca.code == code:
            return row
    raise NotFound(f"CCA {code} not found")


def _counts(session: Session, query: Select[Any, Any]) -> dict[str, int]:
    return {str(code): int(count) for code, count in session.execute(query) if code is not None}


def add_cca(session: Session, actor: User, body: Any, now: datetime) -> CCA:
    """Create a CCA (engine.services.reference.create_cca's rules); audited."""
    _require_admin(actor)
    cca = create_cca(session, body)
    audit_account_change(session, actor, "cca_created", cca.code, now, after=_cca_state(cca))
    return cca


def change_cca(session: Session, actor: User, code: str, body: Any, now: datetime) -> CCA:
    """Change a CCA's `code`, `name` or `approval_required`; only the keys given change.

    A code that officers, approvers or applications use cannot change (Invalid naming
    `code`), nor become one that exists (Conflict). `approval_required` applies to
    applications submitted from now on: each application keeps what held when it started.
    Audited with the values before and after.
    """
    _require_admin(actor)
    use = cca_use(session, code)
    cca = use.cca
    if not isinstance(body, Mapping):
        raise Invalid("Send a JSON object", {"_body": "expected a JSON object"})
    fields = {name: "unknown field" for name in sorted(set(body) - {"code", "name", "approval_required"})}
    new_code = body.get("code", cca.code)
    name = body.get("name", cca.name)
    approval_required = body.get("approval_required", cca.approval_required)
    if not isinstance(new_code, str) or not new_code.strip() or len(new_code.strip()) > 32:
        fields["code"] = "A code of 1 to 32 characters"
    elif new_code.strip() != cca.code and use.in_use:
        fields["code"] = CODE_IN_USE
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 200:
        fields["name"] = "A name of 1 to 200 characters"
    if not isinstance(approval_required, bool):
        fields["approval_required"] = "true or false"
    if fields:
        raise Invalid("The CCA cannot be changed", fields)
    new_code = new_code.strip()
    if new_code != cca.code and session.get(CCA, new_code) is not None:
        raise Conflict(f"CCA {new_code} exists")
    before = _cca_state(cca)
    cca.code, cca.name, cca.approval_required = new_code, name.strip(), approval_required
    session.flush()
    after = _cca_state(cca)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        audit_account_change(
            session,
            actor,
            "cca_changed",
            cca.code,
            now,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return cca


def _cca_state(cca: CCA) -> dict[str, Any]:
    return {"code": cca.code, "name": cca.name, "approval_required": cca.approval_required}


def account_audit(session: Session, actor: User, request: PageRequest) -> Page[AuditEntry]:
    """The audit entries of accounts and CCAs, newest first, for an administrator."""
    _require_admin(actor)
    query = (
        select(AuditEntry)
        .where(AuditEntry.application_id.is_(None), AuditEntry.action.in_(ACCOUNT_ACTIONS))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    return paginate(session, query, request)


def audit_account_change(
    session: Session, actor: User, action: str, subject: str, now: datetime, **detail: Any
) -> None:
    """Record one change (an action of ACCOUNT_ACTIONS) of the account or CCA `subject`
    (username or CCA code) at `now` (aware UTC); `detail` holds `before` and `after` (JSON
    values of the fields that changed). Flushes."""
    session.add(AuditEntry(at=now, actor=actor.username, action=action, subject=subject, detail=detail))
    session.flush()


def account_history(session: Session, subject: str, actions: tuple[str, ...], limit: int = 50) -> list[AuditEntry]:
    """The newest `limit` entries of `actions` about the account or CCA `subject`, newest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.subject == subject, AuditEntry.action.in_(actions))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
