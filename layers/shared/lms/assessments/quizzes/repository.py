"""The quiz items in the single table (access patterns: docs/data-model.md, "Quizzes").

One partition per quiz (`keys.quiz_pk`): `QUIZ` (what students read), `KEY` (the answer keys,
read only for staff views and grading), `ATTEMPT#<id>` and `SCORE#<student>` (a student's attempt
counter and attempt scores). A request reads what it needs of the partition in one BatchGetItem.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from lms import audit, clock, keys
from lms.assessments import course_access, due_index
from lms.assessments.quizzes.domain import Attempt, AttemptStatus, Quiz, QuizKeys, QuizStatus, StudentScore
from lms.assessments.quizzes.errors import NotEnrolledInCourse, QuizChangedMeanwhile, QuizClosed
from lms.assessments.quizzes.service import Loaded, Partition, Raced
from lms.assessments.quizzes.standards import align_questions
from lms.auth import Principal
from lms.events import DomainEvent
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.idempotency import find_response, remember_answer, response_key, response_of_raw
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, VersionedItem, connection
from lms.persistence.transactions import Transaction
from lms.schemas import SANITIZED
from lms.settings import get_settings

QUIZ_ENTITY = "quiz"
QUIZ_KEY_ENTITY = "quiz-key"
ATTEMPT_ENTITY = "quiz-attempt"
SCORE_ENTITY = "quiz-score"

STATISTICS_PAGE = 200
"""Attempts read per Query by the statistics (a fixed page, so the request count is known)."""


class QuizItem(VersionedItem):
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    by_course = GSI1()

    quiz_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    status = UnicodeAttribute()
    document = JSONAttribute()  # Quiz: settings and questions, never a key


class QuizKeyItem(VersionedItem):
    quiz_id = UnicodeAttribute()
    keys = JSONAttribute()  # question id -> answer key


class AttemptItem(VersionedItem):
    GSI1PK = UnicodeAttribute()  # the student's quizzes (keys.student_quizzes_pk)
    GSI1SK = UnicodeAttribute()
    by_student = GSI1()

    quiz_id = UnicodeAttribute()
    student_id = UnicodeAttribute()
    status = UnicodeAttribute()
    document = JSONAttribute()  # Attempt: order, answers, results


class QuizScoreItem(VersionedItem):
    GSI1PK = UnicodeAttribute()  # the student's quizzes (keys.student_quizzes_pk)
    GSI1SK = UnicodeAttribute()

    quiz_id = UnicodeAttribute()
    student_id = UnicodeAttribute()
    started = NumberAttribute()
    submitted = NumberAttribute()
    document = JSONAttribute()  # StudentScore


def _entity(raw: dict[str, Any]) -> str:
    return str(raw.get("entity", {}).get("S", ""))


def _quiz(item: QuizItem) -> Quiz:
    return Quiz.model_validate(item.document, context=SANITIZED)


def _quiz_item(quiz: Quiz) -> QuizItem:
    return QuizItem(
        keys.quiz_pk(quiz.institution_id, quiz.id),
        keys.QUIZ_SK,
        entity=QUIZ_ENTITY,
        GSI1PK=keys.course_quizzes_pk(quiz.institution_id, quiz.course_id),
        GSI1SK=keys.course_quizzes_sk(quiz.status.value, clock.rfc3339(quiz.created_at), quiz.id),
        quiz_id=quiz.id,
        course_id=quiz.course_id,
        status=quiz.status.value,
        version=quiz.version,
        document=quiz.model_dump(mode="json"),
    )


def _key_item(institution_id: str, quiz_id: str, quiz_keys: QuizKeys) -> QuizKeyItem:
    return QuizKeyItem(
        keys.quiz_pk(institution_id, quiz_id),
        keys.QUIZ_KEY_SK,
        entity=QUIZ_KEY_ENTITY,
        quiz_id=quiz_id,
        version=quiz_keys.version,
        keys=quiz_keys.keys,
    )


def _open_as_read(attempt: Attempt) -> Any:
    """The stored attempt is open and at the version before `attempt`'s."""
    return (AttemptItem.version == attempt.version - 1) & (AttemptItem.status == AttemptStatus.OPEN.value)


def _attempt_item(institution_id: str, attempt: Attempt) -> AttemptItem:
    return AttemptItem(
        keys.quiz_pk(institution_id, attempt.quiz_id),
        keys.quiz_attempt_sk(attempt.id),
        entity=ATTEMPT_ENTITY,
        GSI1PK=keys.student_quizzes_pk(institution_id, attempt.student_id),
        GSI1SK=keys.student_quiz_sk(attempt.quiz_id, keys.quiz_attempt_sk(attempt.id)),
        quiz_id=attempt.quiz_id,
        student_id=attempt.student_id,
        status=attempt.status.value,
        version=attempt.version,
        document=attempt.model_dump(mode="json"),
    )


def _score_item(institution_id: str, standing: StudentScore, version: int) -> QuizScoreItem:
    return QuizScoreItem(
        keys.quiz_pk(institution_id, standing.quiz_id),
        keys.quiz_score_sk(standing.student_id),
        entity=SCORE_ENTITY,
        GSI1PK=keys.student_quizzes_pk(institution_id, standing.student_id),
        GSI1SK=keys.student_quiz_sk(standing.quiz_id, "SCORE"),
        quiz_id=standing.quiz_id,
        student_id=standing.student_id,
        started=standing.started,
        submitted=standing.submitted,
        version=version,
        document=standing.model_dump(mode="json"),
    )


def attempt_of(raw: dict[str, Any]) -> Attempt:
    return Attempt.model_validate(AttemptItem.from_raw_data(raw).document)


def standing_of(raw: dict[str, Any]) -> tuple[StudentScore, int]:
    item = QuizScoreItem.from_raw_data(raw)
    return StudentScore.model_validate(item.document), int(item.version)


def _put_events(tx: Transaction, institution_id: str, actor: Principal, events: list[DomainEvent]) -> None:
    for event in events:
        tx.put(outbox_item(event, institution_id, actor))


def _remember(
    tx: Transaction,
    institution_id: str,
    actor: Principal,
    request: IdempotentRequest | None,
    response: StoredResponse | None,
) -> None:
    if request is not None and response is not None:
        remember_answer(tx, institution_id, actor.user_id, request, response)


class DynamoQuizRepository:
    # ------------------------------------------------------------ reads

    def read(
        self,
        institution_id: str,
        quiz_id: str,
        *,
        with_keys: bool = False,
        attempt_id: str | None = None,
        student_id: str | None = None,
        answer_to: tuple[str, str] | None = None,
    ) -> Loaded:
        """The quiz and, as asked, its keys, one attempt, one student's standing and the first
        answer to an Idempotency-Key (`answer_to`: the caller and the key).

        One GetItem for the quiz alone, otherwise one BatchGetItem (consistent reads).
        """
        pk = keys.quiz_pk(institution_id, quiz_id)
        wanted = [(pk, keys.QUIZ_SK)]
        if with_keys:
            wanted.append((pk, keys.QUIZ_KEY_SK))
        if attempt_id is not None:
            wanted.append((pk, keys.quiz_attempt_sk(attempt_id)))
        if student_id is not None:
            wanted.append((pk, keys.quiz_score_sk(student_id)))
        answer_key = response_key(institution_id, *answer_to) if answer_to is not None else None
        if answer_key is not None:
            wanted.append(answer_key)
        found = self._get(wanted)
        loaded = Loaded()
        for raw in found:
            kind = _entity(raw)
            if answer_key is not None and (raw["PK"]["S"], raw["SK"]["S"]) == answer_key:
                loaded.answer = response_of_raw(raw)
            elif kind == QUIZ_ENTITY:
                item = QuizItem.from_raw_data(raw)
                loaded.quiz, loaded.quiz_version = _quiz(item), int(item.version)
            elif kind == QUIZ_KEY_ENTITY:
                key_item = QuizKeyItem.from_raw_data(raw)
                loaded.keys = QuizKeys(version=int(key_item.version), keys=key_item.keys or {})
            elif kind == ATTEMPT_ENTITY:
                loaded.attempt = attempt_of(raw)
            elif kind == SCORE_ENTITY:
                loaded.standing, loaded.standing_version = standing_of(raw)
        return loaded

    def _get(self, wanted: list[tuple[str, str]]) -> list[dict[str, Any]]:
        table = get_settings().table_name
        requested = [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in wanted]
        if len(requested) == 1:
            answer = connection().dispatch(
                "GetItem", {"TableName": table, "Key": requested[0], "ConsistentRead": True}
            )
            return [answer["Item"]] if "Item" in answer else []
        found: list[dict[str, Any]] = []
        pending: dict[str, Any] = {table: {"Keys": requested, "ConsistentRead": True}}
        while pending:
            answer = connection().dispatch("BatchGetItem", {"RequestItems": pending})
            found += answer.get("Responses", {}).get(table, [])
            pending = answer.get("UnprocessedKeys") or {}
        return found

    def list_course_quizzes(
        self, institution_id: str, course_id: str, status: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Quiz], str | None]:
        """One Query of the course's quiz index, by status then creation."""
        partition = keys.course_quizzes_pk(institution_id, course_id)
        start = decode_cursor(cursor, partition_attr="GSI1PK", partition=partition)
        condition = QuizItem.GSI1SK.startswith(keys.course_quizzes_prefix(status)) if status else None
        results = QuizItem.by_course.query(
            partition, condition, last_evaluated_key=start, limit=limit, page_size=limit
        )
        page = next(results.page_iter)
        quizzes = [_quiz(QuizItem.from_raw_data(raw)) for raw in page.get("Items", [])]
        return quizzes, encode_cursor(page.get("LastEvaluatedKey"))

    def list_attempts(
        self, institution_id: str, quiz_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Attempt], str | None]:
        """One Query of the quiz's attempts (every student's), oldest first."""
        partition = keys.quiz_pk(institution_id, quiz_id)
        start = decode_cursor(cursor, partition_attr="PK", partition=partition)
        results = AttemptItem.query(
            partition,
            AttemptItem.SK.startswith(keys.QUIZ_ATTEMPT_PREFIX),
            last_evaluated_key=start,
            limit=limit,
            page_size=limit,
        )
        page = next(results.page_iter)
        return [attempt_of(raw) for raw in page.get("Items", [])], encode_cursor(page.get("LastEvaluatedKey"))

    def student_attempts(self, institution_id: str, quiz_id: str, student_id: str) -> list[Attempt]:
        """A student's attempts of one quiz (at most `max_attempts`): one Query of their index."""
        partition = keys.student_quizzes_pk(institution_id, student_id)
        prefix = keys.student_quiz_sk(quiz_id, keys.QUIZ_ATTEMPT_PREFIX)
        pages = AttemptItem.by_student.query(partition, AttemptItem.GSI1SK.startswith(prefix)).page_iter
        return [attempt_of(raw) for page in pages for raw in page.get("Items", [])]

    def student_items(self, institution_id: str, student_id: str) -> Iterator[dict[str, Any]]:
        """A student's attempts and scores across quizzes, raw: one Query per page of their index."""
        pages = AttemptItem.by_student.query(keys.student_quizzes_pk(institution_id, student_id)).page_iter
        for page in pages:
            yield from page.get("Items", [])

    def submitted_attempts(self, institution_id: str, quiz_id: str, cap: int) -> Iterator[Attempt]:
        """Submitted attempts, oldest first, one Query per STATISTICS_PAGE attempts, `cap` at most."""
        results = AttemptItem.query(
            keys.quiz_pk(institution_id, quiz_id),
            AttemptItem.SK.startswith(keys.QUIZ_ATTEMPT_PREFIX),
            filter_condition=AttemptItem.status == AttemptStatus.SUBMITTED.value,
            page_size=STATISTICS_PAGE,
            limit=cap,
        )
        for page in results.page_iter:
            for raw in page.get("Items", []):
                yield attempt_of(raw)

    def partition(self, institution_id: str, quiz_id: str) -> Partition:
        """The whole quiz partition: one Query per 1 MB."""
        found = Partition()
        for page in QuizItem.query(keys.quiz_pk(institution_id, quiz_id)).page_iter:
            for raw in page.get("Items", []):
                kind = _entity(raw)
                if kind == QUIZ_ENTITY:
                    found.quiz = _quiz(QuizItem.from_raw_data(raw))
                elif kind == QUIZ_KEY_ENTITY:
                    key_item = QuizKeyItem.from_raw_data(raw)
                    found.keys = QuizKeys(version=int(key_item.version), keys=key_item.keys or {})
                elif kind == ATTEMPT_ENTITY:
                    found.attempts.append(attempt_of(raw))
                elif kind == SCORE_ENTITY:
                    found.standings.append(standing_of(raw))
        return found

    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None:
        item = find_response(institution_id, user_id, key)
        return None if item is None else StoredResponse(item.fingerprint, int(item.status), item.body)

    def record_read(self, actor: Principal, attempt: Attempt) -> None:
        """Staff reading a student's attempt (answers and score) leave an entry in the audit trail."""
        audit.record_read(
            actor,
            "GetQuizAttempt",
            f"assessments/quizzes/{attempt.quiz_id}/attempts/{attempt.id}",
            subject_user_id=attempt.student_id,
        )

    def record_list_read(self, actor: Principal, quiz_id: str, students: int) -> None:
        """Staff reading a page of a quiz's attempts leave one entry in the audit trail."""
        audit.record_class_read(
            actor, "ListQuizAttempts", f"assessments/quizzes/{quiz_id}/attempts", students=students
        )

    # ------------------------------------------------------------ writes

    def save_quiz(
        self,
        actor: Principal,
        quiz: Quiz,
        quiz_keys: QuizKeys,
        *,
        expected: tuple[int, int] | None,
        events: list[DomainEvent],
        refusal: Exception,
        lesson_refusal: Exception | None = None,
        request: IdempotentRequest | None = None,
        response: StoredResponse | None = None,
    ) -> None:
        """Put the quiz and its keys (new, or at the versions read), with the caller teaching the course.

        With `lesson_refusal`, the quiz's lesson must be a lesson of its course (one more ConditionCheck).
        """
        inst = quiz.institution_id
        tx = Transaction()
        course_access.check_teaches(tx, inst, quiz.course_id, actor, refusal)
        if lesson_refusal is not None and quiz.lesson_id is not None:
            course_access.check_lesson(tx, inst, quiz.course_id, quiz.lesson_id, lesson_refusal)
        changed = QuizChangedMeanwhile("The quiz changed meanwhile; read it again and retry.")
        if expected is None:
            tx.put(_quiz_item(quiz), QuizItem.PK.does_not_exist(), changed)
            tx.put(_key_item(inst, quiz.id, quiz_keys), QuizKeyItem.PK.does_not_exist(), changed)
        else:
            quiz_version, key_version = expected
            tx.put(_quiz_item(quiz), QuizItem.version == quiz_version, changed)
            if quiz_keys.version != key_version:
                tx.put(_key_item(inst, quiz.id, quiz_keys), QuizKeyItem.version == key_version, changed)
        due_index.follow(
            tx,
            inst,
            due_index.QUIZ,
            course_id=quiz.course_id,
            assessment_id=quiz.id,
            title=quiz.title,
            due_at=quiz.due_at,
            published=quiz.status is QuizStatus.PUBLISHED,
        )
        align_questions(tx, quiz)
        _put_events(tx, inst, actor, events)
        _remember(tx, inst, actor, request, response)
        tx.commit()

    def start_attempt(
        self,
        actor: Principal,
        quiz: Quiz,
        attempt: Attempt,
        standing: StudentScore,
        standing_version: int,
        request: IdempotentRequest | None,
        response: StoredResponse | None,
    ) -> None:
        """Count the attempt on the student's counter (`started < max_attempts`) and store it."""
        inst = quiz.institution_id
        tx = Transaction()
        refusal = NotEnrolledInCourse("Only students enrolled in the course attempt its quizzes.")
        course_access.check_enrolled(tx, inst, quiz.course_id, attempt.student_id, refusal)
        closed = QuizClosed("The quiz's course is not open for learning.")
        course_access.check_published(tx, inst, quiz.course_id, closed)
        tx.put(_attempt_item(inst, attempt), AttemptItem.PK.does_not_exist(), Raced())
        counted = QuizScoreItem.started < quiz.max_attempts
        if standing_version == 0:
            counter = QuizScoreItem.PK.does_not_exist()
        else:
            counter = (QuizScoreItem.version == standing_version) & counted
        tx.put(_score_item(inst, standing, standing_version + 1), counter, Raced())
        _remember(tx, inst, actor, request, response)
        tx.commit()

    def save_answers(self, institution_id: str, attempt: Attempt) -> None:
        """One conditional PutItem: the attempt is still open and as read (`version` - 1)."""
        try:
            _attempt_item(institution_id, attempt).save(condition=_open_as_read(attempt))
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise Raced() from error
            raise

    def submit_attempt(
        self,
        actor: Principal,
        quiz: Quiz,
        attempt: Attempt,
        standing: StudentScore,
        standing_version: int,
        key_version: int,
        events: list[DomainEvent],
        request: IdempotentRequest | None,
        response: StoredResponse | None,
    ) -> None:
        """The graded attempt, the student's scores (`submitted < max_attempts`) and both events, at once."""
        inst = quiz.institution_id
        tx = Transaction()
        refusal = NotEnrolledInCourse("Only students enrolled in the course submit its quizzes.")
        course_access.check_enrolled(tx, inst, quiz.course_id, attempt.student_id, refusal)
        pk = keys.quiz_pk(inst, quiz.id)
        changed = QuizChangedMeanwhile("The quiz's answer key changed meanwhile; submit again.")
        tx.check(QuizKeyItem, pk, keys.QUIZ_KEY_SK, QuizKeyItem.version == key_version, changed)
        tx.put(_attempt_item(inst, attempt), _open_as_read(attempt), Raced())
        counted = (QuizScoreItem.version == standing_version) & (QuizScoreItem.submitted < quiz.max_attempts)
        tx.put(_score_item(inst, standing, standing_version + 1), counted, Raced())
        _put_events(tx, inst, actor, events)
        _remember(tx, inst, actor, request, response)
        tx.commit()

    def apply_regrade(
        self,
        actor: Principal,
        institution_id: str,
        attempts: list[Attempt],
        standings: list[tuple[StudentScore, int]],
        events: list[DomainEvent],
    ) -> None:
        """One transaction: regraded attempts and standings, each as read, and their QuizGraded events."""
        tx = Transaction()
        for attempt in attempts:
            condition = AttemptItem.version == attempt.version - 1
            tx.put(_attempt_item(institution_id, attempt), condition, Raced())
        for standing, version in standings:
            tx.put(
                _score_item(institution_id, standing, version + 1), QuizScoreItem.version == version, Raced()
            )
        _put_events(tx, institution_id, actor, events)
        tx.commit()
