"""Commerce: a store's signed orders grant entitlements to paid courses, and its refunds revoke them.

The store calls one public route per institution (no Cognito token): the request's signature, an
HMAC-SHA256 under the institution's own key, is its authority (lms.courses.commerce.signature). The
order id makes it idempotent: the same order again gets the same answer, the same id with other
contents a 409 (docs/commerce.md).
"""
