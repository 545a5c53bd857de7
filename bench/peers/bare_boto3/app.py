"""A bare boto3 handler: one client made at import, one GetItem per request, a JSON answer."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

dynamodb = boto3.client("dynamodb")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    key = {"PK": {"S": os.environ["PEER_PK"]}, "SK": {"S": os.environ["PEER_SK"]}}
    item = dynamodb.get_item(TableName=os.environ["TABLE_NAME"], Key=key).get("Item")
    if item is None:
        return {"statusCode": 404, "body": ""}
    course = {"id": event["pathParameters"]["course_id"], "title": item["title"]["S"]}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(course)}
