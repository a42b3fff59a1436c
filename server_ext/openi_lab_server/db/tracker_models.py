"""Issue tracker tables (issues, labels, milestones, comments, board): filled in with the
tracker service."""

from __future__ import annotations
