"""An erasure the worker could not finish resumes after its last recorded step (in-memory ports)."""

from __future__ import annotations

import pytest

from lms.auth import Principal
from lms.privacy import Contributor
from lms.privacy.domain import Erasure, ErasureStatus
from lms.privacy.service import ACCOUNT_STEP, PrivacyService
from tests.support.domain import AT
from tests.support.fakes import InMemoryPrivacy
from tests.support.faults import WorkerDied


def test_a_retried_erasure_runs_each_step_once_and_completes_once() -> None:
    store = InMemoryPrivacy(accounts={"S1"})
    store.erasures[("I1", "S1")] = Erasure(
        id="E1", institution_id="I1", user_id="S1", requested_by="A1", requested_at=AT
    )
    erased: list[str] = []
    progress_attempts: list[str] = []

    def erase_progress(institution_id: str, user_id: str, actor: Principal) -> None:
        progress_attempts.append(user_id)
        if len(progress_attempts) == 1:
            raise WorkerDied
        erased.append("progress")

    contributors = [
        Contributor("courses", (), lambda i, u: {}, lambda i, u, a: erased.append("courses")),
        Contributor("progress", (), lambda i, u: {}, erase_progress),
    ]
    service = PrivacyService(store, store, store, store, lambda: contributors, now=lambda: AT)

    with pytest.raises(WorkerDied):
        service.complete_erasure("I1", "S1")
    assert store.erasures[("I1", "S1")].done == [ACCOUNT_STEP, "courses"]
    assert store.erasures[("I1", "S1")].status == ErasureStatus.PENDING

    service.complete_erasure("I1", "S1")
    service.complete_erasure("I1", "S1")  # a redelivery of the finished erasure changes nothing

    record = store.erasures[("I1", "S1")]
    assert (record.status, record.done) == (ErasureStatus.COMPLETE, [ACCOUNT_STEP, "courses", "progress"])
    assert store.deleted_accounts == ["S1"]
    assert erased == ["courses", "progress"]
