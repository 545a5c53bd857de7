"""Export documents in the stack's private, encrypted files bucket (FILES_BUCKET); the only S3 code here.

Documents are written by the privacy worker and read by the person with a presigned GET URL that
the API hands out, so the API never proxies the bytes. The client comes from lms.persistence.files.
"""

from __future__ import annotations

import json
from typing import Any

from lms.persistence.files import files_bucket, files_client


class S3Documents:
    """Export documents in FILES_BUCKET."""

    def put_document(self, key: str, document: dict[str, Any]) -> None:
        body = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()
        files_client().put_object(
            Bucket=files_bucket(),
            Key=key,
            Body=body,
            ContentType="application/json",
            ServerSideEncryption="AES256",
        )

    def download_url(self, key: str, expires_in_seconds: int) -> str:
        """A presigned GET of the document; computed locally (no request to S3)."""
        return files_client().generate_presigned_url(
            "get_object", Params={"Bucket": files_bucket(), "Key": key}, ExpiresIn=expires_in_seconds
        )

    def delete_documents(self, keys: list[str]) -> None:
        """Delete these documents; deleting one that is gone succeeds."""
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            files_client().delete_objects(
                Bucket=files_bucket(), Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True}
            )
