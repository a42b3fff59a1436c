"""ipywidgets of the platform: one module per widget."""

from .dataset_picker import DatasetPicker
from .upload_progress import UploadProgress

__all__ = ["DatasetPicker", "UploadProgress"]
