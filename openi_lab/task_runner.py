"""Run a notebook as a cloud-brain task: ``python -m openi_lab.task_runner nb.ipynb --k=v …``.

The run parameters are injected papermill-style: a new code cell (tagged
``injected-parameters``) after the cell tagged ``parameters``, or at the top when none is
tagged, assigns each parameter, its value parsed as a Python literal when possible, else a
string. Cell output (stream text, errors) goes to stdout, i.e. the task log, as it comes. The
executed notebook is written to ``$OPENI_MODEL_DIR/<name>.executed.ipynb`` (beside the
notebook without that variable), also when a cell fails; the exit status is then 1.

This module is started in the task's process: it imports nbformat and nbclient only. The
kernel is started first, straight from a connection file written here, so that it boots while
this process imports nbclient and nbformat (about a second each on a small machine); nbclient
then attaches to it instead of starting its own.
"""

from __future__ import annotations

import ast
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

# jsonschema (under nbformat) builds an IRI grammar at import when ``rfc3987_syntax`` is
# installed: seconds of start-up for a format no notebook schema uses. Tasks start often.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

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
    import nbformat

    source = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in params.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    at = 0
    for i, c in enumerate(nb.cells):
        if "parameters" in c.get("metadata", {}).get("tags", []):
            at = i + 1
            break
    nb.cells.insert(at, cell)


#: ``python -m ipykernel_launcher`` without the debugger: a batch run never attaches one, and
#: importing debugpy is a third of the kernel's start-up.
KERNEL_BOOT = (
    "import sys; sys.modules['debugpy'] = None; "
    "from ipykernel.kernelapp import launch_new_instance; launch_new_instance()"
)


def start_kernel(cwd: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """Start this interpreter's ipykernel on loopback ports; → (process, connection file)."""
    ports = []
    holders = []
    for _ in range(5):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        holders.append(sock)
        ports.append(sock.getsockname()[1])
    for sock in holders:
        sock.close()
    names = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
    info = {
        **dict(zip(names, ports, strict=True)),
        "ip": "127.0.0.1",
        "transport": "tcp",
        "key": secrets.token_hex(32),
        "signature_scheme": "hmac-sha256",
        "kernel_name": "python3",
    }
    fd, name = tempfile.mkstemp(prefix="openi-kernel-", suffix=".json")
    with os.fdopen(fd, "w") as f:  # mkstemp: readable by this user only
        json.dump(info, f)
    proc = subprocess.Popen(  # its banner is noise in a task log; its errors are not
        [sys.executable, "-c", KERNEL_BOOT, "-f", name, "--IPKernelApp.log_level=40"],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    return proc, Path(name)


def notebook_client(nb: Any, kernel: subprocess.Popen[bytes], connection_file: Path) -> Any:
    """An nbclient client attached to the kernel already started, echoing outputs to stdout."""
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    class StartedKernel(AsyncKernelManager):
        """The kernel :func:`start_kernel` started: attach, never start or restart."""

        @property
        def has_kernel(self) -> bool:
            return True

        async def _async_is_alive(self) -> bool:
            return kernel.poll() is None

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

    km = StartedKernel(connection_file=str(connection_file), kernel_name="python3")
    km.load_connection_file()
    return StreamingClient(nb, km=km, timeout=None, kernel_name="python3")


def executed_path(notebook: Path) -> Path:
    model = os.environ.get("OPENI_MODEL_DIR")
    where = Path(model) if model else notebook.parent
    return where / f"{notebook.stem}.executed.ipynb"


def main(argv: list[str] | None = None) -> int:
    path, params = parse_args(sys.argv[1:] if argv is None else argv)
    notebook = Path(path)
    kernel, connection_file = start_kernel(notebook.parent.resolve())
    try:
        return run(notebook, path, params, kernel, connection_file)
    finally:
        if kernel.poll() is None:
            kernel.terminate()
            try:
                kernel.wait(5)
            except subprocess.TimeoutExpired:
                kernel.kill()
        connection_file.unlink(missing_ok=True)


def run(
    notebook: Path,
    path: str,
    params: dict[str, Any],
    kernel: subprocess.Popen[bytes],
    connection_file: Path,
) -> int:
    import nbformat
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(notebook, as_version=4)
    inject_parameters(nb, params)
    print(f"[openi] running {path} with {params or 'no parameters'}", flush=True)
    client = notebook_client(nb, kernel, connection_file)
    failure: CellExecutionError | None = None
    try:
        client.execute()
    except CellExecutionError as exc:
        failure = exc
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
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
