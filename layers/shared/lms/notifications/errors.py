"""Refusals of the notifications context, one problem type each."""

from __future__ import annotations

from lms.errors import NotFound, ValidationFailed


class CategoryLocked(ValidationFailed):
    """Account and security notifications cannot be switched off or delayed."""

    slug = "notification-category-locked"
    title = "This notification category cannot be changed"


class FrequencyNotOffered(ValidationFailed):
    """The channel does not offer that frequency (the in-app inbox is immediate or off)."""

    slug = "notification-frequency-not-offered"
    title = "The channel does not offer this frequency"


class NotificationNotFound(NotFound):
    """The inbox has no such notification (or it expired, or it was deleted)."""

    slug = "notification-not-found"
    title = "Notification not found"


class InstitutionNotFound(NotFound):
    """No such institution, or not yours."""

    slug = "notification-institution-not-found"
    title = "Institution not found"
