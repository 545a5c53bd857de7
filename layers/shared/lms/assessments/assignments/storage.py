"""Submission files in the stack's private, encrypted bucket (FILES_BUCKET); the only S3 code of assignments.

Files never pass through the API: a student gets a presigned POST whose policy fixes the object
key, the exact size (`content-length-range`) and the exact `Content-Type`, and requires SSE-S3;
staff (and the student) read with presigned GETs. Presigning is computed locally (no request).
S3 enforces the POST policy; the local emulation (moto) does not, so a submission also checks
the stored object with HeadObject (size and content type) before it refers to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from lms.persistence.files import files_bucket, files_client

SSE = "AES256"


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
    post = files_client().generate_presigned_post(
        files_bucket(), key, Fields=fields, Conditions=conditions, ExpiresIn=expires_in_seconds
    )
    return PresignedPost(url=post["url"], fields={k: str(v) for k, v in post["fields"].items()})


def stored_object(key: str) -> StoredObject | None:
    """The object's size and content type (HeadObject), or None when nothing was uploaded."""
    try:
        head = files_client().head_object(Bucket=files_bucket(), Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return StoredObject(size=int(head["ContentLength"]), content_type=str(head.get("ContentType", "")))


def download_url(key: str, file_name: str, expires_in_seconds: int) -> str:
    """A presigned GET that downloads the file under its name."""
    return files_client().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": files_bucket(),
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{file_name}"',
        },
        ExpiresIn=expires_in_seconds,
    )


def delete_objects(keys: list[str]) -> None:
    """Delete these objects; deleting one that is gone succeeds."""
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        files_client().delete_objects(
            Bucket=files_bucket(), Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True}
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
