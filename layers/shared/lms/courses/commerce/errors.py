"""Refusals of commerce requests, one problem type each."""

from __future__ import annotations

from lms.errors import Conflict, NotFound, Unauthenticated


class CommerceSignatureInvalid(Unauthenticated):
    """The request's Lms-Signature is missing, malformed, or not made with the institution's key."""

    slug = "commerce-signature-invalid"
    title = "The commerce request's signature is missing or wrong"


class CommerceSignatureStale(Unauthenticated):
    """The signature's timestamp is too far from now (a replayed or delayed request): sign it again."""

    slug = "commerce-signature-stale"
    title = "The commerce request's signature has expired"


class OrderStudentNotFound(NotFound):
    """The order names no active student of the institution (by id or e-mail address)."""

    slug = "order-student-not-found"
    title = "The order names no student of the institution"


class OrderNotFound(NotFound):
    """A refund or cancellation names an order this institution never received as paid."""

    slug = "order-not-found"
    title = "No paid order with this id"


class OrderConflict(Conflict):
    """The order id was received before with other contents: an order id names one order, forever."""

    slug = "order-conflict"
    title = "The order id was already used for a different order"


class EntitlementConsumed(Conflict):
    """The order's entitlement was already used to enroll: it can no longer be revoked by the store."""

    slug = "entitlement-consumed"
    title = "The entitlement was already used"
