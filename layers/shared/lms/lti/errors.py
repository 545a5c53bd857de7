"""Refusals of the LTI context, one problem type each."""

from __future__ import annotations

from lms.errors import ChangedMeanwhile, NotFound, Problem


class LtiToolNotFound(NotFound):
    """No LTI tool of your institution has this id."""

    slug = "lti-tool-not-found"
    title = "LTI tool not found"


class LtiToolChangedMeanwhile(ChangedMeanwhile):
    """The tool's registration changed since you read it; read it again."""

    slug = "lti-tool-changed-meanwhile"
    title = "The LTI tool changed meanwhile"


class LtiMessageTooLarge(Problem):
    """The LTI message would exceed what the platform key signs (4 KB): shorten its custom parameters."""

    status = 422
    slug = "lti-message-too-large"
    title = "The LTI message is too large to sign"
