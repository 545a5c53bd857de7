"""The audit helper other contexts use to record reads of a student's progress or grades."""

from __future__ import annotations

import pytest
from pynamodb.exceptions import PutError

from lms import audit
from lms.auth import Principal, Role
from lms.correlation import correlation_id
from tests.support.tenant import Tenant


def principal(tenant: Tenant, user_id: str, role: Role) -> Principal:
    return Principal(user_id=user_id, institution_id=tenant.institution_id, roles=frozenset({role}))


def test_a_read_of_a_student_s_progress_by_an_instructor_is_recorded(tenant: Tenant) -> None:
    admin = tenant.admin()
    instructor = principal(tenant, "teacher-1", Role.INSTRUCTOR)
    token = correlation_id.set("request-42")
    try:
        recorded = audit.record_read(
            instructor, "GetStudentProgress", "progress/student-7/course-1", subject_user_id="student-7"
        )
    finally:
        correlation_id.reset(token)

    assert recorded
    [entry] = admin.get(f"/institutions/{tenant.institution_id}/audit-events").json()["items"]
    assert (entry["action"], entry["actor_id"], entry["subject_user_id"], entry["request_id"]) == (
        "GetStudentProgress",
        "teacher-1",
        "student-7",
        "request-42",
    )
    assert entry["actor_roles"] == ["instructors"]
    assert entry["resource"] == "progress/student-7/course-1"


def test_students_reading_their_own_progress_leave_no_entry(tenant: Tenant) -> None:
    student = principal(tenant, "student-7", Role.STUDENT)
    assert not audit.record_read(
        student, "GetMyProgress", "progress/student-7/course-1", subject_user_id="student-7"
    )
    assert tenant.items() == []


def test_an_entry_is_never_overwritten(tenant: Tenant) -> None:
    admin = principal(tenant, "admin-1", Role.INSTITUTION_ADMIN)
    entry = audit.audit_item(tenant.institution_id, admin, "SuspendUser", "users/u1", subject_user_id="u1")
    entry.save(condition=audit.APPEND_ONLY)
    forged = audit.audit_item(tenant.institution_id, admin, "Nothing", "users/u1")
    forged.SK = entry.SK
    with pytest.raises(PutError):
        forged.save(condition=audit.APPEND_ONLY)
    assert [i["action"] for i in tenant.items()] == ["SuspendUser"]
