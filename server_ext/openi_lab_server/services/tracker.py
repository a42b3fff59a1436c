"""Issues (任务), labels, milestones (里程碑), comments and the project board."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .projects import ProjectService


class TrackerService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], projects: ProjectService):
        self.sessions = sessions
        self.projects = projects
