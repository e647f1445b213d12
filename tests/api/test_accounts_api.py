"""Administration over the API: users (paged, searched, changed, deactivated), passwords,
unlocking, CCAs and the account audit; and an officer's own profile and password."""

from __future__ import annotations

from flask.testing import FlaskClient

from engine.bootstrap import Database
from engine.models import HumanTask
from tests.api.conftest import PASSWORD, Api, open_run, register, sign_in


def test_users_are_paged_with_total_and_links(client: FlaskClient, staff: dict[str, Api]) -> None:
    for number in range(7):
        assert staff["admin"].post("/users", {"username": f"desk{number}", "password": PASSWORD, "roles": ["dopt"]})

    first = staff["admin"].get("/users?role=dopt&per_page=3")
    assert first.status_code == 200
    assert first.headers["X-Total-Count"] == "8"  # the fixture's dopt too
    assert [user["username"] for user in first.json] == ["desk0", "desk1", "desk2"]
    assert 'rel="next"' in first.headers["Link"] and "page=2" in first.headers["Link"]
    last = staff["admin"].get("/users?role=dopt&per_page=3&page=3")
    assert [user["username"] for user in last.json] == ["desk6", "dopt"]
    assert 'rel="prev"' in last.headers["Link"] and 'rel="next"' not in last.headers["Link"]


def test_users_are_found_by_an_officers_name_or_email(client: FlaskClient, staff: dict[str, Api]) -> None:
    register(client, full_name="Kavita Deshpande", email="kavita.d@example.gov.in")

    by_name = staff["admin"].get("/users?q=deshp").json
    by_email = staff["admin"].get("/users?q=KAVITA.D@").json

    assert [user["full_name"] for user in by_name] == ["Kavita Deshpande"]
    assert by_email == by_name


def test_a_page_out_of_range_is_refused_by_name(staff: dict[str, Api]) -> None:
    response = staff["admin"].get("/users?per_page=501&page=0")
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"page", "per_page"}


def test_creating_an_officer_account_is_refused_officers_register_themselves(staff: dict[str, Api]) -> None:
    response = staff["admin"].post("/users", {"username": "x1", "password": PASSWORD, "roles": ["officer"]})
    assert response.status_code == 422
    assert "register themselves" in response.json["error"]["fields"]["roles"]


def test_roles_and_cca_change_and_the_audit_has_before_and_after(staff: dict[str, Api]) -> None:
    staff["admin"].post("/users", {"username": "approver", "password": PASSWORD, "roles": ["dopt"]})

    response = staff["admin"].patch("/users/approver", {"roles": ["cca_approver"], "cca": "MH-GAD"})

    assert response.status_code == 200
    assert (response.json["roles"], response.json["cca"]) == (["cca_approver"], "MH-GAD")
    audit = staff["admin"].get("/admin/audit").json
    assert audit[0] == {
        "id": audit[0]["id"],
        "at": audit[0]["at"],
        "actor": "admin",
        "action": "user_changed",
        "subject": "approver",
        "before": {"roles": ["dopt"], "cca": None},
        "after": {"roles": ["cca_approver"], "cca": "MH-GAD"},
    }
    assert audit[1]["action"] == "user_created"


def test_an_admin_may_not_deactivate_or_unmake_themselves(staff: dict[str, Api]) -> None:
    deactivate = staff["admin"].patch("/users/admin", {"active": False})
    demote = staff["admin"].patch("/users/admin", {"roles": ["dopt"]})

    assert deactivate.status_code == demote.status_code == 422
    assert "another administrator" in deactivate.json["error"]["fields"]["active"]
    assert "another administrator" in demote.json["error"]["fields"]["roles"]
    assert staff["admin"].get("/me").json["roles"] == ["admin"]


def test_deactivation_ends_sign_in_and_live_tokens_until_reactivated(
    client: FlaskClient, staff: dict[str, Api]
) -> None:
    finance = staff["finance"]
    assert finance.get("/me").status_code == 200

    assert staff["admin"].patch("/users/finance", {"active": False}).json["active"] is False

    assert finance.get("/me").status_code == 401
    refused = client.post("/api/v1/auth/token", json={"username": "finance", "password": PASSWORD})
    assert refused.status_code == 401
    assert "deactivated" in refused.json["error"]["message"]
    wrong = client.post("/api/v1/auth/token", json={"username": "finance", "password": "not-the-password"})
    assert wrong.json["error"]["message"] == "Wrong username or password"  # nothing said without the password

    staff["admin"].patch("/users/finance", {"active": True})
    assert finance.get("/me").status_code == 401  # the old token stays ended
    assert sign_in(client, "finance").get("/me").status_code == 200


def test_tasks_a_deactivated_approver_had_taken_go_back_to_the_shared_inbox(
    client: FlaskClient, staff: dict[str, Api], db: Database
) -> None:
    officer = register(client)
    application = officer.post("/applications", {"course_run_id": open_run(staff["dopt"])["id"], "declaration": True})
    task_id = staff["cca"].task(application.json["id"], "cca_approval")
    assert staff["cca"].post(f"/tasks/{task_id}/claim").status_code == 200

    staff["admin"].patch("/users/cca", {"active": False})

    with db.sessions() as session:
        assert session.get_one(HumanTask, task_id).assignee is None
    history = officer.get(f"/applications/{application.json['id']}").json["history"]
    assert history[-1]["action"] == "unclaimed" and history[-1]["actor"] == "admin"


def test_moving_an_approver_to_another_cca_releases_the_old_cca_tasks(
    client: FlaskClient, staff: dict[str, Api], db: Database
) -> None:
    officer = register(client)
    application = officer.post("/applications", {"course_run_id": open_run(staff["dopt"])["id"], "declaration": True})
    task_id = staff["cca"].task(application.json["id"], "cca_approval")
    staff["cca"].post(f"/tasks/{task_id}/claim")

    staff["admin"].patch("/users/cca", {"cca": "KA-DPAR"})

    with db.sessions() as session:
        assert session.get_one(HumanTask, task_id).assignee is None
    assert staff["other_cca"].get(f"/tasks/{task_id}").status_code == 404


def test_a_new_password_from_the_admin_ends_the_users_tokens(client: FlaskClient, staff: dict[str, Api]) -> None:
    short = staff["admin"].post("/users/dopt/password", {"password": "short"})
    assert short.status_code == 422 and "password" in short.json["error"]["fields"]

    assert staff["admin"].post("/users/dopt/password", {"password": "a-fresh-password"}).status_code == 200

    assert staff["dopt"].get("/me").status_code == 401
    assert sign_in(client, "dopt", "a-fresh-password").get("/me").status_code == 200
    assert staff["admin"].get("/admin/audit").json[0]["action"] == "password_set"


def test_unlock_clears_the_sign_in_slowdown_of_the_account(client: FlaskClient, staff: dict[str, Api]) -> None:
    for _attempt in range(6):
        client.post("/api/v1/auth/token", json={"username": "owner", "password": "wrong-password"})
    assert staff["admin"].get("/users/owner").json["failed_sign_ins"] == 5
    assert client.post("/api/v1/auth/token", json={"username": "owner", "password": PASSWORD}).status_code == 429

    unlocked = staff["admin"].post("/users/owner/unlock")

    assert unlocked.status_code == 200 and unlocked.json["failed_sign_ins"] == 0
    assert unlocked.json["locked_until"] is None
    assert sign_in(client, "owner").get("/me").status_code == 200
    entry = staff["admin"].get("/admin/audit").json[0]
    assert entry["action"] == "user_unlocked" and entry["before"] == {"failed_sign_ins": 5}


def test_unknown_users_are_not_found(staff: dict[str, Api]) -> None:
    assert staff["admin"].patch("/users/nobody", {"active": False}).status_code == 404
    assert staff["admin"].post("/users/nobody/unlock").status_code == 404


def test_a_cca_code_in_use_cannot_change(client: FlaskClient, staff: dict[str, Api]) -> None:
    register(client, cca="MH-GAD")
    refused = staff["admin"].patch("/ccas/MH-GAD", {"code": "MH-GAD-NEW"})
    assert refused.status_code == 422
    assert "in use" in refused.json["error"]["fields"]["code"]

    renamed = staff["admin"].patch("/ccas/MH-GAD", {"name": "GAD, Maharashtra", "approval_required": True})
    assert renamed.json == {"code": "MH-GAD", "name": "GAD, Maharashtra", "approval_required": True}


def test_an_unused_cca_code_changes_but_not_into_one_that_exists(staff: dict[str, Api]) -> None:
    staff["admin"].post("/ccas", {"code": "GOA-GAD", "name": "Goa GAD"})
    assert staff["admin"].patch("/ccas/GOA-GAD", {"code": "MH-GAD"}).status_code == 409
    assert staff["admin"].patch("/ccas/GOA-GAD", {"code": "GA-GAD"}).json["code"] == "GA-GAD"
    assert staff["admin"].patch("/ccas/GOA-GAD", {"name": "x"}).status_code == 404


def test_officer_changes_contact_details_through_patch_me(client: FlaskClient) -> None:
    officer = register(client)
    response = officer.patch("/me", {"mobile": "+919999988888", "designation": "Joint Secretary"})

    assert response.status_code == 200
    assert response.json["profile"]["mobile"] == "+919999988888"
    assert officer.patch("/me", {"email": "no-at-sign"}).json["error"]["fields"] == {
        "email": "Enter an e-mail address such as name@gov.in"
    }
    assert officer.patch("/me", {"username": "x"}).json["error"]["fields"] == {"username": "unknown field"}


def test_service_details_wait_until_no_application_is_under_way(client: FlaskClient, staff: dict[str, Api]) -> None:
    officer = register(client)
    assert officer.patch("/me", {"date_of_joining": "2014-01-01"}).status_code == 200
    application = officer.post("/applications", {"course_run_id": open_run(staff["dopt"])["id"], "declaration": True})

    refused = officer.patch("/me", {"cca": "KA-DPAR"})
    unchanged = officer.patch("/me", {"cca": officer.get("/me").json["profile"]["cca"]})

    assert refused.status_code == 409
    assert unchanged.status_code == 200  # sending what is there changes nothing
    officer.post(f"/applications/{application.json['id']}/withdraw")
    assert officer.patch("/me", {"cca": "KA-DPAR"}).json["profile"]["cca"] == "KA-DPAR"


def test_staff_have_no_profile_to_patch(staff: dict[str, Api]) -> None:
    assert staff["dopt"].patch("/me", {"mobile": "+919999988888"}).status_code == 403


def test_own_password_change_checks_the_current_one_and_ends_the_tokens(client: FlaskClient) -> None:
    officer = register(client)
    username = officer.get("/me").json["username"]
    wrong = officer.post("/me/password", {"current_password": "nope", "new_password": "another-password"})
    assert wrong.status_code == 422 and set(wrong.json["error"]["fields"]) == {"current_password"}
    same = officer.post("/me/password", {"current_password": PASSWORD, "new_password": PASSWORD})
    assert set(same.json["error"]["fields"]) == {"new_password"}

    assert (
        officer.post("/me/password", {"current_password": PASSWORD, "new_password": "another-password"}).status_code
        == 204
    )

    assert officer.get("/me").status_code == 401
    assert sign_in(client, username, "another-password").get("/me").status_code == 200


def test_an_edx_username_is_one_officers_at_registration_and_on_change(client: FlaskClient) -> None:
    from tests.api.conftest import officer_body

    first = register(client, edx_username="Shared_Edx")
    again = client.post("/api/v1/officers", json=officer_body(edx_username="shared_edx"))
    second = register(client)
    change = second.patch("/me", {"edx_username": "SHARED_EDX"})
    own = first.patch("/me", {"edx_username": "shared_EDX"})

    for refused in (again, change):
        assert refused.status_code == 422
        assert refused.json["error"]["fields"]["edx_username"] == "This edX username is already used by another officer"
    assert own.status_code == 200


def test_a_cca_is_bound_only_to_a_cca_approver(staff: dict[str, Api]) -> None:
    created = staff["admin"].post(
        "/users", {"username": "cashier", "password": PASSWORD, "roles": ["finance"], "cca": "KA-DPAR"}
    )
    bound = staff["admin"].patch("/users/finance", {"cca": "KA-DPAR"})
    demoted = staff["admin"].patch("/users/cca", {"roles": ["dopt"]})

    for refused in (created, bound):
        assert refused.status_code == 422
        assert "CCA approver" in refused.json["error"]["fields"]["cca"]
    assert demoted.status_code == 200 and demoted.json["cca"] is None
