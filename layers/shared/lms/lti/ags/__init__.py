"""LTI Assignment and Grade Services 2.0: a tool's line items in a course, its scores, their results."""
