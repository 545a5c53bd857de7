"""Reviews written through the API, as students write them."""

from __future__ import annotations

from typing import Any

from tests.support.client import Caller


def review(
    student: Caller, course_id: str, rating: int = 4, text: str = "<p>Clear and useful.</p>"
) -> dict[str, Any]:
    response = student.post(f"/courses/{course_id}/reviews", {"rating": rating, "text": text})
    assert response.status == 201, response.body
    posted: dict[str, Any] = response.json()
    return posted
