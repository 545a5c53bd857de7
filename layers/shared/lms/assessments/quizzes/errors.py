"""Refusals of the quiz part of the assessments context, one problem type each."""

from __future__ import annotations

from lms.errors import ChangedMeanwhile, Conflict, Forbidden, NotFound, Problem


class QuizNotFound(NotFound):
    """No such quiz in your institution, or a draft quiz you may not see."""

    slug = "quiz-not-found"
    title = "Quiz not found"


class QuizCourseNotFound(NotFound):
    """The quiz's course does not exist in your institution."""

    slug = "quiz-course-not-found"
    title = "The course of the quiz was not found"


class QuizLessonNotFound(Problem):
    """A quiz's `lesson_id` names a lesson of the quiz's own course."""

    status = 422
    slug = "quiz-lesson-not-found"
    title = "The quiz's lesson is not a lesson of its course"


class AttemptNotFound(NotFound):
    """The quiz has no such attempt."""

    slug = "attempt-not-found"
    title = "Attempt not found"


class NotCourseStaff(Forbidden):
    """Only the course's instructors and the institution's admins author, grade and inspect its quizzes."""

    slug = "not-course-staff"
    title = "You do not teach this course"


class NotEnrolledInCourse(Forbidden):
    """Only students enrolled in the quiz's course (not waitlisted, not dropped) attempt it."""

    slug = "quiz-requires-enrollment"
    title = "You are not enrolled in the quiz's course"


class NotYourAttempt(Forbidden):
    """A student reads, answers and submits only their own attempts."""

    slug = "not-your-attempt"
    title = "This attempt belongs to another student"


class InvalidQuizSchedule(Problem):
    """`available_from` must come before `due_at`, and a quiz is scored out of more than 0 points."""

    status = 422
    slug = "invalid-quiz-schedule"
    title = "The quiz opens after it is due"


class InvalidQuestions(Problem):
    """Question ids are unique within a quiz; `problems` names each question that is not well-formed."""

    status = 422
    slug = "invalid-questions"
    title = "The questions are not valid"


class InvalidAnswer(Problem):
    """An answer does not fit its question's type (`field` names the question)."""

    status = 422
    slug = "invalid-answer"
    title = "The answer does not fit the question"


class QuizNotPublishable(Conflict):
    """Publishing needs a question, every question well-formed with its key, and `passing_score` ≤ points."""

    slug = "quiz-not-publishable"
    title = "The quiz cannot be published yet"


class QuizAlreadyPublished(Conflict):
    """A quiz is published once."""

    slug = "quiz-already-published"
    title = "The quiz is already published"


class QuizFieldLocked(Conflict):
    """After publication only the title, instructions, dates, `show_correct_answers` and the questions'
    keys and points change (`fields` lists what was refused)."""

    slug = "quiz-field-locked"
    title = "This field cannot change once the quiz is published"


class QuizNotPublished(Conflict):
    """A draft quiz takes no attempts and needs no regrade."""

    slug = "quiz-not-published"
    title = "The quiz is not published"


class QuizNotOpen(Conflict):
    """The quiz opens at `available_from`."""

    slug = "quiz-not-open"
    title = "The quiz is not open yet"


class QuizClosed(Conflict):
    """The quiz's `due_at` has passed (or its course is no longer published): no new attempts."""

    slug = "quiz-closed"
    title = "The quiz is closed"


class AttemptsExhausted(Conflict):
    """The student has started (or submitted) `max_attempts` attempts."""

    slug = "attempts-exhausted"
    title = "No attempts left"


class AttemptTimeExpired(Conflict):
    """The attempt's deadline (time limit or due date) plus the grace period has passed."""

    slug = "attempt-time-expired"
    title = "The attempt's time is up"


class AttemptSubmitted(Conflict):
    """A submitted attempt takes no more answers."""

    slug = "attempt-already-submitted"
    title = "The attempt is already submitted"


class QuizChangedMeanwhile(ChangedMeanwhile):
    """The quiz, its key or the student's attempts changed while the request was applied; retry."""

    slug = "quiz-changed-meanwhile"
    title = "The quiz changed while this request was applied; retry"


class RegradeTooLarge(Conflict):
    """A regrade runs in the request and handles at most `limit` submitted attempts."""

    slug = "regrade-too-large"
    title = "Too many attempts to regrade in one request"
