"""Bounces and complaints: what SES reports about an address stops e-mail to it.

SES publishes the configuration set's events to EventBridge (template.yaml
MailEventDestination); a rule sends bounces and complaints to the feedback queue. A permanent
bounce (the address does not exist) or a complaint (the person marked an e-mail as spam)
suppresses the address for its person, named by the tags every e-mail carries
(lms.notifications.mail.sender); a transient bounce (a full mailbox) changes nothing, since SES
retries it itself. A report is recorded as often as it comes: the suppression is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import ConfigDict, Field

from lms import clock
from lms.lazy_model import LazyModel
from lms.notifications.mail.sender import INSTITUTION_TAG, USER_TAG

BOUNCE = "bounce"
COMPLAINT = "complaint"


class _Recipient(LazyModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    email_address: str = Field(alias="emailAddress", min_length=3, max_length=320)
    diagnostic_code: str | None = Field(default=None, alias="diagnosticCode", max_length=1000)


class _Bounce(LazyModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    bounce_type: str = Field(alias="bounceType")
    bounce_sub_type: str = Field(default="", alias="bounceSubType")
    recipients: list[_Recipient] = Field(alias="bouncedRecipients")


class _Complaint(LazyModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    recipients: list[_Recipient] = Field(alias="complainedRecipients")
    feedback_type: str = Field(default="", alias="complaintFeedbackType")


class _Mail(LazyModel):
    model_config = ConfigDict(extra="ignore")

    tags: dict[str, list[str]] = Field(default_factory=dict)


class SesEvent(LazyModel):
    """The `detail` of an SES event on EventBridge (the fields read here)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    event_type: Literal["Bounce", "Complaint"] = Field(alias="eventType")
    mail: _Mail
    bounce: _Bounce | None = None
    complaint: _Complaint | None = None


class Suppressions(Protocol):
    def suppress(
        self,
        institution_id: str,
        user_id: str,
        address: str,
        reason: str,
        feedback: dict[str, str],
        at: datetime,
    ) -> None: ...


def record_feedback(
    detail: dict[str, Any], suppressions: Suppressions, now: Callable[[], datetime] = clock.now
) -> int:
    """Suppress the addresses an SES bounce or complaint names; how many were suppressed."""
    event = SesEvent.model_validate(detail)
    institution = event.mail.tags.get(INSTITUTION_TAG) or []
    user = event.mail.tags.get(USER_TAG) or []
    if not institution or not user:
        return 0  # not an e-mail of this platform's: nobody to stop writing to
    if event.bounce is not None and event.event_type == "Bounce":
        if event.bounce.bounce_type != "Permanent":
            return 0
        reason, recipients = BOUNCE, event.bounce.recipients
        said = {"bounce_type": event.bounce.bounce_type, "bounce_sub_type": event.bounce.bounce_sub_type}
    elif event.complaint is not None and event.event_type == "Complaint":
        reason, recipients = COMPLAINT, event.complaint.recipients
        said = {"feedback_type": event.complaint.feedback_type}
    else:
        raise ValueError(f"an SES {event.event_type} event without its {event.event_type.lower()}")
    for recipient in recipients:
        feedback = dict(said, diagnostic=recipient.diagnostic_code or "")
        suppressions.suppress(institution[0], user[0], recipient.email_address, reason, feedback, now())
    return len(recipients)
