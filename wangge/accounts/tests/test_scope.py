import pytest
from django.contrib.auth.models import AnonymousUser

from wangge.accounts.actions import do_assign_role
from wangge.accounts.models import Assignment
from wangge.accounts.scope import ANONYMOUS, forget_scope, prefix_q, scope_for
from wangge.regions.models import Region
from wangge.testing import GRID_A, GRID_A2, GRID_B, GRID_OTHER, USERS

#: username → (node roots, map roots) expected from the world fixture.
EXPECTED_ROOTS = {
    "admin": ([], []),
    "district": (["440704"], ["440704"]),
    "street": (["440704001"], ["440704001"]),
    "street_b": (["440704002"], ["440704002"]),
    "community": (["440704001001"], ["440704001001"]),
    "worker_a": ([GRID_A], [GRID_A]),
    "worker_a2": ([GRID_A2], [GRID_A2]),
    "worker_b": ([GRID_B], [GRID_B]),
    "part_time_a": ([GRID_A + "001"], [GRID_A + "001"]),
    "dept": ([], ["440704"]),
    "resident": ([], ["440704"]),
    "other_district": (["440703"], ["440703"]),
}


def test_it_covers_every_user_of_the_world():
    assert set(EXPECTED_ROOTS) == set(USERS)


@pytest.mark.parametrize("username", sorted(EXPECTED_ROOTS))
def test_it_gives_each_role_its_roots(world, username):
    scope = scope_for(world[username])
    node_roots, map_roots = EXPECTED_ROOTS[username]
    assert scope.node_roots == node_roots
    assert scope.map_roots == map_roots
    assert scope.roles == [USERS[username][0]]
    assert scope.is_global == (username == "admin")


@pytest.mark.parametrize("username", sorted(EXPECTED_ROOTS))
def test_it_sees_exactly_the_regions_under_its_map_roots(world, username):
    scope = scope_for(world[username])
    visible = set(scope.regions(Region.objects.all()).values_list("code", flat=True))
    if username == "admin":
        expected = set(world.regions)
    else:
        roots = EXPECTED_ROOTS[username][1]
        expected = {c for c in world.regions if any(c.startswith(r) for r in roots)}
    assert visible == expected
    for code in world.regions:
        assert scope.can_see_region(code) == (code in expected), code


def test_it_gives_department_users_their_district_map_but_no_nodes(world):
    scope = scope_for(world["dept"])
    assert scope.department_ids == [world.departments["cg"].pk]
    assert scope.map_roots == ["440704"]
    assert scope.nodes(Region.objects.all(), "code").count() == 0
    assert scope.can_see_region(GRID_B)
    assert not scope.can_see_region(GRID_OTHER)


def test_it_gives_residents_read_access_to_their_district_map_only(world):
    scope = scope_for(world["resident"])
    assert scope.node_roots == []
    assert scope.can_see_region("440704002001001001")
    assert not scope.can_see_region("440703")
    assert not scope.can("regions.view_region", "440704")


def test_it_lets_superusers_and_global_roles_see_everything(world):
    admin = scope_for(world["admin"])
    assert admin.is_global
    assert admin.can_see_region(GRID_OTHER)
    assert admin.can("accounts.manage_users", "440703")
    assert admin.can("anything.at_all")
    everything = Region.objects.count()
    assert admin.regions(Region.objects.all()).count() == everything
    assert admin.nodes(Region.objects.all(), "code").count() == everything


def test_it_makes_a_superuser_without_roles_global(world):
    user = world["district"]
    user.is_superuser = True
    user.save()
    Assignment.objects.filter(user=user).delete()
    forget_scope(user)
    assert scope_for(user).is_global


def test_it_makes_a_global_role_global_without_superuser(world):
    user = world["street"]
    do_assign_role(user=user, role="admin", actor=None)
    assert not user.is_superuser
    scope = scope_for(user)
    assert scope.is_global
    assert scope.can_see_region(GRID_OTHER)


#: (username, permission, code, expected)
CAN_CASES = [
    ("district", "regions.view_region", "440704", True),
    ("district", "regions.view_region", GRID_B + "001", True),
    ("district", "regions.view_region", "440703", False),
    ("district", "regions.change_region", "440704", False),
    ("street", "regions.view_region", "440704001001", True),
    ("street", "regions.view_region", "440704", False),
    ("street", "regions.view_region", "440704002", False),
    ("community", "regions.change_region", GRID_A, True),
    ("community", "regions.change_region", "440704001001", True),
    ("community", "regions.change_region", "440704001", False),
    ("community", "regions.change_region", GRID_B, False),
    ("community", "accounts.manage_users", GRID_A, False),
    ("worker_a", "regions.view_region", GRID_A, True),
    ("worker_a", "regions.view_region", GRID_A + "002", True),
    ("worker_a", "regions.view_region", GRID_A2, False),
    ("worker_a", "regions.change_region", GRID_A, False),
    ("part_time_a", "regions.view_region", GRID_A + "001", True),
    ("part_time_a", "regions.view_region", GRID_A + "002", False),
    ("part_time_a", "regions.view_region", GRID_A, False),
    ("dept", "regions.view_region", GRID_A, False),
    ("resident", "regions.view_region", GRID_A, False),
    ("other_district", "regions.view_region", GRID_OTHER, True),
    ("other_district", "regions.view_region", GRID_A, False),
    ("admin", "regions.import_regions", GRID_OTHER, True),
]


@pytest.mark.parametrize(("username", "perm", "code", "expected"), CAN_CASES)
def test_it_checks_permissions_per_node(world, username, perm, code, expected):
    assert scope_for(world[username]).can(perm, code) is expected


@pytest.mark.parametrize(
    ("username", "perm", "expected"),
    [
        ("worker_a", "regions.view_region", True),
        ("worker_a", "regions.change_region", False),
        ("community", "regions.change_region", True),
        ("dept", "regions.view_region", True),
        ("resident", "regions.view_region", True),
        ("district", "accounts.manage_users", False),
        ("district", "audit.view_auditentry", False),
    ],
)
def test_it_checks_permissions_anywhere(world, username, perm, expected):
    assert scope_for(world[username]).can(perm) is expected
    assert world[username].has_perm(perm) is expected


def test_it_lists_the_roots_holding_a_permission(world):
    community = scope_for(world["community"])
    assert community.roots_with("regions.change_region") == ["440704001001"]
    assert community.roots_with("accounts.manage_users") == []


def test_it_unites_several_assignments(world):
    user = world["worker_a"]
    do_assign_role(user=user, role="grid_worker", region=world.regions[GRID_B], actor=None)
    do_assign_role(
        user=user, role="community_staff", region=world.regions["440704001001"], actor=None
    )
    scope = scope_for(user)
    assert scope.node_roots == ["440704001001", GRID_B]
    assert scope.map_roots == ["440704001001", GRID_B]
    assert scope.roles == ["community_staff", "grid_worker"]
    assert scope.can("regions.change_region", GRID_A2)
    assert not scope.can("regions.change_region", GRID_B)
    assert scope.can("regions.view_region", GRID_B + "001")


def test_it_ignores_inactive_assignments(world):
    user = world["worker_a"]
    Assignment.objects.filter(user=user).update(is_active=False)
    forget_scope(user)
    scope = scope_for(user)
    assert scope.grants == ()
    assert scope.map_roots == []
    assert not scope.can_see_region(GRID_A)
    assert scope.regions(Region.objects.all()).count() == 0


def test_it_gives_inactive_and_anonymous_users_nothing(world):
    user = world["district"]
    user.is_active = False
    assert scope_for(user) is ANONYMOUS
    assert scope_for(None) is ANONYMOUS
    assert scope_for(AnonymousUser()) is ANONYMOUS
    assert ANONYMOUS.regions(Region.objects.all()).count() == 0
    assert not ANONYMOUS.can("regions.view_region")
    assert not ANONYMOUS.can_see_region("440704")


def test_it_computes_the_scope_once_per_user_object(world, django_assert_num_queries):
    user = world["street"]
    forget_scope(user)
    first = scope_for(user)
    with django_assert_num_queries(0):
        assert scope_for(user) is first


def test_it_forgets_the_scope_when_roles_change(world):
    user = world["worker_a"]
    assert not scope_for(user).can_see_region(GRID_B)
    do_assign_role(user=user, role="grid_worker", region=world.regions[GRID_B], actor=None)
    assert scope_for(user).can_see_region(GRID_B)


def test_it_filters_by_index_ranges(world):
    street = set(
        Region.objects.filter(prefix_q("code", ["440704001"])).values_list("code", flat=True)
    )
    assert street == {c for c in world.regions if c.startswith("440704001")}
    assert not Region.objects.filter(prefix_q("code", [])).exists()
    both = Region.objects.filter(prefix_q("code", [GRID_A, "440703", GRID_A + "001"]))
    assert set(both.values_list("code", flat=True)) == {
        c for c in world.regions if c.startswith((GRID_A, "440703"))
    }
