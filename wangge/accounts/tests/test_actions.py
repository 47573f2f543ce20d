import json

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from wangge.accounts.actions import AccountError, do_assign_role, do_create_user
from wangge.accounts.models import Assignment, User
from wangge.accounts.scope import scope_for
from wangge.audit.context import current_request_id, reset_request_id, set_request_id
from wangge.audit.middleware import RequestIdMiddleware
from wangge.audit.models import AuditEntry
from wangge.testing import GRID_A, GRID_B


def run_in_request(view, request_id: str | None = None) -> HttpResponse:
    """Run ``view`` behind RequestIdMiddleware, as a real request would."""
    headers = {"X-Request-ID": request_id} if request_id is not None else {}
    request = RequestFactory(headers=headers).get("/")
    return RequestIdMiddleware(view)(request)


def test_it_audits_user_creation_with_actor_and_request_id(world):
    admin = world["admin"]
    created: list[User] = []

    def view(request):
        created.append(
            do_create_user(
                username="new_worker", password="s3cret-pass", display_name="新人", actor=admin
            )
        )
        return HttpResponse("ok")

    response = run_in_request(view, "req-create-1")
    assert response["X-Request-ID"] == "req-create-1"
    entry = AuditEntry.objects.get(action="accounts.create_user", object_id=str(created[0].pk))
    assert entry.actor == admin
    assert entry.actor_label == "admin"
    assert entry.request_id == "req-create-1"
    assert entry.object_type == "accounts.user"
    assert entry.after == {"username": "new_worker", "display_name": "新人"}
    assert "s3cret-pass" not in json.dumps(entry.after)
    assert created[0].check_password("s3cret-pass")


def test_it_audits_role_assignment_with_actor_and_request_id(world):
    admin = world["admin"]
    user = do_create_user(username="new_worker", password=None, actor=admin)
    assert not user.has_usable_password()

    def view(request):
        do_assign_role(user=user, role="grid_worker", region=world.regions[GRID_B], actor=admin)
        return HttpResponse("ok")

    run_in_request(view, "req-assign-1")
    entry = AuditEntry.objects.get(action="accounts.assign_role", request_id="req-assign-1")
    assert entry.actor == admin
    assert entry.region_code == GRID_B
    assert entry.object_type == "accounts.assignment"
    assert entry.after == {
        "user": "new_worker",
        "role": "grid_worker",
        "region": GRID_B,
        "department": None,
    }
    assert scope_for(user).node_roots == [GRID_B]


def test_it_generates_a_request_id_when_none_or_a_bad_one_is_given(world):
    seen: list[str | None] = []

    def view(request):
        seen.append(current_request_id())
        do_create_user(username=f"user{len(seen)}", password=None, actor=world["admin"])
        return HttpResponse("ok")

    for given in (None, "", "has spaces", "x" * 65, "semi;colon"):
        response = run_in_request(view, given)
        generated = response["X-Request-ID"]
        assert generated != given
        assert len(generated) == 32 and int(generated, 16) >= 0
        assert seen[-1] == generated
        assert AuditEntry.objects.get(object_repr=f"user{len(seen)}").request_id == generated
    assert current_request_id() is None  # nothing leaks out of the request


def test_it_uses_the_request_id_of_the_context_outside_the_middleware(world):
    token = set_request_id("job-42")
    try:
        do_create_user(username="cli_user", password=None, actor=None)
    finally:
        reset_request_id(token)
    entry = AuditEntry.objects.get(action="accounts.create_user", object_repr="cli_user")
    assert entry.request_id == "job-42"
    assert entry.actor is None
    assert entry.actor_label == "system"


def test_it_echoes_the_request_id_of_api_calls(api, world):
    response = api("worker_a").get("/api/v1/me", headers={"X-Request-ID": "abc-123.X_y"})
    assert response.status_code == 200
    assert response["X-Request-ID"] == "abc-123.X_y"
    generated = Client().get("/api/v1/me")["X-Request-ID"]
    assert len(generated) == 32
    refused = Client().post(
        "/api/v1/auth/token",
        data="{}",
        content_type="application/json",
        headers={"X-Request-ID": "r-1"},
    )
    assert refused["X-Request-ID"] == "r-1"


@pytest.mark.parametrize("username", ["district", "community", "worker_a", "dept", "resident"])
def test_it_lets_only_platform_admins_create_users(world, username):
    with pytest.raises(AccountError):
        do_create_user(username="intruder", password="x-pass-123", actor=world[username])
    assert not User.objects.filter(username="intruder").exists()
    assert not AuditEntry.objects.filter(
        action="accounts.create_user", actor=world[username]
    ).exists()


@pytest.mark.parametrize("username", ["district", "street", "community", "worker_a", "dept"])
def test_it_refuses_role_assignment_without_manage_users(world, username):
    target = world["worker_a2"]
    with pytest.raises(AccountError):
        do_assign_role(
            user=target, role="grid_worker", region=world.regions[GRID_A], actor=world[username]
        )
    assert not Assignment.objects.filter(user=target, region=world.regions[GRID_A]).exists()


def test_it_refuses_a_taken_username(world):
    with pytest.raises(AccountError) as excinfo:
        do_create_user(username="worker_a", password=None, actor=world["admin"])
    assert excinfo.value.fields == {"username": "用户名已存在"}


@pytest.mark.parametrize(
    ("role", "kwargs", "field"),
    [
        ("grid_worker", {}, "region"),
        ("grid_worker", {"region": "440704001001"}, "region"),  # a grid role at a community
        ("part_time_worker", {"region": GRID_A}, "region"),  # a unit role at a grid
        ("dispatcher", {"region": GRID_A}, "region"),
        ("dept_handler", {}, "department"),
        ("admin", {"region": "440704"}, "region"),
    ],
)
def test_it_validates_assignments_against_the_role(world, role, kwargs, field):
    if "region" in kwargs:
        kwargs = {"region": world.regions[kwargs["region"]]}
    with pytest.raises(AccountError) as excinfo:
        do_assign_role(user=world["worker_b"], role=role, actor=world["admin"], **kwargs)
    assert field in excinfo.value.fields
    assert excinfo.value.fields[field]  # a message for the user


def test_it_reactivates_an_inactive_assignment(world):
    user = world["worker_a"]
    Assignment.objects.filter(user=user).update(is_active=False)
    again = do_assign_role(
        user=user, role="grid_worker", region=world.regions[GRID_A], actor=world["admin"]
    )
    assert again.is_active
    assert Assignment.objects.filter(user=user).count() == 1
    assert scope_for(user).node_roots == [GRID_A]


def test_it_writes_nothing_when_an_assignment_is_refused(world):
    before = AuditEntry.objects.count()
    with pytest.raises(AccountError):
        do_assign_role(user=world["worker_b"], role="grid_worker", actor=world["admin"])
    assert AuditEntry.objects.count() == before
