"""Scenarios of the public unsubscribe link (UnsubscribeFunction).

Each call carries a token signed with the stack's unsubscribe secret, as an e-mail's link does; the
secret is read once per container (lms.notifications.mail.signing), so a measured call reads no
secret.
"""

from __future__ import annotations

from datetime import UTC, datetime

import boto3

from bench.invoke import ApiCall
from bench.scenarios.base import Scenario
from lms.notifications.mail import tokens

INSTITUTION = "bench-mail"
PATH = "/notifications/unsubscribe"


class UnsubscribeScenario(Scenario):
    def setup(self) -> None:
        spec = next(f for f in self.api.stack.functions if f.logical_id == "UnsubscribeFunction")
        secrets = boto3.client("secretsmanager", region_name=self.api.stack.region)
        secret = secrets.get_secret_value(SecretId=spec.environment["UNSUBSCRIBE_SECRET_ARN"])
        self.key_bytes = secret["SecretString"].encode()

    def token(self, index: int) -> str:
        reader = f"bench-reader-{index}"
        return tokens.sign(self.key_bytes, INSTITUTION, reader, ["announcements"], datetime.now(UTC))


class ShowUnsubscribe(UnsubscribeScenario):
    method, path = "GET", PATH

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", PATH, None, query={"token": self.token(index)})


class Unsubscribe(UnsubscribeScenario):
    method, path = "POST", PATH

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", PATH, None, query={"token": self.token(index)})


MAIL_SCENARIOS: tuple[type[Scenario], ...] = (ShowUnsubscribe, Unsubscribe)
