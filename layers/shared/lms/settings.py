"""Every environment variable the code reads, in one model parsed on first use (template.yaml sets them).

Nothing reads `os.environ` elsewhere. Parsing is lazy, so a handler module imports cleanly with no
environment at all; a process that changes its environment on purpose (the local stack running
several functions in one process, tests) calls `get_settings.cache_clear()` after the change.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import AliasChoices, ConfigDict, Field

from lms.lazy_model import LazyModel

# Named in code, not read from the environment at import: a handler module imports cleanly anywhere.
METRICS_NAMESPACE = "LMS"


class Settings(LazyModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    table_name: str = Field(min_length=1, validation_alias="TABLE_NAME")
    event_bus_name: str = Field(min_length=1, validation_alias="EVENT_BUS_NAME")
    # Unpublished items wait this long for the bus; at most the inbox's 14 days, so a late delivery
    # still finds the consumers' record of an earlier one.
    outbox_retention_days: int = Field(default=7, ge=1, le=14, validation_alias="OUTBOX_RETENTION_DAYS")
    stage: str = Field(default="dev", validation_alias="STAGE")
    region: str = Field(
        default="us-east-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION")
    )
    files_bucket_name: str = Field(default="", validation_alias="FILES_BUCKET")
    # Set only by the local stack: presigned URLs must then be path-style to reach the emulation.
    s3_endpoint_url: str | None = Field(
        default=None, validation_alias=AliasChoices("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
    )
    user_pool: str = Field(default="", validation_alias="USER_POOL_ID")
    # The secret that signs pagination cursors (lms.persistence.cursor_keys).
    cursor_secret: str = Field(default="", validation_alias="CURSOR_SECRET_ARN")
    # Set only by the local stack, which has no email to send temporary passwords with.
    expose_temporary_passwords: bool = Field(default=False, validation_alias="EXPOSE_TEMPORARY_PASSWORDS")
    import_retention_days: int = Field(default=30, ge=1, validation_alias="IMPORT_RETENTION_DAYS")
    # A worker's queue's maxReceiveCount: the attempt after which a message goes to the DLQ.
    max_receive_count: int = Field(default=5, ge=1, validation_alias="MAX_RECEIVE_COUNT")
    # Lowers the largest gradebook export answered inline (tests make small classes go to the bucket).
    gradebook_export_inline_max_bytes: int | None = Field(
        default=None, ge=1, validation_alias="GRADEBOOK_EXPORT_INLINE_MAX_BYTES"
    )
    # Conversations one person may start and messages they may send per hour (spam protection).
    review_average_minimum: int = Field(default=3, ge=1, le=1000, validation_alias="REVIEW_AVERAGE_MINIMUM")
    message_hourly_limit: int = Field(default=120, ge=1, le=10_000, validation_alias="MESSAGE_HOURLY_LIMIT")
    # The web frontend's origin (template parameter WebOrigin), allowed by CORS; none when unset.
    web_origin: str = Field(default="", validation_alias="WEB_ORIGIN")
    # Where the notifications context puts what the mailer sends (lms.notifications.mail_contract).
    notification_mail_queue: str = Field(default="", validation_alias="NOTIFICATION_MAIL_QUEUE_URL")
    # Where a large notification's chunks of recipients wait for their own invocations.
    notification_fanout_queue: str = Field(default="", validation_alias="NOTIFICATION_FANOUT_QUEUE_URL")
    # People per fan-out chunk (lms.notifications.fanout); tests lower it to see chunks with small classes.
    notification_chunk_size: int = Field(default=99, ge=1, le=99, validation_alias="NOTIFICATION_CHUNK_SIZE")
    # How long an inbox entry is kept before TTL deletes it (template parameter NotificationRetentionDays).
    notification_retention_days: int = Field(
        default=90, ge=1, le=3650, validation_alias="NOTIFICATION_RETENTION_DAYS"
    )
    # The LTI platform's issuer (template parameter LtiIssuer); unset: the URL the request came to.
    lti_issuer: str = Field(default="", validation_alias="LTI_ISSUER")
    # The KMS keys of the LTI platform: the one that signs, and the other one its JWKS also lists.
    lti_signing_key: str = Field(default="", validation_alias="LTI_SIGNING_KEY_ID")
    lti_standby_key: str = Field(default="", validation_alias="LTI_STANDBY_KEY_ID")
    # E-mail (lms.notifications.mail): the verified sender identity (template parameter MailSender),
    # the SES configuration set that reports bounces and complaints, the secret that signs
    # unsubscribe links, and the API's public URL those links point at.
    mail_sender: str = Field(default="", validation_alias="MAIL_SENDER")
    mail_configuration_set: str = Field(default="", validation_alias="MAIL_CONFIGURATION_SET")
    unsubscribe_secret: str = Field(default="", validation_alias="UNSUBSCRIBE_SECRET_ARN")
    public_api_url: str = Field(default="", validation_alias="PUBLIC_API_URL")
    # The stack's commerce secret, from which each institution's order-signing key is derived.
    commerce_secret: str = Field(default="", validation_alias="COMMERCE_SECRET_ARN")

    @property
    def files_bucket(self) -> str:
        if not self.files_bucket_name:
            raise RuntimeError("FILES_BUCKET is not set (template.yaml sets it from !Ref FilesBucket)")
        return self.files_bucket_name

    @property
    def cursor_secret_arn(self) -> str:
        if not self.cursor_secret:
            raise RuntimeError("CURSOR_SECRET_ARN is not set (template.yaml sets it from !Ref CursorSecret)")
        return self.cursor_secret

    @property
    def notification_mail_queue_url(self) -> str:
        if not self.notification_mail_queue:
            raise RuntimeError(
                "NOTIFICATION_MAIL_QUEUE_URL is not set (template.yaml: !Ref NotificationMailQueue)"
            )
        return self.notification_mail_queue

    @property
    def lti_signing_key_id(self) -> str:
        if not self.lti_signing_key:
            raise RuntimeError("LTI_SIGNING_KEY_ID is not set (template.yaml sets it from LtiSigningKey)")
        return self.lti_signing_key

    @property
    def notification_fanout_queue_url(self) -> str:
        if not self.notification_fanout_queue:
            raise RuntimeError(
                "NOTIFICATION_FANOUT_QUEUE_URL is not set (template.yaml: !Ref NotificationFanoutQueue)"
            )
        return self.notification_fanout_queue

    @property
    def mail_sender_address(self) -> str:
        if not self.mail_sender:
            raise RuntimeError("MAIL_SENDER is not set (template.yaml sets it from !Ref MailSender)")
        return self.mail_sender

    @property
    def mail_configuration_set_name(self) -> str:
        if not self.mail_configuration_set:
            raise RuntimeError("MAIL_CONFIGURATION_SET is not set (template.yaml: !Ref MailConfigurationSet)")
        return self.mail_configuration_set

    @property
    def unsubscribe_secret_arn(self) -> str:
        if not self.unsubscribe_secret:
            raise RuntimeError("UNSUBSCRIBE_SECRET_ARN is not set (template.yaml: !Ref UnsubscribeSecret)")
        return self.unsubscribe_secret

    @property
    def commerce_secret_arn(self) -> str:
        if not self.commerce_secret:
            raise RuntimeError("COMMERCE_SECRET_ARN is not set (template.yaml: !Ref CommerceSecret)")
        return self.commerce_secret

    @property
    def user_pool_id(self) -> str:
        if not self.user_pool:
            raise RuntimeError("USER_POOL_ID is not set (template.yaml sets it from !Ref UserPool)")
        return self.user_pool


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Parse the environment on first use, never at import time; an empty variable counts as unset."""
    return Settings.model_validate({name: value for name, value in os.environ.items() if value})
