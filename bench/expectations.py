"""What each API operation should cost in DynamoDB requests: the numbers of docs/data-model.md, as data.

`requests` is what the access-pattern table of docs/data-model.md promises (DynamoDB request name
-> count) and `other_calls` the other AWS calls it names (Cognito); `target` is the performance
target of the operation's kind (docs/architecture.md, "Performance targets"), in DynamoDB
requests; `why` explains, with a reference to the data model, an operation that needs more
requests than its target. The counts are those of a warm container: the account check of every
request is cached (see the "first request" variant). The benchmarks measure against these numbers
and the API tests assert them (`expected_requests`, with CASES for the paths no scenario measures),
so an operation's counts are written here once: `make docs` writes them into docs/request-counts.md,
and tests/docs checks that docs/data-model.md's count column states the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# Targets by kind of operation (docs/benchmarks.md repeats them).
TARGET_READ = 1  # a read is one GetItem
TARGET_WRITE = 1  # a single or transactional write is one request
TARGET_LIST_PAGE = 1  # a list is one Query per page
TARGET_NO_DATA = 0  # the liveness check touches no table
HANDLER_P50_TARGET_MS = 2.0
# Import + init + the first request of every API function, to the bare boto3 handler's (bench.coldstart).
COLD_START_RATIO_TARGET = 1.3
# Handler time outside AWS calls, the goals docs/benchmarks.md's summary holds every operation to.
SINGLE_ITEM_P50_GOAL_MS = 0.5
PAGE_P50_GOAL_MS = 1.5  # a page of 20
P99_TO_P50_GOAL = 2.0

_READS_FIRST = (
    "Reads the {item} first: the rules (If-Match, status, who may change what) need its current "
    "state, and the transaction is conditional on the version read (data-model.md)."
)
_ENROLL_READS_COURSE = (
    "Reads the course first (with the student's enrollment and the seat counter, one BatchGetItem): "
    "enrolling needs it published, its window open and the caller allowed (data-model.md)."
)
_ASSIGNMENT_COURSE = (
    "Reads the course and the student's enrollment (the catalog's, one BatchGetItem): {why} "
    "(lms.assessments.course_access, data-model.md)."
)
_READS_COURSE_FIRST = (
    "Reads the course first: the rules (who may edit, status, the outline) need its current state, "
    "and the write is conditional on the version read (data-model.md, the note under Access patterns)."
)

_AGS_TOOL = (
    "Reads the tool the access token names (enabled?), then {what} (data-model.md: LTI grade services)."
)

_ANALYTICS_COURSE = (
    "Reads the course's analytics copy first: who teaches it (who may read) and its outline and "
    "assessments (what the counters are shown against)."
)

_REVIEW_READS = (
    "Reads {what} first (one BatchGetItem): who may do it and on what version; the transaction"
    " re-checks the enrollment, writes the counters and the outbox (data-model.md: Reviews)."
)

_ORDER_READS = (
    "Reads the order (an answer already given), the course (paid, of the institution) and {student}"
    " before one transaction writes the order, the entitlement and the event; no person is signed in,"
    " so nothing of this is known from a token (data-model.md: Commerce orders)."
)

_DISCUSSION_READ = (
    "Reads the course, the caller's enrollment and {what} in one BatchGetItem: who may do it and on "
    "what state (lms.communication.course_access, data-model.md: Discussions)."
)

_READ_MARK = (
    'Reads the inbox\'s read mark ("mark all read" writes one item instead of every entry), then '
    "{what} (lms.notifications.inbox, data-model.md: Notifications)."
)

_AUTHORIZE = (
    "Reads the tool the signed hint names (its client, redirect URIs, whether it is enabled), then one "
    "transaction uses up the nonce and the hint and records the launch; KMS signs the id_token "
    "(data-model.md: LTI)."
)


@dataclass(frozen=True)
class Scale:
    """One more `request` for every `per` `unit` (started): a count that grows with the data read."""

    request: str
    per: int
    unit: str
    measured: int  # how many `unit` the benchmark's scenario has (its `requests` are at that size)
    at_least: int = 0  # requests made even for none (a list's first page)

    def count(self, size: int) -> int:
        return max(self.at_least, -(-size // self.per))

    def text(self) -> str:
        return f"+1 {self.request} per {self.per:,} {self.unit}"


@dataclass(frozen=True)
class Expectation:
    requests: Mapping[str, int]  # DynamoDB
    target: int
    why: str = ""
    other_calls: Mapping[str, int] = field(default_factory=dict)  # other services: "service:Operation"
    scales: tuple[Scale, ...] = ()

    def at(self, **sizes: int) -> dict[str, int]:
        """The requests at other sizes than the benchmark's (`students=250`), by the `scales`."""
        requests = dict(self.requests)
        for scale in self.scales:
            if scale.unit in sizes:
                more = scale.count(sizes[scale.unit]) - scale.count(scale.measured)
                requests[scale.request] = requests.get(scale.request, 0) + more
        return {name: n for name, n in sorted(requests.items()) if n}


def _expect(
    target: int,
    why: str = "",
    *,
    other: Mapping[str, int] | None = None,
    scales: tuple[Scale, ...] = (),
    **requests: int,
) -> Expectation:
    return Expectation(
        MappingProxyType(dict(sorted(requests.items()))),
        target,
        why,
        MappingProxyType(dict(sorted((other or {}).items()))),
        scales,
    )


def _cognito(*operations: str) -> dict[str, int]:
    return {f"cognito-idp:{operation}": 1 for operation in operations}


def scenario_key(method: str, path: str, variant: str | None = None) -> str:
    """`GET /courses/{course_id}`, or with a variant `POST /courses [Idempotency-Key]`."""
    key = f"{method.upper()} {path}"
    return f"{key} [{variant}]" if variant else key


EXPECTED: Mapping[str, Expectation] = MappingProxyType(
    {
        scenario_key("GET", "/health"): _expect(TARGET_NO_DATA),
        # The link is checked against its signature alone; the page changes nothing.
        scenario_key("GET", "/notifications/unsubscribe"): _expect(TARGET_NO_DATA),
        scenario_key("POST", "/notifications/unsubscribe"): _expect(
            TARGET_WRITE,
            "Switches one category off and keeps the person's other choices: reads them (consistent "
            "GetItem), then writes on the version read (data-model.md: Notifications e-mail).",
            GetItem=1,
            PutItem=1,
        ),
        scenario_key("GET", "/courses"): _expect(
            TARGET_LIST_PAGE,
            "Searches the institution's catalog index in memory: one GetItem of the index's version (a"
            " change is searchable at the next request), then one BatchGetItem of the page's courses;"
            " no BatchGetItem for an empty page (data-model.md: Catalog index).",
            GetItem=1,
            BatchGetItem=1,
        ),
        scenario_key("GET", "/courses", "after a catalog change"): _expect(
            TARGET_LIST_PAGE,
            "The first search after a course changed reads the index's changed shards again (one"
            " BatchGetItem of up to 64 shards) before the page (data-model.md: Catalog index).",
            GetItem=1,
            BatchGetItem=2,
        ),
        scenario_key("POST", "/courses"): _expect(TARGET_WRITE, TransactWriteItems=1),
        scenario_key("POST", "/courses", "Idempotency-Key"): _expect(TARGET_WRITE, TransactWriteItems=1),
        scenario_key("GET", "/courses/{course_id}"): _expect(TARGET_READ, GetItem=1),
        scenario_key("GET", "/courses/{course_id}/standards"): _expect(
            TARGET_READ,
            "Reads the course (its own and its lessons' alignments, kept on the course item) and one "
            "Query of the quiz alignments the assessments context keeps beside it (data-model.md).",
            GetItem=1,
            Query=1,
        ),
        scenario_key("POST", "/courses/{course_id}/entitlements"): _expect(
            TARGET_WRITE,
            "Reads the course first: only a paid course takes entitlements (data-model.md: Prices and"
            " entitlements).",
            GetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/courses/{course_id}/entitlements", "Idempotency-Key"): _expect(
            TARGET_WRITE,
            "Looks up the stored first answer, then reads the course: only a paid course takes"
            " entitlements (data-model.md: +1 GetItem with Idempotency-Key).",
            GetItem=2,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/commerce/institutions/{institution_id}/orders"): _expect(
            TARGET_WRITE,
            _ORDER_READS.format(student="the student's profile (active, a student)"),
            GetItem=3,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/commerce/institutions/{institution_id}/orders", "by e-mail"): _expect(
            TARGET_WRITE,
            _ORDER_READS.format(student="the e-mail address's claim, then the profile it names"),
            GetItem=4,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/commerce/institutions/{institution_id}/orders", "refund"): _expect(
            TARGET_WRITE,
            "Reads the order first: the answer already given, and whose entitlement to revoke"
            " (data-model.md: Commerce orders).",
            GetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/courses/{course_id}/reviews"): _expect(
            TARGET_LIST_PAGE,
            "Reads the course (who may see it) and its four rating counters in one BatchGetItem, then one"
            " Query of the reviews' index (data-model.md: Reviews).",
            BatchGetItem=1,
            Query=1,
        ),
        scenario_key("POST", "/courses/{course_id}/reviews"): _expect(
            TARGET_WRITE, _REVIEW_READS.format(what="the course"), BatchGetItem=1, TransactWriteItems=1
        ),
        scenario_key("POST", "/courses/{course_id}/reviews", "Idempotency-Key"): _expect(
            TARGET_WRITE,
            _REVIEW_READS.format(what="the stored first answer (GetItem), then the course"),
            GetItem=1,
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/courses/{course_id}/reviews/{student_id}"): _expect(
            TARGET_READ, BatchGetItem=1
        ),
        scenario_key("PATCH", "/courses/{course_id}/reviews/{student_id}"): _expect(
            TARGET_WRITE,
            _REVIEW_READS.format(what="the course and the review"),
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("DELETE", "/courses/{course_id}/reviews/{student_id}"): _expect(
            TARGET_WRITE,
            _REVIEW_READS.format(what="the course and the review"),
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/courses/{course_id}/reviews/{student_id}/reply"): _expect(
            TARGET_WRITE,
            _REVIEW_READS.format(what="the course and the review"),
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/courses/{course_id}/reviews/{student_id}/reports"): _expect(
            TARGET_WRITE,
            _REVIEW_READS.format(what="the course and the review"),
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/courses/{course_id}/reviews/{student_id}/hide"): _expect(
            TARGET_WRITE,
            _REVIEW_READS.format(what="the course and the review"),
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/courses/{course_id}/reviews/{student_id}/restore"): _expect(
            TARGET_WRITE,
            _REVIEW_READS.format(what="the course and the review"),
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/courses/{course_id}", "first request of a user"): _expect(
            TARGET_READ,
            "The account check reads the caller's profile (status, role) on a user's first request in "
            "a container, then every 30 s; every other row is the cached steady state (data-model.md: "
            "every authenticated request, +1 per user per container per 30 s).",
            GetItem=2,
        ),
        scenario_key("PATCH", "/courses/{course_id}"): _expect(
            TARGET_WRITE, _READS_COURSE_FIRST, GetItem=1, TransactWriteItems=1
        ),
        scenario_key("PATCH", "/courses/{course_id}", "new prerequisite"): _expect(
            TARGET_WRITE,
            _READS_COURSE_FIRST + " A new prerequisite adds one BatchGetItem per level of the "
            "prerequisite graph: the cycle check (data-model.md).",
            GetItem=1,
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/courses/{course_id}/publish"): _expect(
            TARGET_WRITE, _READS_COURSE_FIRST, GetItem=1, TransactWriteItems=1
        ),
        scenario_key("POST", "/courses/{course_id}/archive"): _expect(
            TARGET_WRITE, _READS_COURSE_FIRST, GetItem=1, TransactWriteItems=1
        ),
        scenario_key("POST", "/courses/{course_id}/sections"): _expect(
            TARGET_WRITE, _READS_COURSE_FIRST, GetItem=1, TransactWriteItems=1
        ),
        scenario_key("PATCH", "/courses/{course_id}/sections/{section_id}"): _expect(
            TARGET_WRITE, _READS_COURSE_FIRST, GetItem=1, TransactWriteItems=1
        ),
        scenario_key("DELETE", "/courses/{course_id}/sections/{section_id}"): _expect(
            TARGET_WRITE, _READS_COURSE_FIRST, GetItem=1, TransactWriteItems=1
        ),
        scenario_key("POST", "/courses/{course_id}/lessons"): _expect(
            TARGET_WRITE, _READS_COURSE_FIRST, GetItem=1, TransactWriteItems=1
        ),
        scenario_key("GET", "/courses/{course_id}/lessons/{lesson_id}"): _expect(
            TARGET_READ,
            "Reads the course with the lesson, one BatchGetItem of their partition: a draft's lessons "
            "exist only for its staff, and the lesson's position is its place in the course outline.",
            BatchGetItem=1,
        ),
        scenario_key("PATCH", "/courses/{course_id}/lessons/{lesson_id}"): _expect(
            TARGET_WRITE,
            "Reads the course (rules, outline) with the lesson (its version and content), one "
            "BatchGetItem, before one transaction that writes both (data-model.md: 2).",
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("DELETE", "/courses/{course_id}/lessons/{lesson_id}"): _expect(
            TARGET_WRITE, _READS_COURSE_FIRST, GetItem=1, TransactWriteItems=1
        ),
        scenario_key("PATCH", "/courses/{course_id}", "capacity change"): _expect(
            TARGET_WRITE,
            _READS_COURSE_FIRST + " A capacity change reads the roster too: its seat counter follows "
            "the capacity in the same transaction (data-model.md: 3).",
            GetItem=2,
            TransactWriteItems=1,
        ),
        # ---------------------------------------------------------------- enrollment (CoursesFunction)
        scenario_key("POST", "/courses/{course_id}/enrollments"): _expect(
            TARGET_WRITE, _ENROLL_READS_COURSE, BatchGetItem=1, TransactWriteItems=1
        ),
        scenario_key("POST", "/courses/{course_id}/enrollments", "course with a capacity"): _expect(
            TARGET_WRITE,
            _ENROLL_READS_COURSE + " A capped course's seat counter is in the same read: the seat is a "
            "condition on the counter as read (data-model.md: 2).",
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/courses/{course_id}/enrollments", "waitlisted"): _expect(
            TARGET_WRITE,
            _ENROLL_READS_COURSE + " After the commit a Query counts the waitlist up to the new ticket "
            "for the answer's position, which only the committed ticket decides (data-model.md: 3).",
            BatchGetItem=1,
            Query=1,
            TransactWriteItems=1,
        ),
        scenario_key("DELETE", "/courses/{course_id}/enrollments/{student_id}"): _expect(
            TARGET_WRITE,
            "Reads the course (who may drop whom), the enrollment (the write is conditional on its "
            "status as read) and the seat counter in one BatchGetItem before the transaction "
            "(data-model.md: 2).",
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("DELETE", "/courses/{course_id}/enrollments/{student_id}", "course with a capacity"): (
            _expect(
                TARGET_WRITE,
                "Reads the course, the enrollment and the seat counter in one BatchGetItem: the freed "
                "seat updates the counter conditionally on the counts read (data-model.md: 2).",
                BatchGetItem=1,
                TransactWriteItems=1,
            )
        ),
        scenario_key("GET", "/courses/{course_id}/enrollments"): _expect(
            TARGET_LIST_PAGE,
            "Reads the course first: only its instructors and the institution's admins read its roster; "
            "the students' display names are the identity context's answer, one BatchGetItem of "
            "profiles per page (lms.users.queries; data-model.md: 3 per page).",
            BatchGetItem=1,
            GetItem=1,
            Query=1,
        ),
        scenario_key("GET", "/courses/{course_id}/enrollments/{student_id}"): _expect(
            TARGET_READ, BatchGetItem=1
        ),
        scenario_key("GET", "/enrollments"): _expect(
            TARGET_LIST_PAGE,
            "The progress percent is the progress context's answer from its read model: one BatchGetItem "
            "of the page's summaries and their courses' outlines, every key known from the page "
            "(data-model.md: 1 Query + 1 BatchGetItem per page).",
            BatchGetItem=1,
            Query=1,
        ),
        # ---------------------------------------------------------------- analytics (AnalyticsFunction)
        scenario_key("GET", "/analytics/courses/{course_id}"): _expect(
            TARGET_READ,
            _ANALYTICS_COURSE + " Then its totals and its daily series: two Queries of counters bounded by "
            "the outline, not the class (data-model.md: Analytics).",
            GetItem=1,
            Query=2,
        ),
        scenario_key("GET", "/analytics/courses/{course_id}/funnel"): _expect(
            TARGET_READ, _ANALYTICS_COURSE + " Then one Query of its counters.", GetItem=1, Query=1
        ),
        scenario_key("GET", "/analytics/courses/{course_id}/assessments"): _expect(
            TARGET_READ, _ANALYTICS_COURSE + " Then one Query of its counters.", GetItem=1, Query=1
        ),
        scenario_key("GET", "/analytics/courses/{course_id}/students"): _expect(
            TARGET_LIST_PAGE,
            _ANALYTICS_COURSE + " Then one Query of the sorted class list, one BatchGetItem of the "
            "page's display names (lms.users.queries), and the page read goes on the audit trail.",
            BatchGetItem=1,
            GetItem=1,
            PutItem=1,
            Query=1,
        ),
        scenario_key("GET", "/analytics/courses/{course_id}/students/{student_id}"): _expect(
            TARGET_READ,
            "Records the read in the audit trail: someone else's grades and at-risk reasons were seen "
            "(data-model.md: Analytics).",
            BatchGetItem=1,
            PutItem=1,
        ),
        scenario_key("GET", "/analytics/courses/{course_id}/me"): _expect(TARGET_READ, BatchGetItem=1),
        scenario_key("POST", "/analytics/courses/{course_id}/lessons/{lesson_id}/opened"): _expect(
            TARGET_WRITE,
            "Reads the catalog's course, the caller's enrollment and the lesson (one BatchGetItem, "
            "lms.analytics.course_access), then writes the LessonOpened event (data-model.md: Analytics).",
            BatchGetItem=1,
            PutItem=1,
        ),
        scenario_key("GET", "/analytics/institution"): _expect(
            TARGET_READ,
            "The institution's totals and its daily series: two Queries of counters that do not grow "
            "with its people (data-model.md: Analytics).",
            Query=2,
        ),
        scenario_key("GET", "/analytics/at-risk-rules"): _expect(TARGET_READ, GetItem=1),
        scenario_key("PUT", "/analytics/at-risk-rules"): _expect(TARGET_WRITE, PutItem=1),
        # ---------------------------------------------------------------- progress (ProgressFunction)
        scenario_key("PUT", "/progress/courses/{course_id}/lessons/{lesson_id}"): _expect(
            TARGET_WRITE, TransactWriteItems=1
        ),
        scenario_key("DELETE", "/progress/courses/{course_id}/lessons/{lesson_id}"): _expect(
            TARGET_WRITE, TransactWriteItems=1
        ),
        scenario_key("GET", "/progress/courses/{course_id}"): _expect(
            TARGET_READ,
            "Reads the course's outline (the lessons that count, in order) beside the student's "
            "completions and summary, one partition (data-model.md: 2).",
            GetItem=1,
            Query=1,
        ),
        scenario_key("GET", "/progress/courses/{course_id}/students"): _expect(
            TARGET_LIST_PAGE,
            "Reads the course's outline first: who teaches it, and the lessons a percentage counts; "
            "the students' display names are one BatchGetItem of profiles (lms.users.queries); the "
            "page read goes on the audit trail (data-model.md: 4 per page).",
            BatchGetItem=1,
            GetItem=1,
            PutItem=1,
            Query=1,
        ),
        scenario_key("GET", "/progress/courses/{course_id}/students/{student_id}"): _expect(
            TARGET_READ,
            "Reads the outline and the student's partition, and records the read in the audit trail: "
            "someone else's progress was seen (data-model.md: 3).",
            GetItem=1,
            PutItem=1,
            Query=1,
        ),
        scenario_key("GET", "/progress/achievements"): _expect(TARGET_LIST_PAGE, Query=1),
        # ------------------------------------------------------------ announcements (CommunicationFunction)
        scenario_key("POST", "/communication/courses/{course_id}/announcements"): _expect(
            TARGET_WRITE,
            "Reads the course first (only its staff post: lms.communication.course_access) and checks "
            "it again at commit; nothing is written per student (data-model.md: 2).",
            GetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/communication/courses/{course_id}/announcements"): _expect(
            TARGET_LIST_PAGE,
            "Reads the course with the student's enrollment and the reader's read marker (each item's "
            "`unread`) in one BatchGetItem, then one Query page (data-model.md: 2 per page).",
            BatchGetItem=1,
            Query=1,
        ),
        scenario_key("GET", "/communication/courses/{course_id}/announcements/{announcement_id}"): _expect(
            TARGET_READ, BatchGetItem=1
        ),
        scenario_key("PATCH", "/communication/courses/{course_id}/announcements/{announcement_id}"): _expect(
            TARGET_WRITE,
            _READS_FIRST.format(item="announcement (with the course: only its staff edit; one BatchGetItem)"),
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("DELETE", "/communication/courses/{course_id}/announcements/{announcement_id}"): _expect(
            TARGET_WRITE,
            "Reads the course (only its staff delete) with the announcement in one BatchGetItem; the "
            "delete is conditional on the version read (data-model.md: 2).",
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/communication/courses/{course_id}/announcement-reads"): _expect(
            TARGET_LIST_PAGE,
            "Reads the course with the student's enrollment and the reader's marker (one BatchGetItem), "
            "then counts the feed after the marker in one Query, whatever the class size "
            "(data-model.md: 2).",
            BatchGetItem=1,
            Query=1,
        ),
        scenario_key("PUT", "/communication/courses/{course_id}/announcement-reads"): _expect(
            TARGET_WRITE,
            "Reads the course with the student's enrollment (only members mark read) (data-model.md: 2).",
            BatchGetItem=1,
            PutItem=1,
        ),
        scenario_key("POST", "/communication/announcements"): _expect(TARGET_WRITE, TransactWriteItems=1),
        scenario_key("GET", "/communication/announcements"): _expect(
            TARGET_LIST_PAGE,
            "Reads the reader's read marker for each item's `unread`, then one Query page: the page "
            "is read only after the marker (data-model.md: 2 per page).",
            BatchGetItem=1,
            Query=1,
        ),
        scenario_key("GET", "/communication/announcements/{announcement_id}"): _expect(
            TARGET_READ, BatchGetItem=1
        ),
        scenario_key("PATCH", "/communication/announcements/{announcement_id}"): _expect(
            TARGET_WRITE, _READS_FIRST.format(item="announcement"), BatchGetItem=1, TransactWriteItems=1
        ),
        scenario_key("DELETE", "/communication/announcements/{announcement_id}"): _expect(
            TARGET_WRITE, _READS_FIRST.format(item="announcement"), BatchGetItem=1, TransactWriteItems=1
        ),
        scenario_key("GET", "/communication/announcement-reads"): _expect(
            TARGET_LIST_PAGE,
            "The reader's marker, then one counting Query from it (data-model.md: 2).",
            BatchGetItem=1,
            Query=1,
        ),
        scenario_key("PUT", "/communication/announcement-reads"): _expect(TARGET_WRITE, PutItem=1),
        # ---------------------------------------------------------------- assignments (AssessmentsFunction)
        scenario_key("POST", "/assessments/assignments"): _expect(
            TARGET_WRITE,
            "The caller teaching the course is a ConditionCheck in the same transaction (data-model.md).",
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/assessments/assignments"): _expect(
            TARGET_LIST_PAGE,
            _ASSIGNMENT_COURSE.format(why="students see their courses' only"),
            BatchGetItem=1,
            Query=1,
        ),
        scenario_key("GET", "/assessments/assignments/{assignment_id}"): _expect(
            TARGET_READ,
            _ASSIGNMENT_COURSE.format(why="a student reads only their courses'"),
            GetItem=1,
            BatchGetItem=1,
        ),
        scenario_key("PATCH", "/assessments/assignments/{assignment_id}"): _expect(
            TARGET_WRITE, _READS_FIRST.format(item="assignment"), GetItem=1, TransactWriteItems=1
        ),
        scenario_key("POST", "/assessments/assignments/{assignment_id}/publish"): _expect(
            TARGET_WRITE, _READS_FIRST.format(item="assignment"), GetItem=1, TransactWriteItems=1
        ),
        scenario_key("PUT", "/assessments/assignments/{assignment_id}/extensions/{student_id}"): _expect(
            TARGET_WRITE, _READS_FIRST.format(item="assignment"), GetItem=1, TransactWriteItems=1
        ),
        scenario_key("DELETE", "/assessments/assignments/{assignment_id}/extensions/{student_id}"): _expect(
            TARGET_WRITE, _READS_FIRST.format(item="assignment"), GetItem=1, TransactWriteItems=1
        ),
        scenario_key("POST", "/assessments/assignments/{assignment_id}/uploads"): _expect(
            TARGET_WRITE,
            "Reads the assignment (its file rules) before recording the upload; the presigned POST is "
            "computed locally (data-model.md).",
            GetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/assessments/assignments/{assignment_id}/submissions"): _expect(
            TARGET_WRITE,
            "One BatchGetItem of the assignment, the student's record and extension (and uploads) before "
            "the transaction; the same with any number of earlier versions (data-model.md).",
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/assessments/assignments/{assignment_id}/submissions"): _expect(
            TARGET_LIST_PAGE,
            "Staff: the assignment, the course (who teaches it), a Query of the students' records and a "
            "BatchGetItem of their latest versions, then a PutItem of the audit entry for the page read "
            "(data-model.md: 5 per page).",
            GetItem=2,
            Query=1,
            BatchGetItem=1,
            PutItem=1,
        ),
        scenario_key("GET", "/assessments/assignments/{assignment_id}/submissions/{submission_id}"): _expect(
            TARGET_READ, BatchGetItem=1
        ),
        scenario_key(
            "PUT", "/assessments/assignments/{assignment_id}/submissions/{submission_id}/grade"
        ): _expect(
            TARGET_WRITE,
            _READS_FIRST.format(item="submission (with its assignment)"),
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key(
            "POST", "/assessments/assignments/{assignment_id}/submissions/{submission_id}/release"
        ): _expect(
            TARGET_WRITE,
            _READS_FIRST.format(item="submission (with its assignment)")
            + " The student's record is read too: its release count is the event's revision.",
            BatchGetItem=1,
            GetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/assessments/assignments/{assignment_id}/release"): _expect(
            TARGET_WRITE,
            "Reads the assignment and the course, then per 100 students a Query and a BatchGetItem, and "
            "one transaction per 25 releases (data-model.md).",
            scales=(
                Scale("Query", 100, "students", measured=1, at_least=1),
                Scale("BatchGetItem", 100, "students", measured=1),
                Scale("TransactWriteItems", 25, "releases", measured=1),
            ),
            GetItem=2,
            Query=1,
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        # ---------------------------------------------------------------- quizzes (AssessmentsFunction)
        scenario_key("POST", "/assessments/quizzes"): _expect(
            TARGET_WRITE,
            "Reads the course first: only its staff author its quizzes, and an unknown course answers "
            "404 (lms.assessments.course_access; data-model.md: 2).",
            GetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/assessments/quizzes"): _expect(
            TARGET_LIST_PAGE,
            "Reads the course (who teaches it, or the student's enrollment) beside one Query page "
            "(data-model.md: 2).",
            GetItem=1,
            Query=1,
        ),
        scenario_key("GET", "/assessments/quizzes/{quiz_id}"): _expect(
            TARGET_READ,
            "Reads the quiz with its keys (one BatchGetItem), then the course: who teaches it "
            "(data-model.md: 2).",
            BatchGetItem=1,
            GetItem=1,
        ),
        scenario_key("PATCH", "/assessments/quizzes/{quiz_id}"): _expect(
            TARGET_WRITE,
            "Reads the quiz and its keys and the course (who teaches it) first; the transaction is "
            "conditional on the versions read (data-model.md: 3).",
            BatchGetItem=1,
            GetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/assessments/quizzes/{quiz_id}/publish"): _expect(
            TARGET_WRITE,
            "Reads the quiz and its keys (publishing checks every question) and the course first "
            "(data-model.md: 3).",
            BatchGetItem=1,
            GetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/assessments/quizzes/{quiz_id}/attempts"): _expect(
            TARGET_WRITE,
            "Reads the quiz and the student's attempt counter (one BatchGetItem) for the questions and "
            "the attempt number; the counter's condition counts the attempt (data-model.md: 2).",
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("PUT", "/assessments/quizzes/{quiz_id}/attempts/{attempt_id}/answers"): _expect(
            TARGET_WRITE,
            "Reads the quiz and the attempt (one BatchGetItem): answers are checked against their "
            "questions (data-model.md: 2).",
            BatchGetItem=1,
            PutItem=1,
        ),
        scenario_key("POST", "/assessments/quizzes/{quiz_id}/attempts/{attempt_id}/submit"): _expect(
            TARGET_WRITE,
            "Reads quiz, keys, attempt and the student's scores in one BatchGetItem, whatever the "
            "number of past attempts: grading needs them (data-model.md: 2).",
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key(
            "POST", "/assessments/quizzes/{quiz_id}/attempts/{attempt_id}/submit", "20 past attempts"
        ): _expect(
            TARGET_WRITE,
            "The same requests after 20 submitted attempts: the scores item holds every attempt's "
            "score (data-model.md: 2).",
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/assessments/quizzes/{quiz_id}/attempts/{attempt_id}"): _expect(
            TARGET_READ, BatchGetItem=1
        ),
        scenario_key("GET", "/assessments/quizzes/{quiz_id}/attempts"): _expect(
            TARGET_LIST_PAGE,
            "Reads the quiz and the course (who teaches it) beside one Query page, then a PutItem of the "
            "audit entry for the page read (data-model.md: 4).",
            GetItem=2,
            Query=1,
            PutItem=1,
        ),
        scenario_key("GET", "/assessments/quizzes/{quiz_id}/statistics"): _expect(
            TARGET_LIST_PAGE,
            "Computed on read: the quiz, the course (who teaches it) and one Query per 200 attempts, "
            "at most 2,000 (data-model.md: 2 + 1 per 200 attempts).",
            scales=(Scale("Query", 200, "attempts", measured=1, at_least=1),),
            GetItem=2,
            Query=1,
        ),
        scenario_key("POST", "/assessments/quizzes/{quiz_id}/regrade"): _expect(
            TARGET_LIST_PAGE,
            "Reads the quiz's partition (one Query per 1 MB) and the course, and writes one transaction "
            "per 100 changed items, none when no score changes (data-model.md).",
            scales=(
                Scale("Query", 1, "MB of the quiz's items", measured=1, at_least=1),
                Scale("TransactWriteItems", 100, "changed items", measured=0),
            ),
            GetItem=1,
            Query=1,
        ),
        # ---------------------------------------------------------------- gradebook (AssessmentsFunction)
        scenario_key("GET", "/assessments/gradebook/courses/{course_id}/settings"): _expect(
            TARGET_READ, BatchGetItem=1
        ),
        scenario_key("PUT", "/assessments/gradebook/courses/{course_id}/settings"): _expect(
            TARGET_WRITE, TransactWriteItems=1
        ),
        scenario_key("GET", "/assessments/gradebook/courses/{course_id}/me"): _expect(
            TARGET_READ, BatchGetItem=1
        ),
        scenario_key("GET", "/assessments/gradebook/courses/{course_id}/students"): _expect(
            TARGET_LIST_PAGE,
            "Reads the course (who teaches it) with the settings and columns the grades are computed "
            "with (one BatchGetItem), then one Query page of rows and one BatchGetItem of the students' "
            "display names (lms.users.queries: their keys come from the page); the page read goes on "
            "the audit trail (data-model.md: 4 per page).",
            BatchGetItem=2,
            PutItem=1,
            Query=1,
        ),
        scenario_key("GET", "/assessments/gradebook/courses/{course_id}/students/{student_id}"): _expect(
            TARGET_READ,
            "Reads the course (who teaches it) with settings, columns and the row in one BatchGetItem, "
            "and records the read in the audit trail (data-model.md: 2).",
            BatchGetItem=1,
            PutItem=1,
        ),
        scenario_key("GET", "/assessments/gradebook/courses/{course_id}/export"): _expect(
            TARGET_LIST_PAGE,
            "Reads the course with the settings and columns (one BatchGetItem), every page of rows (one "
            "here) and the students' display names (one BatchGetItem per 100), and records the export "
            "as one read in the audit trail (data-model.md: 2 + 1 per page + 1 per 100 students).",
            scales=(
                Scale("Query", 1, "MB of rows", measured=1, at_least=1),
                Scale("BatchGetItem", 100, "students", measured=5),
            ),
            BatchGetItem=2,
            PutItem=1,
            Query=1,
        ),
        # ---------------------------------------------------------------- messages (CommunicationFunction)
        scenario_key("POST", "/communication/conversations"): _expect(
            TARGET_WRITE,
            "Who may write to whom is one BatchGetItem of the course and the enrollments of the sender "
            "and the recipients (lms.communication.course_access.circle): there is no index of shared "
            "courses (data-model.md, Direct messages: 2).",
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/communication/conversations/{conversation_id}/messages"): _expect(
            TARGET_WRITE,
            "Reads the conversation (its participants) and the sender's copy in one BatchGetItem before "
            "the transaction that updates every participant's copy (data-model.md: 2).",
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/communication/conversations"): _expect(
            TARGET_LIST_PAGE,
            "The inbox is two folders of the mailbox index read together (unread, read), and the last "
            "senders' display names are one BatchGetItem of profiles (lms.users.queries; data-model.md: "
            "3 per page).",
            BatchGetItem=1,
            Query=2,
        ),
        scenario_key("GET", "/communication/conversations/unread-count"): _expect(TARGET_READ, Query=1),
        scenario_key("GET", "/communication/conversations/{conversation_id}"): _expect(
            TARGET_READ,
            "The conversation and the caller's copy in one BatchGetItem, the participants' display names "
            "in another (lms.users.queries; data-model.md: 2).",
            BatchGetItem=2,
        ),
        scenario_key("PATCH", "/communication/conversations/{conversation_id}"): _expect(
            TARGET_WRITE, _READS_FIRST.format(item="caller's copy"), GetItem=1, PutItem=1
        ),
        scenario_key("DELETE", "/communication/conversations/{conversation_id}"): _expect(
            TARGET_WRITE, _READS_FIRST.format(item="caller's copy"), GetItem=1, PutItem=1
        ),
        scenario_key("POST", "/communication/conversations/{conversation_id}/leave"): _expect(
            TARGET_WRITE,
            "Reads the conversation and the caller's copy in one BatchGetItem; the transaction is "
            "conditional on both versions (data-model.md: 2).",
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/communication/conversations/{conversation_id}/messages"): _expect(
            TARGET_LIST_PAGE,
            "Reads the caller's copy first (a participant? what did they delete?), and the page's "
            "senders' display names after (lms.users.queries; data-model.md: 3 per page).",
            BatchGetItem=1,
            GetItem=1,
            Query=1,
        ),
        scenario_key("GET", "/communication/courses/{course_id}/people"): _expect(
            TARGET_LIST_PAGE,
            "Reads the course and the student's enrollment first (lms.communication.course_access), then "
            "one roster page and its people's display names (lms.users.queries; data-model.md: 3 per "
            "page).",
            BatchGetItem=2,
            Query=1,
        ),
        # ---------------------------------------------------------------- identity (UsersFunction)
        scenario_key("POST", "/institutions"): _expect(TARGET_WRITE, TransactWriteItems=1),
        scenario_key("GET", "/institutions"): _expect(TARGET_LIST_PAGE, Query=1),
        scenario_key("GET", "/institutions/{institution_id}"): _expect(TARGET_READ, GetItem=1),
        scenario_key("PATCH", "/institutions/{institution_id}"): _expect(
            TARGET_WRITE, _READS_FIRST.format(item="institution"), GetItem=1, TransactWriteItems=1
        ),
        scenario_key("POST", "/institutions/{institution_id}/admins"): _expect(
            TARGET_WRITE,
            "Reads the institution first: the invitation names it by id and it must exist "
            "(data-model.md: GetItem institution, then as POST /users).",
            other=_cognito("AdminCreateUser", "AdminAddUserToGroup"),
            GetItem=1,
            PutItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/institutions/{institution_id}/audit-events"): _expect(
            TARGET_LIST_PAGE, Query=1
        ),
        scenario_key("POST", "/users"): _expect(
            TARGET_WRITE,
            "Claims the email before the account is made (a pending claim, PutItem): an invitation "
            "that dies between the account and the profile is finished by the next one instead of "
            "leaving the email taken for good (data-model.md: 2).",
            other=_cognito("AdminCreateUser", "AdminAddUserToGroup"),
            PutItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/users", "Idempotency-Key replay"): _expect(TARGET_READ, GetItem=1),
        scenario_key("GET", "/users"): _expect(TARGET_LIST_PAGE, Query=1),
        scenario_key("POST", "/users/imports"): _expect(TARGET_WRITE, TransactWriteItems=1),
        scenario_key("GET", "/users/imports/{job_id}"): _expect(
            TARGET_READ,
            "The job, its chunks of rows and their outcomes share one partition: one Query, not a "
            "GetItem (data-model.md: 1).",
            Query=1,
        ),
        scenario_key("POST", "/users/{user_id}/exports"): _expect(TARGET_WRITE, TransactWriteItems=1),
        scenario_key("GET", "/users/{user_id}/exports/{export_id}"): _expect(TARGET_READ, GetItem=1),
        scenario_key("GET", "/users/{user_id}/exports"): _expect(TARGET_LIST_PAGE, Query=1),
        scenario_key("GET", "/users/{user_id}/exports", "someone else's"): _expect(
            TARGET_LIST_PAGE,
            "Reads the person's profile first: an admin lists the exports of a person of their own "
            "institution only (404 otherwise), as POST /users/{id}/exports (data-model.md).",
            GetItem=1,
            Query=1,
        ),
        scenario_key("GET", "/users/{user_id}/erasure"): _expect(TARGET_READ, GetItem=1),
        scenario_key("DELETE", "/users/{user_id}"): _expect(
            TARGET_WRITE, _READS_FIRST.format(item="profile"), GetItem=1, TransactWriteItems=1
        ),
        scenario_key("GET", "/users/me"): _expect(
            TARGET_READ,
            "Reads the profile, then whether e-mail to its address gets through (the e-mail "
            "channel's own item, lms.notifications.mail.queries; data-model.md).",
            GetItem=2,
        ),
        scenario_key("PATCH", "/users/me"): _expect(
            TARGET_WRITE, _READS_FIRST.format(item="profile"), GetItem=1, TransactWriteItems=1
        ),
        scenario_key("GET", "/users/{user_id}"): _expect(
            TARGET_READ,
            "Reads the profile, then whether e-mail to its address gets through (the e-mail "
            "channel's own item, lms.notifications.mail.queries; data-model.md).",
            GetItem=2,
        ),
        scenario_key("PATCH", "/users/{user_id}/role"): _expect(
            TARGET_WRITE,
            _READS_FIRST.format(item="profile"),
            other=_cognito("AdminAddUserToGroup", "AdminRemoveUserFromGroup"),
            GetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/users/{user_id}/suspend"): _expect(
            TARGET_WRITE,
            _READS_FIRST.format(item="profile"),
            other=_cognito("AdminDisableUser", "AdminUserGlobalSignOut"),
            GetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/users/{user_id}/reactivate"): _expect(
            TARGET_WRITE,
            _READS_FIRST.format(item="profile"),
            other=_cognito("AdminEnableUser"),
            GetItem=1,
            TransactWriteItems=1,
        ),
        # ---------------------------------------------------------------- discussions (CommunicationFunction)
        scenario_key("GET", "/communication/courses/{course_id}/discussion-settings"): _expect(
            TARGET_READ, BatchGetItem=1
        ),
        scenario_key("PUT", "/communication/courses/{course_id}/discussion-settings"): _expect(
            TARGET_WRITE,
            _DISCUSSION_READ.format(what="the settings (If-Match)"),
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/communication/courses/{course_id}/topics"): _expect(
            TARGET_WRITE,
            _DISCUSSION_READ.format(what="the settings (may students start topics?)"),
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/communication/courses/{course_id}/topics"): _expect(
            TARGET_LIST_PAGE,
            "Reads the course and the caller's enrollment (one BatchGetItem) before one Query page of "
            "topics, then the caller's memberships of the page's topics (one BatchGetItem: unread counts "
            "and subscriptions) (data-model.md: 3 per page).",
            BatchGetItem=2,
            Query=1,
        ),
        scenario_key("GET", "/communication/courses/{course_id}/topics/{topic_id}"): _expect(
            TARGET_READ, BatchGetItem=1
        ),
        scenario_key("PATCH", "/communication/courses/{course_id}/topics/{topic_id}"): _expect(
            TARGET_WRITE, _DISCUSSION_READ.format(what="the topic"), BatchGetItem=1, TransactWriteItems=1
        ),
        scenario_key("POST", "/communication/courses/{course_id}/topics/{topic_id}/read"): _expect(
            TARGET_WRITE,
            _DISCUSSION_READ.format(what="the topic's reply count"),
            BatchGetItem=1,
            UpdateItem=1,
        ),
        scenario_key("PUT", "/communication/courses/{course_id}/topics/{topic_id}/subscription"): _expect(
            TARGET_WRITE, _DISCUSSION_READ.format(what="the topic"), BatchGetItem=1, UpdateItem=1
        ),
        scenario_key("GET", "/communication/courses/{course_id}/topics/{topic_id}/posts"): _expect(
            TARGET_LIST_PAGE,
            "Reads the course, the caller's enrollment, the topic and their membership (one BatchGetItem: "
            "question-and-answer visibility) before one Query page of posts with their like counters, "
            "then whether the caller likes the page's posts and the authors' names (one BatchGetItem "
            "each) (data-model.md: 4 per page).",
            BatchGetItem=3,
            Query=1,
        ),
        scenario_key("POST", "/communication/courses/{course_id}/topics/{topic_id}/posts"): _expect(
            TARGET_WRITE,
            _DISCUSSION_READ.format(what="the topic and the post answered"),
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key(
            "PATCH", "/communication/courses/{course_id}/topics/{topic_id}/posts/{post_id}"
        ): _expect(
            TARGET_WRITE, _DISCUSSION_READ.format(what="the post"), BatchGetItem=1, TransactWriteItems=1
        ),
        scenario_key(
            "DELETE", "/communication/courses/{course_id}/topics/{topic_id}/posts/{post_id}"
        ): _expect(
            TARGET_WRITE, _DISCUSSION_READ.format(what="the post"), BatchGetItem=1, TransactWriteItems=1
        ),
        scenario_key(
            "PUT", "/communication/courses/{course_id}/topics/{topic_id}/posts/{post_id}/reaction"
        ): _expect(
            TARGET_WRITE,
            _DISCUSSION_READ.format(what="the post and the caller's like"),
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key(
            "POST", "/communication/courses/{course_id}/topics/{topic_id}/posts/{post_id}/reports"
        ): _expect(
            TARGET_WRITE, _DISCUSSION_READ.format(what="the post"), BatchGetItem=1, TransactWriteItems=1
        ),
        scenario_key(
            "PUT", "/communication/courses/{course_id}/topics/{topic_id}/posts/{post_id}/visibility"
        ): _expect(
            TARGET_WRITE, _DISCUSSION_READ.format(what="the post"), BatchGetItem=1, TransactWriteItems=1
        ),
        scenario_key("GET", "/communication/courses/{course_id}/reported-posts"): _expect(
            TARGET_LIST_PAGE,
            "Reads the course (who teaches it) before one Query page of the moderation queue, then the "
            "page's posts (one BatchGetItem) (data-model.md: 3 per page).",
            BatchGetItem=2,
            Query=1,
        ),
        scenario_key("GET", "/lti/jwks"): _expect(TARGET_NO_DATA),
        scenario_key("POST", "/lti/tools"): _expect(TARGET_WRITE, TransactWriteItems=1),
        scenario_key("POST", "/lti/tools", "Idempotency-Key"): _expect(TARGET_WRITE, TransactWriteItems=1),
        scenario_key("GET", "/lti/tools"): _expect(TARGET_LIST_PAGE, Query=1),
        scenario_key("GET", "/lti/tools/{tool_id}"): _expect(TARGET_READ, GetItem=1),
        scenario_key("PATCH", "/lti/tools/{tool_id}"): _expect(
            TARGET_WRITE, _READS_FIRST.format(item="tool"), GetItem=1, TransactWriteItems=1
        ),
        # ------------------------------------------------------------ notifications (NotificationsFunction)
        scenario_key("GET", "/notifications"): _expect(
            TARGET_LIST_PAGE,
            _READ_MARK.format(what="one Query page of the inbox (or of its unread index)"),
            GetItem=1,
            Query=1,
        ),
        scenario_key("GET", "/notifications/unread-count"): _expect(
            TARGET_READ,
            _READ_MARK.format(what="one capped COUNT Query of the unread index"),
            GetItem=1,
            Query=1,
        ),
        scenario_key("POST", "/notifications/read-all"): _expect(TARGET_WRITE, PutItem=1),
        scenario_key("POST", "/notifications/{notification_id}/read"): _expect(TARGET_WRITE, UpdateItem=1),
        scenario_key("DELETE", "/notifications/{notification_id}"): _expect(TARGET_WRITE, DeleteItem=1),
        scenario_key("GET", "/users/me/notification-preferences"): _expect(
            TARGET_READ,
            "The person's choices and the institution's defaults in one BatchGetItem (data-model.md: 1).",
            BatchGetItem=1,
        ),
        scenario_key("PUT", "/users/me/notification-preferences"): _expect(
            TARGET_WRITE,
            "The answer is the effective preferences, so the institution's defaults are read after the "
            "write (data-model.md, Notifications: 2).",
            UpdateItem=1,
            GetItem=1,
        ),
        scenario_key("GET", "/institutions/{institution_id}/notification-defaults"): _expect(
            TARGET_READ, GetItem=1
        ),
        scenario_key("PUT", "/institutions/{institution_id}/notification-defaults"): _expect(
            TARGET_WRITE, UpdateItem=1
        ),
        scenario_key("POST", "/lti/launches"): _expect(
            TARGET_READ,
            "Reads the course, the lesson and the student's enrollment (one BatchGetItem, "
            "lms.lti.course_access), then the lesson's tool, whose id the lesson names; KMS signs the "
            "hint (data-model.md: LTI).",
            other={"kms:Sign": 1},
            BatchGetItem=1,
            GetItem=1,
        ),
        scenario_key("GET", "/lti/authorize"): _expect(
            TARGET_WRITE,
            _AUTHORIZE,
            other={"kms:Sign": 1},
            GetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/lti/deep-links"): _expect(
            TARGET_READ,
            "Reads the course (its instructors and sections, lms.lti.course_access), then the tool; KMS "
            "signs the hint (data-model.md: LTI).",
            other={"kms:Sign": 1},
            GetItem=2,
        ),
        scenario_key("POST", "/lti/deep-links/return"): _expect(
            TARGET_WRITE,
            "Reads the tool the signed data names (its keys, whether it is enabled); one transaction uses "
            "up the response's nonce and the deep link's data; then the courses context's service reads the "
            "course and adds the lessons in its own transaction, as the person who started the deep link "
            "(data-model.md: LTI).",
            GetItem=2,
            TransactWriteItems=2,
        ),
        scenario_key("POST", "/lti/token"): _expect(
            TARGET_WRITE,
            "Reads the tool the client id names (its JWKS URL, whether it is enabled), then records the "
            "client assertion as used (a conditional PutItem); KMS signs the access token. The tool's JWKS "
            "is fetched over HTTP at every request (data-model.md: LTI).",
            other={"kms:Sign": 1},
            GetItem=1,
            PutItem=1,
        ),
        scenario_key("GET", "/lti/courses/{course_id}/memberships"): _expect(
            TARGET_LIST_PAGE,
            "Reads the tool the access token names (enabled?), the mark that it was launched from the "
            "course, the course (its instructors), one Query page of the enrolled students and their "
            "display names (one BatchGetItem, lms.users.queries) (data-model.md: LTI).",
            GetItem=3,
            Query=1,
            BatchGetItem=1,
        ),
        scenario_key("POST", "/lti/authorize"): _expect(
            TARGET_WRITE,
            _AUTHORIZE,
            other={"kms:Sign": 1},
            GetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/lti/courses/{course_id}/lineitems"): _expect(
            TARGET_WRITE,
            _AGS_TOOL.format(what="the mark that it was launched from the course, then one transaction"),
            GetItem=2,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/lti/courses/{course_id}/lineitems", "Idempotency-Key"): _expect(
            TARGET_WRITE,
            _AGS_TOOL.format(
                what="the mark that it was launched from the course, then one transaction that claims "
                "the key (a retry is answered from the refusal, data-model.md)"
            ),
            GetItem=2,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/lti/courses/{course_id}/lineitems"): _expect(
            TARGET_LIST_PAGE,
            _AGS_TOOL.format(what="the mark that it was launched from the course, then one Query page"),
            GetItem=2,
            Query=1,
        ),
        scenario_key("GET", "/lti/courses/{course_id}/lineitems/{line_item_id}"): _expect(
            TARGET_READ, _AGS_TOOL.format(what="the line item"), GetItem=2
        ),
        scenario_key("PUT", "/lti/courses/{course_id}/lineitems/{line_item_id}"): _expect(
            TARGET_WRITE,
            _AGS_TOOL.format(what="the line item, then one transaction conditioned on its version"),
            GetItem=2,
            TransactWriteItems=1,
        ),
        scenario_key("DELETE", "/lti/courses/{course_id}/lineitems/{line_item_id}"): _expect(
            TARGET_WRITE,
            _AGS_TOOL.format(what="the line item, then one transaction conditioned on its version"),
            GetItem=2,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/lti/courses/{course_id}/lineitems/{line_item_id}/scores"): _expect(
            TARGET_WRITE,
            _AGS_TOOL.format(
                what="the line item, then one transaction: the student's enrollment a condition, the "
                "result newer than the kept one, the event"
            ),
            GetItem=2,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/lti/courses/{course_id}/lineitems/{line_item_id}/results"): _expect(
            TARGET_LIST_PAGE,
            _AGS_TOOL.format(what="the line item, then one Query page of its results"),
            GetItem=2,
            Query=1,
        ),
    }
)

# The catalog reads whose request count must not grow with the institution's catalog.
SCALE_EXPECTED: Mapping[str, Mapping[str, int]] = MappingProxyType(
    {
        "GetCourse": MappingProxyType({"GetItem": 1}),
        "ListCourses first page": MappingProxyType({"GetItem": 1, "BatchGetItem": 1}),
        "ListCourses next page": MappingProxyType({"GetItem": 1, "BatchGetItem": 1}),
        "ListCourses search": MappingProxyType({"GetItem": 1, "BatchGetItem": 1}),
        "ListCourses filtered by title": MappingProxyType({"GetItem": 1, "BatchGetItem": 1}),
    }
)


# A retry with an `Idempotency-Key` already answered is answered from the stored first answer and
# asks no other service again. A create that only writes claims the key in its transaction, whose
# refusal brings the first answer back (the replay is that transaction); the others read the answer
# first (data-model.md: "a replay is that GetItem alone").
REPLAY_BY_CLAIM: Mapping[str, int] = MappingProxyType({"TransactWriteItems": 1})
REPLAY_BY_READ: Mapping[str, int] = MappingProxyType({"GetItem": 1})
_REPLAYED_BY_CLAIM = (
    ("POST", "/courses"),
    ("POST", "/institutions"),
    ("POST", "/users/imports"),
    ("POST", "/assessments/assignments"),
    ("POST", "/lti/tools"),
)
_REPLAYED_BY_READ = (
    ("POST", "/courses/{course_id}/lessons"),
    ("POST", "/courses/{course_id}/entitlements"),
    ("POST", "/courses/{course_id}/reviews"),
    ("POST", "/institutions/{institution_id}/admins"),
    ("POST", "/assessments/assignments/{assignment_id}/submissions"),
    ("POST", "/assessments/quizzes"),
    ("POST", "/communication/conversations"),
)


@dataclass(frozen=True)
class Case:
    """The counts of a path through an operation that no benchmark scenario measures."""

    requests: Mapping[str, int]  # DynamoDB
    why: str
    other_calls: Mapping[str, int] = field(default_factory=dict)


def _case(why: str, *, other: Mapping[str, int] | None = None, **requests: int) -> Case:
    return Case(
        MappingProxyType(dict(sorted(requests.items()))),
        why,
        MappingProxyType(dict(sorted((other or {}).items()))),
    )


# Refusals, replays and another role's view of a benchmarked operation, as the API tests assert
# them: the benchmarks measure the scenarios of EXPECTED, these are stated here once all the same.
CASES: Mapping[str, Case] = MappingProxyType(
    {
        **{
            scenario_key(method, path, "Idempotency-Key replay"): Case(
                REPLAY_BY_CLAIM, "The transaction's refused claim brings the first answer back."
            )
            for method, path in _REPLAYED_BY_CLAIM
        },
        **{
            scenario_key(method, path, "Idempotency-Key replay"): Case(
                REPLAY_BY_READ, "The stored first answer alone."
            )
            for method, path in _REPLAYED_BY_READ
        },
        scenario_key("POST", "/institutions", "Idempotency-Key"): _case(
            "The key is claimed in the create's own transaction: no read first.", TransactWriteItems=1
        ),
        scenario_key("POST", "/institutions", "Idempotency-Key reused"): _case(
            "The refused claim brings the stored answer back, whose fingerprint differs from the "
            "request's: refused after that one transaction.",
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/users", "Idempotency-Key"): _case(
            "Looks up the stored first answer, then invites as without a key.",
            other=_cognito("AdminCreateUser", "AdminAddUserToGroup"),
            GetItem=1,
            PutItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/users", "email taken"): _case(
            "The email claim's PutItem is refused, then the claim is read to say whose it is; no "
            "account is made.",
            PutItem=1,
            GetItem=1,
        ),
        scenario_key("POST", "/users", "invitation in progress"): _case(
            "The email claim's PutItem is refused and the claim read: a pending invitation within its "
            "lease; no account is made.",
            PutItem=1,
            GetItem=1,
        ),
        scenario_key("POST", "/users", "stale pending claim"): _case(
            "The claim is taken over (PutItem refused, GetItem, PutItem on the dead invitation's id), "
            "then the usual transaction.",
            PutItem=2,
            GetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("POST", "/users/imports", "malformed file"): _case(
            "A file that cannot be read is refused before any request."
        ),
        scenario_key("POST", "/users/{user_id}/exports", "someone else's"): _case(
            "An admin's request reads the person's profile first: 404 outside the institution.",
            GetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/users/{user_id}/exports/{export_id}", "someone else's"): _case(
            "Reading someone else's export is audited.", GetItem=1, PutItem=1
        ),
        scenario_key("GET", "/enrollments", "no enrollments"): _case(
            "An empty page has no summaries to read.", Query=1
        ),
        scenario_key("GET", "/enrollments", "no enrollments, first request of a user"): _case(
            "The account check (then cached by the container), then the empty page.", GetItem=1, Query=1
        ),
        scenario_key(
            "GET", "/lti/courses/{course_id}/lineitems/{line_item_id}", "the resource link's, first use"
        ): _case(
            "A lesson's id names the line item of its resource link, made (one transaction) when a tool "
            "first reads it, after reading the lesson it belongs to.",
            GetItem=3,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/courses", "empty page"): _case(
            "No course matches: no BatchGetItem of the page's courses.", GetItem=1
        ),
        scenario_key(
            "POST", "/assessments/quizzes/{quiz_id}/attempts/{attempt_id}/submit", "Idempotency-Key replay"
        ): _case(
            "The quiz's BatchGetItem carries the caller's first answer: a replay answers from it.",
            BatchGetItem=1,
        ),
        scenario_key("POST", "/courses/{course_id}/enrollments", "Idempotency-Key replay"): _case(
            "The course's BatchGetItem carries the caller's stored answer: a replay answers from it.",
            BatchGetItem=1,
        ),
        scenario_key("POST", "/courses/{course_id}/enrollments", "course full"): _case(
            "The course, its seat counter and the student's enrollment (already on the roster?) in one "
            "BatchGetItem; nothing is written.",
            BatchGetItem=1,
        ),
        scenario_key("DELETE", "/courses/{course_id}/enrollments/{student_id}", "with a promotion"): _case(
            "The freed seat goes to the first waitlisted student in the same transaction: the waitlist's "
            "head is a Query once the counter said someone moves up.",
            BatchGetItem=1,
            Query=1,
            TransactWriteItems=1,
        ),
        scenario_key("PATCH", "/courses/{course_id}", "capacity change seating waitlisted students"): _case(
            "Raising the capacity seats the first waitlisted students in the same transaction.",
            GetItem=2,
            Query=1,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/courses/{course_id}/enrollments", "empty page"): _case(
            "A page without students has no display names to read.", GetItem=1, Query=1
        ),
        scenario_key("PUT", "/progress/courses/{course_id}/lessons/{lesson_id}", "again"): _case(
            "The transaction is refused (already complete), then the first completion is read.",
            TransactWriteItems=1,
            GetItem=1,
        ),
        scenario_key("PUT", "/progress/courses/{course_id}/lessons/{lesson_id}", "not enrolled"): _case(
            "The enrollment's condition refuses the transaction.", TransactWriteItems=1
        ),
        scenario_key("PUT", "/progress/courses/{course_id}/lessons/{lesson_id}", "course refused"): _case(
            "The transaction is refused, then the course is read to say why.",
            TransactWriteItems=1,
            GetItem=1,
        ),
        scenario_key("GET", "/assessments/assignments", "staff"): _case(
            "Staff see every assignment: the course (who teaches), then the Query.", GetItem=1, Query=1
        ),
        scenario_key("GET", "/assessments/assignments/{assignment_id}", "a draft, by staff"): _case(
            "The assignment, then the course: a draft is for who teaches it.", GetItem=2
        ),
        scenario_key("POST", "/assessments/assignments/{assignment_id}/submissions", "with an upload"): _case(
            "The uploaded file is checked in the files bucket before the submission names it.",
            other={"s3:HeadObject": 1},
            BatchGetItem=1,
            TransactWriteItems=1,
        ),
        scenario_key("GET", "/assessments/assignments/{assignment_id}/submissions", "a student's own"): _case(
            "The assignment, then the student's own versions.", GetItem=1, Query=1
        ),
        scenario_key(
            "GET", "/assessments/assignments/{assignment_id}/submissions/{submission_id}", "staff"
        ): _case(
            "Staff: the submission's reads, the course (who teaches it), and the audit entry of a read "
            "of a student's work.",
            BatchGetItem=1,
            GetItem=1,
            PutItem=1,
        ),
        scenario_key("GET", "/assessments/quizzes", "a student"): _case(
            "A student: the course and their enrollment in one BatchGetItem, then the published quizzes.",
            BatchGetItem=1,
            Query=1,
        ),
        scenario_key(
            "POST", "/assessments/quizzes/{quiz_id}/attempts/{attempt_id}/submit", "already submitted"
        ): _case("A repeat of a submitted attempt answers it from the BatchGetItem alone.", BatchGetItem=1),
        scenario_key("GET", "/assessments/quizzes/{quiz_id}/attempts/{attempt_id}", "staff"): _case(
            "Staff: the attempt's reads, the course (who teaches it), and the audit entry of a read of "
            "a student's work.",
            BatchGetItem=1,
            GetItem=1,
            PutItem=1,
        ),
        scenario_key("GET", "/assessments/quizzes/{quiz_id}/attempts", "a student's own"): _case(
            "A student: the quiz's reads in one BatchGetItem, then their own attempts.",
            BatchGetItem=1,
            Query=1,
        ),
        scenario_key("POST", "/commerce/institutions/{institution_id}/orders", "same message again"): _case(
            "The order item is the idempotency record: the same message is answered from it alone.",
            GetItem=1,
        ),
        scenario_key("POST", "/commerce/institutions/{institution_id}/orders", "signature refused"): _case(
            "The signature is checked before anything is read: a refused one costs no request."
        ),
    }
)


def expectation(method: str, path: str, variant: str | None = None) -> Expectation | Case:
    key = scenario_key(method, path, variant)
    return EXPECTED[key] if key in EXPECTED else CASES[key]


def expected_requests(method: str, path: str, variant: str | None = None, **sizes: int) -> dict[str, int]:
    """The DynamoDB requests of one operation (by request name), as the tests assert them; `sizes`
    (`students=0`) give a count that grows with the data read at another size than the benchmark's."""
    found = expectation(method, path, variant)
    if not sizes:
        return dict(found.requests)
    if not isinstance(found, Expectation) or not {s.unit for s in found.scales} >= set(sizes):
        raise KeyError(f"{scenario_key(method, path, variant)} does not grow with {sorted(sizes)}")
    return found.at(**sizes)


def expected_calls(service: str, method: str, path: str, variant: str | None = None) -> dict[str, int]:
    """The requests of one operation to another AWS service (`kms`, `s3`, `cognito-idp`), by name."""
    prefix = f"{service}:"
    calls = expectation(method, path, variant).other_calls
    return {name.removeprefix(prefix): n for name, n in calls.items() if name.startswith(prefix)}


# An announcement to a course's students, from the event to every inbox entry and mail message
# (bench/fanout.py), by class size: the consumer's requests, then every chunk's (99 people each, so
# each read is one BatchGetItem of at most 100 keys: their profiles, their entries, their preferences
# and the institution's defaults; BatchWriteItem of the entries, 25 a request; the mail messages).
# 100 students are two chunks (99 and 1); 10,000 are 102 (101 of 99, then 1).
FANOUT_EXPECTED: Mapping[int, Mapping[str, Mapping[str, int]]] = MappingProxyType(
    {
        100: MappingProxyType(
            {
                "consumer": MappingProxyType(
                    {
                        "dynamodb:GetItem": 2,
                        "dynamodb:Query": 1,
                        "dynamodb:PutItem": 1,
                        "sqs:SendMessageBatch": 1,
                    }
                ),
                "chunks": MappingProxyType(
                    {
                        "dynamodb:BatchGetItem": 6,
                        "dynamodb:BatchWriteItem": 5,
                        "sqs:SendMessageBatch": 2,
                    }
                ),
            }
        ),
        10_000: MappingProxyType(
            {
                "consumer": MappingProxyType(
                    {
                        "dynamodb:GetItem": 2,
                        # The roster, about 1 MB of enrollment items a page.
                        "dynamodb:Query": 6,
                        "dynamodb:PutItem": 1,
                        "sqs:SendMessageBatch": 11,
                    }
                ),
                "chunks": MappingProxyType(
                    {
                        "dynamodb:BatchGetItem": 306,
                        "dynamodb:BatchWriteItem": 405,
                        "sqs:SendMessageBatch": 102,
                    }
                ),
            }
        ),
    }
)

# An assignment of a course's students comes due within a day (bench/fanout.py): one run of the
# due-soon reminders (4 Queries of the due index's shards, BatchGetItem of the handled markers,
# the roster, who submitted and who has an extension: 3 Queries; PutItem the handled marker; the
# chunks on the fan-out queue), then every chunk's requests: the announcement's, and one
# TransactWriteItems of the chunk's reminder claims.
REMINDER_EXPECTED: Mapping[int, Mapping[str, Mapping[str, int]]] = MappingProxyType(
    {
        100: MappingProxyType(
            {
                "consumer": MappingProxyType(
                    {
                        "dynamodb:Query": 7,
                        "dynamodb:BatchGetItem": 1,
                        "dynamodb:PutItem": 1,
                        "sqs:SendMessageBatch": 1,
                    }
                ),
                "chunks": MappingProxyType(
                    {
                        "dynamodb:BatchGetItem": 6,
                        "dynamodb:TransactWriteItems": 2,
                        "dynamodb:BatchWriteItem": 5,
                        "sqs:SendMessageBatch": 2,
                    }
                ),
            }
        ),
        1_000: MappingProxyType(
            {
                "consumer": MappingProxyType(
                    {
                        "dynamodb:Query": 7,
                        "dynamodb:BatchGetItem": 1,
                        "dynamodb:PutItem": 1,
                        "sqs:SendMessageBatch": 2,
                    }
                ),
                "chunks": MappingProxyType(
                    {
                        "dynamodb:BatchGetItem": 33,
                        "dynamodb:TransactWriteItems": 11,
                        "dynamodb:BatchWriteItem": 41,
                        "sqs:SendMessageBatch": 11,
                    }
                ),
            }
        ),
    }
)
