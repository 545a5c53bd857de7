"""The process's AWS clients: every one made from one botocore session, the table's connection too.

A botocore session loads the SDK's data (endpoint rules, service models) once and keeps it; a client
made from a new session, as `boto3.client` makes it, loads it again: 150-200 ms in a new container,
where a second client of the same session costs about 10 ms. Importing boto3 itself (its resources
and transfer manager, which nothing here uses) costs about 100 ms more. Clients are made on first
use, so a function pays only for the services its request calls; each caller keeps its own.

One session per thread, as pynamodb keeps its own: botocore does not make clients thread-safely
from one session (a local stack answers several requests at once).
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.session
from botocore.config import Config

from lms.settings import get_settings

_local = threading.local()


def session() -> botocore.session.Session:
    """This thread's botocore session, made on first use."""
    found: botocore.session.Session | None = getattr(_local, "session", None)
    if found is None:
        found = _local.session = botocore.session.get_session()
    return found


def client(service_name: str, *, config: Config | None = None) -> Any:
    """A new client of `service_name` in the configured region (callers keep the one they make)."""
    return session().create_client(service_name, region_name=get_settings().region, config=config)
