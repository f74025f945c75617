"""Where uploaded bytes live: a directory under the data dir, or an S3-compatible bucket.

Both adapters share one small API, so uploads (and later case evidence) never know which is in use:
`size(key)` (bytes kept so far), `writer(key)` (appends after them; `close()` keeps what was written,
so a dropped request resumes at `size(key)`), `finalize(key)`, `open_read(key)`, `delete(key)`.
Keys are `<tenant id>/<upload id>`: never a user's filename. Nothing is held whole in memory: the
local adapter appends to a file, the S3 one sends parts of PART_SIZE through a multipart upload and
parks a short tail (under a part) as its own object between requests.

Chosen by PHAROS_UPLOAD_STORAGE (`local`, the default, or `s3`); S3 reads PHAROS_S3_BUCKET,
PHAROS_S3_ENDPOINT_URL, PHAROS_S3_REGION, PHAROS_S3_ACCESS_KEY_ID, PHAROS_S3_SECRET_ACCESS_KEY and
PHAROS_S3_PREFIX (docs/uploads.md). Read on each call, like the job settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from models.core.settings import get_settings

PART_SIZE = 8 * 1024 * 1024  # S3 parts (the minimum is 5 MiB except for the last)


class Writer(Protocol):
    def write(self, chunk: bytes, /) -> object: ...

    def close(self) -> None:
        """Keep every byte written so far (the next writer appends after them)."""
        ...


class Storage(Protocol):
    def size(self, key: str) -> int: ...

    def writer(self, key: str) -> Writer: ...

    def finalize(self, key: str) -> None:
        """All bytes are in: make the object whole and readable."""
        ...

    def open_read(self, key: str) -> BinaryIO: ...

    def local_path(self, key: str) -> Path | None:
        """The stored file itself when it is on this machine's disk, else None."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object and anything half-written for it (no error when there is none)."""
        ...


def _safe_key(key: str) -> str:
    parts = key.split("/")
    if not key or any(p in ("", ".", "..") for p in parts) or "\\" in key or "\0" in key:
        raise ValueError(f"bad storage key {key!r}")
    return key


class LocalStorage:
    """Files under `<data dir>/uploads/<tenant id>/<upload id>`."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / _safe_key(key)

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            return 0

    def writer(self, key: str) -> Writer:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("ab")  # a file object has write() and close()

    def finalize(self, key: str) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as handle:  # an empty upload still gets its (empty) file
            os.fsync(handle.fileno())

    def open_read(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def local_path(self, key: str) -> Path | None:
        return self.path(key)

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


@dataclass(frozen=True)
class S3Config:
    bucket: str
    endpoint_url: str | None
    region: str
    access_key_id: str | None
    secret_access_key: str | None
    prefix: str


class _S3Writer:
    """Appends to an open multipart upload: full parts go up at once, the rest waits in memory
    (under PART_SIZE) and is parked as the `.tail` object on close."""

    def __init__(self, store: S3Storage, key: str):
        self.store, self.key = store, key
        self.upload_id = store.multipart_id(key, create=True)
        assert self.upload_id is not None
        self.next_part = max((p["PartNumber"] for p in store.parts(key, self.upload_id)), default=0) + 1
        tail = store.tail(key)
        self.tail_parked = tail is not None
        self.buffer = bytearray(tail or b"")

    def write(self, chunk: bytes) -> None:
        self.buffer += chunk
        while len(self.buffer) >= PART_SIZE:
            self._send(bytes(self.buffer[:PART_SIZE]))
            del self.buffer[:PART_SIZE]

    def _send(self, body: bytes) -> None:
        s3 = self.store.client
        s3.upload_part(
            Bucket=self.store.config.bucket,
            Key=self.store.object_key(self.key),
            UploadId=self.upload_id,
            PartNumber=self.next_part,
            Body=body,
        )
        self.next_part += 1
        if self.tail_parked:  # its bytes are in the part now
            self.store.drop_tail(self.key)
            self.tail_parked = False

    def close(self) -> None:
        if self.buffer:
            self.store.park_tail(self.key, bytes(self.buffer))
        elif self.tail_parked:
            self.store.drop_tail(self.key)


class S3Storage:
    """An S3-compatible bucket (AWS, MinIO, Ceph, …), through boto3."""

    def __init__(self, config: S3Config):
        import boto3

        self.config = config
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=config.endpoint_url,
            region_name=config.region,
            aws_access_key_id=config.access_key_id,
            aws_secret_access_key=config.secret_access_key,
        )

    def object_key(self, key: str) -> str:
        return self.config.prefix + _safe_key(key)

    def _tail_key(self, key: str) -> str:
        return self.object_key(key) + ".tail"

    def multipart_id(self, key: str, *, create: bool = False) -> str | None:
        name = self.object_key(key)
        found = self.client.list_multipart_uploads(Bucket=self.config.bucket, Prefix=name).get("Uploads", [])
        for upload in found:
            if upload["Key"] == name:
                return upload["UploadId"]
        if not create:
            return None
        return self.client.create_multipart_upload(Bucket=self.config.bucket, Key=name)["UploadId"]

    def parts(self, key: str, upload_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        marker = 0
        while True:
            page = self.client.list_parts(
                Bucket=self.config.bucket, Key=self.object_key(key), UploadId=upload_id, PartNumberMarker=marker
            )
            found += page.get("Parts", [])
            if not page.get("IsTruncated"):
                return found
            marker = page["NextPartNumberMarker"]

    def tail(self, key: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.config.bucket, Key=self._tail_key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def park_tail(self, key: str, body: bytes) -> None:
        self.client.put_object(Bucket=self.config.bucket, Key=self._tail_key(key), Body=body)

    def drop_tail(self, key: str) -> None:
        self.client.delete_object(Bucket=self.config.bucket, Key=self._tail_key(key))

    def _object_size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.config.bucket, Key=self.object_key(key))["ContentLength"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def size(self, key: str) -> int:
        whole = self._object_size(key)
        if whole is not None:
            return whole
        upload_id = self.multipart_id(key)
        sent = sum(p["Size"] for p in self.parts(key, upload_id)) if upload_id else 0
        return sent + len(self.tail(key) or b"")

    def writer(self, key: str) -> Writer:
        return _S3Writer(self, key)

    def finalize(self, key: str) -> None:
        bucket, name = self.config.bucket, self.object_key(key)
        upload_id = self.multipart_id(key)
        tail = self.tail(key)
        if upload_id is None or (not self.parts(key, upload_id) and not tail):
            if upload_id is not None:
                self.client.abort_multipart_upload(Bucket=bucket, Key=name, UploadId=upload_id)
            if self._object_size(key) is None:
                self.client.put_object(Bucket=bucket, Key=name, Body=tail or b"")
        else:
            if tail:
                writer = _S3Writer(self, key)  # sends the tail as the last (short) part
                writer._send(bytes(writer.buffer))
            parts = [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in self.parts(key, upload_id)]
            self.client.complete_multipart_upload(
                Bucket=bucket, Key=name, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        self.drop_tail(key)

    def open_read(self, key: str) -> BinaryIO:
        return self.client.get_object(Bucket=self.config.bucket, Key=self.object_key(key))["Body"]

    def local_path(self, key: str) -> Path | None:
        return None

    def download(self, key: str, handle: BinaryIO) -> None:
        self.client.download_fileobj(self.config.bucket, self.object_key(key), handle)

    def delete(self, key: str) -> None:
        bucket, name = self.config.bucket, self.object_key(key)
        upload_id = self.multipart_id(key)
        if upload_id is not None:
            self.client.abort_multipart_upload(Bucket=bucket, Key=name, UploadId=upload_id)
        self.drop_tail(key)
        self.client.delete_object(Bucket=bucket, Key=name)


def s3_config() -> S3Config:
    bucket = os.environ.get("PHAROS_S3_BUCKET")
    if not bucket:
        raise RuntimeError("PHAROS_UPLOAD_STORAGE=s3 needs PHAROS_S3_BUCKET (and usually PHAROS_S3_ENDPOINT_URL)")
    prefix = os.environ.get("PHAROS_S3_PREFIX", "").strip("/")
    return S3Config(
        bucket=bucket,
        endpoint_url=os.environ.get("PHAROS_S3_ENDPOINT_URL") or None,
        region=os.environ.get("PHAROS_S3_REGION") or "us-east-1",
        access_key_id=os.environ.get("PHAROS_S3_ACCESS_KEY_ID") or None,
        secret_access_key=os.environ.get("PHAROS_S3_SECRET_ACCESS_KEY") or None,
        prefix=f"{prefix}/" if prefix else "",
    )


@lru_cache(maxsize=4)
def _s3(config: S3Config) -> S3Storage:
    return S3Storage(config)


def get_storage() -> LocalStorage | S3Storage:
    """The adapter the environment chooses (an unknown choice is a start-up style error, named)."""
    kind = (os.environ.get("PHAROS_UPLOAD_STORAGE") or "local").strip().lower()
    if kind == "local":
        return LocalStorage(Path(get_settings().data_dir).resolve() / "uploads")
    if kind == "s3":
        return _s3(s3_config())
    raise RuntimeError(f"PHAROS_UPLOAD_STORAGE must be 'local' or 's3', not {kind!r}")
