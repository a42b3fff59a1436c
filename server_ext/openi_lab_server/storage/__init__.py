"""Object storage for datasets: content-addressed blobs over fsspec, resumable uploads, and
archive inspection (list, preview, safe extraction) as pure functions."""

from .objects import MIN_PART_BYTES, ObjectStore, PartRecord

__all__ = ["MIN_PART_BYTES", "ObjectStore", "PartRecord"]
