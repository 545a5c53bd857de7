"""Concurrent requests of different users and routes never see each other's event, as on Lambda.

Each function answers from one module-level resolver that holds the current event: the local
stack runs one invocation of a function at a time, so a problem names its own request's path and
a caller is always themself.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from infra.local_stack import LocalStack
from infra.seed import DemoUser
from tests.support.client import Caller
from tests.support.local import signed_in

THREADS = 16
REQUESTS_PER_THREAD = 40


def unknown_paths() -> list[str]:
    """Paths of every API function that answer a problem naming the path."""
    missing = uuid.uuid4().hex[:12]
    return [
        f"/courses/{missing}",
        f"/progress/courses/{missing}",
        f"/assessments/quizzes/{missing}",
        f"/assessments/assignments/{missing}",
    ]


def exercise(user: DemoUser, client: Caller, worker: int) -> list[tuple[str, str, int, Any]]:
    """(user, path, status, body) of each request; every other one asks who the caller is."""
    answers = []
    for n in range(REQUESTS_PER_THREAD):
        path = "/users/me" if (worker + n) % 2 else unknown_paths()[n % 4]
        status, body = client.call("GET", path)
        answers.append((user.user_id, path, status, body))
    return answers


def test_concurrent_requests_answer_for_their_own_path_and_caller(local: LocalStack) -> None:
    clients = [(user, signed_in(local, user)) for user in local.users]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [
            pool.submit(exercise, *clients[worker % len(clients)], worker) for worker in range(THREADS)
        ]
        answers = [answer for future in futures for answer in future.result()]

    assert len(answers) == THREADS * REQUESTS_PER_THREAD
    assert [(path, status) for _, path, status, _ in answers if status >= 500] == []
    identities = [(caller, body["id"]) for caller, path, status, body in answers if status == 200]
    assert len(identities) >= THREADS * REQUESTS_PER_THREAD // 3
    assert [(caller, seen) for caller, seen in identities if caller != seen] == []
    # The platform admin has no profile in an institution: their /users/me is a problem too.
    problems = [(path, body["instance"]) for _, path, status, body in answers if status != 200]
    assert len(problems) >= THREADS * REQUESTS_PER_THREAD // 2
    assert [(path, instance) for path, instance in problems if instance != path] == []
