"""What the catalog knows of a course: the fields it searches, filters, counts and sorts by; pure.

An entry is small on purpose (a few hundred bytes): the whole catalog of an institution is loaded
into a function's memory, so only the first `DESCRIPTION_WORDS_CHARS` characters of a
description's distinct words are searched, and the page itself is read from the course items.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import datetime

from lms.courses.domain import ContentType, Course, covered_standards
from lms.richtext import plain_text
from lms.standards import search_terms

DESCRIPTION_WORDS_CHARS = 600
CATALOG_STANDARDS = 20
"""Standards of a course the catalog filters by (its own first, then its lessons'): entries stay small."""
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case without accents: `Économie` and `economie` fold alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return _WORD.findall(fold(text))


def _distinct_words(text: str, limit: int) -> str:
    kept: list[str] = []
    size = 0
    for word in dict.fromkeys(words(text)):
        size += len(word) + 1
        if size > limit:
            break
        kept.append(word)
    return " ".join(kept)


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One course as the catalog searches it (`listed_at`: publication, or creation for drafts)."""

    id: str
    status: str
    title: str
    description_words: str
    category: str
    level: str
    language: str
    instructor_ids: tuple[str, ...]
    listed_at: str
    duration_minutes: int
    lesson_count: int
    has_video: bool
    price_currency: str | None = None  # None: free
    price_minor: int | None = None  # in the currency's minor unit
    standards: tuple[str, ...] = ()  # CASE identifiers and lower-cased coding schemes

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CatalogEntry:
        data = json.loads(text)
        data["instructor_ids"] = tuple(data["instructor_ids"])
        data["standards"] = tuple(data.get("standards", ()))
        return cls(**data)


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


def entry_of(course: Course) -> CatalogEntry:
    """The catalog's view of a course, computed from the aggregate alone."""
    lessons = [lesson for section in course.sections for lesson in section.lessons]
    return CatalogEntry(
        id=course.id,
        status=str(course.status),
        title=course.title,
        description_words=_distinct_words(plain_text(course.description), DESCRIPTION_WORDS_CHARS),
        category=course.category,
        level=str(course.level),
        language=course.language,
        instructor_ids=tuple(course.instructor_ids),
        listed_at=_stamp(course.published_at or course.created_at),
        duration_minutes=sum(lesson.duration_minutes for lesson in lessons),
        lesson_count=len(lessons),
        has_video=any(lesson.content_type == ContentType.VIDEO for lesson in lessons),
        price_currency=course.price.currency if course.price else None,
        price_minor=course.price.minor() if course.price else None,
        standards=search_terms(covered_standards(course)[:CATALOG_STANDARDS]),
    )
