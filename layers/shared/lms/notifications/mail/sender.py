"""The SES adapter: the only code that calls SESv2, from the stack's sender identity.

Every e-mail is sent raw (the MIME this package composes, with its List-Unsubscribe headers)
through the stack's configuration set, whose event destination reports bounces and complaints;
its tags name the institution and the person, so a report finds whose address it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, cast

from lms import aws
from lms.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client

INSTITUTION_TAG = "institution_id"
USER_TAG = "user_id"
KIND_TAG = "kind"


@dataclass(frozen=True)
class Outgoing:
    recipient: str
    raw: bytes
    institution_id: str
    user_id: str
    kind: str  # the notification type's template name, or "digest"


@cache
def _client() -> SESV2Client:
    return cast("SESV2Client", aws.client("sesv2"))


class SesSender:
    """Sends through SESv2 with the settings' sender identity and configuration set."""

    @property
    def sender(self) -> str:
        return get_settings().mail_sender_address

    def send(self, outgoing: Outgoing) -> str:
        """Send one e-mail; SES's message id."""
        settings = get_settings()
        answer = _client().send_email(
            FromEmailAddress=settings.mail_sender_address,
            Destination={"ToAddresses": [outgoing.recipient]},
            Content={"Raw": {"Data": outgoing.raw}},
            ConfigurationSetName=settings.mail_configuration_set_name,
            EmailTags=[
                {"Name": INSTITUTION_TAG, "Value": outgoing.institution_id},
                {"Name": USER_TAG, "Value": outgoing.user_id},
                {"Name": KIND_TAG, "Value": outgoing.kind},
            ],
        )
        return answer["MessageId"]
