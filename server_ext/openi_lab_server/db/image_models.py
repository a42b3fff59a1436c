"""Cloud-brain images (云脑镜像): a named, shareable execution environment.

An image names a container image address (for cluster executors) and a local environment:
this server's Python, or a virtual environment defined by a requirements list. The
environment itself is not a row: it is built once per content into ``<data_dir>/envs/<key>/``
(see :mod:`..compute.environments`), so images with the same requirements share it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Account, Base, Timestamps, UTCDateTime, utcnow


class Image(Timestamps, Base):
    __tablename__ = "images"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    lower_name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(255), default="")
    visibility: Mapped[str] = mapped_column(String(8), default="public")
    #: a container image reference (``registry/repo:tag``) for cluster executors; may be empty
    container_image: Mapped[str] = mapped_column(String(255), default="")
    #: ``server`` (this server's Python) or ``requirements`` (a venv built from them)
    environment: Mapped[str] = mapped_column(String(16), default="server")
    #: the normalised requirements, one per line
    requirements: Mapped[str] = mapped_column(Text, default="")
    #: sha256 of the normalised requirements and the Python version; empty for ``server``
    env_key: Mapped[str] = mapped_column(String(64), default="", index=True)
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    owner: Mapped[Account] = relationship(foreign_keys=[owner_id], lazy="joined")

    __table_args__ = (
        UniqueConstraint("owner_id", "lower_name"),
        Index("ix_images_updated", "updated_at"),
    )
