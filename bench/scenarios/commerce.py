"""Scenarios of a store's signed orders (CoursesFunction, public): paid by id, paid by e-mail, refunded.

Each call names a new student, invited through the API beforehand (unmeasured: the store names
people the institution knows), and is signed with the institution's key, derived from the stack's
commerce secret as an operator derives it; the secret is read once per container.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3

from bench.invoke import ApiCall
from bench.scenarios.base import TRAIL
from bench.scenarios.courses import INSTITUTION, INSTRUCTOR, CoursesScenario, course_body
from bench.scenarios.enrollment import ADMIN
from bench.scenarios.users import invitation_body
from lms.courses.commerce.repository import ORDER_ENTITY
from lms.courses.commerce.signature import HEADER, institution_key, sign
from lms.courses.entitlements.repository import ENTITLEMENT_ENTITY

ORDERS = "/commerce/institutions/{institution_id}/orders"


class ReceiveCommerceOrder(CoursesScenario):
    """A paid order naming the student by id."""

    method, path, status = "POST", ORDERS, 201
    disposable = TRAIL | {ORDER_ENTITY, ENTITLEMENT_ENTITY}

    def setup(self) -> None:
        spec = next(f for f in self.api.stack.functions if f.logical_id == "CoursesFunction")
        secrets = boto3.client("secretsmanager", region_name=self.api.stack.region)
        secret = secrets.get_secret_value(SecretId=spec.environment["COMMERCE_SECRET_ARN"])["SecretString"]
        self.signing_key = institution_key(secret.encode(), INSTITUTION)
        body = course_body(0, price={"amount": "49.00", "currency": "EUR"})
        self.course_id = str(self.send(ApiCall("POST", "/courses", INSTRUCTOR, body=body), 201).json()["id"])

    def order(self, status: str = "paid") -> dict[str, Any]:
        """A new order of a student invited just now (unmeasured)."""
        invited = self.send(ApiCall("POST", "/users", ADMIN, body=invitation_body("student")), 201).json()
        return {
            "order_id": f"order-{uuid.uuid4().hex}",
            "status": status,
            "course_id": self.course_id,
            "user_id": invited["id"],
        }

    def signed(self, message: dict[str, Any]) -> ApiCall:
        body = json.dumps(message)
        headers = {
            "Content-Type": "application/json",
            HEADER: sign(self.signing_key, int(time.time()), body.encode()),
        }
        return ApiCall("POST", ORDERS, None, {"institution_id": INSTITUTION}, raw_body=body, headers=headers)

    def next_call(self, index: int) -> ApiCall:
        return self.signed(self.order())


class ReceiveCommerceOrderByEmail(ReceiveCommerceOrder):
    variant = "by e-mail"

    def order(self, status: str = "paid") -> dict[str, Any]:
        body = invitation_body("student")
        self.send(ApiCall("POST", "/users", ADMIN, body=body), 201)
        return {
            "order_id": f"order-{uuid.uuid4().hex}",
            "status": status,
            "course_id": self.course_id,
            "email": body["email"],
        }


class ReceiveCommerceRefund(ReceiveCommerceOrder):
    variant = "refund"
    status = 200

    def next_call(self, index: int) -> ApiCall:
        paid = self.order()
        self.send(self.signed(paid), 201)
        return self.signed({**paid, "status": "refunded"})


COMMERCE_SCENARIOS = (ReceiveCommerceOrder, ReceiveCommerceOrderByEmail, ReceiveCommerceRefund)
