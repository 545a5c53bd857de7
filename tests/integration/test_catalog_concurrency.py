"""Course writes of one institution meet on the catalog's version item, and DynamoDB cancels a
transaction that touches an item another transaction is writing (TransactionConflict). Every
writer still gets an answer it can act on, never a 500.

Lambda would run concurrent requests in separate environments; here they take turns
(infra.functions), so the conflicts DynamoDB raises for the overlapping ones are injected at the
AWS boundary on the transactions that touch the version item.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lms import keys
from lms.persistence.transactions import CONFLICT_ATTEMPTS
from tests.support.client import Caller, problem
from tests.support.courses import add_lesson, add_section, create_course
from tests.support.faults import Faults, touches, transaction_conflict
from tests.support.tenant import Tenant

ANSWERS_A_WRITER_CAN_ACT_ON = {200, 409, 412}


def _ready_draft(instructor: Caller, title: str) -> dict[str, Any]:
    course = create_course(instructor, title=title)
    add_lesson(instructor, course["id"], add_section(instructor, course["id"])["id"])
    return course


def test_concurrent_publishes_and_edits_of_an_institution_s_courses_never_fail(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    drafts = [_ready_draft(instructor, f"Parallel {n}") for n in range(4)]
    edited = [create_course(instructor, title=f"Edited {n}") for n in range(2)]
    version_item = (keys.catalog_index_pk(tenant.institution_id), keys.CATALOG_VERSION_SK)
    sends: list[int] = []

    def contended(_: int, params: dict[str, Any]) -> bool:
        """The first request loses every send; after it, every other send of the item is cancelled."""
        if not touches(params, version_item):
            return False
        sends.append(1)
        return len(sends) <= CONFLICT_ATTEMPTS or len(sends) % 2 == 0

    def publish(course: dict[str, Any]) -> int:
        return instructor.post(f"/courses/{course['id']}/publish").status

    def edit(course: dict[str, Any], stale: bool) -> int:
        version = course["version"] - (1 if stale else 0)
        return instructor.patch(f"/courses/{course['id']}", {"title": "Renamed"}, version=version).status

    with Faults().active() as faults, ThreadPoolExecutor(8) as pool:
        faults.fail("TransactWriteItems", contended, transaction_conflict())
        answers = [pool.submit(publish, c) for c in drafts]
        answers += [pool.submit(edit, c, stale) for c in edited for stale in (False, True)]
        statuses = [answer.result() for answer in answers]

    assert set(statuses) <= ANSWERS_A_WRITER_CAN_ACT_ON, statuses
    assert statuses.count(409) == 1  # the request that lost every send
    assert statuses.count(412) == 2  # the stale edits
    published = {c["id"] for c, status in zip(drafts, statuses, strict=False) if status == 200}
    listed = student.get("/courses", query={"search": "parallel"}).json()["items"]
    assert {c["id"] for c in listed} == published


def test_a_write_that_stays_contended_answers_409_with_retry_after_and_changes_nothing(
    tenant: Tenant,
) -> None:
    instructor = tenant.instructor()
    course = create_course(instructor, title="Contended")
    with Faults().active() as faults:
        faults.fail("TransactWriteItems", lambda _n, _p: True, transaction_conflict())
        answer = instructor.patch(f"/courses/{course['id']}", {"title": "Never"}, version=course["version"])
        assert faults.calls["TransactWriteItems"] == CONFLICT_ATTEMPTS
    problem(answer, 409, "contended-change")
    assert answer.header("Retry-After") == "1"
    assert instructor.get(f"/courses/{course['id']}").json()["title"] == "Contended"


def test_a_conflict_that_clears_is_sent_again_and_succeeds(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = create_course(instructor, title="Briefly contended")
    with Faults().active() as faults:
        faults.fail("TransactWriteItems", lambda n, _p: n == 1, transaction_conflict())
        answer = instructor.patch(f"/courses/{course['id']}", {"title": "Landed"}, version=course["version"])
        assert faults.calls["TransactWriteItems"] == 2
    assert answer.status == 200, answer.body
    assert answer.json()["title"] == "Landed"
