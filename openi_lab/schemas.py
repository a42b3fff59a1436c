"""Pydantic models of the REST API: the one contract shared by server, client, widgets and CLI.

The server validates request bodies with the ``*Create`` / ``*Update`` models and serialises
responses with the read models; the OpenAPI document is generated from these same classes, so
the contract cannot drift from the code.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

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
    default_branch: str = "main"
    is_archived: bool = False
    #: ``owner/name`` of the project this one was forked from
    fork_parent: str | None = None
    topics: list[str] = []
    num_stars: int = 0
    num_forks: int = 0
    num_watches: int = 0
    pushed_at: datetime | None = None
    #: path of the git remote under the server's base URL: ``openi/git/<owner>/<name>.git``
    clone_path: str = ""


class ProjectCreate(_Input):
    owner: str | None = None
    name: Name
    description: str = Field("", max_length=255)
    visibility: Visibility = Visibility.public


# --- code hosting ----------------------------------------------------------------------------

Topic = Annotated[str, Field(pattern=r"^[a-z0-9\u4e00-\u9fff][a-z0-9\u4e00-\u9fff-]{0,34}$")]
BranchName = Annotated[str, Field(min_length=1, max_length=255)]


class RepoCreate(ProjectCreate):
    """A new project with its git repository; ``auto_init`` makes a first commit (README)."""

    auto_init: bool = False
    gitignore: Literal["python"] | None = None
    license: Literal["mit", "apache-2.0"] | None = None
    default_branch: BranchName = "main"


class ForkCreate(_Input):
    owner: str | None = None
    name: Name | None = None
    visibility: Visibility | None = None


class RepoUpdate(_Input):
    name: Name | None = None
    description: str | None = Field(None, max_length=255)
    visibility: Visibility | None = None
    topics: list[Topic] | None = Field(None, max_length=20)
    archived: bool | None = None
    default_branch: BranchName | None = None


class Transfer(_Input):
    new_owner: str = Field(min_length=1, max_length=40)


class Protection(_Model):
    branch: str
    allow_force_push: bool
    allow_deletion: bool
    push_role: Role


class ProtectionSet(_Input):
    allow_force_push: bool = False
    allow_deletion: bool = False
    push_role: Literal[Role.write, Role.admin] = Role.write


class StarState(_Model):
    starred: bool
    watching: bool
    num_stars: int
    num_watches: int


class CommitInfo(_Model):
    sha: str
    short_sha: str
    message: str
    summary: str
    author_name: str
    author_email: str
    authored_at: datetime
    committed_at: datetime
    parents: list[str]


class RefInfo(_Model):
    """A branch or a tag with the commit it points to."""

    name: str
    commit: CommitInfo
    protected: bool = False
    is_default: bool = False


class TreeEntry(_Model):
    name: str
    path: str
    type: Literal["file", "dir", "symlink", "submodule"]
    size: int | None
    sha: str
    #: a symlink's target, shown but never followed
    target: str | None = None


class Tree(_Model):
    ref: str
    commit: str
    path: str
    entries: list[TreeEntry]


class FileContent(_Model):
    """A file at a ref: text (decoded) when it is text and small enough, else only metadata."""

    ref: str
    commit: str
    path: str
    size: int
    sha: str
    is_binary: bool
    encoding: str | None
    #: ``None`` for binary files and files over the size limit; fetch ``raw`` instead
    text: str | None
    truncated: bool


class FileDiff(_Model):
    path: str
    old_path: str | None = None
    status: str
    additions: int = 0
    deletions: int = 0
    binary: bool = False
    #: unified diff; ``None`` when too large to show
    patch: str | None = None


class CommitDetail(CommitInfo):
    files: list[FileDiff]


class Compare(_Model):
    base: str
    head: str
    merge_base: str | None
    ahead_by: int
    behind_by: int
    commits: list[CommitInfo]
    files: list[FileDiff]


class Rendered(_Model):
    """Safe HTML of a README, markdown file or notebook."""

    path: str
    html: str


class RepoImport(RepoCreate):
    """A new project whose history comes from another platform project (a copy, not a fork)."""

    source: str = Field(pattern=r"^[^/\s]+/[^/\s]+$", description="owner/name to copy")


class WorkspaceClone(_Input):
    #: directory relative to the Jupyter root; default: the project's name
    path: str | None = Field(None, max_length=255)


class WorkspaceCloned(_Model):
    path: str
    remote: str


class WorkspaceOrigin(_Model):
    """Where a workspace file comes from: a clone of a project of this platform, or not."""

    path: str
    #: the file lies in a git clone whose remote is a project of this platform
    in_project: bool
    #: ``owner/name`` of that project
    project: str | None = None
    #: the clone's folder, relative to the Jupyter root
    repo_path: str | None = None
    branch: str | None = None
    #: HEAD (None in a repository without commits)
    commit: str | None = None
    #: the file's path inside the repository
    file: str | None = None
    #: changed or untracked files (``git status --porcelain`` paths)
    dirty: list[str] = []
    #: HEAD is what the remote branch holds (as of the last fetch or push)
    pushed: bool = False


class WorkspaceCommitPush(_Input):
    #: a file or folder inside the clone, relative to the Jupyter root
    path: str = Field(min_length=1, max_length=1024)
    message: str = Field(min_length=1, max_length=2000)


class ReleaseAsset(_Model):
    id: int
    name: str
    size: int
    sha256: str
    download_count: int
    download_url: str


class Release(_Model):
    id: int
    tag: str
    title: str
    notes: str
    commit: str
    is_prerelease: bool
    author: User | None
    created_at: datetime
    assets: list[ReleaseAsset] = []


class ReleaseCreate(_Input):
    tag: BranchName
    #: branch or commit to tag when the tag does not exist yet (default: the default branch)
    target: str | None = Field(None, max_length=255)
    title: str = Field("", max_length=255)
    notes: str = Field("", max_length=65_535)
    is_prerelease: bool = False


class RepoCounts(_Model):
    """The numbers the project tabs show."""

    branches: int
    tags: int
    releases: int
    open_issues: int
    open_pulls: int
    forks: int
    stars: int
    watches: int


# --- issue tracker -------------------------------------------------------------------------


#: Label colours: ``#rrggbb``.
COLOR_PATTERN = r"^#[0-9a-fA-F]{6}$"
#: Markdown bodies of issues and comments (GitHub's limit).
MAX_BODY = 65_535


def _check_label_name(value: str) -> str:
    if "," in value or "/" in value:
        raise ValueError("may not contain ',' or '/'")
    return value


LabelName = Annotated[str, Field(min_length=1, max_length=50), AfterValidator(_check_label_name)]
Color = Annotated[
    str, Field(pattern=COLOR_PATTERN, description="#rrggbb"), AfterValidator(str.lower)
]


class IssueState(StrEnum):
    """An issue (任务) or milestone (里程碑) is open or closed."""

    open = "open"
    closed = "closed"


class Label(_Model):
    id: int
    name: str
    color: str
    description: str


class LabelCreate(_Input):
    name: LabelName
    color: Color
    description: str = Field("", max_length=255)


class LabelUpdate(_Input):
    name: LabelName | None = None
    color: Color | None = None
    description: str | None = Field(None, max_length=255)


class MilestoneRef(_Model):
    """A milestone as shown on an issue."""

    id: int
    title: str
    state: IssueState
    due_on: date | None


class Milestone(MilestoneRef):
    """里程碑 with its progress: ``closed_issues / (open_issues + closed_issues)``, 0 if empty."""

    description: str
    open_issues: int
    closed_issues: int
    progress: float = Field(ge=0, le=1)
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class MilestoneCreate(_Input):
    title: str = Field(min_length=1, max_length=255)
    description: str = Field("", max_length=MAX_BODY)
    due_on: date | None = None


class MilestoneUpdate(_Input):
    title: str | None = Field(None, min_length=1, max_length=255)
    description: str | None = Field(None, max_length=MAX_BODY)
    due_on: date | None = None
    state: IssueState | None = None


class IssueRef(_Model):
    """An issue that mentions another (``#12`` or ``owner/name#12``)."""

    project: str
    number: int
    title: str
    state: IssueState
    is_pull: bool


class Issue(_Model):
    """任务: numbered per project; pull requests share the numbers (``is_pull``)."""

    id: int
    project: str
    number: int
    title: str
    body: str
    state: IssueState
    #: ``None`` once the author's account is gone
    author: User | None
    labels: list[Label]
    assignees: list[User]
    milestone: MilestoneRef | None
    comments: int
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    closed_by: User | None
    is_pull: bool
    #: issues the caller may see that mention this one
    referenced_by: list[IssueRef] = []


class IssueCreate(_Input):
    title: str = Field(min_length=1, max_length=255)
    body: str = Field("", max_length=MAX_BODY)
    #: labels, assignees and milestone need write access
    labels: list[LabelName] = []
    assignees: list[str] = []
    milestone: str | None = None


class IssueUpdate(_Input):
    """Only the fields sent change; ``milestone: null`` clears it."""

    title: str | None = Field(None, min_length=1, max_length=255)
    body: str | None = Field(None, max_length=MAX_BODY)
    state: IssueState | None = None
    labels: list[LabelName] | None = None
    assignees: list[str] | None = None
    milestone: str | None = None


class Comment(_Model):
    id: int
    issue: int
    author: User | None
    body: str
    created_at: datetime
    updated_at: datetime


class CommentCreate(_Input):
    body: str = Field(min_length=1, max_length=MAX_BODY)


class CommentUpdate(_Input):
    body: str = Field(min_length=1, max_length=MAX_BODY)


class IssueCard(_Model):
    """An issue on the board (看板): closed issues stay in their column, flagged closed."""

    number: int
    title: str
    state: IssueState
    author: User | None
    labels: list[Label]
    assignees: list[User]
    milestone: MilestoneRef | None
    comments: int
    position: int


class BoardColumn(_Model):
    id: int
    title: str
    position: int
    issues: list[IssueCard] = []


class Board(_Model):
    """The project board: columns left to right, each with its issues top to bottom."""

    columns: list[BoardColumn]


class BoardColumnCreate(_Input):
    title: str = Field(min_length=1, max_length=100)


class BoardColumnUpdate(_Input):
    title: str | None = Field(None, min_length=1, max_length=100)
    #: new place from the left, from 0
    position: int | None = Field(None, ge=0)


class BoardMove(_Input):
    """Put an issue in a column at ``position`` (from 0; omitted: at the bottom)."""

    column_id: int
    position: int | None = Field(None, ge=0)


# --- pull requests -------------------------------------------------------------------------


class PullState(StrEnum):
    """What a pull request list shows: ``closed`` means closed without being merged."""

    open = "open"
    closed = "closed"
    merged = "merged"
    all = "all"


class MergeMethod(StrEnum):
    """``merge``: a merge commit (always, even when a fast-forward is possible);
    ``fast-forward``: move the base branch to the head, refused when the base has moved on."""

    merge = "merge"
    fast_forward = "fast-forward"


class Pull(Issue):
    """合并请求: an issue (``is_pull`` true, sharing its number space, labels, comments…) that
    proposes ``head`` — a branch of this project, or ``owner:branch`` of a fork — into ``base``.

    ``mergeable`` is ``None`` while unknown (recomputed on the next read after a push);
    ``conflicts`` names the files that both sides changed incompatibly. ``commits``,
    ``additions``, ``deletions`` and ``changed_files`` describe the diff from the merge base.
    """

    head: str
    base: str
    head_sha: str
    base_sha: str
    merge_base: str | None
    mergeable: bool | None
    conflicts: list[str]
    merged: bool
    merged_sha: str | None
    merged_at: datetime | None
    merged_by: User | None
    commits: int
    additions: int
    deletions: int
    changed_files: int


class PullCreate(_Input):
    title: str = Field(min_length=1, max_length=255)
    body: str = Field("", max_length=MAX_BODY)
    #: a branch of this project, or ``owner:branch`` (``owner/name:branch``) of a fork of it
    head: str = Field(min_length=1, max_length=400)
    base: str = Field(min_length=1, max_length=255)


class PullUpdate(_Input):
    """Only the fields sent change; a merged pull request cannot be reopened."""

    title: str | None = Field(None, min_length=1, max_length=255)
    body: str | None = Field(None, max_length=MAX_BODY)
    state: IssueState | None = None


class PullMerge(_Input):
    method: MergeMethod = MergeMethod.merge
    #: the merge commit's message (default ``Merge pull request #N from head``)
    message: str | None = Field(None, min_length=1, max_length=MAX_BODY)


class NotebookCellChange(_Model):
    """One notebook cell in a diff: ``kind`` added/removed/modified/unchanged; indexes are
    0-based in the old/new notebook; ``source_diff`` is the unified diff of an edited source."""

    kind: Literal["added", "removed", "modified", "unchanged"]
    cell_type: str
    old_index: int | None
    new_index: int | None
    source_diff: str | None
    outputs_changed: bool
    old_source: str | None
    new_source: str | None


class PullFile(FileDiff):
    """A changed file; a notebook (``.ipynb``) also carries its cell-level changes (``None``
    when either side is not a readable notebook or the file is too large)."""

    cells: list[NotebookCellChange] | None = None


# --- datasets ------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _check_filename(value: str) -> str:
    if (
        not value
        or len(value) > 255
        or "/" in value
        or "\\" in value
        or _CONTROL.search(value)
        or value in (".", "..")
    ):
        raise ValueError(
            "a file name of 1-255 characters without '/', '\\', NUL or control characters, "
            "not '.' or '..'"
        )
    return value


FileName = Annotated[
    str,
    AfterValidator(_check_filename),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 255}),
]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
FileKind = Literal["zip", "tar.gz", "other"]
UploadStatus = Literal["active", "completed", "failed", "expired"]
MemberFlag = Literal["zip-slip", "absolute", "symlink", "bomb", "bad-name", "encrypted"]
PickerTab = Literal["project", "mine", "public", "favorites"]


class Dataset(_Model):
    """数据集: named files inside a project, with its own visibility."""

    id: int
    project: str
    name: str
    description: str
    visibility: Visibility
    creator: User | None
    created_at: datetime
    updated_at: datetime
    num_files: int
    total_size: int
    favorite: bool = False
    num_favorites: int = 0
    role: Role | None = None


class DatasetCreate(_Input):
    name: Name
    description: str = Field("", max_length=1024)
    visibility: Visibility = Visibility.public


class DatasetUpdate(_Input):
    name: Name | None = None
    description: str | None = Field(None, max_length=1024)
    visibility: Visibility | None = None


class DatasetFile(_Model):
    id: int
    dataset_id: int
    name: str
    size: int
    sha256: str
    kind: FileKind
    creator: User | None
    created_at: datetime
    download_count: int
    #: ``owner/project/dataset/name``
    path: str


class UploadCreate(_Input):
    project: str = Field(pattern=r"^[^/]+/[^/]+$", max_length=81)
    dataset: str = Field(min_length=1, max_length=40)
    filename: FileName
    size: int = Field(gt=0)
    sha256: Sha256


class Upload(_Model):
    """A resumable upload: PATCH chunks at ``offset``, then complete; check ``status`` first."""

    id: str
    project: str
    dataset: str
    filename: str
    size: int
    sha256: str
    offset: int
    #: the server's preferred chunk size; every chunk but the last must be at least this big
    #: on S3-backed servers (anything goes on local storage)
    chunk_size: int
    status: UploadStatus
    expires_at: datetime
    created_at: datetime
    file: DatasetFile | None = None


class MemberEntry(_Model):
    """One member of a zip or tar.gz archive, with what makes it dangerous."""

    name: str
    size: int
    compressed_size: int
    is_dir: bool
    flags: list[MemberFlag] = []
    previewable: bool = False


class MemberList(Page[MemberEntry]):
    archive_flags: list[MemberFlag] = []


class Preview(_Model):
    name: str
    kind: Literal["text", "csv", "json", "image", "binary"]
    text: str | None = None
    rows: list[list[str]] | None = None
    truncated: bool = False
    #: ``data:image/png;base64,…`` thumbnail, at most 256 px a side
    image: str | None = None


class PickerRow(_Model):
    file_id: int
    file_name: str
    size: int
    sha256: str
    kind: FileKind
    created_at: datetime
    dataset: str
    dataset_id: int
    project: str
    #: ``owner/project/dataset``
    path: str
    creator: str


class TabCounts(_Model):
    project: int
    mine: int
    public: int
    favorites: int


class PickerPage(Page[PickerRow]):
    tab: PickerTab
    tab_counts: TabCounts


# --- tasks ---------------------------------------------------------------------------------

#: Task names: letters, digits, ``_`` and ``-`` only (no Chinese), at most 64 characters.
TASK_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
#: Run parameter names become ``--name=value`` arguments.
PARAM_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$"


class TaskKind(StrEnum):
    """The four kinds of cloud-brain task, each its own tab."""

    debug = "debug"
    train = "train"
    inference = "inference"
    evaluation = "evaluation"


class TaskStatus(StrEnum):
    WAITING = "WAITING"
    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    STOPPED = "STOPPED"


ComputeResource = Literal["CPU", "GPU", "NPU"]


class ResourceSpec(_Model):
    """规格: what one task gets (cards of an accelerator, CPU cores, memory, a time limit)."""

    id: str
    compute: ComputeResource
    #: accelerator type (``T4``, ``Ascend-910``), None for CPU-only specs
    accelerator: str | None = None
    cards: int = 0
    cpu: int
    memory_gib: float
    accelerator_memory_gib: float = 0
    #: seconds; 0 means no limit
    time_limit: float = 0
    queue: str
    #: e.g. ``GPU: 1 * T4(16GB) | CPU: 4 cores | 8 GiB``
    label: str
    available: bool = True
    reason: str = ""


class TaskParam(_Input):
    name: str = Field(pattern=PARAM_NAME_PATTERN)
    value: str = Field("", max_length=1024)


class NotebookSnapshot(_Input):
    """A notebook sent with the task (作为训练任务运行 outside a platform clone): written
    into ``code/`` beside the repository's files and run as the boot file."""

    name: str = Field(pattern=r"^[^/\\]+\.ipynb$", max_length=255)
    #: the notebook's JSON (nbformat 4), at most ``MAX_SNAPSHOT_BYTES`` serialised
    content: dict[str, Any]


class TaskCreate(_Input):
    kind: TaskKind = TaskKind.train
    name: str = Field(pattern=TASK_NAME_PATTERN, max_length=64)
    description: str = Field("", max_length=255)
    branch: str = Field("", max_length=255)
    image: str = Field("local", max_length=255)
    spec: str = Field(min_length=1, max_length=64)
    #: a ``.py`` script or ``.ipynb`` notebook of the repository, or a shell command ``sh:…``;
    #: optional for a debug task (a ``.py`` given there runs in its kernel at start)
    boot_file: str = Field("", max_length=1024)
    #: a dataset file id (mounted at ``$OPENI_DATASET_DIR``)
    dataset: int | None = None
    params: list[TaskParam] = Field(default_factory=list, max_length=64)
    #: run this notebook instead of a file of the repository (``boot_file`` defaults to it)
    snapshot: NotebookSnapshot | None = None
    #: pin this commit (7-40 hex) instead of the branch's head (Reproduce a model version)
    commit: str | None = Field(None, min_length=7, max_length=40, pattern=r"^[0-9a-fA-F]+$")
    #: ``owner/project/model[@version|@alias]`` or a version id, mounted read-only at
    #: ``$OPENI_PRETRAIN_MODEL_DIR`` (inference and evaluation tasks)
    model_version: str | int | None = None

    @model_validator(mode="before")
    @classmethod
    def _boot_file_from_snapshot(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("boot_file"):
            snap = data.get("snapshot")
            if isinstance(snap, dict) and isinstance(snap.get("name"), str):
                return {**data, "boot_file": snap["name"]}
        return data


class TaskEvent(_Model):
    status: TaskStatus
    reason: str
    created_at: datetime


class Task(_Model):
    """云脑任务: one run of a boot file at a recorded commit, on one resource spec."""

    id: int
    project: str
    kind: TaskKind
    name: str
    description: str
    branch: str
    commit: str
    image: str
    spec: str
    compute: ComputeResource
    boot_file: str
    dataset: int | None
    #: ``owner/project/dataset/name`` of the dataset file, when one is used
    dataset_path: str | None = None
    params: list[TaskParam]
    creator: User | None
    status: TaskStatus
    reason: str
    exit_code: int | None
    devices: list[str]
    node: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    #: seconds run (so far, while running)
    duration: float | None
    events: list[TaskEvent] = []
    #: file name of the notebook snapshot the task runs (None: a file of the repository)
    snapshot_name: str | None = None
    snapshot_sha256: str | None = None
    #: the model version mounted at ``pretrain_model/`` (``owner/project/model@1.2.0``)
    model_version_id: int | None = None
    model_version: str | None = None


class TaskLog(_Model):
    """Log text from byte ``offset``; poll again from ``next_offset`` until ``done``."""

    offset: int
    next_offset: int
    text: str
    size: int
    done: bool


class TaskLogEvent(_Model):
    """One event of ``…/logs/stream``: ``log`` (text from ``offset`` up to ``next_offset``),
    ``status`` (the task changed status) or ``end`` (final status, the log is drained)."""

    event: Literal["log", "status", "end"]
    offset: int = 0
    next_offset: int = 0
    text: str = ""
    status: TaskStatus | None = None
    reason: str = ""
    exit_code: int | None = None


class TaskOutput(_Model):
    path: str
    size: int
