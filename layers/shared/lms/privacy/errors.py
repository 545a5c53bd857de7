"""Refusals of privacy exports and erasures, one problem type each."""

from __future__ import annotations

from lms.errors import NotFound


class ErasureNotFound(NotFound):
    """The person has not been erased (or is not of your institution)."""

    slug = "erasure-not-found"
    title = "Erasure not found"


class ExportNotFound(NotFound):
    """No such export of this person in your institution (or not one you may read)."""

    slug = "export-not-found"
    title = "Export not found"
