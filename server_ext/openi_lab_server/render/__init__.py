"""Safe rendering for code hosting: README/markdown, notebooks, notebook diffs, text detection.

Everything here is a pure function of its input (no tornado, no database), so the API layer
can call it from a thread pool and the tests can call it directly. Every HTML string returned
is safe to put into a page as-is: it went through the one sanitising policy in
``render.markdown`` or was built from escaped text.
"""

from openi_lab_server.render.detect import TextInfo, detect_text
from openi_lab_server.render.markdown import render_markdown, sanitize_html
from openi_lab_server.render.notebook import NotebookRenderError, render_notebook
from openi_lab_server.render.notebook_diff import CellChange, diff_notebooks, render_notebook_diff

__all__ = [
    "CellChange",
    "NotebookRenderError",
    "TextInfo",
    "detect_text",
    "diff_notebooks",
    "render_markdown",
    "render_notebook",
    "render_notebook_diff",
    "sanitize_html",
]
