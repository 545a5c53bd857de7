"""Large gradebook exports in the stack's private, encrypted bucket (FILES_BUCKET); the only S3 code here.

An export too large for a Lambda response (6 MB) is written under `exports/gradebook/…` (the
bucket's lifecycle rule expires `exports/`) and handed out as a short-lived presigned GET, so
the API never answers more than its inline limit. The client comes from lms.persistence.files.
"""

from __future__ import annotations

from lms.persistence.files import files_bucket, files_client


class BucketExports:
    """Export files in FILES_BUCKET as the gradebook service uses them."""

    def put_csv(self, key: str, body: bytes) -> None:
        """One PutObject, encrypted, typed as UTF-8 CSV."""
        files_client().put_object(
            Bucket=files_bucket(),
            Key=key,
            Body=body,
            ContentType="text/csv; charset=utf-8",
            ServerSideEncryption="AES256",
        )

    def download_url(self, key: str, file_name: str, expires_in_seconds: int) -> str:
        """A presigned GET that downloads the file under its name; computed locally (no request)."""
        return files_client().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": files_bucket(),
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{file_name}"',
            },
            ExpiresIn=expires_in_seconds,
        )
