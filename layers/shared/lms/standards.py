"""Alignment to learning standards (IMS CASE items), shared by every context that aligns content; pure.

A course, a lesson or a quiz question names the CASE item it is aligned to (identifier and URI,
human coding scheme, framework) and how (teaches, assesses, requires). The catalog finds courses
by the item's identifier or coding scheme, compared without case.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from lms.lazy_model import LazyModel

MAX_ALIGNMENTS = 20
"""Alignments of one course, lesson or question: a curriculum map, not a standards catalog."""


class AlignmentType(StrEnum):
    TEACHES = "teaches"
    ASSESSES = "assesses"
    REQUIRES = "requires"


CaseItemId = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    ),
    Field(description="The CASE item's identifier (a UUID, as CASE's CFItem `identifier`)."),
]
CaseItemUri = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2048, pattern=r"^https?://[^\s/?#]+[^\s]*$"),
    Field(description="Where the CASE item is published (its CFItem `uri`): an http(s) URL."),
]
CodingScheme = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$"),
    Field(description="The item's human coding scheme, e.g. `CCSS.MATH.CONTENT.HSA.REI.B.3`."),
]
Framework = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    Field(description="The framework (CASE CFDocument) the item belongs to, by its title."),
]


class Standard(LazyModel):
    """One CASE item, as the content aligned to it names it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    case_item_id: CaseItemId
    case_item_uri: CaseItemUri
    human_coding_scheme: CodingScheme
    framework: Framework


class Alignment(Standard):
    """A standard and how the content is aligned to it."""

    alignment_type: AlignmentType

    def standard(self) -> Standard:
        return Standard(**self.model_dump(exclude={"alignment_type"}))

    def ref(self) -> AlignmentRef:
        return AlignmentRef(case_item_id=self.case_item_id, alignment_type=self.alignment_type)


class AlignmentRef(LazyModel):
    """An alignment named by the standard's identifier alone (its details are kept once, elsewhere)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    case_item_id: str
    alignment_type: AlignmentType


def _distinct(alignments: list[Alignment]) -> list[Alignment]:
    seen = [(a.case_item_id, a.alignment_type) for a in alignments]
    if len(set(seen)) != len(seen):
        raise ValueError("names the same standard with the same alignment type twice")
    return alignments


Alignments = Annotated[
    list[Alignment],
    Field(max_length=MAX_ALIGNMENTS, description="Learning standards this content is aligned to."),
    AfterValidator(_distinct),
]


def search_terms(standards: list[Standard]) -> tuple[str, ...]:
    """What the catalog matches a `standard` filter against: identifiers and lower-cased coding schemes."""
    terms: dict[str, None] = {}
    for standard in standards:
        terms[standard.case_item_id] = None
        terms[standard.human_coding_scheme.lower()] = None
    return tuple(terms)


@dataclass(frozen=True)
class QuestionAlignment:
    """One quiz question's alignment, as the assessments context answers it for a course's page."""

    quiz_id: str
    quiz_title: str
    question_id: str
    position: int  # 1-based within the quiz
    alignment: Alignment
