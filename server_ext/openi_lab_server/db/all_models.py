"""Import every model module so that ``Base.metadata`` (migrations, relationships) is whole."""

from . import (
    community_models,
    dataset_models,
    image_models,
    model_models,
    models,
    pull_models,
    repo_models,
    task_models,
    tracker_models,
)
from .models import Base

__all__ = [
    "Base",
    "community_models",
    "dataset_models",
    "image_models",
    "model_models",
    "models",
    "pull_models",
    "repo_models",
    "task_models",
    "tracker_models",
]
