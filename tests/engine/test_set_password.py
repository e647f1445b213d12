"""A new password: the registration rule applies, and every API token of the user ends."""

from __future__ import annotations

import pytest

from engine.bootstrap import Database
from engine.errors import Invalid, Unauthorized
from engine.models import User
from engine.services.auth import authenticate, issue_token, set_password, user_for_token
from tests.factories import NOW, after, make_officer


def test_a_new_password_signs_in_and_ends_every_old_token(db: Database) -> None:
    with db.sessions() as session, session.begin():
        officer = make_officer(session)
        token = issue_token(session, officer, NOW)
        set_password(session, officer, "a-brand-new-password", after(1))
        username = officer.username
    with db.sessions() as session:
        with pytest.raises(Unauthorized):
            user_for_token(session, token, after(1))
        assert authenticate(session, username, "a-brand-new-password", after(1)).username == username
        with pytest.raises(Unauthorized):
            authenticate(session, username, "secret-password", after(1))


@pytest.mark.parametrize("password", ["short", "x" * 1025, None, 12345678])
def test_a_password_that_breaks_the_registration_rule_is_refused(db: Database, password: object) -> None:
    with db.sessions() as session, session.begin():
        officer = make_officer(session)
        before = officer.password_hash
        with pytest.raises(Invalid) as refused:
            set_password(session, officer, password, NOW)
        assert "password" in refused.value.fields
        assert session.get(User, officer.id).password_hash == before
