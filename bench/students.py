"""Enrollment, progress, discussion and messaging reads at two class sizes: the request count must
not grow with the students.

One published, uncapped course; its students' enrollment items and progress summaries (with the
class list's index keys) are written with batch writes through the repositories' own item mappings,
the progress outline through the progress repository's commit: what the API and the progress
consumer would have stored, without ten thousand transactions through the emulator. Each student
also replied once in one discussion topic (every third reply liked), so the thread is as long as
the class is large. The instructor's mailbox grows with the class too: a copy of a conversation with
each student (every other one unread) and a thread with one message per student, written through
the messages repository's item mappings. Analytics holds each student's state, their rows in the
sorted class lists and what they add to the course's counters, written through the analytics
repository's item mappings and the counters' own ADD.
"""

from __future__ import annotations

from collections.abc import Sequence

from bench.expectations import scenario_key
from bench.invoke import Answer, ApiCall, ApiFunction, BenchError, Caller, EmulatedAws
from bench.operations import Progress, format_requests, measure_scenario, routes_of
from bench.scale import ScaleRow
from bench.scenarios import Scenario
from bench.seed import Seeder
from lms import clock, ids, keys
from lms.analytics import domain as analytics
from lms.analytics.course import CourseCopy, Lifecycle
from lms.analytics.repository import (
    COUNTER_ENTITY,
    CounterItem,
    DocumentItem,
    DynamoAnalyticsRepository,
    RowItem,
    _row,
    _row_keys,
)
from lms.analytics.risk import DEFAULT_RULES, judge
from lms.auth import Principal, Role

# The repositories' item mappings are private to them; the benchmark needs them to seed at scale.
from lms.communication.discussions.domain import AuthorRole, Post, Topic, like_shard
from lms.communication.discussions.repository import (
    LIKE_COUNTER_ENTITY,
    LikeCounterItem,
    PostItem,
    _post_item,
    _topic_item,
)
from lms.communication.messages.domain import Conversation, ConversationKind, MailboxEntry, Message
from lms.communication.messages.repository import (
    MailboxEntryItem,
    MessageItem,
    _conversation_item,
    _entry_item,
    _message_item,
)
from lms.courses.domain import Course, CourseStatus
from lms.courses.enrollment.domain import Enrollment, EnrollmentStatus
from lms.courses.enrollment.repository import EnrollmentItem, _enrollment_item
from lms.progress import domain as progress
from lms.progress.repository import DynamoProgressRepository, ProgressChange, SummaryItem, _summary_item

SIZES = (100, 10_000)
INSTITUTION = "bench-classroom"
INSTRUCTOR = Caller("bench-class-instructor", INSTITUTION, ("instructors",))
PAGE_LIMIT = "20"
NEXT_PAGE_LIMIT = "2"  # small, so even a small class has a next page

COURSE = "/courses/{course_id}"
ENROLLMENTS = COURSE + "/enrollments"
ENROLLMENT = ENROLLMENTS + "/{student_id}"
COURSE_PROGRESS = "/progress/courses/{course_id}"
CLASS_LIST = COURSE_PROGRESS + "/students"
STUDENT_PROGRESS = CLASS_LIST + "/{student_id}"
ANNOUNCEMENTS = "/communication/courses/{course_id}/announcements"
ANNOUNCEMENT_READS = "/communication/courses/{course_id}/announcement-reads"
TOPICS = "/communication/courses/{course_id}/topics"
TOPIC = TOPICS + "/{topic_id}"
POSTS = TOPIC + "/posts"
TOPIC_ID = "bench-class-topic"
CONVERSATIONS = "/communication/conversations"
THREAD = "bench-class-thread"
ANALYTICS = "/analytics/courses/{course_id}"
ANALYTICS_LEARNERS = ANALYTICS + "/students"


def student(serial: int) -> Caller:
    return Caller(f"bench-class-student-{serial:05d}", INSTITUTION, ("students",))


class _ClassRead(Scenario):
    """One read of the course's students; the reader is the instructor unless said otherwise."""

    name = ""
    method = "GET"
    query: dict[str, str] = {}
    disposable = frozenset()  # the audited read's audit items are few: a table of 50 calls keeps them

    def __init__(self, api: ApiFunction, course: Course) -> None:
        super().__init__(api)
        self.course = course
        self.items = 0

    @classmethod
    def key(cls) -> str:
        return f"{scenario_key(cls.method, cls.path)} ({cls.name})"

    def describe(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query.items() if k != "cursor")
        return f"{self.method} {self.path}" + (f"?{query}" if query else "")

    def caller(self) -> Caller:
        return INSTRUCTOR

    def params(self) -> dict[str, str]:
        return {"course_id": self.course.id}

    def next_call(self, index: int) -> ApiCall:
        return ApiCall(self.method, self.path, self.caller(), self.params(), query=self.query)

    def after(self, answer: Answer) -> None:
        body = answer.json()
        self.items = len(body["items"]) if "items" in body else 1


class _NextPage(_ClassRead):
    def setup(self) -> None:
        first = ApiCall(
            self.method, self.path, self.caller(), self.params(), query={"limit": NEXT_PAGE_LIMIT}
        )
        answer, _ = self.api.measure(first)
        cursor = answer.json().get("next_cursor") if answer.status == 200 else None
        if not cursor:
            raise BenchError(f"{self.key()}: no next page ({answer.status}): seed more students than a page")
        self.query = {"limit": NEXT_PAGE_LIMIT, "cursor": cursor}

    def describe(self) -> str:
        return f"{self.method} {self.path}?limit={NEXT_PAGE_LIMIT}&cursor=<page 2>"


class ListEnrollmentsFirst(_ClassRead):
    name = "ListEnrollments first page"
    path = ENROLLMENTS
    query = {"limit": PAGE_LIMIT}


class ListEnrollmentsNext(_NextPage):
    name = "ListEnrollments next page"
    path = ENROLLMENTS


class GetEnrollment(_ClassRead):
    name = "GetEnrollment"
    path = ENROLLMENT

    def params(self) -> dict[str, str]:
        return {"course_id": self.course.id, "student_id": student(0).user_id}


class ListMyEnrollments(_ClassRead):
    name = "ListMyEnrollments"
    path = "/enrollments"

    def caller(self) -> Caller:
        return student(0)

    def params(self) -> dict[str, str]:
        return {}


class ListCourseProgressFirst(_ClassRead):
    name = "ListCourseProgress first page"
    path = CLASS_LIST
    query = {"limit": PAGE_LIMIT}


class ListCourseProgressNext(_NextPage):
    name = "ListCourseProgress next page"
    path = CLASS_LIST


class GetStudentProgress(_ClassRead):
    name = "GetStudentProgress"
    path = STUDENT_PROGRESS

    def params(self) -> dict[str, str]:
        return {"course_id": self.course.id, "student_id": student(0).user_id}


class GetMyProgress(_ClassRead):
    name = "GetMyProgress"
    path = COURSE_PROGRESS

    def caller(self) -> Caller:
        return student(0)


class CreateCourseAnnouncement(_ClassRead):
    """Posting to the whole class: one transaction, nothing written per student."""

    name = "CreateCourseAnnouncement"
    method, path, status = "POST", ANNOUNCEMENTS, 201

    def next_call(self, index: int) -> ApiCall:
        body = {"title": f"Notice {index}", "body": "<p>The lab is closed on Friday.</p>"}
        return ApiCall(self.method, self.path, self.caller(), self.params(), body)


class GetCourseAnnouncementReads(_ClassRead):
    """A student's unread count of the course's announcements (those the instructor just posted)."""

    name = "GetCourseAnnouncementReads"
    path = ANNOUNCEMENT_READS

    def caller(self) -> Caller:
        return student(0)


class _ThreadRead(_ClassRead):
    """A student's read of the course's discussion, whose thread has one reply per student."""

    def caller(self) -> Caller:
        return student(0)

    def params(self) -> dict[str, str]:
        return {"course_id": self.course.id, "topic_id": TOPIC_ID}


class ListPostsFirst(_ThreadRead):
    name = "ListPosts first page"
    path = POSTS
    query = {"limit": PAGE_LIMIT}


class ListPostsNewest(_ThreadRead):
    name = "ListPosts newest first"
    path = POSTS
    query = {"limit": PAGE_LIMIT, "order": "newest"}


class ListPostsNext(_NextPage, _ThreadRead):
    name = "ListPosts next page"
    path = POSTS


class GetTopicUnread(_ThreadRead):
    name = "GetTopic (unread count)"
    path = TOPIC


class ListTopicsUnread(_ThreadRead):
    name = "ListTopics (unread counts)"
    path = TOPICS

    def params(self) -> dict[str, str]:
        return {"course_id": self.course.id}


class ListConversationsInbox(_ClassRead):
    """The instructor's inbox: a copy of a conversation with every student of the class."""

    name = "ListConversations inbox"
    path = CONVERSATIONS
    query = {"limit": PAGE_LIMIT}

    def params(self) -> dict[str, str]:
        return {}


class CountUnreadConversations(_ClassRead):
    name = "CountUnreadConversations"
    path = CONVERSATIONS + "/unread-count"

    def params(self) -> dict[str, str]:
        return {}


class ListMessagesThread(_ClassRead):
    """A thread with one message per student of the class, newest first."""

    name = "ListMessages first page"
    path = CONVERSATIONS + "/{conversation_id}/messages"
    query = {"limit": PAGE_LIMIT}

    def params(self) -> dict[str, str]:
        return {"conversation_id": THREAD}


class ListCoursePeople(_ClassRead):
    """A student reads the people of their course."""

    name = "ListCoursePeople first page"
    path = "/communication/courses/{course_id}/people"
    query = {"limit": PAGE_LIMIT}

    def caller(self) -> Caller:
        return student(0)


class GetCourseOverview(_ClassRead):
    """The course's analytics overview: its copy and its counters, whatever the class."""

    name = "GetCourseOverview"
    path = ANALYTICS


class GetLessonFunnel(_ClassRead):
    name = "GetLessonFunnel"
    path = ANALYTICS + "/funnel"


class GetAssessmentStatistics(_ClassRead):
    name = "GetAssessmentStatistics"
    path = ANALYTICS + "/assessments"


class ListCourseLearnersByProgress(_ClassRead):
    name = "ListCourseLearners by progress"
    path = ANALYTICS_LEARNERS
    query = {"limit": PAGE_LIMIT, "sort": "progress"}


class ListCourseLearnersAtRisk(_ClassRead):
    name = "ListCourseLearners at risk"
    path = ANALYTICS_LEARNERS
    query = {"limit": PAGE_LIMIT, "at_risk": "true", "sort": "last_activity"}


class ListCourseLearnersNext(_NextPage):
    name = "ListCourseLearners next page"
    path = ANALYTICS_LEARNERS


class GetLearnerAnalytics(_ClassRead):
    name = "GetLearnerAnalytics"
    path = ANALYTICS_LEARNERS + "/{student_id}"

    def params(self) -> dict[str, str]:
        return {"course_id": self.course.id, "student_id": student(0).user_id}


class GetMyCourseAnalytics(_ClassRead):
    name = "GetMyCourseAnalytics"
    path = ANALYTICS + "/me"

    def caller(self) -> Caller:
        return student(0)


READS: tuple[type[_ClassRead], ...] = (
    ListEnrollmentsFirst,
    ListEnrollmentsNext,
    GetEnrollment,
    ListMyEnrollments,
    ListCourseProgressFirst,
    ListCourseProgressNext,
    GetStudentProgress,
    GetMyProgress,
    CreateCourseAnnouncement,
    GetCourseAnnouncementReads,
    ListPostsFirst,
    ListPostsNewest,
    ListPostsNext,
    GetTopicUnread,
    ListTopicsUnread,
    ListConversationsInbox,
    CountUnreadConversations,
    ListMessagesThread,
    ListCoursePeople,
    GetCourseOverview,
    GetLessonFunnel,
    GetAssessmentStatistics,
    ListCourseLearnersByProgress,
    ListCourseLearnersAtRisk,
    ListCourseLearnersNext,
    GetLearnerAnalytics,
    GetMyCourseAnalytics,
)


def _publish_outline(course: Course) -> None:
    """The progress context's outline of the course, as the consumer writes it on the publication."""
    at = course.published_at or clock.now()
    outline = progress.publish(
        progress.CourseOutline(course_id=course.id),
        course.title,
        course.lesson_ids(),
        course.instructor_ids,
        at,
    )
    system = Principal(
        user_id=INSTRUCTOR.user_id, institution_id=INSTITUTION, roles=frozenset({Role.INSTRUCTOR})
    )
    DynamoProgressRepository().commit(ProgressChange(INSTITUTION, system, outline=outline, at=at))


def _enroll(course: Course, serials: range) -> None:
    """Enrolled students: each an enrollment item and a progress summary on the class list."""
    at = clock.now()
    with EnrollmentItem.batch_write() as enrollments, SummaryItem.batch_write() as summaries:
        for serial in serials:
            student_id = student(serial).user_id
            enrollment = Enrollment(
                course_id=course.id,
                student_id=student_id,
                course_title=course.title,
                status=EnrollmentStatus.ENROLLED,
                enrolled_by=student_id,
                requested_at=at,
                enrolled_at=at,
            )
            enrollments.save(_enrollment_item(INSTITUTION, enrollment))
            summary = progress.LearnerProgress(
                student_id=student_id,
                course_id=course.id,
                enrollment=progress.Enrollment.ENROLLED,
                enrollment_at=at,
            )
            summaries.save(_summary_item(INSTITUTION, summary))


def _analytics_course(course: Course) -> CourseCopy:
    """The analytics context's copy of the course, as its consumer writes it on the publication."""
    at = course.published_at or clock.now()
    copy = CourseCopy(
        course_id=course.id,
        title=course.title,
        lifecycle=Lifecycle.PUBLISHED,
        published_at=at,
        lesson_ids=tuple(course.lesson_ids()),
        order_version=1,
        instructor_ids=frozenset(course.instructor_ids),
    )
    DynamoAnalyticsRepository._course_item(INSTITUTION, copy).save()
    return copy


def _analytics(copy: CourseCopy, serials: range) -> None:
    """Per student: their analytics state (one or two lessons done, every third with a failing quiz
    grade, so at risk), their rows in the sorted class lists, and what they add to the counters."""
    at = clock.now()
    pk = keys.analytics_counters_pk(INSTITUTION, copy.course_id)
    counts: dict[tuple[str, int], int] = {}
    with DocumentItem.batch_write() as states, RowItem.batch_write() as rows:
        for serial in serials:
            student_id = student(serial).user_id
            state = analytics.enroll(analytics.LearnerState(student_id), analytics.Stamp(at, f"e{serial}"))
            for lesson in copy.lesson_ids[: 1 + serial % 2]:
                state = analytics.mark_lesson(state, lesson, True, analytics.Stamp(at, f"l{serial}"))
            state = analytics.act(state, at)
            if serial % 3 == 0:
                failing = analytics.QuizScore(analytics.PERCENT / 5, analytics.PERCENT / 2, False, 1)
                state = analytics.grade_quiz(state, "bench-quiz", failing)
            state = judge(state, copy, DEFAULT_RULES, at)
            states.save(DynamoAnalyticsRepository._learner_item(INSTITUTION, copy.course_id, state))
            for order, sk in _row_keys(state).items():
                rows.save(_row(INSTITUTION, copy.course_id, order, sk, state))
            shard = keys.analytics_counter_shard(student_id)
            for name, n in analytics.contributions(state).items():
                counts[(name, shard)] = counts.get((name, shard), 0) + n
    for (name, shard), n in counts.items():  # as the consumer adds them (a few per outline)
        if name.startswith("day:"):
            _, day, metric = name.split(":", 2)
            sk = keys.analytics_day_counter_sk(day, metric, shard)
        else:
            sk = keys.analytics_counter_sk(name, shard)
        actions = [CounterItem.n.add(n), CounterItem.entity.set(COUNTER_ENTITY)]
        CounterItem(pk, sk).update(actions=[*actions, CounterItem.updated_at.set(clock.rfc3339(at))])


def _discuss(course: Course, serials: range, replies: int) -> None:
    """The topic, now with `replies` replies: one by each student of `serials`, every third liked."""
    at = clock.now()
    topic = Topic(
        id=TOPIC_ID,
        course_id=course.id,
        title="Week 1 questions",
        author_id=INSTRUCTOR.user_id,
        created_at=at,
        last_post_at=at,
        reply_count=replies,
    )
    opening = Post(
        id=TOPIC_ID,
        topic_id=TOPIC_ID,
        course_id=course.id,
        author_id=INSTRUCTOR.user_id,
        author_role=AuthorRole.STAFF,
        body="<p>Ask anything about week 1.</p>",
        created_at=at,
    )
    _topic_item(INSTITUTION, topic).save()
    with PostItem.batch_write() as posts, LikeCounterItem.batch_write() as counters:
        posts.save(_post_item(INSTITUTION, opening))
        for serial in serials:
            author = student(serial).user_id
            reply = opening.model_copy(
                update={
                    "id": f"P{serial:08d}",
                    "parent_id": TOPIC_ID,
                    "depth": 1,
                    "author_id": author,
                    "author_role": AuthorRole.STUDENT,
                    "body": f"<p>Answer {serial}: the eigenvalues are the roots.</p>",
                }
            )
            posts.save(_post_item(INSTITUTION, reply))
            if serial % 3 == 0:
                pk = keys.topic_pk(INSTITUTION, TOPIC_ID)
                counter = LikeCounterItem(
                    pk, keys.like_counter_sk(reply.id, like_shard(author)), entity=LIKE_COUNTER_ENTITY
                )
                counter.post_id = reply.id
                counter.likes = 1
                counters.save(counter)


def _start_thread(course: Course) -> None:
    """The conversation between the instructor and the first student, and the instructor's copy."""
    at = clock.now()
    first = Message(
        id=ids.new_id(), conversation_id=THREAD, sender_id=student(0).user_id, body="<p>Hi</p>", sent_at=at
    )
    conversation = Conversation(
        id=THREAD,
        kind=ConversationKind.DIRECT,
        subject=None,
        course_id=course.id,
        created_by=student(0).user_id,
        created_at=at,
        participant_ids=[student(0).user_id, INSTRUCTOR.user_id],
    )
    _conversation_item(INSTITUTION, conversation).save()
    _message_item(INSTITUTION, first).save()
    _entry_item(INSTITUTION, _copy(THREAD, course, first)).save()


def _copy(conversation_id: str, course: Course, last: Message, unread: int = 0) -> MailboxEntry:
    return MailboxEntry(
        conversation_id=conversation_id,
        owner_id=INSTRUCTOR.user_id,
        kind=ConversationKind.DIRECT,
        subject=None,
        course_id=course.id,
        last_message_id=last.id,
        last_message_at=last.sent_at,
        last_sender_id=last.sender_id,
        preview="A question about the course",
        unread=unread,
    )


def _fill_mailbox(course: Course, serials: range) -> None:
    """Per student: the instructor's copy of a conversation with them (every other one unread) and
    a message of theirs in the thread."""
    with MailboxEntryItem.batch_write() as copies, MessageItem.batch_write() as messages:
        for serial in serials:
            sender = student(serial).user_id
            message = Message(
                id=ids.new_id(),
                conversation_id=THREAD,
                sender_id=sender,
                body="<p>Noted.</p>",
                sent_at=clock.now(),
            )
            messages.save(_message_item(INSTITUTION, message))
            copies.save(
                _entry_item(INSTITUTION, _copy(f"bench-dm-{serial:05d}", course, message, serial % 2))
            )


def run_students(
    aws: EmulatedAws,
    *,
    calls: int,
    warmup: int,
    sizes: Sequence[int] = SIZES,
    progress_line: Progress | None = None,
    reads: Sequence[type[_ClassRead]] = READS,
) -> list[ScaleRow]:
    """Grow one course's class through `sizes`, measuring each read at each size."""
    aws.fresh()
    routes = routes_of(aws.api_functions())
    seeder = Seeder(INSTITUTION, INSTRUCTOR.user_id)
    # Uncapped (the seeder's courses have no capacity): no seat counter to keep in step.
    course = seeder.course(status=CourseStatus.PUBLISHED)
    _publish_outline(course)
    analytics_copy = _analytics_course(course)
    _start_thread(course)
    rows = []
    seeded = 0
    for size in sorted(sizes):
        _enroll(course, range(seeded, size))
        _discuss(course, range(seeded, size), size)
        _fill_mailbox(course, range(seeded, size))
        _analytics(analytics_copy, range(seeded, size))
        seeded = size
        for read_type in reads:
            api = routes[scenario_key(read_type.method, read_type.path)]
            read = read_type(api, course)
            measured = measure_scenario(read, calls=calls, warmup=warmup)
            row = ScaleRow(
                name=read.name,
                call=read.describe(),
                size=size,
                requests=measured.requests,
                items=read.items,
                p50_ms=measured.p50_ms,
                p99_ms=measured.p99_ms,
            )
            rows.append(row)
            if progress_line:
                progress_line(
                    f"{row.name:<30} {size:>6} students  {format_requests(row.requests):<24} "
                    f"{row.items:>3} items  p50 {row.p50_ms:6.2f} ms  p99 {row.p99_ms:6.2f} ms"
                )
    return rows
