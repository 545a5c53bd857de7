"""Rebuild an institution's catalog index from its courses (maintenance, never a request path).

    python -m infra.catalog_rebuild INSTITUTION_ID [...] [--stage dev] [--region R] [--endpoint-url URL]

Courses that existed before the index, or an index lost or damaged (a restored table, a bug),
become searchable again: the command reads every course of the institution with a Query of GSI1
(`INST#i#COURSES`, no Scan), computes each catalog entry as a course change would, and writes the
64 shard items and a version item of a new generation (lms.courses.catalog.store.rebuild), so
every running function reads the whole index again at its next search. Running it twice writes
the same index. Against AWS it uses the default credentials and the table `lms-<stage>`; against
the local stack pass its `--endpoint-url` (printed by `make dev`).
"""

from __future__ import annotations

import argparse
import os
import sys

from lms.courses.catalog.entry import entry_of
from lms.courses.catalog.store import rebuild
from lms.courses.repository import DynamoCourseRepository
from lms.settings import get_settings


def rebuild_catalog(institution_id: str) -> int:
    """Write the institution's index from its courses; returns how many courses it holds."""
    entries = [entry_of(course) for course in DynamoCourseRepository().every_course(institution_id)]
    rebuild(institution_id, entries)
    return len(entries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("institutions", nargs="+", metavar="INSTITUTION_ID")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    parser.add_argument("--endpoint-url", default=None, help="DynamoDB endpoint (the local stack)")
    args = parser.parse_args(argv)
    os.environ["TABLE_NAME"] = f"lms-{args.stage}"
    os.environ.setdefault("EVENT_BUS_NAME", f"lms-{args.stage}")  # required by the settings, unused here
    os.environ["AWS_REGION"] = args.region
    if args.endpoint_url:
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = args.endpoint_url
    get_settings.cache_clear()
    for institution_id in args.institutions:
        count = rebuild_catalog(institution_id)
        print(f"{institution_id}: catalog index rebuilt from {count} courses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
