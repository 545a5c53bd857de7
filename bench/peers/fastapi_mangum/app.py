"""FastAPI behind Mangum: one route, a pydantic response model, one GetItem per request."""

from __future__ import annotations

import os

import boto3
from fastapi import FastAPI, HTTPException
from mangum import Mangum
from pydantic import BaseModel

dynamodb = boto3.client("dynamodb")
app = FastAPI()


class Course(BaseModel):
    id: str
    title: str


@app.get("/courses/{course_id}")
def get_course(course_id: str) -> Course:
    key = {"PK": {"S": os.environ["PEER_PK"]}, "SK": {"S": os.environ["PEER_SK"]}}
    item = dynamodb.get_item(TableName=os.environ["TABLE_NAME"], Key=key).get("Item")
    if item is None:
        raise HTTPException(status_code=404)
    return Course(id=course_id, title=item["title"]["S"])


handler = Mangum(app, lifespan="off")
