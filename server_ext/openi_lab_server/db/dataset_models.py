"""Datasets (数据集), their files, favourites, stored objects and resumable uploads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, Timestamps, UTCDateTime, utcnow


class StoredObject(Timestamps, Base):
    """One blob in the object store, shared by every file with the same content."""

    __tablename__ = "objects"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    #: where the bytes live, relative to the store's root
    storage_key: Mapped[str] = mapped_column(String(255))
    refcount: Mapped[int] = mapped_column(Integer, default=1)
    #: the bytes themselves, for a small model file (no file in the store; NULL: they are
    #: at ``storage_key``). An object a dataset file names always has its bytes in the
    #: store: an upload of the same content moves them there (``DatasetService.adopt``).
    #: Deferred: loading an object never reads them unless asked.
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)


class Dataset(Timestamps, Base):
    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    lower_name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(8), default="public")
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    num_files: Mapped[int] = mapped_column(Integer, default=0)
    total_size: Mapped[int] = mapped_column(BigInteger, default=0)
    num_favorites: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("project_id", "lower_name"),
        Index("ix_datasets_created", "created_at"),
    )


class DatasetFile(Timestamps, Base):
    __tablename__ = "dataset_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(8), default="other")
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    download_count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("dataset_id", "name"),
        Index("ix_dataset_files_created", "created_at"),
    )


class DatasetFavorite(Timestamps, Base):
    """收藏: a user favourited a dataset."""

    __tablename__ = "dataset_favorites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)

    __table_args__ = (UniqueConstraint("dataset_id", "user_id"),)


class Upload(Timestamps, Base):
    """A resumable upload: its state here, its bytes in the object store."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    chunk_size: Mapped[int] = mapped_column(Integer)
    #: active | completed | failed | expired
    status: Mapped[str] = mapped_column(String(10), default="active")
    #: the blob the bytes become, and the S3 multipart upload id with its parts (JSON)
    storage_key: Mapped[str] = mapped_column(String(255))
    multipart_id: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    parts: Mapped[str] = mapped_column(Text, default="[]")
    file_id: Mapped[int | None] = mapped_column(
        ForeignKey("dataset_files.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: one writer at a time (a PATCH or the completion), on any server
    lock_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (Index("ix_uploads_status_expires", "status", "expires_at"),)
