"""Refusals of the e-mail channel, one problem type each."""

from __future__ import annotations

from lms.errors import Gone, Problem


class UnsubscribeLinkInvalid(Problem):
    """The unsubscribe link is incomplete, altered, or was not issued by this platform."""

    status = 400
    slug = "unsubscribe-link-invalid"
    title = "The unsubscribe link is not valid"


class UnsubscribeLinkExpired(Gone):
    """The unsubscribe link is older than its lifetime; preferences can still be changed in the app."""

    status = 410
    slug = "unsubscribe-link-expired"
    title = "The unsubscribe link has expired"
