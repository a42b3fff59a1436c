"""A repository's .ipynb shown as static HTML — nothing in it ever runs.

Notebooks carry whatever their outputs captured: HTML with scripts, JavaScript, widget state,
SVG with event handlers. Shown on the platform's origin, any of that would run as the viewer.
So markdown cells and ``text/html`` outputs go through the markdown module's sanitising
policy, code and text are escaped, raster images are re-encoded after their base64 and magic
bytes check out, SVG is shown only through ``<img>`` (where it cannot script), and
JavaScript/widget outputs become a short note. Nothing is executed or trusted, whatever the
notebook's "trusted" signature says.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections.abc import Mapping
from typing import Any

from openi_lab_server.render.markdown import render_markdown, sanitize_html

__all__ = ["NotebookRenderError", "load_notebook", "render_notebook", "text_of"]


class NotebookRenderError(ValueError):
    """The bytes are not a notebook we can read (bad JSON, not a notebook, unknown format)."""


_WIDGET_MIMES = (
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
)
_JS_MIMES = ("application/javascript", "text/javascript", "application/x-javascript")
#: Richest first, as JupyterLab picks; text/plain is the fallback every output should have.
_DISPLAY_ORDER = (
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/latex",
    "application/json",
    "text/plain",
)
_RASTER_MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, hyperlinks
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
)
_LANGUAGE = re.compile(r"[a-z0-9_+#\-]{1,30}")

JS_NOTE = "(JavaScript output not shown)"
WIDGET_NOTE = "(Widget output not shown)"


def text_of(value: Any) -> str:
    """Notebook text fields are a string or a list of lines; anything else is no text."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(part for part in value if isinstance(part, str))
    return ""


def load_notebook(source: str | bytes) -> Any:
    """Parses a notebook leniently (no schema validation) and upgrades it to format 4.

    Lenient because real notebooks often fail the schema in harmless ways and should still
    show; what cannot be read at all raises :class:`NotebookRenderError` with the reason.
    """
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise NotebookRenderError(f"notebook is not UTF-8 text: {exc}") from exc
    try:
        data = json.loads(source)
    except json.JSONDecodeError as exc:
        raise NotebookRenderError(f"notebook is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("nbformat"), int):
        raise NotebookRenderError("not a notebook: no nbformat version")
    major = data["nbformat"]
    try:
        import nbformat  # imported on first use: it pulls in jsonschema (~1 s)

        nb = nbformat.from_dict(data)
        if major != 4:
            nb = nbformat.convert(nb, 4)
    except Exception as exc:
        raise NotebookRenderError(f"cannot read notebook format {major}: {exc}") from exc
    if not isinstance(nb.get("cells"), list):
        raise NotebookRenderError("not a notebook: no list of cells")
    return nb


def notebook_language(nb: Mapping[str, Any]) -> str:
    """The code cells' language for the ``language-…`` class (highlighting), default python."""
    meta = nb.get("metadata")
    if isinstance(meta, Mapping):
        for key, field in (("language_info", "name"), ("kernelspec", "language")):
            section = meta.get(key)
            name = section.get(field) if isinstance(section, Mapping) else None
            if isinstance(name, str) and _LANGUAGE.fullmatch(name.lower()):
                return name.lower()
    return "python"


def _note(text: str) -> str:
    return f'<p class="openi-nb-note">{html.escape(text)}</p>'


def _strip_terminal(text: str) -> str:
    """Removes ANSI escapes and applies carriage returns (progress bars keep their last state)."""
    text = _ANSI.sub("", text).replace("\r\n", "\n")
    if "\r" in text:
        text = "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))
    return text


def _cap(text: str, limit: int) -> tuple[str, str]:
    """Cuts ``text`` to ``limit`` UTF-8 bytes; returns the text and a note ('' if whole)."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text, ""
    cut = raw[:limit].decode("utf-8", errors="ignore")
    return cut, _note(f"(output truncated: {limit:,} of {len(raw):,} bytes shown)")


def _pre(text: str, limit: int, css: str = "") -> str:
    shown, note = _cap(text, limit)
    klass = f' class="{css}"' if css else ""
    return f"<pre{klass}>{html.escape(shown)}</pre>{note}"


def _size_attrs(metadata: Any, mime: str) -> str:
    meta = metadata.get(mime) if isinstance(metadata, Mapping) else None
    attrs = ""
    if isinstance(meta, Mapping):
        for key in ("width", "height"):
            value = meta.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 100_000:
                attrs += f' {key}="{value}"'
    return attrs


def raster_data_url(mime: str, value: Any, limit: int) -> str | None:
    """A ``data:`` URL for a base64 raster image, or None unless it decodes to that format."""
    b64 = re.sub(r"\s+", "", text_of(value))
    if not b64 or len(b64) * 3 // 4 > limit or mime not in _RASTER_MAGIC:
        return None
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(_RASTER_MAGIC[mime]):
        return None
    return f"data:{mime};base64,{base64.b64encode(raw).decode('ascii')}"


def _render_data(
    mime: str,
    value: Any,
    metadata: Any,
    limit: int,
    base_url: str | None,
    image_base_url: str | None,
) -> str:
    if mime == "text/html":
        shown, note = _cap(text_of(value), limit)
        body = sanitize_html(shown, base_url=base_url, image_base_url=image_base_url)
        return f'<div class="openi-nb-html">{body}</div>{note}'
    if mime == "text/markdown":
        shown, note = _cap(text_of(value), limit)
        body = render_markdown(shown, base_url=base_url, image_base_url=image_base_url)
        return f'<div class="openi-nb-markdown">{body}</div>{note}'
    if mime == "image/svg+xml":
        svg = text_of(value).encode("utf-8")
        if len(svg) > limit:
            return _note(f"(SVG image too large to show: {len(svg):,} bytes)")
        # As an <img>, an SVG is a picture: its scripts and handlers never run.
        svg_url = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
        return f'<img src="{svg_url}" alt="SVG output"{_size_attrs(metadata, mime)}>'
    if mime.startswith("image/"):
        url = raster_data_url(mime, value, limit)
        if url is None:
            return _note(f"({mime} output not shown: invalid or too large)")
        return f'<img src="{url}" alt="image output"{_size_attrs(metadata, mime)}>'
    if mime == "application/json":
        return _pre(json.dumps(value, indent=2, ensure_ascii=False), limit)
    return _pre(_strip_terminal(text_of(value)), limit)


def _render_output(
    output: Any, limit: int, base_url: str | None, image_base_url: str | None
) -> str:
    if not isinstance(output, Mapping):
        return ""
    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name")
        css = "openi-nb-stderr" if name == "stderr" else "openi-nb-stdout"
        return _pre(_strip_terminal(text_of(output.get("text"))), limit, css)
    if kind == "error":
        lines = output.get("traceback")
        if isinstance(lines, list) and lines:
            text = "\n".join(str(line) for line in lines)
        else:
            text = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
        return _pre(_strip_terminal(text), limit, "openi-nb-error")
    if kind not in ("display_data", "execute_result"):
        return _note(f"(unknown output type {kind!r} not shown)")
    data = output.get("data")
    if not isinstance(data, Mapping):
        return ""
    notes = []
    if any(m in data for m in _WIDGET_MIMES):
        notes.append(_note(WIDGET_NOTE))
    if any(m in data for m in _JS_MIMES):
        notes.append(_note(JS_NOTE))
    # A widget's or script's text/plain is a repr like "HBox(...)": noise next to the note.
    order = [m for m in _DISPLAY_ORDER if not (notes and m == "text/plain")]
    chosen = next((m for m in order if m in data), None)
    if chosen is None:
        if notes:
            return "".join(notes)
        kinds = ", ".join(sorted(str(m) for m in data)) or "empty"
        return _note(f"(output of type {kinds} not shown)")
    body = _render_data(
        chosen, data[chosen], output.get("metadata"), limit, base_url, image_base_url
    )
    return "".join(notes) + body


def _prompt(label: str, count: Any) -> str:
    shown = str(count) if isinstance(count, int) and not isinstance(count, bool) else " "
    return f'<div class="openi-nb-prompt">{label}&nbsp;[{html.escape(shown)}]:</div>'


def _attachments(cell: Mapping[str, Any], limit: int) -> dict[str, str]:
    """A markdown cell's pasted images, as data URLs (only valid raster images)."""
    found: dict[str, str] = {}
    attachments = cell.get("attachments")
    if not isinstance(attachments, Mapping):
        return found
    for name, bundle in attachments.items():
        if not isinstance(bundle, Mapping):
            continue
        for mime, value in bundle.items():
            url = raster_data_url(str(mime), value, limit)
            if url:
                found[str(name)] = url
                break
    return found


def render_cell(
    cell: Any,
    *,
    language: str = "python",
    max_output_bytes: int = 1_000_000,
    base_url: str | None = None,
    image_base_url: str | None = None,
) -> str:
    """One cell as safe HTML (the notebook diff shows single cells with this)."""
    if not isinstance(cell, Mapping):
        return ""
    kind = cell.get("cell_type")
    source = text_of(cell.get("source"))
    if kind == "markdown":
        body = render_markdown(
            source,
            base_url=base_url,
            image_base_url=image_base_url,
            attachments=_attachments(cell, max_output_bytes),
        )
        return f'<div class="openi-nb-cell openi-nb-markdown">{body}</div>'
    if kind == "code":
        count = cell.get("execution_count")
        parts = [
            '<div class="openi-nb-cell openi-nb-code">',
            '<div class="openi-nb-input">',
            _prompt("In", count),
            f'<pre><code class="language-{language}">{html.escape(source)}</code></pre>',
            "</div>",
        ]
        outputs = cell.get("outputs")
        if isinstance(outputs, list) and outputs:
            parts.append('<div class="openi-nb-outputs">')
            for output in outputs:
                rendered = _render_output(output, max_output_bytes, base_url, image_base_url)
                if not rendered:
                    continue
                is_result = isinstance(output, Mapping) and output.get("output_type") == (
                    "execute_result"
                )
                prompt = _prompt("Out", output.get("execution_count")) if is_result else ""
                parts.append(f'<div class="openi-nb-output">{prompt}{rendered}</div>')
            parts.append("</div>")
        parts.append("</div>")
        return "".join(parts)
    return f'<div class="openi-nb-cell openi-nb-raw"><pre>{html.escape(source)}</pre></div>'


def render_notebook(
    source: str | bytes,
    *,
    max_output_bytes: int = 1_000_000,
    base_url: str | None = None,
    image_base_url: str | None = None,
) -> str:
    """Renders an .ipynb to safe, static HTML without executing anything.

    ``max_output_bytes`` caps each output (longer text is cut with a note, larger images are
    replaced by a note). ``base_url``/``image_base_url`` resolve relative links and images in
    markdown, as for a README. Raises :class:`NotebookRenderError` if it is not a notebook.
    """
    nb = load_notebook(source)
    language = notebook_language(nb)
    cells = [
        render_cell(
            cell,
            language=language,
            max_output_bytes=max_output_bytes,
            base_url=base_url,
            image_base_url=image_base_url,
        )
        for cell in nb["cells"]
    ]
    return '<div class="openi-nb">' + "".join(cells) + "</div>"
