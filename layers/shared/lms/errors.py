"""Domain errors, each one RFC 9457 problem type, mapped to HTTP in one place (lms.http)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

PROBLEM_BASE = "urn:lms:problem:"


class Problem(Exception):
    """A refusal the caller can act on; `slug` names its problem type."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug

    def headers(self) -> dict[str, str]:
        """HTTP headers the refusal comes with (none but its content type, unless a type says so)."""
        return {}

    def to_dict(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


class BadRequest(Problem):
    """The request is malformed: a header or parameter cannot be used as sent."""

    status = 400
    slug = "bad-request"
    title = "Bad request"


class InvalidCursor(Problem):
    """The `cursor` was not issued for this list (tampered, truncated or from another list)."""

    status = 400
    slug = "invalid-cursor"
    title = "The pagination cursor is not valid for this list"


class ValidationFailed(Problem):
    """The body, query or path does not match the schema; `errors` names each field."""

    status = 422
    slug = "validation-failed"
    title = "The request is not valid"


class Unauthenticated(Problem):
    """No verified identity came with the request."""

    status = 401
    slug = "unauthenticated"
    title = "Authentication is required"


class Forbidden(Problem):
    """Your role, or your relation to the resource, does not allow this operation."""

    status = 403
    slug = "forbidden"
    title = "You are not allowed to do this"


class NotFound(Problem):
    """No such resource in your institution (another institution's resources are never found)."""

    status = 404
    slug = "not-found"
    title = "Resource not found"


class Conflict(Problem):
    """The resource's current state refuses the change."""

    status = 409
    slug = "conflict"
    title = "The request conflicts with the resource's state"


class ChangedMeanwhile(Conflict):
    """Another request changed the resource between this one's read and its write; read it again and retry.

    Answered as 412 instead when the request carried If-Match (lms.http): its precondition failed
    at the commit rather than at the read.
    """

    slug = "changed-meanwhile"
    title = "The resource changed while this request was applied"


class ContendedChange(Conflict):
    """Other changes to the same items were being applied at that moment, again and again; send it again.

    Nothing of the request was applied. A transaction that DynamoDB cancels for a conflicting
    transaction is sent again a few times (lms.persistence.transactions) before this answers.
    """

    slug = "contended-change"
    title = "Other changes to the same data were being applied; retry"

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


class Gone(Problem):
    """What the request names existed once and is no longer usable (an expired link)."""

    status = 410
    slug = "gone"
    title = "No longer available"


class PreconditionFailed(Problem):
    """`If-Match` names an older version; read the resource again (`current_version`)."""

    status = 412
    slug = "version-mismatch"
    title = "The resource has changed since you read it"


class UnsupportedMediaType(Problem):
    """The body's `Content-Type` is not one the operation reads (JSON; a roster import also CSV)."""

    status = 415
    slug = "unsupported-media-type"
    title = "The request body's media type is not supported"


class TooManyRequests(Problem):
    """The caller has used up a rate limit; `retry_after_seconds` says when it opens again."""

    status = 429
    slug = "too-many-requests"
    title = "Too many requests; try again later"

    def __init__(self, detail: str, retry_after_seconds: int, **extensions: Any) -> None:
        super().__init__(detail, retry_after_seconds=retry_after_seconds, **extensions)
        self.retry_after_seconds = retry_after_seconds

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


def check_version(
    what: str, current: int, expected: int, *, may_change: Callable[[], object] | None = None
) -> None:
    """If-Match semantics: refuse a change made against an older version (412, `current_version`).

    `may_change` confirms that the caller may change the resource at all, raising its refusal, where
    the operation otherwise decides that at the commit: the current version is disclosed only to
    those who may act on it.
    """
    if current != expected:
        if may_change is not None:
            may_change()
        raise PreconditionFailed(
            f"The {what} is at version {current}, not {expected}.", current_version=current
        )


class PreconditionRequired(Problem):
    """This change needs `If-Match` with the version you read."""

    status = 428
    slug = "if-match-required"
    title = "An If-Match header with the resource's version is required"


class MalformedBody(Problem):
    """The body is not JSON an operation can take: nested too deep, a number out of range, not UTF-8."""

    status = 400
    slug = "malformed-body"
    title = "The request body cannot be read"


class PayloadTooLarge(Problem):
    """The body is larger than any operation reads (`max_bytes`)."""

    status = 413
    slug = "payload-too-large"
    title = "The request body is too large"
