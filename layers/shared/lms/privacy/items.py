"""Export jobs and erasure records, in the person's own partition (keys.user_pk) beside the profile."""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, UnicodeAttribute

from lms.persistence.table import Item

EXPORT_ENTITY = "user-export"
ERASURE_ENTITY = "user-erasure"


class ExportJobItem(Item):
    export_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    requested_by = UnicodeAttribute()
    status = UnicodeAttribute()
    requested_at = UnicodeAttribute()
    completed_at = UnicodeAttribute(null=True)
    object_key = UnicodeAttribute(null=True)
    failure = UnicodeAttribute(null=True)


class ErasureItem(Item):
    erasure_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    requested_by = UnicodeAttribute()
    requested_at = UnicodeAttribute()
    request_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    done = ListAttribute(of=UnicodeAttribute, default=list)
    completed_at = UnicodeAttribute(null=True)
