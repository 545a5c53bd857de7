"""The stack's private, encrypted files bucket (FILES_BUCKET): its name and one S3 client per container.

Submissions, privacy exports and large gradebook exports live there; clients move the bytes with
presigned URLs the API hands out. With an endpoint override (the local stack's emulation) URLs
are path-style, so a client on localhost can use them.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, cast

from botocore.config import Config

from lms import aws
from lms.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@cache
def files_client() -> S3Client:
    """Made once per container, on first use."""
    if get_settings().s3_endpoint_url:
        return cast(
            "S3Client",
            aws.client("s3", config=Config(signature_version="s3v4", s3={"addressing_style": "path"})),
        )
    return cast("S3Client", aws.client("s3", config=Config(signature_version="s3v4")))


def files_bucket() -> str:
    return get_settings().files_bucket
