"""Use cases of quizzes: authorize, apply the rules, commit state and events in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from pydantic import BaseModel

from lms import authz, clock, idempotency, ids
from lms.assessments import policy
from lms.assessments.course_access import CourseCatalog
from lms.assessments.quizzes import domain
from lms.assessments.quizzes.domain import Attempt, Quiz, QuizKeys, StudentScore
from lms.assessments.quizzes.errors import (
    AttemptNotFound,
    AttemptsExhausted,
    AttemptSubmitted,
    InvalidAnswer,
    InvalidQuestions,
    NotCourseStaff,
    NotEnrolledInCourse,
    NotYourAttempt,
    QuizChangedMeanwhile,
    QuizCourseNotFound,
    QuizLessonNotFound,
    QuizNotFound,
    QuizNotPublished,
    RegradeTooLarge,
)
from lms.assessments.quizzes.questions import (
    CHOICE_TYPES,
    QuestionType,
    key_problems,
    parse_answer,
    question_type,
)
from lms.assessments.quizzes.schemas import (
    AttemptPage,
    AttemptSummaryView,
    AttemptView,
    QuestionStatistics,
    QuizDraft,
    QuizPatch,
    QuizStatistics,
    QuizView,
    RegradeReport,
)
from lms.auth import STAFF, Principal
from lms.errors import Forbidden, check_version
from lms.events import DomainEvent
from lms.events.assessments import QuizAttemptSubmitted, QuizGraded, QuizPublished
from lms.idempotency import IdempotentRequest, StoredResponse

RETRIES = 3
"""Re-reads after a concurrent change of the same student's counter or attempt."""
MAX_STATISTICS_ATTEMPTS = 2_000
"""Statistics read at most this many submitted attempts (then `complete` is false)."""
MAX_REGRADE_ATTEMPTS = 1_000
"""A regrade runs inside the request: it handles at most this many submitted attempts."""
TRANSACTION_ITEMS = 100


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class Raced(Exception):
    """An item changed between this request's read and its write: read again."""


@dataclass
class Loaded:
    """What one read of a quiz's partition found (None: not asked for, or absent)."""

    quiz: Quiz | None = None
    quiz_version: int = 0
    keys: QuizKeys | None = None
    attempt: Attempt | None = None
    standing: StudentScore | None = None
    standing_version: int = 0
    answer: StoredResponse | None = None  # the first answer to the caller's Idempotency-Key, when asked


@dataclass
class Partition:
    """A whole quiz partition, as a regrade reads it."""

    quiz: Quiz | None = None
    keys: QuizKeys | None = None
    attempts: list[Attempt] = field(default_factory=list)
    standings: list[tuple[StudentScore, int]] = field(default_factory=list)


class QuizRepository(Protocol):
    def read(
        self,
        institution_id: str,
        quiz_id: str,
        *,
        with_keys: bool = False,
        attempt_id: str | None = None,
        student_id: str | None = None,
        answer_to: tuple[str, str] | None = None,
    ) -> Loaded: ...
    def partition(self, institution_id: str, quiz_id: str) -> Partition: ...
    def list_course_quizzes(
        self, institution_id: str, course_id: str, status: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Quiz], str | None]: ...
    def list_attempts(
        self, institution_id: str, quiz_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Attempt], str | None]: ...
    def student_attempts(self, institution_id: str, quiz_id: str, student_id: str) -> list[Attempt]: ...
    def submitted_attempts(self, institution_id: str, quiz_id: str, cap: int) -> Iterator[Attempt]: ...
    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None: ...
    def record_read(self, actor: Principal, attempt: Attempt) -> None: ...
    def record_list_read(self, actor: Principal, quiz_id: str, students: int) -> None: ...
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
    ) -> None: ...
    def start_attempt(
        self,
        actor: Principal,
        quiz: Quiz,
        attempt: Attempt,
        standing: StudentScore,
        standing_version: int,
        request: IdempotentRequest | None,
        response: StoredResponse | None,
    ) -> None: ...
    def save_answers(self, institution_id: str, attempt: Attempt) -> None: ...
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
    ) -> None: ...
    def apply_regrade(
        self,
        actor: Principal,
        institution_id: str,
        attempts: list[Attempt],
        standings: list[tuple[StudentScore, int]],
        events: list[DomainEvent],
    ) -> None: ...


class QuizService:
    def __init__(
        self, repository: QuizRepository, courses: CourseCatalog, new_id: Callable[[], str] = ids.new_id
    ) -> None:
        self._repo = repository
        self._courses = courses
        self._new_id = new_id

    @staticmethod
    def _now() -> datetime:
        return clock.now()

    # ------------------------------------------------------------ access

    def _quiz(self, loaded: Loaded, quiz_id: str) -> Quiz:
        if loaded.quiz is None:
            raise QuizNotFound(f"No quiz {quiz_id!r}.")
        return loaded.quiz

    def _visible_quiz(self, principal: Principal, loaded: Loaded, quiz_id: str) -> Quiz:
        """The quiz as the caller may see it: a draft is not found for those who may not read drafts."""
        quiz = self._quiz(loaded, quiz_id)
        if not quiz.published and not self._is_staff(principal):
            raise QuizNotFound(f"No quiz {quiz_id!r}.")
        return quiz

    @staticmethod
    def _lesson_refusal(lesson_id: str | None) -> QuizLessonNotFound | None:
        """The refusal of a `lesson_id` that is not a lesson of the quiz's course (None: no lesson)."""
        if lesson_id is None:
            return None
        return QuizLessonNotFound(f"The quiz's course has no lesson {lesson_id!r}.", field="lesson_id")

    def _ensure_teaches(self, principal: Principal, course_id: str) -> None:
        """Its instructors and the institution's admins manage a course's quizzes (one GetItem)."""
        access = self._courses.load(principal.institution_id, course_id)
        if access is None:
            raise QuizCourseNotFound(f"No course {course_id!r}.", field="course_id")
        if not access.teaches(principal):
            raise NotCourseStaff("Only the course's instructors and institution admins manage its quizzes.")

    def _ensure_enrolled(self, principal: Principal, course_id: str) -> None:
        """A student reads the quizzes of courses they are enrolled in (one BatchGetItem)."""
        access = self._courses.load(principal.institution_id, course_id, principal.user_id)
        if access is None:
            raise QuizCourseNotFound(f"No course {course_id!r}.", field="course_id")
        if not access.student_enrolled:
            raise NotEnrolledInCourse("Only students enrolled in the course see its quizzes.")

    @staticmethod
    def _is_staff(principal: Principal) -> bool:
        return principal.has_any(STAFF)

    def _replay_if_seen(self, principal: Principal, request: IdempotentRequest | None) -> None:
        if request is not None:
            idempotency.replay(
                self._repo.stored_response(principal.institution_id, principal.user_id, request.key), request
            )

    @staticmethod
    def _answer(request: IdempotentRequest | None, status: int, view: BaseModel) -> StoredResponse | None:
        return (
            None if request is None else StoredResponse(request.fingerprint, status, view.model_dump_json())
        )

    # ------------------------------------------------------------ authoring

    def create_quiz(
        self, principal: Principal, draft: QuizDraft, request: IdempotentRequest | None
    ) -> QuizView:
        authz.authorize(principal, policy.CREATE_QUIZ)
        self._replay_if_seen(principal, request)
        self._ensure_teaches(principal, draft.course_id)
        domain.check_schedule(draft.available_from, draft.due_at)
        questions, keys = domain.split_questions(draft.questions)
        at = self._now()
        quiz = Quiz(
            id=self._new_id(),
            institution_id=principal.institution_id,
            questions=questions,
            created_at=at,
            updated_at=at,
            **draft.model_dump(exclude={"questions"}),
        )
        quiz_keys = QuizKeys(version=1, keys=keys)
        view = QuizView.for_staff(quiz, quiz_keys)
        refusal = NotCourseStaff("The course's instructors changed meanwhile; you no longer teach it.")
        self._repo.save_quiz(
            principal,
            quiz,
            quiz_keys,
            expected=None,
            events=[],
            refusal=refusal,
            lesson_refusal=self._lesson_refusal(quiz.lesson_id),
            request=request,
            response=self._answer(request, 201, view),
        )
        return view

    def get_quiz(self, principal: Principal, quiz_id: str) -> QuizView:
        authz.authorize(principal, policy.GET_QUIZ)
        staff = self._is_staff(principal)
        loaded = self._repo.read(principal.institution_id, quiz_id, with_keys=staff)
        quiz = self._quiz(loaded, quiz_id)
        if staff:
            self._ensure_teaches(principal, quiz.course_id)
            return QuizView.for_staff(quiz, loaded.keys or QuizKeys())
        if not quiz.published:
            raise QuizNotFound(f"No quiz {quiz_id!r}.")
        self._ensure_enrolled(principal, quiz.course_id)
        return QuizView.for_student(quiz)

    def list_quizzes(
        self, principal: Principal, course_id: str, status: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Quiz], str | None]:
        authz.authorize(principal, policy.LIST_QUIZZES)
        if self._is_staff(principal):
            self._ensure_teaches(principal, course_id)
        else:
            if status not in (None, domain.QuizStatus.PUBLISHED):
                raise Forbidden("Students see published quizzes only.", field="status")
            self._ensure_enrolled(principal, course_id)
            status = domain.QuizStatus.PUBLISHED
        return self._repo.list_course_quizzes(principal.institution_id, course_id, status, limit, cursor)

    def update_quiz(
        self, principal: Principal, quiz_id: str, patch: QuizPatch, expected_version: int
    ) -> QuizView:
        authz.authorize(principal, policy.UPDATE_QUIZ)
        loaded = self._repo.read(principal.institution_id, quiz_id, with_keys=True)
        quiz = self._quiz(loaded, quiz_id)
        self._ensure_teaches(principal, quiz.course_id)
        check_version("quiz", quiz.version, expected_version)
        keys = loaded.keys or QuizKeys()
        changes = patch.changes()
        domain.check_patch_allowed(quiz, set(changes))
        new_keys = keys
        if "questions" in changes:
            questions, key_map = domain.split_questions(changes.pop("questions"))
            if quiz.published:
                domain.check_published_questions(quiz.questions, questions)
                self._ensure_well_formed(questions, QuizKeys(keys=key_map))
            changes["questions"] = questions
            if key_map != keys.keys:
                new_keys = QuizKeys(version=keys.version + 1, keys=key_map)
        updated = quiz.model_copy(update={**changes, "version": quiz.version + 1, "updated_at": self._now()})
        domain.check_schedule(updated.available_from, updated.due_at)
        if quiz.published and updated.passing_score is not None and updated.passing_score > updated.points:
            raise InvalidQuestions(
                f"passing_score {updated.passing_score} would be above the quiz's {updated.points} points.",
                field="questions",
                problems=[],
            )
        self._repo.save_quiz(
            principal,
            updated,
            new_keys,
            expected=(quiz.version, keys.version),
            events=[],
            refusal=NotCourseStaff("The course's instructors changed meanwhile; you no longer teach it."),
            lesson_refusal=self._lesson_refusal(changes.get("lesson_id")),
        )
        return QuizView.for_staff(updated, new_keys)

    @staticmethod
    def _ensure_well_formed(questions: list[Any], keys: QuizKeys) -> None:
        problems = [
            {"question_id": q.id, "problem": problem}
            for q in questions
            for problem in key_problems(q, keys.key_for(q))
        ]
        if problems:
            raise InvalidQuestions(
                "A published quiz's questions must stay gradable: "
                + "; ".join(f"{p['question_id']}: {p['problem']}" for p in problems)
                + ".",
                field="questions",
                problems=problems,
            )

    def publish_quiz(self, principal: Principal, quiz_id: str) -> QuizView:
        authz.authorize(principal, policy.PUBLISH_QUIZ)
        loaded = self._repo.read(principal.institution_id, quiz_id, with_keys=True)
        quiz = self._quiz(loaded, quiz_id)
        self._ensure_teaches(principal, quiz.course_id)
        keys = loaded.keys or QuizKeys()
        at = self._now()
        published = domain.publish(quiz, keys, at).model_copy(
            update={"version": quiz.version + 1, "updated_at": at}
        )
        event = QuizPublished(
            course_id=quiz.course_id,
            quiz_id=quiz.id,
            lesson_id=quiz.lesson_id,
            title=quiz.title,
            points=quiz.points,
            gradebook_category=quiz.gradebook_category,
            required_for_completion=quiz.required_for_completion,
            passing_score=quiz.passing_score,
            available_from=quiz.available_from,
            due_at=quiz.due_at,
        )
        self._repo.save_quiz(
            principal,
            published,
            keys,
            expected=(quiz.version, keys.version),
            events=[event],
            refusal=NotCourseStaff("The course's instructors changed meanwhile; you no longer teach it."),
        )
        return QuizView.for_staff(published, keys)

    # ------------------------------------------------------------ attempts

    def start_attempt(
        self, principal: Principal, quiz_id: str, request: IdempotentRequest | None
    ) -> AttemptView:
        authz.authorize(principal, policy.START_QUIZ_ATTEMPT)
        for _ in range(RETRIES):
            loaded = self._repo.read(
                principal.institution_id,
                quiz_id,
                student_id=principal.user_id,
                answer_to=_answer_to(principal, request),
            )
            _replay(loaded, request)
            quiz = self._visible_quiz(principal, loaded, quiz_id)
            now = self._now()
            domain.ensure_open(quiz, now)
            standing = loaded.standing or StudentScore(
                quiz_id=quiz.id, course_id=quiz.course_id, student_id=principal.user_id
            )
            domain.ensure_attempts_left(quiz, standing)
            attempt_id = self._new_id()
            attempt = Attempt(
                id=attempt_id,
                quiz_id=quiz.id,
                course_id=quiz.course_id,
                student_id=principal.user_id,
                number=standing.started + 1,
                started_at=now,
                deadline=domain.deadline(quiz, now),
                question_order=domain.question_order(quiz, attempt_id),
            )
            counted = standing.model_copy(update={"started": standing.started + 1})
            view = AttemptView.of(attempt, quiz, None)
            try:
                self._repo.start_attempt(
                    principal,
                    quiz,
                    attempt,
                    counted,
                    loaded.standing_version,
                    request,
                    self._answer(request, 201, view),
                )
            except Raced:
                continue  # another start of this student counted first: read the counter again
            return view
        raise QuizChangedMeanwhile("Your attempts changed while this one started; retry.")

    def _own_attempt(self, principal: Principal, loaded: Loaded, attempt_id: str) -> Attempt:
        if loaded.attempt is None:
            raise AttemptNotFound(f"The quiz has no attempt {attempt_id!r}.")
        if loaded.attempt.student_id != principal.user_id:
            raise NotYourAttempt("You may only answer, submit and read your own attempts.")
        return loaded.attempt

    def save_answers(
        self, principal: Principal, quiz_id: str, attempt_id: str, answers: dict[str, Any]
    ) -> AttemptView:
        authz.authorize(principal, policy.SAVE_QUIZ_ANSWERS)
        loaded = self._repo.read(principal.institution_id, quiz_id, attempt_id=attempt_id)
        quiz = self._visible_quiz(principal, loaded, quiz_id)
        attempt = self._own_attempt(principal, loaded, attempt_id)
        if attempt.submitted:
            raise AttemptSubmitted("The attempt is submitted; it takes no more answers.")
        domain.ensure_in_time(attempt, self._now())
        known = {q.id: q for q in quiz.questions}
        parsed = {}
        for question_id, raw in answers.items():
            if question_id not in known:
                raise InvalidAnswer(
                    f"The quiz has no question {question_id!r}.", field=f"answers.{question_id}"
                )
            parsed[question_id] = parse_answer(known[question_id], raw)
        updated = attempt.model_copy(update={"answers": parsed, "version": attempt.version + 1})
        try:
            self._repo.save_answers(principal.institution_id, updated)
        except Raced:
            raise AttemptSubmitted("The attempt was submitted or changed meanwhile; read it again.") from None
        return AttemptView.of(updated, quiz, None)

    def submit_attempt(
        self, principal: Principal, quiz_id: str, attempt_id: str, request: IdempotentRequest | None
    ) -> AttemptView:
        """Grade and submit; a second submit answers the submitted attempt and changes nothing."""
        authz.authorize(principal, policy.SUBMIT_QUIZ_ATTEMPT)
        for _ in range(RETRIES):
            loaded = self._repo.read(
                principal.institution_id,
                quiz_id,
                with_keys=True,
                attempt_id=attempt_id,
                student_id=principal.user_id,
                answer_to=_answer_to(principal, request),
            )
            _replay(loaded, request)
            quiz = self._visible_quiz(principal, loaded, quiz_id)
            attempt = self._own_attempt(principal, loaded, attempt_id)
            keys = loaded.keys or QuizKeys()
            now = self._now()
            if attempt.submitted:
                return self._attempt_view(quiz, attempt, keys, now)
            domain.ensure_in_time(attempt, now)
            standing = loaded.standing or StudentScore(
                quiz_id=quiz.id, course_id=quiz.course_id, student_id=principal.user_id
            )
            if standing.submitted >= quiz.max_attempts:
                raise AttemptsExhausted(
                    f"You have submitted all {quiz.max_attempts} attempt(s).", max_attempts=quiz.max_attempts
                )
            submitted = domain.submit(attempt, quiz, keys, now)
            after = domain.record_score(quiz, standing, submitted)
            view = self._attempt_view(quiz, submitted, keys, now)
            try:
                self._repo.submit_attempt(
                    principal,
                    quiz,
                    submitted,
                    after,
                    loaded.standing_version,
                    keys.version,
                    self._submission_events(quiz, submitted, after, now),
                    request,
                    self._answer(request, 200, view),
                )
            except Raced:
                continue  # submitted meanwhile (answered on the next read) or another attempt counted first
            return view
        raise QuizChangedMeanwhile("Your attempts changed while this one was submitted; retry.")

    @staticmethod
    def _submission_events(
        quiz: Quiz, attempt: Attempt, after: StudentScore, at: datetime
    ) -> list[DomainEvent]:
        assert attempt.score is not None
        assert after.score is not None
        assert attempt.submitted_at is not None
        return [
            QuizAttemptSubmitted(
                course_id=quiz.course_id,
                quiz_id=quiz.id,
                attempt_id=attempt.id,
                student_id=attempt.student_id,
                attempt_number=attempt.number,
                submitted_at=attempt.submitted_at,
            ),
            QuizGraded(
                course_id=quiz.course_id,
                quiz_id=quiz.id,
                student_id=attempt.student_id,
                attempt_id=attempt.id,
                attempt_score=attempt.score,
                score=after.score,
                points=quiz.points,
                passed=quiz.passed(after.score),
                required_for_completion=quiz.required_for_completion,
                revision=after.revision,
                graded_at=at,
            ),
        ]

    @staticmethod
    def _attempt_view(quiz: Quiz, attempt: Attempt, keys: QuizKeys, now: datetime) -> AttemptView:
        """The student's view: per-question results and correct answers only as the quiz allows."""
        return AttemptView.of(attempt, quiz, keys if domain.shows_answers(quiz, attempt, now) else None)

    def get_attempt(self, principal: Principal, quiz_id: str, attempt_id: str) -> AttemptView:
        authz.authorize(principal, policy.GET_QUIZ_ATTEMPT)
        loaded = self._repo.read(principal.institution_id, quiz_id, with_keys=True, attempt_id=attempt_id)
        quiz = self._visible_quiz(principal, loaded, quiz_id)
        keys = loaded.keys or QuizKeys()
        if self._is_staff(principal):
            self._ensure_teaches(principal, quiz.course_id)
            if loaded.attempt is None:
                raise AttemptNotFound(f"The quiz has no attempt {attempt_id!r}.")
            self._repo.record_read(principal, loaded.attempt)
            return AttemptView.of(loaded.attempt, quiz, keys)
        attempt = self._own_attempt(principal, loaded, attempt_id)
        return self._attempt_view(quiz, attempt, keys, self._now())

    def list_attempts(
        self, principal: Principal, quiz_id: str, limit: int, cursor: str | None
    ) -> AttemptPage:
        """Staff: every attempt, a page per Query. A student: their own (at most `max_attempts`,
        one page) with their quiz score."""
        authz.authorize(principal, policy.LIST_QUIZ_ATTEMPTS)
        if self._is_staff(principal):
            quiz = self._quiz(self._repo.read(principal.institution_id, quiz_id), quiz_id)
            self._ensure_teaches(principal, quiz.course_id)
            found, next_cursor = self._repo.list_attempts(principal.institution_id, quiz_id, limit, cursor)
            self._repo.record_list_read(principal, quiz_id, len({a.student_id for a in found}))
            return AttemptPage(items=[AttemptSummaryView.of(a) for a in found], next_cursor=next_cursor)
        loaded = self._repo.read(principal.institution_id, quiz_id, student_id=principal.user_id)
        if not self._quiz(loaded, quiz_id).published:
            raise QuizNotFound(f"No quiz {quiz_id!r}.")
        mine = self._repo.student_attempts(principal.institution_id, quiz_id, principal.user_id)
        return AttemptPage(
            items=[AttemptSummaryView.of(a) for a in mine],
            next_cursor=None,
            quiz_score=loaded.standing.score if loaded.standing else None,
        )

    # ------------------------------------------------------------ statistics and regrade

    def statistics(self, principal: Principal, quiz_id: str) -> QuizStatistics:
        authz.authorize(principal, policy.GET_QUIZ_STATISTICS)
        quiz = self._quiz(self._repo.read(principal.institution_id, quiz_id), quiz_id)
        self._ensure_teaches(principal, quiz.course_id)
        attempts = list(
            self._repo.submitted_attempts(principal.institution_id, quiz_id, MAX_STATISTICS_ATTEMPTS + 1)
        )
        complete = len(attempts) <= MAX_STATISTICS_ATTEMPTS
        attempts = attempts[:MAX_STATISTICS_ATTEMPTS]
        questions = []
        for question in quiz.questions:
            taking = [a for a in attempts if question.id in a.results]
            scores = [a.results[question.id] for a in taking]
            full = sum(1 for s in scores if s == question.points)
            distribution = None
            kind = question_type(question)
            if kind in CHOICE_TYPES:
                distribution = self._distribution(
                    question, kind, [a.answers.get(question.id) for a in taking]
                )
            questions.append(
                QuestionStatistics(
                    question_id=question.id,
                    type=kind,
                    points=question.points,
                    attempts=len(taking),
                    answered=sum(1 for a in taking if question.id in a.answers),
                    average_score=_mean(scores),
                    full_marks_percent=_percent(full, len(scores)) if scores else None,
                    answer_distribution=distribution,
                )
            )
        return QuizStatistics(
            quiz_id=quiz.id,
            submitted_attempts=len(attempts),
            complete=complete,
            average_score=_mean([a.score for a in attempts if a.score is not None]),
            questions=questions,
        )

    @staticmethod
    def _distribution(question: Any, kind: QuestionType, answers: list[Any]) -> dict[str, int]:
        if kind == QuestionType.TRUE_FALSE:
            counts = {"true": 0, "false": 0}
            for answer in answers:
                if isinstance(answer, bool):
                    counts[str(answer).lower()] += 1
            return counts
        counts = {option.id: 0 for option in question.options}
        for answer in answers:
            for picked in answer if isinstance(answer, list) else [answer]:
                if picked in counts:
                    counts[picked] += 1
        return counts

    def regrade(self, principal: Principal, quiz_id: str) -> RegradeReport:
        """Grade every submitted attempt again with the current keys; QuizGraded for each changed score."""
        authz.authorize(principal, policy.REGRADE_QUIZ)
        part = self._repo.partition(principal.institution_id, quiz_id)
        if part.quiz is None:
            raise QuizNotFound(f"No quiz {quiz_id!r}.")
        quiz = part.quiz
        self._ensure_teaches(principal, quiz.course_id)
        if not quiz.published:
            raise QuizNotPublished("A draft quiz has no attempts to regrade.")
        keys = part.keys or QuizKeys()
        submitted = [a for a in part.attempts if a.submitted]
        if len(submitted) > MAX_REGRADE_ATTEMPTS:
            raise RegradeTooLarge(
                f"The quiz has {len(submitted)} submitted attempts; one regrade handles "
                f"{MAX_REGRADE_ATTEMPTS}.",
                limit=MAX_REGRADE_ATTEMPTS,
            )
        at = self._now()
        changed: dict[str, list[Attempt]] = {}
        for attempt in submitted:
            score, results = domain.grade(quiz, keys, attempt.answers)
            if results != attempt.results or score != attempt.score:
                regraded = attempt.model_copy(
                    update={
                        "score": score,
                        "results": results,
                        "key_version": keys.version,
                        "version": attempt.version + 1,
                    }
                )
                changed.setdefault(attempt.student_id, []).append(regraded)
        batches: list[tuple[list[Attempt], list[tuple[StudentScore, int]], list[DomainEvent]]] = []
        rescored = 0
        for standing, version in part.standings:
            mine = changed.get(standing.student_id, [])
            after = domain.rescore(quiz, standing, {a.id: a.score for a in mine if a.score is not None})
            if not mine and after == standing:
                continue
            events: list[DomainEvent] = []
            if after.revision != standing.revision and after.score is not None:
                rescored += 1
                deciding = domain.deciding_attempt(quiz, after)
                events.append(
                    QuizGraded(
                        course_id=quiz.course_id,
                        quiz_id=quiz.id,
                        student_id=standing.student_id,
                        attempt_id=deciding.attempt_id,
                        attempt_score=deciding.score,
                        score=after.score,
                        points=quiz.points,
                        passed=quiz.passed(after.score),
                        required_for_completion=quiz.required_for_completion,
                        revision=after.revision,
                        regrade=True,
                        graded_at=at,
                    )
                )
            size = len(mine) + 1 + len(events)
            if not batches or sum(len(x) for x in batches[-1]) + size > TRANSACTION_ITEMS:
                batches.append(([], [], []))
            batches[-1][0].extend(mine)
            batches[-1][1].append((after, version))
            batches[-1][2].extend(events)
        for attempts, standings, events in batches:
            try:
                self._repo.apply_regrade(principal, principal.institution_id, attempts, standings, events)
            except Raced:
                raise QuizChangedMeanwhile(
                    "A student submitted during the regrade; regrade again (what was regraded stays)."
                ) from None
        return RegradeReport(
            quiz_id=quiz.id,
            attempts_checked=len(submitted),
            attempts_changed=sum(len(v) for v in changed.values()),
            students_rescored=rescored,
            regraded_at=at,
        )


def _answer_to(principal: Principal, request: IdempotentRequest | None) -> tuple[str, str] | None:
    """Whose Idempotency-Key answer a read fetches with the quiz (none without a key)."""
    return (principal.user_id, request.key) if request is not None else None


def _replay(loaded: Loaded, request: IdempotentRequest | None) -> None:
    """A request seen before is answered as it was the first time, before any rule runs again."""
    if request is not None:
        idempotency.replay(loaded.answer, request)
