"""Demo catalog for the local stack: courses created through the API, as an instructor would."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from infra.seed import DemoSeed, demo_data

DEMO_COURSES: tuple[dict[str, Any], ...] = (
    {
        "course": {
            "title": "Introduction to Programming",
            "description": "Variables, control flow and functions, in Python.",
            "category": "computing",
            "level": "beginner",
            "language": "en",
            "learning_objectives": ["Write and run a small program", "Use functions to structure code"],
            "capacity": 30,
        },
        "sections": {
            "Getting started": [("What is a program?", 10), ("Your first script", 20)],
            "Functions": [("Defining functions", 25)],
        },
        "publish": True,
    },
    {
        "course": {
            "title": "Statistics for Everyone",
            "description": "Averages, spread and the idea of a sample.",
            "category": "mathematics",
            "level": "beginner",
            "language": "en",
            "learning_objectives": ["Summarise a data set"],
        },
        "sections": {"Describing data": [("Mean and median", 15), ("Variance", 15)]},
        "publish": True,
    },
    {
        "course": {
            "title": "Data Structures (draft)",
            "description": "Lists, trees and hash tables.",
            "category": "computing",
            "level": "intermediate",
            "language": "en",
            "learning_objectives": ["Choose a data structure for a problem"],
        },
        "sections": {"Lists": [("Arrays and linked lists", 30)]},
        "publish": False,
    },
)


def _call(api_url: str, token: str, method: str, path: str, body: Any = None) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - the local API on 127.0.0.1
        api_url + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": token, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        result: dict[str, Any] = json.loads(response.read() or b"{}")
        return result


@demo_data
def demo_catalog(seed: DemoSeed) -> None:
    """Two published courses and a draft, taught by the first demo instructor."""
    if seed.api_url is None:
        return
    token = seed.id_token(seed.user("instructors"))
    for demo in DEMO_COURSES:
        course = _call(seed.api_url, token, "POST", "/courses", demo["course"])
        for title, lessons in demo["sections"].items():
            section = _call(
                seed.api_url, token, "POST", f"/courses/{course['id']}/sections", {"title": title}
            )
            for lesson_title, minutes in lessons:
                lesson = {
                    "section_id": section["id"],
                    "title": lesson_title,
                    "content_type": "text",
                    "content": f"{lesson_title}: the lesson text.",
                    "duration_minutes": minutes,
                }
                _call(seed.api_url, token, "POST", f"/courses/{course['id']}/lessons", lesson)
        if demo["publish"]:
            _call(seed.api_url, token, "POST", f"/courses/{course['id']}/publish")
