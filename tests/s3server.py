"""A loopback S3 server (moto) for the storage tests, and helpers that upload through the API.

``s3_server`` is session-scoped: one moto server per test process (each xdist worker has its
own), one bucket; tests use a fresh prefix each, so nothing leaks between them.
"""

from __future__ import annotations

import hashlib
import json
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from apiclient import ApiClient, Reply

BUCKET = "openi-test"


@dataclass(frozen=True)
class S3:
    endpoint: str
    bucket: str
    key: str = "testing"
    secret: str = "testing"
    region: str = "us-east-1"

    def url(self, prefix: str | None = None) -> str:
        return f"s3://{self.bucket}/{prefix or uuid.uuid4().hex[:12]}"

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.key,
            aws_secret_access_key=self.secret,
            region_name=self.region,
        )

    def keys(self, prefix: str) -> list[str]:
        """Every object under ``prefix`` in the bucket."""
        pages = (
            self.client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.bucket, Prefix=prefix)
        )
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def pending_multipart(self, prefix: str) -> list[str]:
        answer = self.client().list_multipart_uploads(Bucket=self.bucket, Prefix=prefix)
        return [u["Key"] for u in answer.get("Uploads", [])]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    s3 = S3(endpoint=f"http://127.0.0.1:{port}", bucket=BUCKET)
    s3.client().create_bucket(Bucket=BUCKET)
    try:
        yield s3
    finally:
        server.stop()


def s3_config(s3: S3, prefix: str) -> dict[str, Any]:
    """``OpeniLabApp`` settings for an s3:// store under ``prefix``."""
    return {
        "storage_url": s3.url(prefix),
        "s3_endpoint_url": s3.endpoint,
        "s3_key": s3.key,
        "s3_secret": s3.secret,
        "s3_region": s3.region,
    }


# --- uploading through the API --------------------------------------------------------------


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def patch_chunk(client: ApiClient, upload_id: str, offset: int, data: bytes) -> Reply:
    headers = dict(client.headers)
    headers["Upload-Offset"] = str(offset)
    headers["Content-Type"] = "application/offset+octet-stream"
    resp = await client.fetch(
        "openi", "api", "v1", "uploads", upload_id,
        method="PATCH", body=data, headers=headers, raise_error=False, request_timeout=120,
    )  # fmt: skip
    text = resp.body.decode() if resp.body else ""
    return Reply(resp.code, json.loads(text) if text else None, resp.headers)


async def start_upload(
    client: ApiClient,
    project: str,
    dataset: str,
    filename: str,
    data: bytes,
    overrides: dict[str, Any] | None = None,
) -> Reply:
    body = {"project": project, "dataset": dataset, "filename": filename, "size": len(data)}
    body["sha256"] = sha(data)
    body.update(overrides or {})
    return await client.post("uploads", body)


async def upload(
    client: ApiClient,
    project: str,
    dataset: str,
    filename: str,
    data: bytes,
    chunk: int | None = None,
) -> dict[str, Any]:
    """Create, send every chunk, complete; the DatasetFile."""
    created = await start_upload(client, project, dataset, filename, data)
    assert created.status == 201, created.body
    up = created.body
    if up["status"] == "completed":
        return up["file"]  # type: ignore[no-any-return]
    step = chunk or up["chunk_size"]
    for offset in range(0, len(data), step):
        r = await patch_chunk(client, up["id"], offset, data[offset : offset + step])
        assert r.status == 200, r.body
    done = await client.post(f"uploads/{up['id']}/complete")
    assert done.status == 200, done.body
    assert done.body["status"] == "completed"
    return done.body["file"]  # type: ignore[no-any-return]
