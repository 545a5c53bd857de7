"""Refusals of a roster upload as a whole (a bad row never refuses the roster: it fails alone)."""

from __future__ import annotations

from lms.errors import BadRequest


class MalformedRoster(BadRequest):
    """The CSV roster cannot be read: it is empty, has no header row with the required columns, or
    is not valid CSV. Nothing was stored; fix the file and send it again."""

    slug = "malformed-roster"
    title = "The roster file cannot be read"
