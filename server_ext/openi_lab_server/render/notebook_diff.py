"""Cell-level notebook diffs for pull requests and commits.

A line diff of .ipynb JSON is unreadable (outputs, base64 images, metadata, execution
counts). Reviewers want to see which cells were added, removed or edited, with a text diff
of each edited cell's source, and — separately — whether its outputs changed. Cells are
aligned with ``difflib.SequenceMatcher`` over (cell type, source), so inserting or deleting
cells in the middle leaves the rest "unchanged"; within a run that differs, cells are paired
by similarity so an edited cell shows as "modified", not as a removal plus an addition.
"""

from __future__ import annotations

import difflib
import html
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from openi_lab_server.render.notebook import load_notebook, text_of

__all__ = ["CellChange", "diff_notebooks", "render_notebook_diff"]

ChangeKind = Literal["added", "removed", "modified", "unchanged"]

#: Two cells whose sources are at least this similar are "the same cell, edited".
_SIMILAR = 0.5
#: Beyond this many candidate pairs in one differing run, pair cells by position (cheap).
_MAX_PAIRS = 2500
#: Character-level similarity is quadratic-ish; longer sources compare by lines.
_CHAR_LEVEL_LIMIT = 2000


@dataclass(frozen=True)
class CellChange:
    """One cell of the diff. Indexes are 0-based positions in the old/new notebook.

    ``kind`` "modified" means the source changed (``source_diff`` is its unified diff) or,
    with ``source_diff`` None, only the outputs did; ``outputs_changed`` says whether the
    outputs differ (execution counts and metadata ignored) for modified/unchanged cells.
    """

    kind: ChangeKind
    cell_type: str
    old_index: int | None
    new_index: int | None
    source_diff: str | None
    outputs_changed: bool
    old_source: str | None
    new_source: str | None


@dataclass(frozen=True)
class _Cell:
    index: int
    cell_type: str
    source: str
    outputs: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.cell_type, self.source)


def _outputs_key(cell: Mapping[str, Any]) -> str:
    """What a reader sees of the outputs; execution counts and metadata are noise."""
    outputs = cell.get("outputs")
    if not isinstance(outputs, list):
        return ""
    shown = []
    for output in outputs:
        if not isinstance(output, Mapping):
            continue
        item: dict[str, Any] = {"output_type": output.get("output_type")}
        for field in ("name", "text", "ename", "evalue", "traceback"):
            if field in output:
                value = output[field]
                item[field] = text_of(value) if field == "text" else value
        data = output.get("data")
        if isinstance(data, Mapping):
            item["data"] = {
                str(mime): value if mime.endswith("json") else text_of(value)
                for mime, value in data.items()
            }
        shown.append(item)
    return json.dumps(shown, sort_keys=True, default=str)


def _cells(source: str | bytes | None) -> list[_Cell]:
    if source is None:
        return []
    cells = []
    for index, cell in enumerate(load_notebook(source)["cells"]):
        if not isinstance(cell, Mapping):
            continue
        kind = cell.get("cell_type")
        cells.append(
            _Cell(
                index,
                kind if isinstance(kind, str) else "unknown",
                text_of(cell.get("source")),
                _outputs_key(cell),
            )
        )
    return cells


def _similarity(a: _Cell, b: _Cell) -> float:
    if a.cell_type != b.cell_type:
        return 0.0
    if a.source == b.source:
        return 1.0
    if len(a.source) <= _CHAR_LEVEL_LIMIT and len(b.source) <= _CHAR_LEVEL_LIMIT:
        return difflib.SequenceMatcher(None, a.source, b.source, autojunk=False).ratio()
    return difflib.SequenceMatcher(None, a.source.splitlines(), b.source.splitlines()).ratio()


def _unified(old: _Cell, new: _Cell) -> str:
    return "\n".join(
        difflib.unified_diff(
            old.source.splitlines(),
            new.source.splitlines(),
            fromfile=f"a/cell {old.index + 1}",
            tofile=f"b/cell {new.index + 1}",
            lineterm="",
        )
    )


def _added(cell: _Cell) -> CellChange:
    return CellChange("added", cell.cell_type, None, cell.index, None, False, None, cell.source)


def _removed(cell: _Cell) -> CellChange:
    return CellChange("removed", cell.cell_type, cell.index, None, None, False, cell.source, None)


def _paired(old: _Cell, new: _Cell) -> CellChange:
    outputs_changed = old.outputs != new.outputs
    if old.source == new.source:
        kind: ChangeKind = "modified" if outputs_changed else "unchanged"
        diff = None
    else:
        kind, diff = "modified", _unified(old, new)
    return CellChange(
        kind, new.cell_type, old.index, new.index, diff, outputs_changed, old.source, new.source
    )


def _align(old: list[_Cell], new: list[_Cell]) -> list[tuple[int, int]]:
    """Index pairs (into ``old``, ``new``) of similar cells, in order, most similar overall."""
    n, m = len(old), len(new)
    if n * m > _MAX_PAIRS:
        return [(k, k) for k in range(min(n, m)) if old[k].cell_type == new[k].cell_type]
    sim = [[_similarity(a, b) for b in new] for a in old]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            if sim[i][j] >= _SIMILAR:
                options.append(best[i + 1][j + 1] + sim[i][j])
            best[i][j] = max(options)
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] >= _SIMILAR and best[i][j] == best[i + 1][j + 1] + sim[i][j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _replace(old: list[_Cell], new: list[_Cell]) -> Iterator[CellChange]:
    i = j = 0
    for pi, pj in [*_align(old, new), (len(old), len(new))]:
        yield from (_removed(cell) for cell in old[i:pi])
        yield from (_added(cell) for cell in new[j:pj])
        if pi < len(old) and pj < len(new):
            yield _paired(old[pi], new[pj])
        i, j = pi + 1, pj + 1


def diff_notebooks(old: str | bytes | None, new: str | bytes | None) -> list[CellChange]:
    """Cell-level changes from ``old`` to ``new``, in notebook order.

    ``None`` for a side means the file did not exist there (every cell added or removed).
    Every cell appears once; the UI collapses runs of "unchanged". Raises
    ``NotebookRenderError`` if a side is not a readable notebook.
    """
    a, b = _cells(old), _cells(new)
    matcher = difflib.SequenceMatcher(None, [c.key for c in a], [c.key for c in b], autojunk=False)
    changes: list[CellChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            changes.extend(_paired(x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True))
        elif tag == "delete":
            changes.extend(_removed(cell) for cell in a[i1:i2])
        elif tag == "insert":
            changes.extend(_added(cell) for cell in b[j1:j2])
        else:
            changes.extend(_replace(a[i1:i2], b[j1:j2]))
    return changes


def _diff_lines(diff: str) -> str:
    rows = []
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            continue
        css = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "ctx")
        rows.append(f'<span class="openi-nbdiff-{css}">{html.escape(line)}</span>')
    return "\n".join(rows)


def _position(change: CellChange) -> str:
    if change.new_index is not None:
        return f"cell {change.new_index + 1}"
    return f"old cell {(change.old_index or 0) + 1}"


def render_notebook_diff(old: str | bytes | None, new: str | bytes | None) -> str:
    """The cell diff as safe HTML (all notebook text escaped); unchanged runs are collapsed."""
    parts = ['<div class="openi-nbdiff">']
    unchanged: list[CellChange] = []

    def flush() -> None:
        if not unchanged:
            return
        count = len(unchanged)
        cells = "".join(
            f'<pre class="openi-nbdiff-source">{html.escape(c.new_source or "")}</pre>'
            for c in unchanged
        )
        label = f"{count} unchanged cell" + ("s" if count != 1 else "")
        parts.append(
            f'<details class="openi-nbdiff-unchanged"><summary>{label}</summary>{cells}</details>'
        )
        unchanged.clear()

    for change in diff_notebooks(old, new):
        if change.kind == "unchanged":
            unchanged.append(change)
            continue
        flush()
        title = f"{change.kind.capitalize()} {html.escape(change.cell_type)} {_position(change)}"
        if change.kind == "modified" and change.source_diff:
            body = f'<pre class="openi-nbdiff-source">{_diff_lines(change.source_diff)}</pre>'
        else:
            source = change.new_source if change.kind != "removed" else change.old_source
            body = f'<pre class="openi-nbdiff-source">{html.escape(source or "")}</pre>'
        if change.outputs_changed:
            body += '<p class="openi-nbdiff-note">Outputs changed</p>'
        parts.append(
            f'<div class="openi-nbdiff-cell openi-nbdiff-{change.kind}">'
            f'<div class="openi-nbdiff-title">{title}</div>{body}</div>'
        )
    flush()
    parts.append("</div>")
    return "".join(parts)
