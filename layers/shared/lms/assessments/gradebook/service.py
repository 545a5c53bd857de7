"""Use cases of the gradebook API: authorize, read the read model, compute grades, change settings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from lms import authz, ids
from lms.assessments import policy
from lms.assessments.course_access import CourseAccess, CourseCatalog
from lms.assessments.gradebook import domain
from lms.assessments.gradebook.domain import (
    Category,
    Column,
    CourseGrade,
    GradebookRow,
    GradebookRowStatus,
    GradebookSettings,
    LetterGrade,
)
from lms.assessments.gradebook.errors import (
    CourseNotFound,
    GradebookStaffOnly,
    GradesNeedEnrollment,
    StudentGradesNotFound,
)
from lms.assessments.gradebook.export import class_csv, export_file_name, export_object_key
from lms.assessments.gradebook.repository import GradebookParts, SettingsVersionChanged, StaffCheckFailed
from lms.assessments.gradebook.schemas import (
    CategorySetting,
    CategoryView,
    ClassGradesPage,
    ColumnView,
    GradebookSettingsBody,
    GradebookSettingsView,
    LetterSetting,
    ScoreView,
    StudentGradesView,
)
from lms.auth import Principal
from lms.errors import PreconditionFailed, PreconditionRequired, ValidationFailed, check_version
from lms.events import DomainEvent
from lms.events.assessments import GradebookSettingsChanged


class GradebookRepository(Protocol):
    def parts(
        self, institution_id: str, course_id: str, student_id: str | None = None, enrolled: str | None = None
    ) -> tuple[CourseAccess | None, GradebookParts]: ...
    def settings(
        self, institution_id: str, course_id: str
    ) -> tuple[CourseAccess | None, GradebookSettings]: ...
    def save_settings(
        self, actor: Principal, course_id: str, settings: GradebookSettings, event: DomainEvent
    ) -> GradebookSettings: ...
    def enrolled_rows(
        self, institution_id: str, course_id: str, limit: int | None, cursor: str | None
    ) -> tuple[list[GradebookRow], str | None]: ...
    def every_enrolled_row(self, institution_id: str, course_id: str) -> Iterator[GradebookRow]: ...
    def record_read(self, actor: Principal, action: str, course_id: str, student_id: str | None) -> None: ...
    def record_class_read(self, actor: Principal, action: str, course_id: str, students: int) -> None: ...


class ExportFiles(Protocol):
    def put_csv(self, key: str, body: bytes) -> None: ...
    def download_url(self, key: str, file_name: str, expires_in_seconds: int) -> str: ...


# A Lambda response holds at most 6 MB: a larger export is stored in the files bucket and handed
# out as a presigned GET instead (the response must also fit headers and the proxy envelope).
EXPORT_INLINE_MAX_BYTES = 4 * 1024 * 1024
EXPORT_URL_EXPIRES_SECONDS = 300


@dataclass(frozen=True)
class GradebookExport:
    """The CSV itself (`text`) when it fits in a response, else a presigned `download_url`."""

    file_name: str
    text: str | None = None
    download_url: str | None = None


DisplayNames = Callable[[str, Iterable[str]], dict[str, str]]
"""Each known member's display name by id (the identity context's `lms.users.queries.display_names`)."""


class GradebookService:
    def __init__(
        self,
        repository: GradebookRepository,
        courses: CourseCatalog,
        names: DisplayNames,
        exports: ExportFiles,
        export_inline_max_bytes: int = EXPORT_INLINE_MAX_BYTES,
    ) -> None:
        self._repo = repository
        self._courses = courses
        self._names = names
        self._exports = exports
        self._export_inline_max_bytes = export_inline_max_bytes

    # ------------------------------------------------------------ who may

    # The gradebook's reads carry the course in the same BatchGetItem (the repository's `parts` and
    # `settings`): what they read is used only once these have let the caller in.

    @staticmethod
    def _known(access: CourseAccess | None, course_id: str) -> CourseAccess:
        if access is None:
            raise CourseNotFound(f"No course {course_id!r}.")
        return access

    @classmethod
    def _ensure_staff(cls, principal: Principal, access: CourseAccess | None, course_id: str) -> None:
        if not cls._known(access, course_id).teaches(principal):
            raise GradebookStaffOnly(
                "Only the course's instructors and institution admins see its gradebook."
            )

    def _staff_course(self, principal: Principal, course_id: str) -> None:
        self._ensure_staff(principal, self._courses.load(principal.institution_id, course_id), course_id)

    # ------------------------------------------------------------ settings

    def settings(self, principal: Principal, course_id: str) -> GradebookSettingsView:
        authz.authorize(principal, policy.GET_GRADEBOOK_SETTINGS)
        access, settings = self._repo.settings(principal.institution_id, course_id)
        self._ensure_staff(principal, access, course_id)
        return settings_view(course_id, settings)

    def change_settings(
        self, principal: Principal, course_id: str, body: GradebookSettingsBody, expected: int | None
    ) -> GradebookSettingsView:
        """Replace the settings; `expected` is If-Match (None: only when none are stored yet)."""
        authz.authorize(principal, policy.UPDATE_GRADEBOOK_SETTINGS)
        categories = tuple(Category(c.name, c.weight, c.drop_lowest) for c in body.categories)
        letters = tuple(LetterGrade(g.letter, g.min_percent) for g in body.letters)
        errors = domain.settings_errors(categories, letters)
        if errors:
            fields = [{"field": name, "in": "body", "message": message} for name, message in errors]
            names = ", ".join(sorted({name for name, _ in errors}))
            raise ValidationFailed(f"Invalid gradebook settings: {names}.", errors=fields)
        version = expected or 0
        event = GradebookSettingsChanged(
            course_id=course_id,
            version=version + 1,
            categories=[c.name for c in categories],
            weights=[c.weight for c in categories],
            letters=[g.letter for g in letters],
        )
        wanted = GradebookSettings(categories, letters, version)
        try:
            saved = self._repo.save_settings(principal, course_id, wanted, event)
        except StaffCheckFailed:
            self._staff_course(principal, course_id)  # raises the refusal that applies
            raise
        except SettingsVersionChanged:
            access, stored = self._repo.settings(principal.institution_id, course_id)
            self._ensure_staff(
                principal, access, course_id
            )  # the version is disclosed to the course's staff only
            current = stored.version
            if expected is None:
                raise PreconditionRequired(
                    f"The gradebook settings exist (version {current}): "
                    "send If-Match with the version you read."
                ) from None
            check_version("gradebook settings", current, version)
            raise PreconditionFailed(
                "The gradebook settings changed while this request was applied."
            ) from None
        return settings_view(course_id, saved)

    # ------------------------------------------------------------ grades

    def my_grades(self, principal: Principal, course_id: str) -> StudentGradesView:
        authz.authorize(principal, policy.GET_MY_GRADES)
        access, parts = self._repo.parts(
            principal.institution_id, course_id, principal.user_id, enrolled=principal.user_id
        )
        if not self._known(access, course_id).student_enrolled:
            raise GradesNeedEnrollment("Enroll in the course to see your grades in it.")
        # Enrolled per the catalog, but the enrollment event may not have reached the gradebook yet.
        row = parts.row if parts.row is not None else GradebookRow(student_id=principal.user_id)
        return grades_view(course_id, parts.settings, parts.columns, row)

    def student_grades(self, principal: Principal, course_id: str, student_id: str) -> StudentGradesView:
        authz.authorize(principal, policy.GET_STUDENT_GRADES)
        access, parts = self._repo.parts(principal.institution_id, course_id, student_id)
        self._ensure_staff(principal, access, course_id)
        if parts.row is None or parts.row.status == GradebookRowStatus.ERASED:
            raise StudentGradesNotFound(f"No grades of {student_id!r} in course {course_id!r}.")
        view = grades_view(course_id, parts.settings, parts.columns, parts.row)
        self._repo.record_read(principal, policy.GET_STUDENT_GRADES.name, course_id, student_id)
        return view

    def class_grades(
        self, principal: Principal, course_id: str, limit: int, cursor: str | None
    ) -> ClassGradesPage:
        authz.authorize(principal, policy.LIST_COURSE_GRADES)
        access, parts = self._repo.parts(principal.institution_id, course_id)
        self._ensure_staff(principal, access, course_id)
        rows, next_cursor = self._repo.enrolled_rows(principal.institution_id, course_id, limit, cursor)
        names = self._names(principal.institution_id, [row.student_id for row in rows])
        page = ClassGradesPage(
            course_id=course_id,
            columns=[column_view(c) for c in domain.ordered_columns(parts.columns.values())],
            items=[
                grades_view(course_id, parts.settings, parts.columns, row, names.get(row.student_id))
                for row in rows
            ],
            next_cursor=next_cursor,
        )
        self._repo.record_class_read(principal, policy.LIST_COURSE_GRADES.name, course_id, len(rows))
        return page

    def export(self, principal: Principal, course_id: str) -> GradebookExport:
        """The whole class as CSV (every page read here); recorded as one read in the audit trail.

        Larger than the inline limit (UTF-8 bytes), it is written to the files bucket (one
        PutObject) and answered as a presigned GET that expires in a few minutes."""
        authz.authorize(principal, policy.EXPORT_GRADEBOOK)
        access, parts = self._repo.parts(principal.institution_id, course_id)
        self._ensure_staff(principal, access, course_id)
        columns = domain.ordered_columns(parts.columns.values())
        rows = [
            (row, domain.course_grade(parts.settings, parts.columns, row.scores))
            for row in self._repo.every_enrolled_row(principal.institution_id, course_id)
        ]
        # One BatchGetItem of profiles per 100 students, like a page of the class list.
        names = self._names(principal.institution_id, [row.student_id for row, _ in rows])
        text = class_csv(columns, [c.name for c in parts.settings.categories], rows, names)
        file_name = export_file_name(course_id)
        body = text.encode("utf-8")
        if len(body) <= self._export_inline_max_bytes:
            self._repo.record_read(principal, policy.EXPORT_GRADEBOOK.name, course_id, None)
            return GradebookExport(file_name=file_name, text=text)
        key = export_object_key(principal.institution_id, course_id, ids.new_id())
        self._exports.put_csv(key, body)
        self._repo.record_read(principal, policy.EXPORT_GRADEBOOK.name, course_id, None)
        url = self._exports.download_url(key, file_name, EXPORT_URL_EXPIRES_SECONDS)
        return GradebookExport(file_name=file_name, download_url=url)


# ---------------------------------------------------------------- views


def settings_view(course_id: str, settings: GradebookSettings) -> GradebookSettingsView:
    return GradebookSettingsView(
        course_id=course_id,
        categories=[
            CategorySetting(name=c.name, weight=c.weight, drop_lowest=c.drop_lowest)
            for c in settings.categories
        ],
        letters=[LetterSetting(letter=g.letter, min_percent=g.min_percent) for g in settings.letters],
        version=settings.version,
    )


def column_view(column: Column) -> ColumnView:
    return ColumnView(
        assessment_id=column.assessment_id,
        kind=column.kind,
        title=column.title,
        points=column.points,
        category=column.category,
        due_at=column.due_at,
    )


def grades_view(
    course_id: str,
    settings: GradebookSettings,
    columns: Mapping[str, Column],
    row: GradebookRow,
    display_name: str | None = None,
) -> StudentGradesView:
    grade: CourseGrade = domain.course_grade(settings, columns, row.scores)
    dropped = {aid for category in grade.categories for aid in category.dropped}
    order = {c.assessment_id: n for n, c in enumerate(domain.ordered_columns(columns.values()))}
    shown = domain.shown_scores(columns, row.scores)
    scores = []
    for assessment_id in sorted(shown, key=lambda aid: (order.get(aid, len(order)), aid)):
        score = shown[assessment_id]
        column = columns.get(assessment_id)
        scores.append(
            ScoreView(
                assessment_id=assessment_id,
                kind=score.kind,
                title=column.title if column else None,
                category=column.category if column else None,
                score=score.score,
                points=score.points,
                counted_at=score.counted_at,
                dropped=assessment_id in dropped,
            )
        )
    return StudentGradesView(
        course_id=course_id,
        student_id=row.student_id,
        display_name=display_name,
        status=row.status,
        scores=scores,
        categories=[
            CategoryView(
                name=c.name,
                weight=c.weight,
                percent=domain.display_percent(c.percent),
                counted=len(c.counted),
            )
            for c in grade.categories
        ],
        final_percent=domain.display_percent(grade.percent),
        letter=grade.letter,
    )
