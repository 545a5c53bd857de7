"""Refusals of the LTI context, one problem type each."""

from __future__ import annotations

from lms.errors import ChangedMeanwhile, Forbidden, NotFound, PreconditionFailed, Problem


class LtiToolNotFound(NotFound):
    """No LTI tool of your institution has this id."""

    slug = "lti-tool-not-found"
    title = "LTI tool not found"


class LtiToolChangedMeanwhile(ChangedMeanwhile):
    """The tool's registration changed since you read it; read it again."""

    slug = "lti-tool-changed-meanwhile"
    title = "The LTI tool changed meanwhile"


class LtiRefusal(Exception):
    """Marks the refusals of a launch or a tool's request, which the LTI function logs."""


class LtiCourseNotFound(LtiRefusal, NotFound):
    """No course of your institution has this id."""

    slug = "lti-course-not-found"
    title = "Course not found"


class LtiLessonNotFound(LtiRefusal, NotFound):
    """The course has no `lti` lesson with this id."""

    slug = "lti-lesson-not-found"
    title = "LTI lesson not found"


class LtiSectionNotFound(LtiRefusal, NotFound):
    """The course has no section with this id."""

    slug = "lti-section-not-found"
    title = "Section not found"


class LtiLaunchForbidden(LtiRefusal, Forbidden):
    """Only the course's staff, the institution's admins and its enrolled students launch its tools."""

    slug = "lti-launch-forbidden"
    title = "You may not launch this course's tools"


class LtiToolDisabled(LtiRefusal, Forbidden):
    """The tool is disabled: it has no launches and no services until an admin enables it."""

    slug = "lti-tool-disabled"
    title = "The LTI tool is disabled"


class LtiInvalidRequest(LtiRefusal, Problem):
    """The tool's authentication request is not a valid LTI 1.3 one (a parameter is missing or wrong)."""

    status = 400
    slug = "lti-invalid-request"
    title = "The LTI request is not valid"


class LtiInvalidHint(LtiRefusal, Problem):
    """The launch hint is not one the platform signed, has expired, or names another person or tool."""

    status = 400
    slug = "lti-invalid-hint"
    title = "The LTI launch hint is not valid"


class LtiRedirectUriNotRegistered(LtiRefusal, Problem):
    """The redirect_uri is not one the tool registered."""

    status = 400
    slug = "lti-redirect-uri-not-registered"
    title = "The redirect URI is not registered for this tool"


class LtiReplayed(LtiRefusal, Problem):
    """The nonce, or the launch hint, was already used: a launch is answered once."""

    status = 400
    slug = "lti-replayed"
    title = "The LTI request was replayed"


class LtiInvalidClient(LtiRefusal, Problem):
    """The client assertion authenticates no enabled tool (signature, issuer, audience, expiry, reuse)."""

    status = 401
    slug = "lti-invalid-client"
    title = "The LTI tool could not be authenticated"


class LtiInvalidScope(LtiRefusal, Problem):
    """The scope asked is not one the platform offers, or the access token does not grant it."""

    status = 403
    slug = "lti-invalid-scope"
    title = "The scope is not granted"


class LtiInvalidToken(LtiRefusal, Problem):
    """The access token is missing, not one the platform issued, or expired."""

    status = 401
    slug = "lti-invalid-token"
    title = "The LTI access token is not valid"


class LtiLineItemNotFound(LtiRefusal, NotFound):
    """The course has no line item of this tool with this id."""

    slug = "lti-line-item-not-found"
    title = "LTI line item not found"


class LtiLineItemChangedMeanwhile(LtiRefusal, ChangedMeanwhile):
    """The line item changed since it was read (412 when If-Match named the version read)."""

    slug = "lti-line-item-changed-meanwhile"
    title = "The line item changed meanwhile"


class LtiLineItemVersionMismatch(LtiRefusal, PreconditionFailed):
    """If-Match names another version of the line item than the current one (`current_version`)."""

    slug = "lti-line-item-version-mismatch"
    title = "The line item has changed since you read it"


class LtiInvalidLineItem(LtiRefusal, Problem):
    """The line item is not a valid LTI AGS line item (`errors` names each field)."""

    status = 400
    slug = "lti-invalid-line-item"
    title = "The line item is not valid"


class LtiInvalidScore(LtiRefusal, Problem):
    """The score is not a valid LTI AGS score (`errors` names each field)."""

    status = 400
    slug = "lti-invalid-score"
    title = "The score is not valid"


class LtiScoreUserNotMember(LtiRefusal, Problem):
    """The score's userId is not a student enrolled in the course."""

    status = 422
    slug = "lti-score-user-not-member"
    title = "The score's user is not a student of the course"


class LtiInvalidDeepLink(LtiRefusal, Problem):
    """The deep linking response is not one the tool signed for a deep link the platform started
    (signature, issuer, audience, expiry, deployment, message type, or its `data`)."""

    status = 400
    slug = "lti-invalid-deep-link"
    title = "The LTI deep linking response is not valid"


class LtiUnacceptedContentItem(LtiRefusal, Problem):
    """A content item is not one the platform accepts: only resource links (`ltiResourceLink`) with a
    title, an https URL and custom parameters of the allowed shape."""

    status = 422
    slug = "lti-unaccepted-content-item"
    title = "The LTI content item is not accepted"
