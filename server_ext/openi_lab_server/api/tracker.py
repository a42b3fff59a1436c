"""/projects/{owner}/{name}/issues, labels, milestones, board."""

from __future__ import annotations

from openi_lab import schemas as s

from ..services.tracker import IssueQuery
from .base import BaseHandler, endpoint

_PROJECT = "/projects/{owner}/{name}"
_ISSUE_FILTERS = (
    "state",
    "label",
    "assignee",
    "milestone",
    "author",
    "q",
    "sort",
    "direction",
    "page",
    "per_page",
)


class IssuesHandler(BaseHandler):
    @endpoint(
        "Issues of a project, filtered and paged (default: open, newest first). state: "
        "open|closed|all; label: names, comma-separated (all must match); milestone: a title "
        "or 'none'; sort: created|updated|comments; direction: desc|asc",
        tag="issues",
        response=s.Page[s.Issue],
        query=_ISSUE_FILTERS,
    )
    async def get(self, owner: str, name: str):
        labels = self.str_arg("label")
        query = IssueQuery(
            state=self.str_arg("state") or "open",
            labels=[x.strip() for x in labels.split(",") if x.strip()] if labels else [],
            assignee=self.str_arg("assignee"),
            milestone=self.str_arg("milestone"),
            author=self.str_arg("author"),
            q=self.str_arg("q"),
            sort=self.str_arg("sort") or "created",
            direction=self.str_arg("direction") or "desc",
        )
        return await self.platform.tracker.list_issues(
            self.actor, owner, name, query, self.page_request()
        )

    @endpoint(
        "Open an issue (anyone who can read; labels, assignees and milestone need write)",
        tag="issues",
        body=s.IssueCreate,
        response=s.Issue,
        status=201,
    )
    async def post(self, body: s.IssueCreate, owner: str, name: str) -> s.Issue:
        return await self.platform.tracker.create_issue(self.actor, owner, name, body)


class IssueHandler(BaseHandler):
    @endpoint("One issue, with the visible issues that mention it", tag="issues", response=s.Issue)
    async def get(self, owner: str, name: str, number: str) -> s.Issue:
        return await self.platform.tracker.get_issue(self.actor, owner, name, number)

    @endpoint(
        "Edit an issue: title/body/state by its author or writers; labels, assignees, "
        "milestone by writers",
        tag="issues",
        body=s.IssueUpdate,
        response=s.Issue,
    )
    async def patch(self, body: s.IssueUpdate, owner: str, name: str, number: str) -> s.Issue:
        return await self.platform.tracker.update_issue(self.actor, owner, name, number, body)


class CommentsHandler(BaseHandler):
    @endpoint(
        "Comments on an issue, oldest first",
        tag="issues",
        response=s.Page[s.Comment],
        query=("page", "per_page"),
    )
    async def get(self, owner: str, name: str, number: str):
        return await self.platform.tracker.list_comments(
            self.actor, owner, name, number, self.page_request()
        )

    @endpoint(
        "Comment on an issue (anyone who can read; not on an archived project)",
        tag="issues",
        body=s.CommentCreate,
        response=s.Comment,
        status=201,
    )
    async def post(self, body: s.CommentCreate, owner: str, name: str, number: str) -> s.Comment:
        return await self.platform.tracker.create_comment(self.actor, owner, name, number, body)


class CommentHandler(BaseHandler):
    @endpoint(
        "Edit a comment (its author or a project admin)",
        tag="issues",
        body=s.CommentUpdate,
        response=s.Comment,
    )
    async def patch(
        self, body: s.CommentUpdate, owner: str, name: str, number: str, comment_id: str
    ) -> s.Comment:
        return await self.platform.tracker.update_comment(
            self.actor, owner, name, number, comment_id, body
        )

    @endpoint("Delete a comment (its author or a project admin)", tag="issues", status=204)
    async def delete(self, owner: str, name: str, number: str, comment_id: str) -> None:
        await self.platform.tracker.delete_comment(self.actor, owner, name, number, comment_id)


class LabelsHandler(BaseHandler):
    @endpoint(
        "Labels of a project, by name",
        tag="issues",
        response=s.Page[s.Label],
        query=("page", "per_page"),
    )
    async def get(self, owner: str, name: str):
        return await self.platform.tracker.list_labels(self.actor, owner, name, self.page_request())

    @endpoint(
        "Create a label (writers)", tag="issues", body=s.LabelCreate, response=s.Label, status=201
    )
    async def post(self, body: s.LabelCreate, owner: str, name: str) -> s.Label:
        return await self.platform.tracker.create_label(self.actor, owner, name, body)


class LabelHandler(BaseHandler):
    @endpoint("Edit a label (writers)", tag="issues", body=s.LabelUpdate, response=s.Label)
    async def patch(self, body: s.LabelUpdate, owner: str, name: str, label: str) -> s.Label:
        return await self.platform.tracker.update_label(self.actor, owner, name, label, body)

    @endpoint("Delete a label; issues lose it (writers)", tag="issues", status=204)
    async def delete(self, owner: str, name: str, label: str) -> None:
        await self.platform.tracker.delete_label(self.actor, owner, name, label)


class MilestonesHandler(BaseHandler):
    @endpoint(
        "Milestones of a project with their progress (state: open|closed|all, default open), "
        "soonest due first",
        tag="issues",
        response=s.Page[s.Milestone],
        query=("state", "page", "per_page"),
    )
    async def get(self, owner: str, name: str):
        return await self.platform.tracker.list_milestones(
            self.actor, owner, name, self.str_arg("state"), self.page_request()
        )

    @endpoint(
        "Create a milestone (writers)",
        tag="issues",
        body=s.MilestoneCreate,
        response=s.Milestone,
        status=201,
    )
    async def post(self, body: s.MilestoneCreate, owner: str, name: str) -> s.Milestone:
        return await self.platform.tracker.create_milestone(self.actor, owner, name, body)


class MilestoneHandler(BaseHandler):
    @endpoint("One milestone with its progress", tag="issues", response=s.Milestone)
    async def get(self, owner: str, name: str, milestone_id: str) -> s.Milestone:
        return await self.platform.tracker.get_milestone(self.actor, owner, name, milestone_id)

    @endpoint(
        "Edit, close or reopen a milestone (writers)",
        tag="issues",
        body=s.MilestoneUpdate,
        response=s.Milestone,
    )
    async def patch(
        self, body: s.MilestoneUpdate, owner: str, name: str, milestone_id: str
    ) -> s.Milestone:
        return await self.platform.tracker.update_milestone(
            self.actor, owner, name, milestone_id, body
        )

    @endpoint("Delete a milestone; its issues stay (writers)", tag="issues", status=204)
    async def delete(self, owner: str, name: str, milestone_id: str) -> None:
        await self.platform.tracker.delete_milestone(self.actor, owner, name, milestone_id)


class BoardHandler(BaseHandler):
    @endpoint(
        "The project board: columns with their issues (made on first use)",
        tag="board",
        response=s.Board,
    )
    async def get(self, owner: str, name: str) -> s.Board:
        return await self.platform.tracker.get_board(self.actor, owner, name)


class BoardColumnsHandler(BaseHandler):
    @endpoint(
        "Add a column at the right of the board (writers)",
        tag="board",
        body=s.BoardColumnCreate,
        response=s.BoardColumn,
        status=201,
    )
    async def post(self, body: s.BoardColumnCreate, owner: str, name: str) -> s.BoardColumn:
        return await self.platform.tracker.create_column(self.actor, owner, name, body)


class BoardColumnHandler(BaseHandler):
    @endpoint(
        "Rename or move a column (writers)",
        tag="board",
        body=s.BoardColumnUpdate,
        response=s.BoardColumn,
    )
    async def patch(
        self, body: s.BoardColumnUpdate, owner: str, name: str, column_id: str
    ) -> s.BoardColumn:
        return await self.platform.tracker.update_column(self.actor, owner, name, column_id, body)

    @endpoint(
        "Delete a column; its issues move to the first column (writers; not the last one)",
        tag="board",
        status=204,
    )
    async def delete(self, owner: str, name: str, column_id: str) -> None:
        await self.platform.tracker.delete_column(self.actor, owner, name, column_id)


class BoardIssueHandler(BaseHandler):
    @endpoint(
        "Move an issue to a column and position (writers); answers the whole board",
        tag="board",
        body=s.BoardMove,
        response=s.Board,
    )
    async def put(self, body: s.BoardMove, owner: str, name: str, number: str) -> s.Board:
        return await self.platform.tracker.move_issue(self.actor, owner, name, number, body)


ROUTES: list[tuple[str, type[BaseHandler]]] = [
    (f"{_PROJECT}/issues", IssuesHandler),
    (f"{_PROJECT}/issues/{{number}}", IssueHandler),
    (f"{_PROJECT}/issues/{{number}}/comments", CommentsHandler),
    (f"{_PROJECT}/issues/{{number}}/comments/{{comment_id}}", CommentHandler),
    (f"{_PROJECT}/labels", LabelsHandler),
    (f"{_PROJECT}/labels/{{label}}", LabelHandler),
    (f"{_PROJECT}/milestones", MilestonesHandler),
    (f"{_PROJECT}/milestones/{{milestone_id}}", MilestoneHandler),
    (f"{_PROJECT}/board", BoardHandler),
    (f"{_PROJECT}/board/columns", BoardColumnsHandler),
    (f"{_PROJECT}/board/columns/{{column_id}}", BoardColumnHandler),
    (f"{_PROJECT}/board/issues/{{number}}", BoardIssueHandler),
]
