"""Submission files in the stack's private, encrypted bucket (FILES_BUCKET); the only S3 code of assignments.

Files never pass through the API: a student gets a presigned POST whose policy fixes the object
key, the exact size (`content-length-range`) and the exact `Content-Type`, and requires SSE-S3;
staff (and the student) read with presigned GETs. Presigning is computed locally (no request).
S3 enforces the POST policy; the local emulation (moto) does not, so a submission also checks
the stored object with HeadObject (size and content type) before it refers to it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

SSE = "AES256"


@cache
def _client() -> S3Client:
    """Made once per container, on first use. With an endpoint override (the local stack's moto
    server) URLs are path-style, so a client on localhost can use them."""
    override = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if override:
        return boto3.client("s3", config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    return boto3.client("s3", config=Config(signature_version="s3v4"))


def _bucket() -> str:
    bucket = os.environ.get("FILES_BUCKET", "")
    if not bucket:
        raise RuntimeError("FILES_BUCKET is not set (template.yaml sets it from !Ref FilesBucket)")
    return bucket


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str


def presigned_upload(key: str, content_type: str, size: int, expires_in_seconds: int) -> PresignedPost:
    """A POST that stores exactly this key, this many bytes of this content type, encrypted."""
    fields = {"Content-Type": content_type, "x-amz-server-side-encryption": SSE}
    conditions: list[Any] = [
        {"Content-Type": content_type},
        {"x-amz-server-side-encryption": SSE},
        ["content-length-range", size, size],
    ]
    post = _client().generate_presigned_post(
        _bucket(), key, Fields=fields, Conditions=conditions, ExpiresIn=expires_in_seconds
    )
    return PresignedPost(url=post["url"], fields={k: str(v) for k, v in post["fields"].items()})


def stored_object(key: str) -> StoredObject | None:
    """The object's size and content type (HeadObject), or None when nothing was uploaded."""
    try:
        head = _client().head_object(Bucket=_bucket(), Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return StoredObject(size=int(head["ContentLength"]), content_type=str(head.get("ContentType", "")))


def download_url(key: str, file_name: str, expires_in_seconds: int) -> str:
    """A presigned GET that downloads the file under its name."""
    return _client().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": _bucket(),
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{file_name}"',
        },
        ExpiresIn=expires_in_seconds,
    )


def delete_objects(keys: list[str]) -> None:
    """Delete these objects; deleting one that is gone succeeds."""
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        _client().delete_objects(
            Bucket=_bucket(), Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True}
        )


class BucketFiles:
    """The files bucket as the assignment service uses it."""

    def presigned_upload(
        self, key: str, content_type: str, size: int, expires_in_seconds: int
    ) -> PresignedPost:
        return presigned_upload(key, content_type, size, expires_in_seconds)

    def stored_object(self, key: str) -> StoredObject | None:
        return stored_object(key)

    def download_url(self, key: str, file_name: str, expires_in_seconds: int) -> str:
        return download_url(key, file_name, expires_in_seconds)
