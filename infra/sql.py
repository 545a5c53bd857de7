"""SQL over the local stack's event archive, with DuckDB: the queries of docs/analytics-sql.md run
here unchanged, as they run on Athena.

`python -m infra.sql "SELECT ..."` (or `make sql Q="..."`) downloads the archived objects from the
emulated bucket into a temporary folder (no network beyond the local endpoint) and exposes them as
a view with the Glue table's name, columns and partition columns, read from the table the local
stack provisioned from template.yaml. The Athena (Trino) functions the documented queries use and
DuckDB names otherwise are macros: `json_extract_scalar` and `from_iso8601_timestamp`. The session
time zone is UTC, as Athena's is.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import duckdb

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

STATE_FILE = Path(__file__).resolve().parent.parent / ".local-stack.json"

# Trino's names for what DuckDB calls otherwise.
ATHENA_FUNCTIONS = (
    "CREATE MACRO json_extract_scalar(json, path) AS json_extract_string(json, path)",
    "CREATE MACRO from_iso8601_timestamp(text) AS CAST(text AS TIMESTAMPTZ)",
)

_HIVE_SCALARS = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
}


@contextmanager
def archive_connection(
    *, database: str, table: str = "events", endpoint_url: str | None = None, region: str = "us-east-1"
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection with the archive's table as a view; `endpoint_url=None`: in-process moto."""
    glue = boto3.client("glue", region_name=region, endpoint_url=endpoint_url)
    s3 = boto3.client("s3", region_name=region, endpoint_url=endpoint_url)
    definition = glue.get_table(DatabaseName=database, Name=table)["Table"]
    storage = definition["StorageDescriptor"]
    bucket, _, prefix = storage["Location"].removeprefix("s3://").partition("/")
    with tempfile.TemporaryDirectory(prefix="lms-archive-") as folder:
        files = _download(s3, bucket, prefix, Path(folder))
        connection = duckdb.connect()
        try:
            connection.execute("SET TimeZone = 'UTC'")
            for macro in ATHENA_FUNCTIONS:
                connection.execute(macro)
            columns = [(c["Name"], duck_type(c["Type"])) for c in storage["Columns"]]
            partitions = [p["Name"] for p in definition.get("PartitionKeys", [])]
            connection.execute(view_sql(table, columns, partitions, Path(folder) / prefix, files))
            yield connection
        finally:
            connection.close()


def view_sql(
    table: str, columns: Sequence[tuple[str, str]], partitions: Sequence[str], root: Path, files: int
) -> str:
    """The view over the downloaded objects: the table's columns, then its partition columns."""
    selected = ", ".join(_quoted(name) for name, _ in columns) + "".join(
        f", {_quoted(name)}" for name in partitions
    )
    if files == 0:
        # An empty archive is an empty table, not an error about a missing file.
        nothing = ", ".join(f"CAST(NULL AS {kind}) AS {_quoted(name)}" for name, kind in columns)
        nothing += "".join(f", CAST(NULL AS VARCHAR) AS {_quoted(name)}" for name in partitions)
        return f"CREATE VIEW {_quoted(table)} AS SELECT {nothing} WHERE false"
    pattern = str(root / "/".join("*" for _ in partitions) / "*")
    schema = "{" + ", ".join(f"{_literal(name)}: {_literal(kind)}" for name, kind in columns) + "}"
    hive_types = "{" + ", ".join(f"{_literal(name)}: 'VARCHAR'" for name in partitions) + "}"
    source = (
        f"read_json({_literal(pattern)}, format = 'newline_delimited', columns = {schema}, "
        f"hive_partitioning = true, hive_types = {hive_types})"
    )
    # Identifiers pass _quoted's check and every value is a quoted literal.
    return f"CREATE VIEW {_quoted(table)} AS SELECT {selected} FROM {source}"  # noqa: S608  # nosec B608 - quoted identifiers and literals only


def duck_type(hive: str) -> str:
    """DuckDB's name for a Glue (Hive) column type: struct<a:string,b:array<string>> and the scalars."""
    hive = hive.strip()
    if hive.startswith("array<") and hive.endswith(">"):
        return duck_type(hive[len("array<") : -1]) + "[]"
    if hive.startswith("struct<") and hive.endswith(">"):
        fields = []
        for field in _top_level_split(hive[len("struct<") : -1]):
            name, _, kind = field.partition(":")
            fields.append(f"{_quoted(name.strip())} {duck_type(kind)}")
        return f"STRUCT({', '.join(fields)})"
    if hive.lower() in _HIVE_SCALARS:
        return _HIVE_SCALARS[hive.lower()]
    raise ValueError(f"the Glue column type {hive!r} has no DuckDB equivalent here")


def _top_level_split(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"<": 1, ">": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _download(s3: S3Client, bucket: str, prefix: str, folder: Path) -> int:
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            target = folder / item["Key"]
            if not target.resolve().is_relative_to(folder.resolve()):
                raise ValueError(f"object key {item['Key']!r} leaves the download folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, item["Key"], str(target))
            count += 1
    return count


def _quoted(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"unexpected identifier {name!r}")
    return f'"{name}"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------- cli


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.sql", description="SQL over the running local stack's event archive."
    )
    parser.add_argument("query", help="one SQL statement over the table `events`")
    parser.add_argument("--state", type=Path, default=STATE_FILE, help="the local stack's connection details")
    arguments = parser.parse_args(argv)
    if not arguments.state.exists():
        print(f"{arguments.state} is missing: start the local stack first (make dev).", file=sys.stderr)
        return 2
    state: Mapping[str, Any] = json.loads(arguments.state.read_text(encoding="utf-8"))
    with archive_connection(
        database=state["archive_database"], endpoint_url=state["aws_endpoint_url"], region=state["region"]
    ) as connection:
        try:
            result = connection.sql(arguments.query)
        except duckdb.Error as error:
            print(error, file=sys.stderr)
            return 1
        if result is not None:
            result.show(max_rows=1000, max_width=200)
    return 0


if __name__ == "__main__":
    sys.exit(main())
