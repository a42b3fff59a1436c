"""Run a notebook as a cloud-brain task: ``python -m openi_lab.task_runner nb.ipynb --k=v …``.

The run parameters are injected papermill-style: a new code cell (tagged
``injected-parameters``) after the cell tagged ``parameters``, or at the top when none is
tagged, assigns each parameter, its value parsed as a Python literal when possible, else a
string. Cell output (stream text, errors) goes to stdout, i.e. the task log, as it comes. The
executed notebook is written to ``$OPENI_MODEL_DIR/<name>.executed.ipynb`` (beside the
notebook without that variable), also when a cell fails; the exit status is then 1.

This module is started in the task's process: it imports nbformat and nbclient only.
"""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path
from typing import Any

# jsonschema (under nbformat) builds an IRI grammar at import when ``rfc3987_syntax`` is
# installed: seconds of start-up for a format no notebook schema uses. Tasks start often.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError  # noqa: E402

USAGE = "usage: python -m openi_lab.task_runner NOTEBOOK.ipynb [--name=value ...]"


def parse_value(text: str) -> Any:
    """``3`` → 3, ``[1, 2]`` → [1, 2], ``'a'`` → 'a', ``adam`` → 'adam'."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def parse_args(argv: list[str]) -> tuple[str, dict[str, Any]]:
    if not argv or not argv[0].endswith(".ipynb"):
        raise SystemExit(USAGE)
    params: dict[str, Any] = {}
    for arg in argv[1:]:
        if not arg.startswith("--"):
            raise SystemExit(f"task_runner: '{arg}' is not --name=value\n{USAGE}")
        name, sep, value = arg[2:].partition("=")
        name = name.replace("-", "_").replace(".", "_")
        if not name.isidentifier():
            raise SystemExit(f"task_runner: '{name}' is not a Python name")
        params[name] = parse_value(value) if sep else True
    return argv[0], params


def inject_parameters(nb: Any, params: dict[str, Any]) -> None:
    """Insert the parameter cell after the ``parameters`` cell (or first)."""
    if not params:
        return
    source = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in params.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    at = 0
    for i, c in enumerate(nb.cells):
        if "parameters" in c.get("metadata", {}).get("tags", []):
            at = i + 1
            break
    nb.cells.insert(at, cell)


class StreamingClient(NotebookClient):
    """A NotebookClient that also writes each output to stdout as it arrives."""

    def output(self, outs: Any, msg: dict[str, Any], display_id: Any, cell_index: int) -> Any:
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            stream = sys.stderr if content.get("name") == "stderr" else sys.stdout
            stream.write(content.get("text", ""))
            stream.flush()
        elif kind == "error":
            sys.stdout.write(f"{content.get('ename')}: {content.get('evalue')}\n")
            sys.stdout.flush()
        elif kind in ("execute_result", "display_data"):
            text = content.get("data", {}).get("text/plain")
            if text:
                sys.stdout.write(text + "\n")
                sys.stdout.flush()
        return super().output(outs, msg, display_id, cell_index)


def executed_path(notebook: Path) -> Path:
    model = os.environ.get("OPENI_MODEL_DIR")
    where = Path(model) if model else notebook.parent
    return where / f"{notebook.stem}.executed.ipynb"


def main(argv: list[str] | None = None) -> int:
    path, params = parse_args(sys.argv[1:] if argv is None else argv)
    notebook = Path(path)
    nb = nbformat.read(notebook, as_version=4)
    inject_parameters(nb, params)
    print(f"[openi] running {path} with {params or 'no parameters'}", flush=True)
    client = StreamingClient(
        nb,
        timeout=None,
        kernel_name="python3",
        resources={"metadata": {"path": str(notebook.parent.resolve())}},
    )
    failure: CellExecutionError | None = None
    try:
        client.execute()
    except CellExecutionError as exc:
        failure = exc
    finally:
        out = executed_path(notebook)
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
        print(f"[openi] executed notebook: {out.name}", flush=True)
    if failure is not None:  # last, so that the task's log tail shows it
        print(f"[openi] a cell failed: {failure.ename}: {failure.evalue}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
