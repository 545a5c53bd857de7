"""Export documents in the stack's private, encrypted files bucket (FILES_BUCKET); the only S3 code here.

Documents are written by the privacy worker and read by the person with a presigned GET URL that
the API hands out, so the API never proxies the bytes. The client is made once per container.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@cache
def _client() -> S3Client:
    return boto3.client("s3")


def _bucket() -> str:
    bucket = os.environ.get("FILES_BUCKET", "")
    if not bucket:
        raise RuntimeError("FILES_BUCKET is not set (template.yaml sets it from !Ref FilesBucket)")
    return bucket


class S3Documents:
    """Export documents in FILES_BUCKET."""

    def put_document(self, key: str, document: dict[str, Any]) -> None:
        body = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()
        _client().put_object(
            Bucket=_bucket(),
            Key=key,
            Body=body,
            ContentType="application/json",
            ServerSideEncryption="AES256",
        )

    def download_url(self, key: str, expires_in_seconds: int) -> str:
        """A presigned GET of the document; computed locally (no request to S3)."""
        return _client().generate_presigned_url(
            "get_object", Params={"Bucket": _bucket(), "Key": key}, ExpiresIn=expires_in_seconds
        )

    def delete_documents(self, keys: list[str]) -> None:
        """Delete these documents; deleting one that is gone succeeds."""
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            _client().delete_objects(
                Bucket=_bucket(), Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True}
            )
