"""Shared fixtures of the browser tests: a real ``openi-lab demo`` server and a Chromium page.

The server is started with ``openi-lab demo`` itself (the README's first command), on a free
port with a fresh data directory, once per test module; screenshots land in ``tests/artifacts/``.
A failing test reports the tail of that server's log and the page's console, and leaves a
screenshot ``tests/artifacts/failed-<test>.png``: CI keeps only what the run printed.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
#: the server log of each running ``demo_lab``, by its URL, for failure reports
_LAB_LOGS: dict[str, Path] = {}
LOG_TAIL_LINES = 150


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def demo_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``openi-lab demo`` on a free port; yields ``http://127.0.0.1:<port>/lab?token=…``."""
    root = tmp_path_factory.mktemp("lab")
    port, token = _free_port(), secrets.token_hex(16)
    log = (root / "lab.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "openi_lab", "demo", "--no-browser",
            "--port", str(port), "--data-dir", str(root / "data"), "--",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(root / "config")},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError((root / "lab.log").read_text()) from None
            time.sleep(0.5)
    else:
        proc.terminate()
        raise RuntimeError("JupyterLab did not start:\n" + (root / "lab.log").read_text())
    url = f"{base}/lab?token={token}"
    _LAB_LOGS[url] = root / "lab.log"
    yield url
    _LAB_LOGS.pop(url, None)
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


@pytest.fixture
def page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        new_page = context.new_page()
        console: list[str] = []
        new_page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
        new_page.openi_console = console  # type: ignore[attr-defined]
        yield new_page
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failure: a screenshot, the page's console and the server log's tail in the report."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    page = funcargs.get("page")
    if page is not None:
        try:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"failed-{item.name}.png"))
        except Exception as exc:  # the page may be gone with the failure
            report.sections.append(("screenshot", f"none: {exc}"))
        console = getattr(page, "openi_console", [])
        report.sections.append(("browser console (tail)", "\n".join(console[-60:])))
    log = _LAB_LOGS.get(funcargs.get("demo_lab", ""))
    if log is not None and log.exists():
        tail = log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
        report.sections.append(("openi-lab demo log (tail)", "\n".join(tail)))
