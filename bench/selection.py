"""`python -m bench --only TERM[,TERM...]`: the part of the benchmark a run measures.

A term names an operation (its operationId such as `GetLesson`, or `METHOD /path`), a scenario
module of bench/scenarios/ (`quizzes`), a function or its context (`AssessmentsFunction`,
`assessments`), a read of the scale tables by its name, or a whole part of the report: `scale`
(the catalog reads at two catalog sizes), `students` (one course's reads at two class sizes) and
`fanout` (a notification told to a course of 100 and of 10,000 students) and `coldstart` (every
function's cold start). A function or context term also measures that
function's cold start. Terms are case-insensitive; one that names nothing stops the run, so a typo
does not measure nothing in silence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SCALE = "scale"
STUDENTS = "students"
FANOUT = "fanout"
COLD_START = "coldstart"
PARTS = (SCALE, STUDENTS, FANOUT, COLD_START)


def function_names(logical_id: str) -> tuple[str, str]:
    """A function answers to its logical id and to its context (`CoursesFunction`, `Courses`)."""
    return logical_id, logical_id.removesuffix("Function")


@dataclass(frozen=True)
class Selection:
    terms: tuple[str, ...] = ()  # as given; empty selects everything

    @classmethod
    def parse(cls, text: str | None) -> Selection:
        return cls(tuple(term.strip() for term in (text or "").split(",") if term.strip()))

    @property
    def everything(self) -> bool:
        return not self.terms

    def picks(self, names: Iterable[str]) -> bool:
        """Whether anything known by one of `names` is selected."""
        if self.everything:
            return True
        folded = {term.casefold() for term in self.terms}
        return any(name.casefold() in folded for name in names)

    def unknown(self, known: Iterable[str]) -> list[str]:
        """The terms that name nothing in `known` (nor a part of the report)."""
        names = {name.casefold() for name in (*known, *PARTS)}
        return [term for term in self.terms if term.casefold() not in names]

    def describe(self) -> str:
        return ",".join(self.terms)


EVERYTHING = Selection()
