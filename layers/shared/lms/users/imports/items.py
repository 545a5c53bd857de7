"""A roster import's items: the job, its rows in chunks of 25, and one outcome item per processed row.

All in one partition (keys.import_job_pk), so reading a whole job is one Query. Every item of a
job expires together (`expires_at`, the table's TTL attribute): the rows hold people's emails and
names, which the institution keeps only as long as it sets (ImportRetentionDays).
"""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from lms.persistence.table import GSI1, Item

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
    finished_at = UnicodeAttribute(null=True)  # every row has its outcome (RosterImportFinished)
    expires_at = NumberAttribute(null=True)  # epoch seconds


class RosterRowMap(MapAttribute[str, object]):
    row = NumberAttribute()
    email = UnicodeAttribute()
    given_name = UnicodeAttribute()
    family_name = UnicodeAttribute()
    role = UnicodeAttribute()
    rejection = UnicodeAttribute(null=True)


class ImportChunkItem(Item):
    rows = ListAttribute(of=RosterRowMap)
    expires_at = NumberAttribute(null=True)


class ImportRowItem(Item):
    """The outcome of one row: `pending` while the worker invites it, then created/skipped/failed.

    A row that names a person of the institution (`user_id`: created, or skipped as already there)
    is indexed under them (GSI1, keys.person_import_rows_pk), so their export and erasure find it.
    """

    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    of_person = GSI1()

    job_id = UnicodeAttribute(null=True)
    row = NumberAttribute()
    status = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    temporary_password = UnicodeAttribute(null=True)  # only in the local stack, which sends no email
    recorded_at = UnicodeAttribute()
    expires_at = NumberAttribute(null=True)
