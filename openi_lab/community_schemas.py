"""Pydantic models of community and discovery: feeds, explore, recommendations, fork network,
unified search and the OpenI index (contract: ``docs/community-api.md``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from .schemas import Org, Project, User, _Input, _Model

LinkKind = Literal[
    "user", "org", "project", "issue", "pull", "release", "branch", "dataset", "task", "model"
]

# --- feed ----------------------------------------------------------------------------------


class EventActor(_Model):
    username: str
    full_name: str


class EventLink(_Model):
    """A substring of both texts that links to ``ref`` (a route the UI knows for ``kind``)."""

    text: str
    kind: LinkKind
    ref: str


class Event(_Model):
    id: int
    kind: str
    actor: EventActor | None
    project: str | None
    created_at: datetime
    args: dict[str, Any]
    text_en: str
    text_zh: str
    links: list[EventLink]


# --- explore -------------------------------------------------------------------------------


class ExploreProject(Project):
    openi_index: float | None = None
    owner_kind: Literal["user", "org"] = "user"


class ExploreUser(User):
    project_count: int = 0


class TopicCount(_Model):
    topic: str
    count: int


class InvolvedIssue(_Model):
    id: int
    project: str
    number: int
    title: str
    state: Literal["open", "closed"]
    is_pull: bool
    author: str | None
    comments: int
    created_at: datetime
    updated_at: datetime
    involvement: list[Literal["created", "assigned", "commented"]]


class InvolvedMilestone(_Model):
    id: int
    project: str
    title: str
    state: Literal["open", "closed"]
    due_on: date | None
    open_issues: int
    closed_issues: int
    updated_at: datetime


# --- recommendations -----------------------------------------------------------------------

RecKind = Literal["org", "project"]


class RecommendedOrg(Org):
    curated: bool = False


class RecommendedProject(ExploreProject):
    curated: bool = False


class Recommendations(_Model):
    orgs: list[RecommendedOrg]
    projects: list[RecommendedProject]


class Curated(_Model):
    id: int
    kind: RecKind
    target: str
    position: int
    created_at: datetime
    created_by: str | None


class CuratedCreate(_Input):
    kind: RecKind
    target: str = Field(min_length=1, max_length=81)
    position: int = Field(0, ge=0, le=10_000)


class RecRequest(_Model):
    id: int
    kind: RecKind
    target: str
    reason: str
    status: Literal["pending", "approved", "rejected"]
    requester: str | None
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    note: str


class RecRequestCreate(_Input):
    kind: RecKind
    target: str = Field(min_length=1, max_length=81)
    reason: str = Field("", max_length=500)


class RecDecision(_Input):
    note: str = Field("", max_length=500)


# --- fork network --------------------------------------------------------------------------


class ForkInfo(_Model):
    project: ExploreProject
    branch: str
    ahead_by: int | None
    behind_by: int | None
    last_commit: str | None
    pushed_at: datetime | None


class ForkNetwork(_Model):
    project: str
    parent: str | None
    default_branch: str
    total: int
    page: int
    per_page: int
    items: list[ForkInfo]


# --- search --------------------------------------------------------------------------------


class SearchType(_Model):
    type: str
    label_en: str
    label_zh: str


class SearchHit(_Model):
    type: str
    id: int
    ref: str
    project: str | None
    title: str
    title_html: str
    snippet_html: str
    created_at: datetime | None
    updated_at: datetime | None


class SearchGroup(_Model):
    type: str
    count: int
    items: list[SearchHit]


class SearchResults(_Model):
    q: str
    type: str
    sort: str
    counts: dict[str, int]
    total: int
    page: int
    per_page: int
    items: list[SearchHit] = Field(default_factory=list)
    groups: list[SearchGroup] = Field(default_factory=list)


# --- OpenI index and dashboard -------------------------------------------------------------


class SignalWeight(_Model):
    key: str
    name_en: str
    name_zh: str
    weight: float


class DimensionWeight(_Model):
    key: str
    name_en: str
    name_zh: str
    weight: float
    signals: list[SignalWeight]


class Weights(_Model):
    dimensions: list[DimensionWeight]


class SignalScore(SignalWeight):
    raw: float
    normalised: float
    contribution: float


class DimensionScore(_Model):
    key: str
    name_en: str
    name_zh: str
    weight: float
    score: float
    contribution: float
    signals: list[SignalScore]


class IndexPoint(_Model):
    day: date
    index: float
    rank: int


class ProjectIndex(_Model):
    project: str
    index: float
    rank: int
    total_projects: int
    computed_at: datetime
    dimensions: list[DimensionScore]
    history: list[IndexPoint]


class IndexRow(_Model):
    project: str
    rank: int
    index: float
    dimensions: dict[str, float]
    computed_at: datetime


class Recomputed(_Model):
    computed_at: datetime
    projects: int


class ComputeDay(_Model):
    day: date
    hours: dict[str, float]


class Totals(_Model):
    users: int
    orgs: int
    projects: int
    public_projects: int
    datasets: int
    dataset_files: int
    models: int | None
    tasks: int
    tasks_by_compute: dict[str, int]
    tasks_by_status: dict[str, int]
    compute_hours_per_day: list[ComputeDay]
    computed_at: datetime
