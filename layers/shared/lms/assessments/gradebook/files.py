"""Large gradebook exports in the stack's private, encrypted bucket (FILES_BUCKET); the only S3 code here.

An export too large for a Lambda response (6 MB) is written under `exports/gradebook/…` (the
bucket's lifecycle rule expires `exports/`) and handed out as a short-lived presigned GET, so
the API never answers more than its inline limit. The client is made once per container.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@cache
def _client() -> S3Client:
    """Made on first use. With an endpoint override (the local stack's emulation) URLs are
    path-style, so a client on localhost can use them."""
    override = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if override:
        return boto3.client("s3", config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    return boto3.client("s3", config=Config(signature_version="s3v4"))


def _bucket() -> str:
    bucket = os.environ.get("FILES_BUCKET", "")
    if not bucket:
        raise RuntimeError("FILES_BUCKET is not set (template.yaml sets it from !Ref FilesBucket)")
    return bucket


class BucketExports:
    """Export files in FILES_BUCKET as the gradebook service uses them."""

    def put_csv(self, key: str, body: bytes) -> None:
        """One PutObject, encrypted, typed as UTF-8 CSV."""
        _client().put_object(
            Bucket=_bucket(),
            Key=key,
            Body=body,
            ContentType="text/csv; charset=utf-8",
            ServerSideEncryption="AES256",
        )

    def download_url(self, key: str, file_name: str, expires_in_seconds: int) -> str:
        """A presigned GET that downloads the file under its name; computed locally (no request)."""
        return _client().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": _bucket(),
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{file_name}"',
            },
            ExpiresIn=expires_in_seconds,
        )
