"""Pull requests (合并请求): propose a branch of a project, or of a fork of it, into a branch.

A pull request IS an issue with ``is_pull`` true: it takes its number from the project's issue
sequence (:func:`~.tracker.next_number`) and shares title, body, labels, assignees, milestone
and comments with issues (comments use the issue endpoints). :class:`~..db.pull_models.
PullRequest` adds the git side.

Who may do what (every check starts at :meth:`ProjectService.resolve`):

* anyone who can read the base project may propose (as on GitHub), if they can also read the
  head project; a pull request in a project the caller may not see answers like a missing one;
* the author or a writer edits the title and body and closes or reopens it (a merged one stays
  closed);
* merging needs the write role on the base project (branch protection only stops force pushes
  and deletions, so a merge through the platform is allowed); an archived project refuses
  every change.

Git: the head's commits are copied into the base repository under ``refs/pull/<number>/head``
(from the fork's repository when the head is a fork), so diffs, mergeability and the merge need
only the base repository. The tips last seen are kept with the merge base, the mergeability and
the diff size; a read that finds either tip moved recomputes them (dulwich's
``three_way_merge`` into an in-memory overlay, so a check writes nothing to disk). Pushes call
:meth:`PullService.on_push`, which marks the affected pull requests unknown and moves
``refs/pull/<n>/head`` of same-repository heads. A merge writes the merged tree and a commit
with two parents (or fast-forwards) and moves the base branch with a compare-and-swap, so a
concurrent push is never lost. All git work runs in threads.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dulwich.merge import Merger, three_way_merge
from dulwich.object_store import BaseObjectStore, MemoryObjectStore, OverlayObjectStore
from dulwich.objects import Blob, Commit, Tree
from dulwich.repo import Repo
from dulwich.walk import Walker
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import joinedload, selectinload

from openi_lab import schemas as s

from ..db.models import Account, Project, utcnow
from ..db.pull_models import PullRequest
from ..db.tracker_models import Issue
from ..git import browse as g
from ..git.names import check_branch, split_path
from ..git.store import Author, RepoStore
from ..render.notebook import NotebookRenderError
from ..render.notebook_diff import diff_notebooks
from . import activity
from .accounts import user_out
from .errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from .pagination import PageRequest, PageResult, paginate
from .permissions import at_least, resource_role
from .principal import Principal
from .projects import ProjectService
from .tracker import TrackerService, issue_out, lock_tracker, next_number

#: commits listed for one pull request (as GitHub, which lists 250)
MAX_COMMITS = 250
#: notebooks larger than this get no cell-level diff
MAX_NOTEBOOK_BYTES = 5_000_000

_ISSUE_LOAD = (
    joinedload(Issue.author),
    joinedload(Issue.closed_by),
    joinedload(Issue.milestone),
    selectinload(Issue.labels),
    selectinload(Issue.assignees),
)
_PULL_LOAD = (joinedload(PullRequest.head_project), joinedload(PullRequest.merged_by))


class _Merger(Merger):
    """dulwich's merger; without the optional ``merge3`` package a file that both sides
    changed differently counts as a conflict instead of failing the whole merge."""

    def merge_blobs(
        self,
        base_blob: Blob | None,
        ours_blob: Blob | None,
        theirs_blob: Blob | None,
        path: bytes | None = None,
    ) -> tuple[bytes, bool]:
        try:
            return super().merge_blobs(base_blob, ours_blob, theirs_blob, path)
        except ImportError:
            return (ours_blob.data if ours_blob is not None else b""), True


def _merge_trees(
    store: BaseObjectStore, base: Commit | None, ours: Commit, theirs: Commit
) -> tuple[Tree, list[str]]:
    tree, conflicts = three_way_merge(store, base, ours, theirs, merger=_Merger(store))
    return tree, sorted(p.decode(errors="replace") for p in conflicts)


@dataclass(frozen=True)
class _Spec:
    """What the git work needs of one pull request, copied out of the session."""

    issue_id: int
    number: int
    project_id: int
    head_project_id: int | None
    head_branch: str
    base_branch: str
    head_sha: str
    base_sha: str
    merge_base: str | None
    mergeable: bool | None
    #: merged or closed: nothing is recomputed
    frozen: bool

    @property
    def pull_ref(self) -> bytes:
        return f"refs/pull/{self.number}/head".encode()


def _ref(repo: Repo, name: bytes) -> bytes | None:
    try:
        return repo.refs[name]
    except KeyError:
        return None


def _head_label(base: Project, pr: PullRequest) -> str:
    if pr.head_project_id == base.id:
        return pr.head_branch
    if pr.head_project is None:
        return f"(deleted fork):{pr.head_branch}"
    return f"{pr.head_project.owner.name}:{pr.head_branch}"


def pull_out(
    issue: Issue, pr: PullRequest, base: Project, refs: list[s.IssueRef] | None = None
) -> s.Pull:
    fields = dict(issue_out(issue, f"{base.owner.name}/{base.name}", refs))
    return s.Pull(
        **fields,
        head=_head_label(base, pr),
        base=pr.base_branch,
        head_sha=pr.head_sha,
        base_sha=pr.base_sha,
        merge_base=pr.merge_base_sha,
        mergeable=pr.mergeable,
        conflicts=json.loads(pr.has_conflicts or "[]"),
        merged=pr.merged,
        merged_sha=pr.merged_sha,
        merged_at=pr.merged_at,
        merged_by=user_out(pr.merged_by) if pr.merged_by is not None else None,
        commits=pr.num_commits,
        additions=pr.additions,
        deletions=pr.deletions,
        changed_files=pr.changed_files,
    )


def _number(raw: str, what: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise NotFound(what)
    return int(raw)


class PullService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        projects: ProjectService,
        tracker: TrackerService,
        store: RepoStore,
    ):
        self.sessions = sessions
        self.projects = projects
        self.tracker = tracker
        self.store = store

    # --- create ----------------------------------------------------------------------------

    async def create(self, actor: Principal, owner: str, name: str, body: s.PullCreate) -> s.Pull:
        async with self.sessions() as session:
            base, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            self._writable(base)
            head_project, head_branch = await self._head_of(session, actor, base, body.head)
            base_branch = check_branch(body.base, "base")
            if head_project.id == base.id and head_branch == base_branch:
                raise Invalid("head", "head and base are the same branch")
            base_id, head_id = base.id, head_project.id
        head_sha, base_sha = await asyncio.to_thread(
            self._prepare, base_id, head_id, head_branch, base_branch, body.head
        )
        async with self.sessions() as session:
            base_row = await session.get(Project, base_id)
            if base_row is None:
                raise NotFound(f"project '{owner}/{name}'")
            await lock_tracker(session, base_id)  # one creation at a time: no duplicate races
            duplicate = await session.scalar(
                select(Issue.number)
                .join(PullRequest, PullRequest.issue_id == Issue.id)
                .where(
                    Issue.project_id == base_id,
                    Issue.state == "open",
                    PullRequest.head_project_id == head_id,
                    PullRequest.head_branch == head_branch,
                    PullRequest.base_branch == base_branch,
                )
            )
            if duplicate is not None:
                raise Conflict(
                    f"pull request #{duplicate} already proposes {body.head} into {base_branch}",
                    [("head", f"an open pull request exists: #{duplicate}")],
                )
            number = await next_number(session, base_id)
            now = utcnow()
            issue = Issue(
                project_id=base_id,
                number=number,
                is_pull=True,
                title=body.title,
                body=body.body,
                author_id=actor.id,
                created_at=now,
                updated_at=now,
            )
            session.add(issue)
            await session.flush()
            session.add(
                PullRequest(
                    issue_id=issue.id,
                    head_project_id=head_id,
                    head_branch=head_branch,
                    base_branch=base_branch,
                    head_sha=head_sha,
                    base_sha=base_sha,
                    mergeable=None,
                    has_conflicts="[]",
                )
            )
            await self.tracker._record_references(session, actor, base_row, issue.id, body.body)
            activity.record(
                session, actor, base_id, "pull_opened", number=number, title=body.title,
                head=body.head, base=base_branch,
            )  # fmt: skip
            await session.commit()
            issue_id = issue.id
        spec = _Spec(
            issue_id, number, base_id, head_id, head_branch, base_branch,
            head_sha, base_sha, None, None, frozen=False,
        )  # fmt: skip
        await self._refresh([spec], force=True)
        return await self._out(actor, issue_id)

    async def _head_of(
        self, session: AsyncSession, actor: Principal, base: Project, head: str
    ) -> tuple[Project, str]:
        """``branch`` (this project) or ``owner:branch`` / ``owner/name:branch`` (a fork of it
        that the actor can see); an invisible fork answers like a missing one."""
        if ":" not in head:
            return base, check_branch(head, "head")
        who, branch = head.split(":", 1)
        check_branch(branch, "head")
        fork_owner, _, fork_name = who.partition("/")
        if fork_owner.lower() == base.owner.lower_name and fork_name.lower() in (
            "",
            base.lower_name,
        ):
            return base, branch
        stmt = (
            select(Project)
            .join(Account, Account.id == Project.owner_id)
            .where(Account.lower_name == fork_owner.lower(), Project.fork_parent_id == base.id)
            .order_by(Project.id)
        )
        if fork_name:
            stmt = stmt.where(Project.lower_name == fork_name.lower())
        for fork in (await session.scalars(stmt)).all():
            if await resource_role(session, actor, fork.owner, fork.visibility) is not None:
                return fork, branch
        raise Invalid("head", f"'{who}' has no fork of {base.full_name}")

    def _prepare(
        self, base_id: int, head_id: int, head_branch: str, base_branch: str, head_label: str
    ) -> tuple[str, str]:
        """Both tips, with the head's objects copied into the base repository; 422 when a
        branch is missing or the head has nothing that the base lacks."""
        repo = self._open(base_id)
        try:
            base_tip = _ref(repo, b"refs/heads/" + base_branch.encode())
            if base_tip is None:
                raise Invalid("base", f"no branch '{base_branch}'")
            head_tip = self._tip(repo, head_id, head_branch, base_id)
            if head_tip is None:
                raise Invalid("head", f"no branch '{head_label}'")
            ahead = Walker(repo.object_store, [head_tip], exclude=[base_tip], max_entries=1)
            if not any(True for _ in ahead):
                raise Invalid("head", f"'{head_label}' has no commits that '{base_branch}' lacks")
            return head_tip.decode(), base_tip.decode()
        finally:
            repo.close()

    def _tip(self, repo: Repo, head_id: int | None, branch: str, base_id: int) -> bytes | None:
        """The head branch's tip, its objects present in ``repo`` (copied from a fork)."""
        ref = b"refs/heads/" + branch.encode()
        if head_id == base_id:
            return _ref(repo, ref)
        if head_id is None or not self.store.exists(head_id):
            return None
        fork = self.store.open(head_id)
        try:
            tip = _ref(fork, ref)
            if tip is not None and tip not in repo.object_store:
                wanted = tip
                fork.fetch(repo, determine_wants=lambda refs, depth=None: [wanted])
            return tip
        finally:
            fork.close()

    def _open(self, project_id: int) -> Repo:
        if not self.store.exists(project_id):
            raise NotFound("repository")
        return self.store.open(project_id)

    # --- read ------------------------------------------------------------------------------

    async def list_pulls(
        self, actor: Principal, owner: str, name: str, state: str | None, req: PageRequest
    ) -> PageResult:
        """Newest first; ``closed`` are those closed without being merged."""
        try:
            wanted = s.PullState(state or "open")
        except ValueError:
            raise Invalid("state", "must be open, closed, merged or all") from None
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            stmt = (
                select(Issue)
                .join(PullRequest, PullRequest.issue_id == Issue.id)
                .where(Issue.project_id == project.id, Issue.is_pull.is_(True))
            )
            if wanted == s.PullState.open:
                stmt = stmt.where(Issue.state == "open")
            elif wanted == s.PullState.closed:
                stmt = stmt.where(Issue.state == "closed", PullRequest.merged.is_(False))
            elif wanted == s.PullState.merged:
                stmt = stmt.where(PullRequest.merged.is_(True))
            page = await paginate(session, stmt.order_by(Issue.number.desc()), req)
            ids = [i.id for i in page.items]
            specs = [self._spec(project, pr.issue, pr) for pr in await self._pulls(session, ids)]
        await self._refresh(specs)
        async with self.sessions() as session:
            items = await self._outs(session, actor, ids)
        return PageResult(items, page.total, page.page, page.per_page)

    async def get(self, actor: Principal, owner: str, name: str, number: str) -> s.Pull:
        spec = await self._find(actor, owner, name, number)
        await self._refresh([spec])
        return await self._out(actor, spec.issue_id)

    async def commits(
        self, actor: Principal, owner: str, name: str, number: str
    ) -> list[s.CommitInfo]:
        """The head's commits that the base lacked, oldest first (at most 250)."""
        spec = await self._current(actor, owner, name, number)

        def run(repo: Repo) -> list[s.CommitInfo]:
            walker = Walker(
                repo.object_store,
                [spec.head_sha.encode()],
                exclude=[spec.base_sha.encode()],
                max_entries=MAX_COMMITS,
            )
            return [s.CommitInfo(**g.commit_info(e.commit)) for e in walker][::-1]

        return await self._in_repo(spec.project_id, run)

    async def files(self, actor: Principal, owner: str, name: str, number: str) -> list[s.PullFile]:
        """The three-dot diff (from the merge base); notebooks also get cell-level changes."""
        spec = await self._current(actor, owner, name, number)

        def run(repo: Repo) -> list[s.PullFile]:
            head = repo[spec.head_sha.encode()]
            assert isinstance(head, Commit)
            old_tree = repo[spec.merge_base.encode()].tree if spec.merge_base else None
            out = []
            for f in g.diff(repo, old_tree, head.tree):
                item = s.PullFile(**f)
                if item.path.lower().endswith(".ipynb") and item.status != "truncated":
                    item.cells = self._cells(repo, old_tree, head.tree, item)
                out.append(item)
            return out

        return await self._in_repo(spec.project_id, run)

    @staticmethod
    def _cells(
        repo: Repo, old_tree: bytes | None, new_tree: bytes, item: s.PullFile
    ) -> list[s.NotebookCellChange] | None:
        def read(tree: bytes | None, path: str | None) -> bytes | None:
            if tree is None or path is None:
                return None
            obj: Any = repo[tree]
            try:
                for part in split_path(path):
                    _, sha = obj[part.encode()]
                    obj = repo[sha]
            except (KeyError, DomainError):
                return None
            if not isinstance(obj, Blob) or obj.raw_length() > MAX_NOTEBOOK_BYTES:
                raise ValueError("not a file or too large")
            return obj.as_raw_string()

        try:
            old = read(old_tree, item.old_path or item.path) if item.status != "added" else None
            new = read(new_tree, item.path) if item.status != "deleted" else None
            changes = diff_notebooks(old, new)
        except (NotebookRenderError, ValueError):
            return None
        return [s.NotebookCellChange.model_validate(c.__dict__) for c in changes]

    async def count_open(self, session: AsyncSession, project_id: int) -> dict[str, int]:
        """``open_pulls`` for the repository counts (a :class:`BrowseService` counter)."""
        count = await session.scalar(
            select(func.count())
            .select_from(Issue)
            .where(Issue.project_id == project_id, Issue.is_pull.is_(True), Issue.state == "open")
        )
        return {"open_pulls": count or 0}

    # --- change ----------------------------------------------------------------------------

    async def update(
        self, actor: Principal, owner: str, name: str, number: str, body: s.PullUpdate
    ) -> s.Pull:
        changes = body.model_dump(exclude_unset=True)
        for key in ("title", "body", "state"):
            if key in changes and changes[key] is None:
                raise Invalid(key, "may not be null")
        async with self.sessions() as session:
            project, role, issue, pr = await self._pull(session, actor, owner, name, number)
            if changes:
                self._writable(project)
                if not (at_least(role, s.Role.write) or issue.author_id == actor.id):
                    raise Forbidden("only the author or project writers can change it")
                if body.title is not None:
                    issue.title = body.title
                if body.body is not None:
                    issue.body = body.body
                    await self.tracker._record_references(
                        session, actor, project, issue.id, body.body
                    )
                if body.state is not None and body.state.value != issue.state:
                    if body.state == s.IssueState.open:
                        if pr.merged:
                            raise Invalid("state", "a merged pull request cannot be reopened")
                        await self._no_duplicate(session, project, pr, issue.id)
                        pr.mergeable = None
                    closing = body.state == s.IssueState.closed
                    issue.state = body.state.value
                    issue.closed_at = utcnow() if closing else None
                    issue.closed_by_id = actor.id if closing else None
                    activity.record(
                        session, actor, project.id,
                        "pull_closed" if closing else "pull_reopened",
                        number=issue.number, title=issue.title,
                    )  # fmt: skip
                issue.updated_at = utcnow()
                await session.commit()
            spec = self._spec(project, issue, pr)
        await self._refresh([spec])
        return await self._out(actor, spec.issue_id)

    async def _no_duplicate(
        self, session: AsyncSession, project: Project, pr: PullRequest, issue_id: int
    ) -> None:
        await lock_tracker(session, project.id)
        other = await session.scalar(
            select(Issue.number)
            .join(PullRequest, PullRequest.issue_id == Issue.id)
            .where(
                Issue.project_id == project.id,
                Issue.state == "open",
                Issue.id != issue_id,
                PullRequest.head_project_id == pr.head_project_id,
                PullRequest.head_branch == pr.head_branch,
                PullRequest.base_branch == pr.base_branch,
            )
        )
        if other is not None:
            raise Conflict(f"pull request #{other} already proposes the same head and base")

    async def merge(
        self, actor: Principal, owner: str, name: str, number: str, body: s.PullMerge
    ) -> s.Pull:
        async with self.sessions() as session:
            project, role, issue, pr = await self._pull(session, actor, owner, name, number)
            if not at_least(role, s.Role.write):
                raise Forbidden(f"you need write access to {owner}/{name} to merge")
            self._writable(project)
            if pr.merged:
                raise Invalid("state", f"pull request #{issue.number} is already merged")
            if issue.state != "open":
                raise Invalid("state", f"pull request #{issue.number} is closed")
            spec = self._spec(project, issue, pr)
            head_label = _head_label(project, pr)
            user = await session.get(Account, actor.id)
        author = (
            Author(user.full_name or user.name, user.email or f"{user.name}@users.openi.local")
            if user is not None
            else Author(actor.username, f"{actor.username}@users.openi.local")
        )
        message = body.message or f"Merge pull request #{spec.number} from {head_label}"
        values, merged_sha, error = await asyncio.to_thread(
            self._merge_git, spec, body.method, message, author
        )
        if values:
            await self._save(spec.issue_id, values)
        if error is not None:
            raise error
        assert merged_sha is not None
        now = utcnow()
        async with self.sessions() as session:
            await session.execute(
                update(PullRequest)
                .where(PullRequest.issue_id == spec.issue_id)
                .values(merged=True, merged_sha=merged_sha, merged_by_id=actor.id, merged_at=now)
            )
            await session.execute(
                update(Issue)
                .where(Issue.id == spec.issue_id)
                .values(state="closed", closed_at=now, closed_by_id=actor.id, updated_at=now)
            )
            activity.record(
                session, actor, spec.project_id, "pull_merged", number=spec.number,
                base=spec.base_branch, sha=merged_sha,
            )  # fmt: skip
            await session.commit()
        await self.on_push(spec.project_id, [f"refs/heads/{spec.base_branch}"])
        return await self._out(actor, spec.issue_id)

    def _merge_git(
        self, spec: _Spec, method: s.MergeMethod, message: str, author: Author
    ) -> tuple[dict[str, Any], str | None, DomainError | None]:
        """(what to save of the refreshed state, the merged sha, or why not)."""
        repo = self._open(spec.project_id)
        try:
            values = self._sync(repo, spec, force=True) or {}
            sha, error = self._merge_in(repo, spec, values, method, message, author)
            return values, sha, error
        finally:
            repo.close()

    @staticmethod
    def _merge_in(
        repo: Repo,
        spec: _Spec,
        values: dict[str, Any],
        method: s.MergeMethod,
        message: str,
        author: Author,
    ) -> tuple[str | None, DomainError | None]:
        base_ref = b"refs/heads/" + spec.base_branch.encode()
        base_tip = _ref(repo, base_ref)
        if "base_sha" not in values or base_tip is None:
            return None, Conflict(f"the base branch '{spec.base_branch}' is gone")
        if base_tip.decode() != values["base_sha"]:
            return None, Conflict("base branch moved, try again")
        head, mb = values["head_sha"].encode(), values["merge_base_sha"]
        if mb == values["head_sha"]:
            why = f"'{spec.base_branch}' already contains every commit of the head"
            return None, Invalid("head", why)
        conflicts = json.loads(values["has_conflicts"])
        if conflicts:
            errors = [(path, "conflict") for path in conflicts]
            return None, Conflict(f"merge conflicts in {', '.join(conflicts)}", errors)
        if method == s.MergeMethod.fast_forward:
            if mb != base_tip.decode():
                why = (
                    f"fast-forward is not possible: '{spec.base_branch}' has commits that the "
                    "head lacks; merge with a merge commit instead"
                )
                return None, Conflict(why)
            new = head
        else:
            ours, theirs = repo[base_tip], repo[head]
            assert isinstance(ours, Commit) and isinstance(theirs, Commit)
            base_commit = repo[mb.encode()] if mb else None
            assert base_commit is None or isinstance(base_commit, Commit)
            tree, found = _merge_trees(repo.object_store, base_commit, ours, theirs)
            if found:
                return None, Conflict(f"merge conflicts in {', '.join(found)}")
            repo.object_store.add_object(tree)
            commit = Commit()
            commit.tree = tree.id
            commit.parents = [base_tip, head]
            commit.author = commit.committer = author.ident()
            commit.author_time = commit.commit_time = int(time.time())
            commit.author_timezone = commit.commit_timezone = 0
            commit.encoding = b"UTF-8"
            commit.message = message.rstrip("\n").encode() + b"\n"
            repo.object_store.add_object(commit)
            new = commit.id
        # compare-and-swap: a push that moved the branch meanwhile is never overwritten
        if not repo.refs.set_if_equals(base_ref, base_tip, new):
            return None, Conflict("base branch moved, try again")
        return new.decode(), None

    # --- pushes ----------------------------------------------------------------------------

    async def on_push(self, project_id: int, refs_moved: Iterable[str]) -> None:
        """After refs of ``project_id`` moved (a push, a merge): open pull requests whose head
        or base branch moved become unknown (recomputed on the next read); same-repository
        heads get their ``refs/pull/<n>/head`` moved now."""
        branches = {r[len("refs/heads/") :] for r in refs_moved if r.startswith("refs/heads/")}
        if not branches:
            return
        async with self.sessions() as session:
            rows = (
                await session.execute(
                    select(PullRequest.issue_id, Issue.number, Issue.project_id, PullRequest)
                    .join(Issue, Issue.id == PullRequest.issue_id)
                    .where(
                        Issue.state == "open",
                        PullRequest.merged.is_(False),
                        or_(
                            and_(
                                Issue.project_id == project_id,
                                PullRequest.base_branch.in_(branches),
                            ),
                            and_(
                                PullRequest.head_project_id == project_id,
                                PullRequest.head_branch.in_(branches),
                            ),
                        ),
                    )
                )
            ).all()
            if not rows:
                return
            await session.execute(
                update(PullRequest)
                .where(PullRequest.issue_id.in_([r[0] for r in rows]))
                .values(mergeable=None)
            )
            await session.commit()
            moved = [
                (number, pr.head_branch)
                for _, number, base_id, pr in rows
                if base_id == project_id == pr.head_project_id and pr.head_branch in branches
            ]
        if moved:
            await asyncio.to_thread(self._move_pull_refs, project_id, moved)

    def _move_pull_refs(self, project_id: int, moved: list[tuple[int, str]]) -> None:
        if not self.store.exists(project_id):
            return
        repo = self.store.open(project_id)
        try:
            for number, branch in moved:
                tip = _ref(repo, b"refs/heads/" + branch.encode())
                if tip is not None:
                    repo.refs[f"refs/pull/{number}/head".encode()] = tip
        finally:
            repo.close()

    # --- refresh ---------------------------------------------------------------------------

    async def _refresh(self, specs: list[_Spec], force: bool = False) -> None:
        """Recompute open pull requests whose tips moved (or whose state is unknown)."""
        todo = [sp for sp in specs if not sp.frozen]
        if not todo:
            return

        def run() -> list[tuple[int, dict[str, Any]]]:
            out = []
            for spec in todo:
                if not self.store.exists(spec.project_id):
                    continue
                repo = self.store.open(spec.project_id)
                try:
                    values = self._sync(repo, spec, force)
                finally:
                    repo.close()
                if values:
                    out.append((spec.issue_id, values))
            return out

        for issue_id, values in await asyncio.to_thread(run):
            await self._save(issue_id, values)

    def _sync(self, repo: Repo, spec: _Spec, force: bool = False) -> dict[str, Any] | None:
        """New tips, merge base, mergeability and diff size when something moved, else None.
        Keeps ``refs/pull/<n>/head`` at the head's tip (copying a fork's new commits)."""
        head = self._tip(repo, spec.head_project_id, spec.head_branch, spec.project_id)
        if head is None:  # the head branch (or fork) is gone: keep what was last seen
            head = _ref(repo, spec.pull_ref) or spec.head_sha.encode()
        if _ref(repo, spec.pull_ref) != head:
            repo.refs[spec.pull_ref] = head
        base = _ref(repo, b"refs/heads/" + spec.base_branch.encode())
        if base is None:  # the base branch is gone: nothing can be merged until it is back
            if spec.mergeable is None and not force:
                return None
            return {"head_sha": head.decode(), "mergeable": None, "has_conflicts": "[]"}
        unchanged = (head.decode(), base.decode()) == (spec.head_sha, spec.base_sha)
        if unchanged and spec.mergeable is not None and not force:
            return None
        mb = g.merge_base(repo, base, head)
        head_commit, base_commit = repo[head], repo[base]
        assert isinstance(head_commit, Commit) and isinstance(base_commit, Commit)
        commits = sum(1 for _ in Walker(repo.object_store, [head], exclude=[base]))
        files = [
            f
            for f in g.diff(repo, repo[mb].tree if mb else None, head_commit.tree)
            if f["status"] != "truncated"
        ]
        conflicts: list[str] = []
        if mb not in (head, base):
            scratch = OverlayObjectStore([repo.object_store], add_store=MemoryObjectStore())
            mb_commit = repo[mb] if mb else None
            assert mb_commit is None or isinstance(mb_commit, Commit)
            _, conflicts = _merge_trees(scratch, mb_commit, base_commit, head_commit)
        return {
            "head_sha": head.decode(),
            "base_sha": base.decode(),
            "merge_base_sha": mb.decode() if mb else None,
            "mergeable": not conflicts,
            "has_conflicts": json.dumps(conflicts),
            "num_commits": commits,
            "additions": sum(f["additions"] for f in files),
            "deletions": sum(f["deletions"] for f in files),
            "changed_files": len(files),
        }

    async def _save(self, issue_id: int, values: dict[str, Any]) -> None:
        async with self.sessions() as session:
            await session.execute(
                update(PullRequest)
                .where(PullRequest.issue_id == issue_id, PullRequest.merged.is_(False))
                .values(**values)
            )
            await session.commit()

    # --- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _spec(project: Project, issue: Issue, pr: PullRequest) -> _Spec:
        return _Spec(
            issue_id=pr.issue_id,
            number=issue.number,
            project_id=project.id,
            head_project_id=pr.head_project_id,
            head_branch=pr.head_branch,
            base_branch=pr.base_branch,
            head_sha=pr.head_sha,
            base_sha=pr.base_sha,
            merge_base=pr.merge_base_sha,
            mergeable=pr.mergeable,
            frozen=pr.merged or issue.state != "open",
        )

    async def _pull(
        self, session: AsyncSession, actor: Principal, owner: str, name: str, number: str
    ) -> tuple[Project, s.Role, Issue, PullRequest]:
        """The project, the actor's role, the issue and its pull request; a hidden project
        answers like a missing pull request."""
        what = f"pull request {owner}/{name}#{number}"
        try:
            project, role = await self.projects.resolve(session, actor, owner, name, s.Role.read)
        except NotFound:
            raise NotFound(what) from None
        row = (
            await session.execute(
                select(Issue, PullRequest)
                .join(PullRequest, PullRequest.issue_id == Issue.id)
                .where(Issue.project_id == project.id, Issue.number == _number(number, what))
                .options(*_PULL_LOAD)
            )
        ).first()
        if row is None:
            raise NotFound(what)
        issue, pr = row
        return project, role, issue, pr

    async def _find(self, actor: Principal, owner: str, name: str, number: str) -> _Spec:
        async with self.sessions() as session:
            project, _, issue, pr = await self._pull(session, actor, owner, name, number)
            return self._spec(project, issue, pr)

    async def _current(self, actor: Principal, owner: str, name: str, number: str) -> _Spec:
        """The pull request's spec after a refresh (tips and merge base up to date)."""
        spec = await self._find(actor, owner, name, number)
        await self._refresh([spec])
        async with self.sessions() as session:
            project, _, issue, pr = await self._pull(session, actor, owner, name, number)
            return self._spec(project, issue, pr)

    async def _in_repo(self, project_id: int, fn: Any) -> Any:
        def run() -> Any:
            repo = self._open(project_id)
            try:
                return fn(repo)
            finally:
                repo.close()

        return await asyncio.to_thread(run)

    @staticmethod
    async def _pulls(session: AsyncSession, issue_ids: list[int]) -> list[PullRequest]:
        if not issue_ids:
            return []
        rows = await session.scalars(
            select(PullRequest)
            .where(PullRequest.issue_id.in_(issue_ids))
            .options(joinedload(PullRequest.issue), *_PULL_LOAD)
        )
        return list(rows.unique().all())

    async def _outs(
        self, session: AsyncSession, actor: Principal, issue_ids: list[int]
    ) -> list[s.Pull]:
        if not issue_ids:
            return []
        issues = {
            i.id: i
            for i in (
                await session.scalars(
                    select(Issue)
                    .where(Issue.id.in_(issue_ids))
                    .options(*_ISSUE_LOAD)
                    .execution_options(populate_existing=True)
                )
            )
            .unique()
            .all()
        }
        pulls = {
            p.issue_id: p
            for p in (
                await session.scalars(
                    select(PullRequest)
                    .where(PullRequest.issue_id.in_(issue_ids))
                    .options(*_PULL_LOAD)
                    .execution_options(populate_existing=True)
                )
            )
            .unique()
            .all()
        }
        base = await session.get(Project, issues[issue_ids[0]].project_id)
        assert base is not None
        refs = await TrackerService._referenced_by(session, actor, issue_ids)
        return [pull_out(issues[i], pulls[i], base, refs.get(i)) for i in issue_ids]

    async def _out(self, actor: Principal, issue_id: int) -> s.Pull:
        async with self.sessions() as session:
            return (await self._outs(session, actor, [issue_id]))[0]

    @staticmethod
    def _writable(project: Project) -> None:
        if project.is_archived:
            raise Forbidden(f"{project.full_name} is archived: it is read-only")
