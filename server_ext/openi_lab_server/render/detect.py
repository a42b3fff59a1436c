"""Is a repository file text, and in which encoding — before the page tries to show it.

Git stores bytes. Code hosting must decide whether to show a file as text or offer a download,
and must not garble the GB18030/GBK files common in Chinese projects. The rules follow git's
own heuristic (a NUL byte in the first 8000 bytes means binary) with byte-order marks taken
first, then a strict cascade utf-8 → gb18030, and latin-1 only for text that is clearly not
binary (latin-1 decodes any byte string, so it proves nothing on its own).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

__all__ = ["TextInfo", "detect_text"]

#: git's binary heuristic looks this far for a NUL byte.
_SNIFF_BYTES = 8000
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Control characters that do not occur in text (tab, newlines, form feed and ESC do).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


@dataclass(frozen=True)
class TextInfo:
    """What :func:`detect_text` found.

    ``text`` is the decoded file, or ``None`` when the file is binary or larger than the limit
    (then ``truncated`` is true: the page offers the raw file instead). ``encoding`` is a
    Python codec name (``None`` for binary); ``size`` is the file's size in bytes.
    """

    is_binary: bool
    encoding: str | None
    text: str | None
    truncated: bool
    size: int


def _decodes(data: bytes, encoding: str, *, final: bool) -> str | None:
    """Strictly decodes; a cut-off multi-byte character at the end is allowed when not final."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(data, final=final)
    except UnicodeDecodeError:
        return None


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    return len(_CONTROL.findall(text)) <= max(1, len(text) // 100)


def detect_text(data: bytes, *, limit: int, size: int | None = None) -> TextInfo:
    """Decides binary vs text, finds the encoding and decodes ``data`` if it fits ``limit``.

    ``data`` may be only the start of a larger blob (reading a huge file to show "too large"
    is wasteful): pass the blob's full ``size`` then; detection uses what was given.
    """
    total = len(data) if size is None else max(size, len(data))
    complete = total <= limit and len(data) == total
    sample = data if complete else data[: max(limit, _SNIFF_BYTES)]

    encoding: str | None = None
    for bom, name in _BOMS:
        if sample.startswith(bom):
            encoding = name
            break
    if encoding is None and b"\x00" in sample[:_SNIFF_BYTES]:
        return TextInfo(True, None, None, False, total)

    candidates = [encoding] if encoding else ["utf-8", "gb18030", "latin-1"]
    for name in candidates:
        decoded = _decodes(sample, name, final=complete)
        if decoded is None:
            continue
        if not _looks_like_text(decoded):
            break
        if complete:  # BOM codecs (utf-8-sig, utf-16, utf-32) have dropped the BOM
            return TextInfo(False, name, decoded, False, total)
        return TextInfo(False, name, None, True, total)
    return TextInfo(True, None, None, False, total)
