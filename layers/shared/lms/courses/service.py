"""Use cases of the courses context: authorize, apply the domain rules, commit state and events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from lms import authz, clock, idempotency, ids
from lms.auth import Principal, Role
from lms.courses import domain, policy
from lms.courses.catalog.entry import CatalogEntry, entry_of
from lms.courses.catalog.index import CatalogFilter, CatalogPage, CatalogSort, Facets
from lms.courses.domain import Course, CourseStatus, Lesson, Section
from lms.courses.enrollment.capacity import plan_capacity_change, promotion_events
from lms.courses.enrollment.domain import Roster, RosterPlan, WaitlistEntry, roster_for_new_course
from lms.courses.errors import (
    CourseNotFound,
    InvalidPrerequisites,
    LessonNotFound,
    OutlineFull,
)
from lms.courses.schemas import (
    CourseDraft,
    CoursePatch,
    CourseStandardsView,
    CourseView,
    LessonDraft,
    LessonPatch,
    LessonView,
    SectionDraft,
    SectionPatch,
    section_view,
)
from lms.courses.standards import standards_page
from lms.errors import Forbidden, check_version
from lms.events import DomainEvent
from lms.events.courses import (
    CourseArchived,
    CourseCreated,
    CoursePublished,
    CourseUpdated,
    LessonAdded,
    LessonRemoved,
    LessonUpdated,
    StandardsAligned,
)
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.standards import QuestionAlignment

MAX_LINKED_LESSONS = 20
"""Lessons one deep link adds: with their events they stay well inside one transaction's 100 items."""


@dataclass
class CourseChange:
    """Everything one request writes, committed in one transaction with its events."""

    course: Course
    expected_version: int | None  # None: the course is new
    actor: Principal
    events: list[DomainEvent] = field(default_factory=list)
    catalog_entry: CatalogEntry | None = None  # set when the catalog's view of the course changed
    lesson_put: Lesson | None = None
    lesson_expected_version: int | None = None  # None with lesson_put: the lesson is new
    lesson_delete: str | None = None
    new_lessons: list[Lesson] = field(default_factory=list)  # several lessons added at once
    prerequisites_to_check: list[str] = field(default_factory=list)
    roster: RosterPlan | None = None  # the seat counter follows the capacity (lms.courses.enrollment)
    idempotent: IdempotentRequest | None = None
    response: StoredResponse | None = None  # stored with the change when `idempotent` is set


@dataclass(frozen=True)
class CatalogQuery:
    """A catalog page: what it must match, in which order, from which cursor."""

    filter: CatalogFilter
    sort: CatalogSort = CatalogSort.RELEVANCE
    limit: int = 20
    cursor: str | None = None


@dataclass(frozen=True)
class CatalogResult:
    courses: list[Course]
    next_cursor: str | None
    total: int
    facets: Facets


class CatalogSearch(Protocol):
    def search(self, institution_id: str, query: CatalogQuery) -> tuple[CatalogPage, str | None]: ...


class CourseRepository(Protocol):
    def get_course(self, institution_id: str, course_id: str) -> Course | None: ...
    def get_courses(self, institution_id: str, course_ids: list[str]) -> dict[str, Course]: ...
    def get_course_and_lesson(
        self, institution_id: str, course_id: str, lesson_id: str
    ) -> tuple[Course | None, Lesson | None]: ...
    def commit(self, change: CourseChange) -> None: ...
    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None: ...
    def get_roster(self, institution_id: str, course_id: str) -> Roster | None: ...
    def waitlist_head(self, institution_id: str, course_id: str, count: int) -> list[WaitlistEntry]: ...


QuestionAlignments = Callable[[str, str, bool], list[QuestionAlignment]]
"""(institution, course, with drafts) -> the course's aligned quiz questions, answered by assessments."""


class CourseService:
    def __init__(
        self,
        repository: CourseRepository,
        catalog: CatalogSearch,
        questions: QuestionAlignments,
        now: Callable[[], datetime] = clock.now,
        new_id: Callable[[], str] = ids.new_id,
    ) -> None:
        self._repo = repository
        self._catalog = catalog
        self._questions = questions
        self._now = now
        self._new_id = new_id

    # ------------------------------------------------------------ reads

    def _load(self, principal: Principal, course_id: str) -> Course:
        course = self._repo.get_course(principal.institution_id, course_id)
        if course is None:
            raise CourseNotFound(f"No course {course_id!r}.")
        domain.ensure_visible(principal, course)
        return course

    def get_course(self, principal: Principal, course_id: str) -> Course:
        authz.authorize(principal, policy.GET_COURSE)
        return self._load(principal, course_id)

    def course_standards(self, principal: Principal, course_id: str) -> CourseStandardsView:
        """Every standard the course covers, with the lessons that teach it and the questions that
        assess it; seen by whoever sees the course's outline (drafts' questions: its staff only)."""
        authz.authorize(principal, policy.GET_COURSE_STANDARDS)
        course = self._load(principal, course_id)
        staff = principal.is_institution_admin or domain.teaches(principal, course)
        questions = self._questions(principal.institution_id, course.id, staff)
        return standards_page(course, questions)

    def list_courses(self, principal: Principal, query: CatalogQuery) -> CatalogResult:
        """A page of the catalog with the facet counts of everything the filter matches."""
        authz.authorize(principal, policy.LIST_COURSES)
        wanted = query.filter
        if wanted.status != CourseStatus.PUBLISHED and not principal.is_institution_admin:
            if Role.INSTRUCTOR not in principal.roles:
                raise Forbidden("Students see published courses only.", field="status")
            if wanted.status == CourseStatus.DRAFT:
                wanted = replace(wanted, instructors=wanted.instructors | {principal.user_id})
                query = replace(query, filter=wanted)
        page, next_cursor = self._catalog.search(principal.institution_id, query)
        found = self._repo.get_courses(principal.institution_id, page.ids) if page.ids else {}
        courses = [found[course_id] for course_id in page.ids if course_id in found]
        return CatalogResult(courses, next_cursor, page.total, page.facets)

    def _load_with_lesson(
        self, principal: Principal, course_id: str, lesson_id: str
    ) -> tuple[Course, Lesson | None]:
        """The visible course and its lesson (None when it has no such lesson), read together."""
        course, lesson = self._repo.get_course_and_lesson(principal.institution_id, course_id, lesson_id)
        if course is None:
            raise CourseNotFound(f"No course {course_id!r}.")
        domain.ensure_visible(principal, course)
        return course, lesson

    def get_lesson(self, principal: Principal, course_id: str, lesson_id: str) -> tuple[Lesson, int]:
        authz.authorize(principal, policy.GET_LESSON)
        course, lesson = self._load_with_lesson(principal, course_id, lesson_id)
        if lesson is None:
            raise LessonNotFound(f"The course has no lesson {lesson_id!r}.")
        return lesson, domain.lesson_position(course, lesson_id)

    # ------------------------------------------------------------ course lifecycle

    def create_course(
        self, principal: Principal, draft: CourseDraft, request: IdempotentRequest | None = None
    ) -> Course:
        authz.authorize(principal, policy.CREATE_COURSE)
        at = self._now()
        course_id = self._new_id()
        domain.check_prerequisites(course_id, draft.level, draft.prerequisites)
        domain.check_enrollment_window(draft.enrollment_opens_at, draft.enrollment_closes_at)
        instructors = list(draft.instructor_ids)
        if Role.INSTRUCTOR in principal.roles and principal.user_id not in instructors:
            instructors.insert(0, principal.user_id)
        if not instructors:
            instructors = [principal.user_id]
        course = Course(
            id=course_id,
            institution_id=principal.institution_id,
            instructor_ids=instructors,
            created_at=at,
            updated_at=at,
            **draft.model_dump(exclude={"instructor_ids"}),
        )
        event = CourseCreated(
            course_id=course.id,
            title=course.title,
            category=course.category,
            level=course.level,
            language=course.language,
            instructor_ids=course.instructor_ids,
            prerequisites=course.prerequisites,
            capacity=course.capacity,
        )
        aligned = [StandardsAligned(course_id=course.id, standards=course.standards, course_version=1)]
        change = CourseChange(
            course=course,
            expected_version=None,
            actor=principal,
            events=[event, *(aligned if course.standards else [])],
            catalog_entry=entry_of(course),
            prerequisites_to_check=course.prerequisites,
            roster=roster_for_new_course(course),
        )
        self._write(change, request, lambda: CourseView.of(course))
        return course

    def _replay_if_seen(self, principal: Principal, request: IdempotentRequest | None) -> None:
        if request is not None:
            idempotency.replay(
                self._repo.stored_response(principal.institution_id, principal.user_id, request.key), request
            )

    def _write(
        self, change: CourseChange, request: IdempotentRequest | None, answer: Callable[[], BaseModel]
    ) -> None:
        """Commit; with an Idempotency-Key, the 201 answer is stored in the same transaction."""
        if request is not None:
            change.idempotent = request
            change.response = StoredResponse(request.fingerprint, 201, answer().model_dump_json())
        self._repo.commit(change)

    def _editable(self, principal: Principal, course_id: str, expected_version: int | None = None) -> Course:
        course = self._load(principal, course_id)
        domain.ensure_can_edit(principal, course)
        if expected_version is not None:
            check_version("course", course.version, expected_version)
        return course

    def _commit(
        self,
        before: Course,
        after: Course,
        principal: Principal,
        *events: DomainEvent,
        request: IdempotentRequest | None = None,
        answer: Callable[[Course], BaseModel] | None = None,
        **extra: Any,
    ) -> Course:
        after = after.model_copy(update={"version": before.version + 1, "updated_at": self._now()})
        after = domain.keep_lesson_standards(after, extra.get("lesson_put"))
        entry = entry_of(after)
        change = CourseChange(
            course=after,
            expected_version=before.version,
            actor=principal,
            events=list(events),
            catalog_entry=entry if entry != entry_of(before) else None,
            **extra,
        )
        self._write(change, request, lambda: answer(after) if answer else CourseView.of(after))
        return after

    def update_course(
        self, principal: Principal, course_id: str, patch: CoursePatch, expected_version: int
    ) -> Course:
        authz.authorize(principal, policy.UPDATE_COURSE)
        course = self._editable(principal, course_id, expected_version)
        changes = patch.changes()
        removes_self = principal.user_id not in changes.get("instructor_ids", [principal.user_id])
        if removes_self and not principal.is_institution_admin:
            raise Forbidden("Instructors cannot remove themselves; ask an admin.", field="instructor_ids")
        updated = course.model_validate({**course.model_dump(), **changes})
        domain.check_prerequisites(updated.id, updated.level, updated.prerequisites)
        domain.check_enrollment_window(updated.enrollment_opens_at, updated.enrollment_closes_at)
        new_prerequisites = [p for p in updated.prerequisites if p not in course.prerequisites]
        if "prerequisites" in changes and new_prerequisites:
            self._ensure_acyclic(principal, updated)
        event = CourseUpdated(
            course_id=course.id,
            version=course.version + 1,
            changed_fields=sorted(changes),
            instructor_ids=updated.instructor_ids if "instructor_ids" in changes else None,
        )
        roster = plan_capacity_change(self._repo, course, updated)
        promoted = promotion_events(roster.promote, course.id) if roster else []
        aligned = StandardsAligned(
            course_id=course.id, standards=updated.standards, course_version=course.version + 1
        )
        return self._commit(
            course,
            updated,
            principal,
            event,
            *promoted,
            *([aligned] if updated.standards != course.standards else []),
            prerequisites_to_check=new_prerequisites,
            roster=roster,
        )

    def _ensure_acyclic(self, principal: Principal, course: Course) -> None:
        """Walk the prerequisite graph (one batch read per level) looking for a way back."""
        graph: dict[str, list[str]] = {course.id: course.prerequisites}
        frontier = list(course.prerequisites)
        for _ in range(domain.MAX_PREREQUISITE_DEPTH):
            if not frontier:
                return
            found = self._repo.get_courses(principal.institution_id, frontier)
            missing = [c for c in frontier if c not in found and c not in graph]
            if missing and set(missing) & set(course.prerequisites):
                raise InvalidPrerequisites(
                    f"Unknown prerequisite courses: {', '.join(missing)}.", field="prerequisites"
                )
            for cid, other in found.items():
                graph[cid] = other.prerequisites
            cycle = domain.find_cycle(course.id, graph, course.prerequisites)
            if cycle:
                raise InvalidPrerequisites(
                    "The prerequisites would form a cycle: " + " -> ".join([course.id, *cycle]) + ".",
                    field="prerequisites",
                )
            frontier = [p for cid in found for p in graph[cid] if p not in graph]
        raise InvalidPrerequisites("The prerequisite chain is too deep.", field="prerequisites")

    def publish_course(self, principal: Principal, course_id: str) -> Course:
        authz.authorize(principal, policy.PUBLISH_COURSE)
        course = self._editable(principal, course_id)
        published = domain.publish(course, self._now())
        event = CoursePublished(
            course_id=course.id,
            title=course.title,
            lesson_ids=course.lesson_ids(),
            instructor_ids=course.instructor_ids,
            course_version=course.version + 1,
        )
        return self._commit(course, published, principal, event)

    def archive_course(self, principal: Principal, course_id: str) -> Course:
        authz.authorize(principal, policy.ARCHIVE_COURSE)
        course = self._editable(principal, course_id)
        archived = domain.archive(course, self._now())
        return self._commit(course, archived, principal, CourseArchived(course_id=course.id))

    # ------------------------------------------------------------ sections

    def add_section(
        self,
        principal: Principal,
        course_id: str,
        draft: SectionDraft,
        request: IdempotentRequest | None = None,
    ) -> tuple[Course, str]:
        authz.authorize(principal, policy.ADD_SECTION)
        self._replay_if_seen(principal, request)
        course = self._editable(principal, course_id)
        section = Section(id=self._new_id(), title=draft.title)
        updated = domain.insert_section(course, section, draft.position)
        event = CourseUpdated(
            course_id=course.id,
            version=course.version + 1,
            changed_fields=["sections"],
            lesson_ids=updated.lesson_ids(),
        )
        after = self._commit(
            course, updated, principal, event, request=request, answer=lambda c: section_view(c, section.id)
        )
        return after, section.id

    def update_section(
        self,
        principal: Principal,
        course_id: str,
        section_id: str,
        patch: SectionPatch,
        expected_version: int,
    ) -> Course:
        authz.authorize(principal, policy.UPDATE_SECTION)
        course = self._editable(principal, course_id)
        section = course.section(section_id)
        check_version("section", section.version, expected_version)
        updated = domain.change_section(course, section_id, patch.title, patch.position)
        event = CourseUpdated(
            course_id=course.id,
            version=course.version + 1,
            changed_fields=["sections"],
            lesson_ids=updated.lesson_ids(),
        )
        return self._commit(course, updated, principal, event)

    def remove_section(self, principal: Principal, course_id: str, section_id: str) -> Course:
        authz.authorize(principal, policy.REMOVE_SECTION)
        course = self._editable(principal, course_id)
        updated = domain.remove_section(course, section_id)
        event = CourseUpdated(
            course_id=course.id,
            version=course.version + 1,
            changed_fields=["sections"],
            lesson_ids=updated.lesson_ids(),
        )
        return self._commit(course, updated, principal, event)

    # ------------------------------------------------------------ lessons

    def add_lesson(
        self,
        principal: Principal,
        course_id: str,
        draft: LessonDraft,
        request: IdempotentRequest | None = None,
    ) -> tuple[Lesson, int]:
        authz.authorize(principal, policy.ADD_LESSON)
        self._replay_if_seen(principal, request)
        course = self._editable(principal, course_id)
        content_url = str(draft.content_url) if draft.content_url else None
        domain.check_lesson_content(draft.content_type, draft.content, content_url, draft.lti)
        at = self._now()
        placed, section_id, section_made = domain.section_for_lesson(course, draft.section_id, self._new_id)
        lesson = Lesson(
            id=self._new_id(),
            course_id=course.id,
            section_id=section_id,
            title=draft.title,
            content_type=draft.content_type,
            content=draft.content,
            content_url=content_url,
            lti=draft.lti,
            duration_minutes=draft.duration_minutes,
            standards=draft.standards,
            created_at=at,
            updated_at=at,
        )
        updated, position = domain.insert_lesson(placed, lesson.summary(), section_id, draft.position)
        made = CourseUpdated(
            course_id=course.id,
            version=course.version + 1,
            changed_fields=["sections"],
            lesson_ids=updated.lesson_ids(),
        )
        event = LessonAdded(
            course_id=course.id,
            lesson_id=lesson.id,
            section_id=lesson.section_id,
            title=lesson.title,
            content_type=lesson.content_type,
            position=position,
            duration_minutes=lesson.duration_minutes,
            course_version=course.version + 1,
            lesson_ids=updated.lesson_ids(),
        )
        aligned = StandardsAligned(
            course_id=course.id,
            lesson_id=lesson.id,
            standards=lesson.standards,
            course_version=course.version + 1,
        )
        self._commit(
            course,
            updated,
            principal,
            *([made] if section_made else []),
            event,
            *([aligned] if lesson.standards else []),
            lesson_put=lesson,
            request=request,
            answer=lambda _: LessonView.of(lesson, position),
        )
        return lesson, position

    def add_linked_lessons(
        self, principal: Principal, course_id: str, section_id: str, drafts: list[LessonDraft]
    ) -> list[tuple[Lesson, int]]:
        """Lessons a tool linked (LTI Deep Linking) at the end of a section, all in one transaction."""
        authz.authorize(principal, policy.ADD_LESSON)
        if len(drafts) > MAX_LINKED_LESSONS:
            raise OutlineFull(f"A tool links at most {MAX_LINKED_LESSONS} lessons at once.")
        course = self._editable(principal, course_id)
        course.section(section_id)
        at = self._now()
        updated = course
        added: list[tuple[Lesson, int]] = []
        for draft in drafts:
            content_url = str(draft.content_url) if draft.content_url else None
            domain.check_lesson_content(draft.content_type, draft.content, content_url, draft.lti)
            lesson = Lesson(
                id=self._new_id(),
                course_id=course.id,
                section_id=section_id,
                title=draft.title,
                content_type=draft.content_type,
                content=draft.content,
                content_url=content_url,
                lti=draft.lti,
                duration_minutes=draft.duration_minutes,
                created_at=at,
                updated_at=at,
            )
            updated, position = domain.insert_lesson(updated, lesson.summary(), section_id, None)
            added.append((lesson, position))
        if not added:
            return []
        version = course.version + 1
        events: list[DomainEvent] = [
            CourseUpdated(
                course_id=course.id,
                version=version,
                changed_fields=["sections"],
                lesson_ids=updated.lesson_ids(),
            )
        ]
        events += [
            LessonAdded(
                course_id=course.id,
                lesson_id=lesson.id,
                section_id=section_id,
                title=lesson.title,
                content_type=lesson.content_type,
                position=position,
                duration_minutes=lesson.duration_minutes,
                course_version=version,
                lesson_ids=updated.lesson_ids(),
            )
            for lesson, position in added
        ]
        self._commit(course, updated, principal, *events, new_lessons=[lesson for lesson, _ in added])
        return added

    def update_lesson(
        self, principal: Principal, course_id: str, lesson_id: str, patch: LessonPatch, expected_version: int
    ) -> tuple[Lesson, int]:
        authz.authorize(principal, policy.UPDATE_LESSON)
        course, lesson = self._load_with_lesson(principal, course_id, lesson_id)
        domain.ensure_can_edit(principal, course)
        if lesson is None:
            raise LessonNotFound(f"The course has no lesson {lesson_id!r}.")
        check_version("lesson", lesson.version, expected_version)
        changes = patch.changes()
        changes.pop("position", None)
        if changes.get("content_url") is not None:
            changes["content_url"] = str(changes["content_url"])
        updated_lesson = lesson.model_validate(
            {**lesson.model_dump(), **changes, "version": lesson.version + 1, "updated_at": self._now()}
        )
        domain.check_lesson_content(
            updated_lesson.content_type,
            updated_lesson.content,
            updated_lesson.content_url,
            updated_lesson.lti,
        )
        updated, position = domain.move_lesson(
            course, updated_lesson.summary(), patch.section_id, patch.position
        )
        section, _ = updated.locate_lesson(lesson_id)
        updated_lesson = updated_lesson.model_copy(update={"section_id": section.id})
        event = LessonUpdated(
            course_id=course.id,
            lesson_id=lesson_id,
            section_id=section.id,
            position=position,
            changed_fields=sorted(patch.model_fields_set),
            course_version=course.version + 1,
            lesson_ids=updated.lesson_ids(),
        )
        aligned = StandardsAligned(
            course_id=course.id,
            lesson_id=lesson_id,
            standards=updated_lesson.standards,
            course_version=course.version + 1,
        )
        self._commit(
            course,
            updated,
            principal,
            event,
            *([aligned] if updated_lesson.standards != lesson.standards else []),
            lesson_put=updated_lesson,
            lesson_expected_version=lesson.version,
        )
        return updated_lesson, position

    def remove_lesson(self, principal: Principal, course_id: str, lesson_id: str) -> None:
        authz.authorize(principal, policy.REMOVE_LESSON)
        course = self._editable(principal, course_id)
        updated = domain.remove_lesson(course, lesson_id)
        event = LessonRemoved(
            course_id=course.id,
            lesson_id=lesson_id,
            course_version=course.version + 1,
            lesson_ids=updated.lesson_ids(),
        )
        self._commit(course, updated, principal, event, lesson_delete=lesson_id)
