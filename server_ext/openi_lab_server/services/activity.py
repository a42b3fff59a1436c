"""The activity log (开源项目动态): one row per user action, written in the same transaction
as the action itself, so the feed never shows something that did not happen."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..db.repo_models import Activity
from .principal import Principal

#: kinds written today: push, fork, star, release, issue_opened, issue_closed,
#: issue_reopened, issue_commented, pull_opened, pull_closed, pull_reopened, pull_merged,
#: dataset_uploaded, task_created, task_finished, model_imported (``services/feed.py`` renders
#: each as a sentence: a new kind needs its sentence there)
KINDS = frozenset(
    {
        "push", "fork", "star", "release", "issue_opened", "issue_closed", "issue_reopened",
        "issue_commented", "pull_opened", "pull_closed", "pull_reopened", "pull_merged",
        "dataset_uploaded", "task_created", "task_finished", "model_imported",
    }
)  # fmt: skip


def event(actor: Principal, project_id: int, kind: str, **payload: object) -> Activity:
    """An activity row to ``session.add``; anonymous actors are recorded as nobody."""
    return Activity(**event_row(actor, project_id, kind, **payload))


def event_row(actor: Principal, project_id: int, kind: str, **payload: object) -> dict[str, Any]:
    """:func:`event` as the column values, for a Core ``insert(Activity)``."""
    assert kind in KINDS, kind
    return {
        "actor_id": actor.id if actor.id > 0 else None,
        "project_id": project_id,
        "kind": kind,
        "payload": json.dumps(payload, ensure_ascii=False),
        "created_at": datetime.now(UTC),
    }


def record(
    session: AsyncSession, actor: Principal, project_id: int, kind: str, **payload: object
) -> None:
    session.add(event(actor, project_id, kind, **payload))


def record_as(
    session: AsyncSession, actor_id: int | None, project_id: int, kind: str, **payload: object
) -> None:
    """For events without a request behind them (the scheduler finishing a task)."""
    assert kind in KINDS, kind
    session.add(
        Activity(
            actor_id=actor_id,
            project_id=project_id,
            kind=kind,
            payload=json.dumps(payload, ensure_ascii=False),
            created_at=datetime.now(UTC),
        )
    )
