"""Unified search (统一搜索): one query, hits grouped by type, counted per type.

Matching. The query is split into words; every word must match one of a type's columns.
On SQLite a word of three characters or more is an FTS5 phrase on the trigram index
(``db/community_models.py``: substring matching in any script, so "图像分类" is found by
"图像分类" and "像分"…); a shorter word, which trigrams cannot see (a two-character Chinese word
such as "图像"), falls back to ``LIKE``. On PostgreSQL every word is an ``ILIKE`` on a
generated column of the searched fields that a ``pg_trgm`` GIN index answers. Words are
always bound parameters, quoted as FTS5 strings and with LIKE wildcards escaped, so ``"``,
``*``, ``NEAR``, ``%``, ``_`` and ``\\`` are searched literally.

Freshness. The index is the database's own (triggers on SQLite, a generated column and its
GIN index on PostgreSQL), updated in the transaction that changes the row: nothing for other
services to call.

Visibility. Each type's query carries the same SQL visibility clause as its list endpoint,
and counts are counts of those queries: an invisible thing is neither returned nor counted.

Types are pluggable: :data:`SearchService.kinds` is a list of :class:`SearchKind`; a type whose
table is missing from the database (an area not migrated yet) is left out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    inspect,
    literal,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import array as pg_array
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from openi_lab import community_schemas as cs

from ..db.community_models import (
    SEARCH_SOURCES,
    SearchSource,
    pg_search_ddl,
    sqlite_search_ddl,
    sqlite_search_drop,
    sqlite_search_fill,
    sqlite_short_word_docs,
)
from ..db.dataset_models import Dataset, DatasetFile
from ..db.models import Account, Project
from ..db.task_models import Task
from ..db.tracker_models import Issue
from .datasets import visible_dataset_clause
from .errors import Invalid
from .pagination import contains_pattern
from .permissions import visible_owner_clause
from .principal import Principal

#: a select of any columns (SQLAlchemy 2.1 types each column)
AnySelect = Select[*tuple[Any, ...]]

MAX_QUERY = 200
MAX_WORDS = 8
#: statements kept built (per query shape, sort, types and actor)
STATEMENT_CACHE = 512
SORTS = ("relevance", "updated", "created")
SNIPPET = 160
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Owner = aliased(Account, name="owner")
SOURCES = {src.table: src for src in SEARCH_SOURCES}


@dataclass(frozen=True)
class SearchKind:
    """One result type: its source table, the columns words match, and a visible query.

    ``query(actor)`` selects, in this order: id, title, text (snippet source), project full
    name or None, ref, created_at, updated_at — already filtered to what the actor may see.
    """

    type: str
    label_en: str
    label_zh: str
    source: str
    columns: Callable[[], list[Any]]
    id_column: Callable[[], Any]
    query: Callable[[Principal], AnySelect]


def _visible_project(actor: Principal) -> ColumnElement[bool]:
    return visible_owner_clause(actor, Project.owner_id, Project.visibility)


def _full() -> ColumnElement[str]:
    return Owner.name + "/" + Project.name


def _projects(actor: Principal) -> AnySelect:
    return (
        select(
            Project.id,
            _full(),
            Project.description + " " + Project.topics,
            _full(),
            _full(),
            Project.created_at,
            Project.updated_at,
        )
        .join(Owner, Owner.id == Project.owner_id)
        .where(_visible_project(actor))
    )


def _accounts(kind: str) -> Callable[[Principal], AnySelect]:
    def query(actor: Principal) -> AnySelect:
        stmt = select(
            Account.id,
            Account.name,
            Account.full_name + " " + Account.description,
            literal(None),
            Account.name,
            Account.created_at,
            Account.created_at,
        ).where(Account.kind == kind)
        if kind == "org" and not actor.is_admin:
            from ..db.models import OrgMember

            mine = select(OrgMember.org_id).where(OrgMember.user_id == actor.id)
            stmt = stmt.where(or_(Account.visibility == "public", Account.id.in_(mine)))
        return stmt

    return query


def _datasets(actor: Principal) -> AnySelect:
    return (
        select(
            Dataset.id,
            Dataset.name,
            Dataset.description,
            _full(),
            _full() + "/" + Dataset.name,
            Dataset.created_at,
            Dataset.updated_at,
        )
        .join(Project, Project.id == Dataset.project_id)
        .join(Owner, Owner.id == Project.owner_id)
        .where(visible_dataset_clause(actor))
    )


def _dataset_files(actor: Principal) -> AnySelect:
    path = _full() + "/" + Dataset.name
    return (
        select(
            DatasetFile.id,
            DatasetFile.name,
            path,
            _full(),
            path,
            DatasetFile.created_at,
            DatasetFile.created_at,
        )
        .join(Dataset, Dataset.id == DatasetFile.dataset_id)
        .join(Project, Project.id == Dataset.project_id)
        .join(Owner, Owner.id == Project.owner_id)
        .where(visible_dataset_clause(actor))
    )


def _issues(is_pull: bool) -> Callable[[Principal], AnySelect]:
    def query(actor: Principal) -> AnySelect:
        return (
            select(
                Issue.id,
                Issue.title,
                Issue.body,
                _full(),
                _full() + "#" + cast(Issue.number, String),
                Issue.created_at,
                Issue.updated_at,
            )
            .join(Project, Project.id == Issue.project_id)
            .join(Owner, Owner.id == Project.owner_id)
            .where(Issue.is_pull.is_(is_pull), _visible_project(actor))
        )

    return query


def _tasks(actor: Principal) -> AnySelect:
    return (
        select(
            Task.id,
            Task.name,
            Task.description,
            _full(),
            _full() + "/tasks/" + Task.kind + "/" + Task.name,
            Task.created_at,
            Task.created_at,
        )
        .join(Project, Project.id == Task.project_id)
        .join(Owner, Owner.id == Project.owner_id)
        .where(_visible_project(actor))
    )


def _model_kind() -> SearchKind | None:
    try:
        from ..db.model_models import RegisteredModel
    except ImportError:  # the models area is not there
        return None

    def query(actor: Principal) -> AnySelect:
        return (
            select(
                RegisteredModel.id,
                RegisteredModel.name,
                _full(),
                _full(),
                _full() + "/models/" + RegisteredModel.name,
                RegisteredModel.created_at,
                RegisteredModel.updated_at,
            )
            .join(Project, Project.id == RegisteredModel.project_id)
            .join(Owner, Owner.id == Project.owner_id)
            .where(_visible_project(actor))
        )

    return SearchKind(
        "models",
        "Models",
        "模型",
        "models",
        lambda: [RegisteredModel.name],
        lambda: RegisteredModel.id,
        query,
    )


def default_kinds() -> list[SearchKind]:
    kinds = [
        SearchKind(
            "projects",
            "Projects",
            "项目",
            "projects",
            lambda: [Project.name, Project.description, Project.topics],
            lambda: Project.id,
            _projects,
        ),
        SearchKind(
            "orgs",
            "Organisations",
            "组织",
            "accounts",
            lambda: [Account.name, Account.full_name, Account.description],
            lambda: Account.id,
            _accounts("org"),
        ),
        SearchKind(
            "users",
            "Users",
            "用户",
            "accounts",
            lambda: [Account.name, Account.full_name, Account.description],
            lambda: Account.id,
            _accounts("user"),
        ),
        SearchKind(
            "datasets",
            "Datasets",
            "数据集",
            "datasets",
            lambda: [Dataset.name, Dataset.description],
            lambda: Dataset.id,
            _datasets,
        ),
        SearchKind(
            "dataset_files",
            "Dataset files",
            "数据集文件",
            "dataset_files",
            lambda: [DatasetFile.name],
            lambda: DatasetFile.id,
            _dataset_files,
        ),
        SearchKind(
            "issues",
            "Issues",
            "任务",
            "issues",
            lambda: [Issue.title, Issue.body],
            lambda: Issue.id,
            _issues(False),
        ),
        SearchKind(
            "pulls",
            "Pull requests",
            "合并请求",
            "issues",
            lambda: [Issue.title, Issue.body],
            lambda: Issue.id,
            _issues(True),
        ),
    ]
    models = _model_kind()
    if models is not None:
        kinds.append(models)
    kinds.append(
        SearchKind(
            "tasks",
            "Cloud-brain tasks",
            "云脑任务",
            "tasks",
            lambda: [Task.name, Task.description],
            lambda: Task.id,
            _tasks,
        )
    )
    return kinds


# --- query parsing and highlighting ---------------------------------------------------------


def words_of(q: str) -> list[str]:
    """The query's words (control characters dropped, at most :data:`MAX_WORDS`)."""
    q = _CONTROL.sub(" ", q or "").strip()
    if not q:
        raise Invalid("q", "must not be empty")
    if len(q) > MAX_QUERY:
        raise Invalid("q", f"must be at most {MAX_QUERY} characters")
    seen: list[str] = []
    for w in q.split():
        if w.lower() not in (x.lower() for x in seen):
            seen.append(w)
    return seen[:MAX_WORDS]


#: a query's shape: for each word, whether it is long enough for trigrams (3+ characters)
Shape = tuple[bool, ...]


def shape_of(words: list[str]) -> Shape:
    return tuple(len(w) >= 3 for w in words)


def params_of(words: list[str]) -> dict[str, str]:
    """The bound values of a query's statements, by the names :class:`SearchService` uses:
    ``fts`` (SQLite: the long words as one FTS5 query), per word ``i``: ``p{i}`` (a LIKE
    pattern), ``g{i}`` (the word), ``lo{i}``/``hi{i}`` (its range of trigrams)."""
    params: dict[str, str] = {}
    long = [w for w in words if len(w) >= 3]
    if long:
        params["fts"] = fts_phrase(long)
    for i, w in enumerate(words):
        # SQLite's index folds one character to one character: keep any character whose
        # lower case is longer (Turkish İ) and fold a final sigma as a plain one
        lo = "".join(c.lower() if len(c.lower()) == 1 else c for c in w)
        params |= {f"p{i}": contains_pattern(w), f"g{i}": w, f"lo{i}": lo}
        params[f"hi{i}"] = lo + "\U0010ffff"
    return params


def fts_phrase(words: list[str]) -> str:
    """An FTS5 query of quoted strings: operators and ``*`` inside quotes are plain text."""
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


def _ranges(value: str, words: list[str]) -> list[tuple[int, int]]:
    low = value.lower()
    spans: list[tuple[int, int]] = []
    for w in words:
        lw, start = w.lower(), 0
        while lw and (i := low.find(lw, start)) >= 0:
            spans.append((i, i + len(lw)))
            start = i + len(lw)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def highlight(value: str, words: list[str]) -> str:
    """Escaped ``value`` with every word (case-insensitive) wrapped in ``<mark>``."""
    out, pos = [], 0
    for a, b in _ranges(value, words):
        out += [html.escape(value[pos:a]), "<mark>", html.escape(value[a:b]), "</mark>"]
        pos = b
    out.append(html.escape(value[pos:]))
    return "".join(out)


def snippet(value: str, words: list[str], size: int = SNIPPET) -> str:
    """A window of ``value`` around its first match, highlighted."""
    value = " ".join((value or "").split())
    if len(value) <= size:
        return highlight(value, words)
    spans = _ranges(value, words)
    start = max(0, spans[0][0] - size // 3) if spans else 0
    end = min(len(value), start + size)
    part = value[start:end]
    return ("…" if start else "") + highlight(part, words) + ("…" if end < len(value) else "")


# --- the service ----------------------------------------------------------------------------


class SearchService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self.sessions = sessions
        self.kinds: list[SearchKind] = default_kinds()
        self._present: set[str] | None = None
        self._dialect: str | None = None
        self._statements: dict[tuple[Any, ...], AnySelect] = {}

    async def _tables(self, session: AsyncSession) -> set[str]:
        if self._present is None:
            conn = await session.connection()
            self._dialect = conn.dialect.name
            self._present = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        return self._present

    async def types(self) -> list[cs.SearchType]:
        async with self.sessions() as session:
            present = await self._tables(session)
        return [
            cs.SearchType(type=k.type, label_en=k.label_en, label_zh=k.label_zh)
            for k in self.kinds
            if k.source in present
        ]

    # Statements depend on the query only through its shape (how many words, which are
    # shorter than a trigram), the sort, the types and the actor: the words are parameters.
    # A statement is built once per shape and actor (building one costs more than running
    # it) and the database driver's statement cache sees the same SQL each time.

    def _match(self, kind: SearchKind, shape: Shape) -> ColumnElement[bool]:
        if self._dialect == "postgresql":  # the generated columns and their GIN indexes
            return and_(*[_pg_word(kind.source, i, long) for i, long in enumerate(shape)])
        cols = kind.columns()
        if self._dialect != "sqlite":  # no index: LIKE on the columns
            return and_(*[or_(*[self._like(c, i) for c in cols]) for i in range(len(shape))])
        src = SOURCES[kind.source]
        conds: list[ColumnElement[bool]] = []
        if any(shape):  # every long word in one FTS5 query of quoted strings
            fts = src.fts
            matching = text(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :fts").columns(
                rowid=Integer
            )
            conds.append(kind.id_column().in_(matching))
        for i, long in enumerate(shape):
            if not long:
                docs = text(sqlite_short_word_docs(src, i)).columns(doc=Integer)
                conds.append(kind.id_column().in_(docs))
        return and_(*conds)

    def _like(self, column: Any, i: int) -> ColumnElement[bool]:
        """``column`` contains word ``i``. SQLite's LIKE ignores ASCII case already (ILIKE
        would lower() every long body); PostgreSQL needs ILIKE."""
        pattern = bindparam(f"p{i}", type_=String)
        if self._dialect == "sqlite":
            return column.like(pattern, escape="\\")
        # backslash is PostgreSQL's default escape
        return column.ilike(pattern)

    def _order(self, kind: SearchKind, stmt: AnySelect, shape: Shape, sort: str) -> list[Any]:
        cols = stmt.selected_columns
        if sort == "created":
            return [cols[5].desc(), cols[0].desc()]
        if sort == "updated":
            return [cols[6].desc(), cols[0].desc()]
        title = kind.columns()[0]
        in_title = and_(*[self._like(title, i) for i in range(len(shape))])
        return [case((in_title, 0), else_=1), cols[6].desc(), cols[0].desc()]

    def _query(self, kind: SearchKind, actor: Principal, shape: Shape, sort: str) -> AnySelect:
        stmt = kind.query(actor).where(self._match(kind, shape))
        return stmt.order_by(*self._order(kind, stmt, shape, sort))

    def _cached(self, key: tuple[Any, ...], build: Callable[[], AnySelect]) -> AnySelect:
        stmt = self._statements.pop(key, None)
        if stmt is None:
            stmt = build()
        self._statements[key] = stmt  # most recently used last
        while len(self._statements) > STATEMENT_CACHE:
            self._statements.pop(next(iter(self._statements)))
        return stmt

    def grouped_stmt(
        self, kinds: list[SearchKind], actor: Principal, shape: Shape, sort: str, n: int
    ) -> AnySelect:
        """Every type's count and first ``n`` hits in one statement: each type's matches are
        found once, numbered in the sort order and counted by window functions, and only the
        first ``n`` of each come back (a type without matches returns no row: count 0)."""

        def build() -> AnySelect:
            arms = []
            for i, kind in enumerate(kinds):
                stmt = kind.query(actor).where(self._match(kind, shape))
                order = self._order(kind, stmt, shape, sort)
                numbered = stmt.add_columns(
                    literal(i).label("kind_pos"),
                    func.row_number().over(order_by=order).label("rn"),
                    func.count().over().label("total"),
                ).subquery()
                arms.append(select(*numbered.c).where(numbered.c.rn <= n))
            return arms[0] if len(arms) == 1 else union_all(*arms)  # type: ignore[return-value]

        types = tuple(k.type for k in kinds)
        return self._cached(("grouped", types, actor.id, actor.is_admin, shape, sort, n), build)

    def counts_stmt(self, kinds: list[SearchKind], actor: Principal, shape: Shape) -> AnySelect:
        """Every type's count in one statement (one round trip, not one per type)."""

        def build() -> AnySelect:
            return select(
                *[
                    select(func.count())
                    .select_from(
                        self._query(k, actor, shape, "relevance").order_by(None).subquery()
                    )
                    .scalar_subquery()
                    .label(k.type)
                    for k in kinds
                ]
            )

        types = tuple(k.type for k in kinds)
        return self._cached(("counts", types, actor.id, actor.is_admin, shape), build)

    @staticmethod
    def _hit(kind: SearchKind, row: Any, words: list[str]) -> cs.SearchHit:
        id_, title, body, project, ref, created, updated = row
        return cs.SearchHit(
            type=kind.type,
            id=id_,
            ref=str(ref),
            project=project,
            title=str(title),
            title_html=highlight(str(title), words),
            snippet_html=snippet(str(body or ""), words),
            created_at=_aware(created),
            updated_at=_aware(updated),
        )

    async def search(
        self,
        actor: Principal,
        q: str,
        type_: str = "all",
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
        per_group: int = 5,
    ) -> cs.SearchResults:
        words = words_of(q)
        if sort not in SORTS:
            raise Invalid("sort", f"must be one of {', '.join(SORTS)}")
        if not 1 <= per_group <= 20:
            raise Invalid("per_group", "must be between 1 and 20")
        async with self.sessions() as session:
            present = await self._tables(session)
            kinds = [k for k in self.kinds if k.source in present]
            if type_ != "all" and type_ not in {k.type for k in kinds}:
                raise Invalid("type", f"unknown search type '{type_}'")
            shape, params = shape_of(words), params_of(words)
            if type_ == "all":
                stmt = self.grouped_stmt(kinds, actor, shape, sort, per_group)
                rows = sorted((await session.execute(stmt, params)).all(), key=lambda r: r[7:9])
                counts = {k.type: 0 for k in kinds}
                for r in rows:
                    counts[kinds[r[7]].type] = int(r[9])
                result = cs.SearchResults(
                    q=q, type=type_, sort=sort, counts=counts, total=sum(counts.values()),
                    page=page, per_page=per_page,
                )  # fmt: skip
                for pos, k in enumerate(kinds):
                    if counts[k.type]:
                        items = [self._hit(k, r[:7], words) for r in rows if r[7] == pos]
                        group = cs.SearchGroup(type=k.type, count=counts[k.type], items=items)
                        result.groups.append(group)
                return result
            row = (await session.execute(self.counts_stmt(kinds, actor, shape), params)).one()
            counts = {k.type: int(n or 0) for k, n in zip(kinds, row, strict=True)}
            result = cs.SearchResults(
                q=q, type=type_, sort=sort, counts=counts, total=0, page=page, per_page=per_page
            )
            k = next(k for k in kinds if k.type == type_)
            result.total = counts[type_]
            paged = self._query(k, actor, shape, sort).limit(per_page)
            page_rows = await session.execute(paged.offset((page - 1) * per_page), params)
            result.items = [self._hit(k, r, words) for r in page_rows.all()]
            return result

    # --- maintenance ----------------------------------------------------------------------

    async def rebuild(self) -> list[str]:
        """Re-create the index for every present source table (the CLI's search-rebuild;
        also repairs SQLite triggers lost when a migration recreated a table)."""
        done: list[str] = []
        async with self.sessions() as session:
            self._present = None
            present = await self._tables(session)
            for src in SEARCH_SOURCES:
                if src.table not in present:
                    continue
                for sql in _rebuild_sql(src, self._dialect or ""):
                    await session.execute(text(sql))
                done.append(src.table)
            await session.commit()
        self._present = None
        return done

    async def ensure(self) -> None:
        """Re-create what is missing (start-up check; cheap when all is there)."""
        async with self.sessions() as session:
            present = await self._tables(session)
            if self._dialect != "sqlite":
                return
            names = set(
                (
                    await session.execute(
                        text("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'table')")
                    )
                ).scalars()
            )
        missing = [
            src
            for src in SEARCH_SOURCES
            if src.table in present and not {f"{src.fts}_au", f"{src.fts}_terms"} <= names
        ]
        if missing:
            await self.rebuild()


def _rebuild_sql(src: SearchSource, dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [
            *sqlite_search_drop(src),
            *sqlite_search_ddl(src),
            *sqlite_search_fill(src),
        ]
    if dialect == "postgresql":
        return [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            *pg_search_ddl(src),
            f"REINDEX INDEX ix_trgm_{src.table}_doc",
        ]
    return []


def _pg_word(table: str, i: int, long: bool) -> ColumnElement[bool]:
    """Word ``i`` on PostgreSQL: ``LIKE`` on the lowercased document (trigram index) from
    three characters on, else membership in its 1- and 2-character grams (exact, no
    recheck). PostgreSQL lowers the word too, so both sides fold case the same way."""
    if long:
        # backslash is PostgreSQL's default escape; an explicit ESCAPE wraps the pattern in
        # like_escape(), which the trigram index cannot use
        pattern = bindparam(f"p{i}", type_=String)
        return literal_column(f"{table}.search_doc").like(func.lower(pattern))
    grams: ColumnElement[Any] = literal_column(f"{table}.search_grams")
    return grams.op("@>")(pg_array([func.lower(bindparam(f"g{i}", type_=String))]))


def _aware(value: datetime | None) -> datetime | None:
    from datetime import UTC

    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
