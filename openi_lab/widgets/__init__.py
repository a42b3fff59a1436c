"""ipywidgets of the platform: one module per widget."""

from .dataset_picker import DatasetPicker
from .model_browser import ModelBrowser
from .task_monitor import TaskMonitor
from .upload_progress import UploadProgress

__all__ = ["DatasetPicker", "ModelBrowser", "TaskMonitor", "UploadProgress"]
