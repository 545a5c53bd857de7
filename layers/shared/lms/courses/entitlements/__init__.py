"""Entitlements: the right to enroll oneself once in a paid course, granted, then consumed."""
