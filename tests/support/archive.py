"""The event archive as tests read it: its objects in the emulated bucket, and the queries that
docs/analytics-sql.md documents."""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from infra.provision import Stack

SQL_DOC = Path(__file__).resolve().parents[2] / "docs" / "analytics-sql.md"


@dataclass(frozen=True)
class ArchivedObject:
    key: str
    body: bytes  # as stored (GZIP)

    @property
    def text(self) -> str:
        return gzip.decompress(self.body).decode()

    @property
    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]


def archived_objects(stack: Stack, prefix: str = "") -> list[ArchivedObject]:
    s3 = boto3.client("s3", region_name=stack.region, endpoint_url=stack.endpoint_url)
    bucket = stack.outputs["ArchiveBucketName"]
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            found.append(ArchivedObject(item["Key"], body))
    return found


def documented_queries() -> dict[str, str]:
    """Each example query of docs/analytics-sql.md by its heading."""
    text = SQL_DOC.read_text(encoding="utf-8")
    examples = text.split("## Example queries", 1)[1]
    return {
        match.group(1).strip(): match.group(2)
        for match in re.finditer(r"^### (.+?)\n.*?```sql\n(.*?)```", examples, re.MULTILINE | re.DOTALL)
    }
