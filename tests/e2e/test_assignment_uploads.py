"""An assignment over the local stack: the student uploads a file straight to the local bucket with
the presigned POST, submits it, the instructor grades and releases, the student reads the grade and
the instructor downloads the file with the presigned GET."""

from __future__ import annotations

import urllib.request

import requests

from infra.local_stack import LocalStack
from tests.support.courses import course_with_lessons
from tests.support.local import demo, new_student, signed_in

ASSIGNMENTS = "/assessments/assignments"
ESSAY = b"%PDF-1.7\n" + b"An essay about light. " * 40


def test_a_file_goes_to_the_bucket_and_back_and_the_released_grade_reaches_the_student(
    local: LocalStack,
) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    student = new_student(local)
    course_id, _ = course_with_lessons(instructor, 1, title="Optics essays")
    status, _ = student.call("POST", f"/courses/{course_id}/enrollments", {})
    assert status == 201

    body = {
        "course_id": course_id,
        "title": "Essay on light",
        "due_at": "2099-01-01T00:00:00Z",
        "points": "20",
        "late_policy": {"percent_per_day": "10", "cutoff_days": 2},
        "submission_types": ["file"],
        "file_content_types": ["application/pdf"],
        "max_file_bytes": 100_000,
    }
    status, assignment = instructor.call("POST", ASSIGNMENTS, body)
    assert status == 201, assignment
    path = f"{ASSIGNMENTS}/{assignment['id']}"
    status, _ = instructor.call("POST", f"{path}/publish")
    assert status == 200

    announced = {"file_name": "essay.pdf", "content_type": "application/pdf", "size": len(ESSAY)}
    status, upload = student.call("POST", f"{path}/uploads", announced)
    assert status == 201, upload
    assert upload["url"].startswith(local.aws_endpoint_url)  # path-style, at the local bucket
    stored = requests.post(
        upload["url"], data=upload["fields"], files={"file": ("essay.pdf", ESSAY)}, timeout=15
    )
    assert stored.status_code == 204, stored.text

    status, submission = student.call("POST", f"{path}/submissions", {"upload_ids": [upload["upload_id"]]})
    assert status == 201, submission
    assert submission["files"][0]["size"] == len(ESSAY)

    grade_path = f"{path}/submissions/{submission['id']}/grade"
    revision = {"If-Match": f'"{submission["revision"]}"'}
    status, graded = instructor.call("PUT", grade_path, {"score": "17.5", "feedback": "Luminous."}, revision)
    assert status == 200, graded
    status, before_release = student.call("GET", f"{path}/submissions/{submission['id']}")
    assert (status, before_release["grade"]) == (200, None)
    status, released = instructor.call("POST", f"{path}/release")
    assert (status, released) == (200, {"released": 1, "more": False})

    status, mine = student.call("GET", f"{path}/submissions")
    assert status == 200
    assert (mine["items"][0]["grade"]["score"], mine["items"][0]["grade"]["feedback"]) == (
        "17.5",
        "Luminous.",
    )

    status, read = instructor.call("GET", f"{path}/submissions/{submission['id']}")
    assert status == 200
    download = read["files"][0]["download_url"]
    assert download.startswith(local.aws_endpoint_url)
    with urllib.request.urlopen(download, timeout=15) as response:  # noqa: S310 - the local bucket
        assert response.read() == ESSAY
