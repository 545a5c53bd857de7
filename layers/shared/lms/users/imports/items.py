"""A roster import's items: the job, its rows in chunks of 25, and one outcome item per processed row.

All in one partition (keys.import_job_pk), so reading a whole job is one Query.
"""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from lms.persistence.table import Item

IMPORT_JOB_ENTITY = "import-job"
IMPORT_CHUNK_ENTITY = "import-chunk"
IMPORT_ROW_ENTITY = "import-row"


class ImportJobItem(Item):
    job_id = UnicodeAttribute()
    created_by = UnicodeAttribute()
    total = NumberAttribute()
    chunks = NumberAttribute()
    created_at = UnicodeAttribute()
    failure = UnicodeAttribute(null=True)


class RosterRowMap(MapAttribute[str, object]):
    row = NumberAttribute()
    email = UnicodeAttribute()
    given_name = UnicodeAttribute()
    family_name = UnicodeAttribute()
    role = UnicodeAttribute()
    rejection = UnicodeAttribute(null=True)


class ImportChunkItem(Item):
    rows = ListAttribute(of=RosterRowMap)


class ImportRowItem(Item):
    """The outcome of one row: `pending` while the worker invites it, then created/skipped/failed."""

    row = NumberAttribute()
    status = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    temporary_password = UnicodeAttribute(null=True)  # only in the local stack, which sends no email
    recorded_at = UnicodeAttribute()
