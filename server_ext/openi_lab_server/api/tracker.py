"""/projects/{owner}/{name}/issues, labels, milestones, board."""

from __future__ import annotations

from .base import BaseHandler

ROUTES: list[tuple[str, type[BaseHandler]]] = []
