"""Pydantic models of the REST API: the one contract shared by server, client, widgets and CLI.

The server validates request bodies with the ``*Create`` / ``*Update`` models and serialises
responses with the read models; the OpenAPI document is generated from these same classes, so
the contract cannot drift from the code.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

T = TypeVar("T")

#: Names of users, organisations, teams and projects: letters, digits, ``_``, ``-``, ``.``;
#: starting with a letter or digit; at most 40 characters (GitHub/Gitea-like rules).
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$"
_NAME_RE = re.compile(NAME_PATTERN)

#: Names that would collide with routes or confuse users.
RESERVED_NAMES = frozenset(
    {
        "admin",
        "api",
        "explore",
        "login",
        "logout",
        "new",
        "org",
        "orgs",
        "repo",
        "settings",
        "user",
        "users",
        "search",
        "static",
        "assets",
        "git",
        "-",
        ".",
    }
)


def _check_name(value: str) -> str:
    if not _NAME_RE.match(value):
        raise ValueError(
            "use 1-40 letters, digits, '_', '-' or '.', starting with a letter or digit"
        )
    if value.endswith(".git") or value.lower() in RESERVED_NAMES:
        raise ValueError(f"'{value}' is reserved")
    return value


Name = Annotated[
    str,
    AfterValidator(_check_name),
    WithJsonSchema({"type": "string", "pattern": NAME_PATTERN, "maxLength": 40}),
]


class Visibility(StrEnum):
    """Who may see a resource: everyone, or only those granted a role."""

    public = "public"
    private = "private"


class Role(StrEnum):
    """A user's role on a resource, weakest first."""

    read = "read"
    write = "write"
    admin = "admin"
    owner = "owner"


class TeamPermission(StrEnum):
    """What a team's members may do with the organisation's resources."""

    read = "read"
    write = "write"
    admin = "admin"


class OrgRole(StrEnum):
    """An organisation member is either an owner (manages the org) or a member."""

    owner = "owner"
    member = "member"


class Scope(StrEnum):
    """What a personal access token allows: read (safe methods), write (changes), admin."""

    read = "read"
    write = "write"
    admin = "admin"


class _Model(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _Input(BaseModel):
    """Request bodies refuse unknown fields so that typos answer 422 instead of being lost."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Page(_Model, Generic[T]):
    """One page of a list; ``total`` counts all items the caller may see."""

    items: list[T]
    total: int
    page: int
    per_page: int


class FieldError(_Model):
    field: str
    reason: str


class Error(_Model):
    """Every non-2xx answer of the API has this body."""

    status: int
    message: str
    errors: list[FieldError] = []


# --- users ---------------------------------------------------------------------------------


class User(_Model):
    id: int
    username: str
    full_name: str
    email: str | None
    avatar_url: str | None = None
    is_admin: bool
    created_at: datetime


class UserCreate(_Input):
    username: Name
    full_name: str = Field("", max_length=100)
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    is_admin: bool = False


# --- organisations and teams ---------------------------------------------------------------


class Org(_Model):
    id: int
    name: str
    full_name: str
    description: str
    visibility: Visibility
    created_at: datetime
    member_count: int = 0
    team_count: int = 0
    project_count: int = 0


class OrgCreate(_Input):
    name: Name
    full_name: str = Field("", max_length=100)
    description: str = Field("", max_length=255)
    visibility: Visibility = Visibility.public


class OrgUpdate(_Input):
    full_name: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=255)
    visibility: Visibility | None = None


class Member(_Model):
    user: User
    role: OrgRole


class MemberSet(_Input):
    role: OrgRole = OrgRole.member


class Team(_Model):
    id: int
    org: str
    name: str
    description: str
    permission: TeamPermission
    member_count: int = 0
    created_at: datetime


class TeamCreate(_Input):
    name: Name
    description: str = Field("", max_length=255)
    permission: TeamPermission = TeamPermission.read


class TeamUpdate(_Input):
    description: str | None = Field(None, max_length=255)
    permission: TeamPermission | None = None


# --- tokens --------------------------------------------------------------------------------


class Token(_Model):
    id: int
    name: str
    scopes: list[Scope]
    expires_at: datetime | None
    created_at: datetime
    last_used_at: datetime | None


class TokenCreate(_Input):
    name: str = Field(min_length=1, max_length=64)
    scopes: list[Scope] = Field(default_factory=lambda: [Scope.read], min_length=1)
    expires_in_days: int | None = Field(30, ge=1, le=3650)


class TokenCreated(Token):
    """Returned once, at creation: the secret is never shown again."""

    token: str


# --- projects ------------------------------------------------------------------------------


class Project(_Model):
    id: int
    owner: str
    name: str
    full_name: str
    description: str
    visibility: Visibility
    created_at: datetime
    updated_at: datetime
    role: Role | None = None


class ProjectCreate(_Input):
    owner: str | None = None
    name: Name
    description: str = Field("", max_length=255)
    visibility: Visibility = Visibility.public
