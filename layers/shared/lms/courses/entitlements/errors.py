"""Refusals of paid enrollment and of entitlements, one problem type each."""

from __future__ import annotations

from lms.errors import Conflict, Problem


class PaymentRequired(Problem):
    """The course is paid: buy access (the institution's store grants it) or ask an institution admin."""

    status = 402
    slug = "payment-required"
    title = "The course is paid: get access before enrolling"


class CourseIsFree(Conflict):
    """A free course needs no entitlement."""

    slug = "course-is-free"
    title = "The course is free"


class EntitlementExists(Conflict):
    """The student already holds an unused entitlement to the course."""

    slug = "entitlement-exists"
    title = "The student already has access to the course"
