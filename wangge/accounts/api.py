from axes.utils import reset as reset_login_failures
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from wangge.accounts.scope import scope_for
from wangge.accounts.tokens import issue_token
from wangge.accounts.views import LOCKED_OUT_API_MESSAGE
from wangge.api.errors import ApiError
from wangge.api.types import Id

router = Router(tags=["accounts"])


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=256)


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme, not a secret
    expires_at: str


class RoleOut(Schema):
    role: str
    scope: str
    region: str | None
    department: int | None


class MeOut(Schema):
    username: str
    display_name: str
    is_global: bool
    roles: list[RoleOut]
    node_codes: list[str]
    map_codes: list[str]
    department_ids: list[Id]
    permissions: list[str]


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut},
    summary="Exchange username and password for a bearer token",
)
def create_token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise ApiError(429, "locked_out", LOCKED_OUT_API_MESSAGE)
    if user is None or not user.is_active:
        wrong = _("Wrong username or password.")
        raise ApiError(401, "bad_credentials", wrong, {"password": wrong})
    # A token exchange is a login: it clears the failure count like the login page does.
    reset_login_failures(username=payload.username)
    key, token = issue_token(user)
    return TokenOut(token=key, expires_at=token.expires_at.isoformat())


@router.get("/me", response=MeOut, summary="The current user, their roles and node codes")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    scope = scope_for(user)
    return MeOut(
        username=user.get_username(),
        display_name=getattr(user, "display_name", ""),
        is_global=scope.is_global,
        roles=[
            RoleOut(role=g.role, scope=g.scope, region=g.region_code, department=g.department_id)
            for g in scope.grants
        ],
        node_codes=scope.node_roots,
        map_codes=scope.map_roots,
        department_ids=scope.department_ids,
        permissions=sorted(user.get_all_permissions()),
    )
