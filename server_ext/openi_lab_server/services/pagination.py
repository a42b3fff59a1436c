"""Paging shared by every list: validated bounds and one COUNT beside the page query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import Invalid

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    per_page: int = 20

    def __post_init__(self) -> None:
        if self.page < 1:
            raise Invalid("page", "must be 1 or more")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise Invalid("per_page", f"must be between 1 and {MAX_PER_PAGE}")


@dataclass(frozen=True)
class PageResult:
    items: list[Any]
    total: int
    page: int
    per_page: int


async def paginate(session: AsyncSession, stmt: Select[Any], req: PageRequest) -> PageResult:
    """Run ``stmt`` for one page; rows are returned as-is (tuples when several columns)."""
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = await session.execute(stmt.limit(req.per_page).offset((req.page - 1) * req.per_page))
    single = len(stmt.column_descriptions) == 1
    items = [r[0] if single else r for r in rows.unique().all()]
    return PageResult(items=items, total=total or 0, page=req.page, per_page=req.per_page)


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its ``%``, ``_`` and ``\\`` taken literally
    (use with ``escape="\\"``)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
