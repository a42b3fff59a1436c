"""Which AI engine (AI引擎) wrote a model, told from its files' names.

Names alone decide (the registry never unpickles or imports what users upload): the most
specific marker wins, and a TensorFlow SavedModel is recognised by its ``saved_model.pb``.
"""

from __future__ import annotations

from collections.abc import Iterable

#: (engine, suffixes or exact base names), checked in this order
_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("MindSpore", (".ckpt", ".mindir", ".air")),
    ("PaddlePaddle", (".pdparams", ".pdmodel", ".pdiparams", ".pdopt")),
    ("ONNX", (".onnx",)),
    ("TensorFlow", ("saved_model.pb", "saved_model.pbtxt", ".h5", ".keras", ".tflite")),
    ("PyTorch", (".pt", ".pth", "pytorch_model.bin", ".safetensors")),
    ("scikit-learn", (".pkl", ".joblib", ".pickle")),
]


def engine_of(path: str) -> str | None:
    """The engine one file belongs to, or None."""
    name = path.rsplit("/", 1)[-1].lower()
    for engine, markers in _RULES:
        for m in markers:
            if (m.startswith(".") and name.endswith(m)) or name == m:
                return engine
    return None


def detect(paths: Iterable[str]) -> str:
    """The engine of a set of files: the one most files point to (rule order breaks ties);
    ``unknown`` when none does."""
    counts: dict[str, int] = {}
    for p in paths:
        e = engine_of(p)
        if e is not None:
            counts[e] = counts.get(e, 0) + 1
    if not counts:
        return "unknown"
    order = [e for e, _ in _RULES]
    return max(counts, key=lambda e: (counts[e], -order.index(e)))
