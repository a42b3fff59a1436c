"""Markdown (READMEs, notebook markdown cells) to HTML that is safe to show on the platform.

Repository content is written by anyone who can push, and it is shown to everyone who can read
the repository, on the platform's own origin. So the HTML that markdown-it produces (raw HTML
is allowed, as on GitHub) always goes through one allow-list policy (``nh3``, the ammonia
sanitiser): no scripts, no event handlers, no ``style``, no SVG/MathML, no ``javascript:``-like
URLs, and ``data:`` URLs only for raster images. The notebook renderer reuses the same policy
for ``text/html`` outputs through :func:`sanitize_html`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin

__all__ = ["render_markdown", "sanitize_html"]

#: GitHub-like: what a README needs, nothing that runs or restyles the page.
_TAGS: frozenset[str] = frozenset(
    {
        *(f"h{i}" for i in range(1, 7)),
        "p",
        "div",
        "span",
        "a",
        "img",
        "br",
        "hr",
        "pre",
        "code",
        "kbd",
        "samp",
        "var",
        "blockquote",
        "q",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "caption",
        "em",
        "strong",
        "b",
        "i",
        "u",
        "del",
        "s",
        "strike",
        "ins",
        "mark",
        "small",
        "sub",
        "sup",
        "abbr",
        "cite",
        "details",
        "summary",
        "input",
        "picture",
    }
)

_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "align"},
    "code": {"class"},
    "ul": {"class"},
    "ol": {"class", "start", "reversed"},
    "li": {"class", "value"},
    "input": {"class", "checked"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "details": {"open"},
    "abbr": {"title"},
    "p": {"align"},
    "div": {"align"},
    **{f"h{i}": {"align"} for i in range(1, 7)},
}

#: A checkbox is the only input worth keeping (task lists), and it is never editable.
_SET_ATTRIBUTES: dict[str, dict[str, str]] = {"input": {"type": "checkbox", "disabled": ""}}

#: Dropped together with everything inside them (an ``<svg onload>`` leaves no trace).
_CLEAN_CONTENT_TAGS: frozenset[str] = frozenset(
    {
        "script",
        "style",
        "svg",
        "math",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "template",
        "noscript",
        "noembed",
        "noframes",
        "textarea",
        "select",
        "xmp",
        "title",
    }
)

_URL_SCHEMES = frozenset({"http", "https", "mailto"})
_LINK_REL = "nofollow noopener noreferrer"
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/\s]*={0,2}\s*")
_LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.\-]{1,40}")
_TASK_CLASSES = {
    "ul": {"contains-task-list"},
    "ol": {"contains-task-list"},
    "li": {"task-list-item"},
    "input": {"task-list-item-checkbox"},
}
_SPACE_AND_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def _check_base(url: str | None) -> str | None:
    """A base must itself be http(s) or a path, or it could smuggle in another scheme."""
    if url is None:
        return None
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("", "http", "https"):
        raise ValueError(f"base URL must be http(s) or a path, not {scheme!r}")
    return url


def _filter_class(tag: str, value: str) -> str | None:
    if tag == "code":
        keep = [c for c in value.split() if _LANGUAGE_CLASS.fullmatch(c)][:1]
    else:
        allowed = _TASK_CLASSES.get(tag, set())
        keep = [c for c in value.split() if c in allowed]
    return " ".join(keep) or None


def _filter_url(
    tag: str,
    value: str,
    base_url: str | None,
    image_base_url: str | None,
    attachments: Mapping[str, str] | None,
) -> str | None:
    """Keeps a URL the sanitiser has already scheme-checked, narrowing and resolving it.

    nh3 calls the filter after its own scheme check and does not check our result again, so
    every value returned here is one we know to be http(s)/mailto, relative, or a raster
    ``data:`` image.
    """
    compact = _SPACE_AND_CONTROL.sub("", value).lower()
    if compact.startswith("data:"):
        stripped = value.strip()
        return stripped if tag == "img" and _DATA_IMAGE.fullmatch(stripped) else None
    if compact.startswith("attachment:"):
        if tag != "img" or attachments is None:
            return None
        return attachments.get(unquote(value.strip()[len("attachment:") :]))
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or value.startswith("#"):
        resolved = value
    else:
        base = image_base_url if tag == "img" else base_url
        resolved = urljoin(base, value) if base else value
    if urlsplit(resolved).scheme.lower() not in (*_URL_SCHEMES, ""):
        return None
    return resolved


def _clean(
    html: str,
    *,
    base_url: str | None,
    image_base_url: str | None,
    attachments: Mapping[str, str] | None = None,
) -> str:
    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr == "class":
            return _filter_class(tag, value)
        if (tag, attr) in (("a", "href"), ("img", "src")):
            return _filter_url(tag, value, base_url, image_base_url, attachments)
        return value

    schemes = set(_URL_SCHEMES) | {"data"}
    if attachments is not None:
        schemes.add("attachment")
    return nh3.clean(
        html,
        tags=set(_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes={tag: set(attrs) for tag, attrs in _ATTRIBUTES.items()},
        set_tag_attribute_values={t: dict(v) for t, v in _SET_ATTRIBUTES.items()},
        attribute_filter=attribute_filter,
        url_schemes=schemes,
        link_rel=_LINK_REL,
        strip_comments=True,
    )


def sanitize_html(
    html: str, *, base_url: str | None = None, image_base_url: str | None = None
) -> str:
    """Applies the platform's HTML policy to untrusted HTML (e.g. a notebook's text/html output).

    Relative ``a[href]`` resolve against ``base_url`` and ``img[src]`` against
    ``image_base_url`` (default: ``base_url``) — the repository's tree and raw URLs.
    """
    base = _check_base(base_url)
    image_base = _check_base(image_base_url) or base
    return _clean(html, base_url=base, image_base_url=image_base)


@functools.cache
def _markdown_it() -> MarkdownIt:
    """CommonMark with GitHub's tables, strikethrough, task lists and bare-URL links."""
    md = MarkdownIt("commonmark", {"html": True, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.use(tasklists_plugin)
    return md


def _to_html(text: str) -> str:
    md = _markdown_it()
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    for token in tokens:
        # markdown-it aligns table cells with style="text-align:…"; the policy forbids
        # style, so carry the alignment in the old align attribute instead.
        if token.type in ("th_open", "td_open"):
            style = token.attrGet("style")
            if isinstance(style, str) and style.startswith("text-align:"):
                token.attrs.pop("style", None)
                token.attrSet("align", style.split(":", 1)[1].strip())
    return md.renderer.render(tokens, md.options, env)


def render_markdown(
    text: str,
    *,
    base_url: str | None = None,
    image_base_url: str | None = None,
    attachments: Mapping[str, str] | None = None,
) -> str:
    """Renders markdown (raw HTML allowed, as on GitHub) to sanitised HTML.

    ``base_url``: where relative links point (a README's ``docs/x.md`` → the repository's
    tree/blob URL); resolved as a browser would, so pass the README's own URL or its folder
    with a trailing slash. ``image_base_url``: the same for images (the raw URL); defaults to
    ``base_url``. ``attachments`` (notebook cells): ``attachment:NAME`` image → a data URL
    the caller has already validated.
    """
    base = _check_base(base_url)
    image_base = _check_base(image_base_url) or base
    return _clean(_to_html(text), base_url=base, image_base_url=image_base, attachments=attachments)
