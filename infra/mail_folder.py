"""The e-mail the local stack sends, where a developer can open it: one .eml file per message.

moto's SES accepts every e-mail from a verified identity and keeps it in its backend, in this
process (the local stack runs moto's server in a thread). `MailFolder.collect` writes the
messages accepted since its last call into a folder, named by the time they were collected, the
recipient and SES's message id; any mail client opens them. Raw messages are written as sent
(headers included: List-Unsubscribe, the links); the few a simple `send_email` would make are
written with the subject and body moto kept. Deployed, SES delivers instead.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from infra.functions import ACCOUNT_ID

_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]+")


def sent_messages(region: str, account_id: str = ACCOUNT_ID) -> list[Any]:
    """Every message moto's SES accepted in this process, oldest first."""
    from moto.ses.models import ses_backends

    return list(ses_backends[account_id][region].sent_messages)


def eml_bytes(message: Any) -> bytes:
    """The message as an .eml file."""
    raw = getattr(message, "raw_data", None)
    if raw is not None:
        return raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    simple = EmailMessage()
    simple["From"] = message.source
    simple["To"] = ", ".join(message.destinations.get("ToAddresses", []))
    simple["Subject"] = message.subject
    simple.set_content(message.body)
    return simple.as_bytes()


def _recipient(message: Any) -> str:
    destinations = message.destinations  # a list for raw messages, by kind for simple ones
    addresses = destinations if isinstance(destinations, list) else destinations.get("ToAddresses", [])
    return str(addresses[0]) if addresses else "unknown"


class MailFolder:
    """Writes what SES accepted into `path`, each message once."""

    def __init__(self, path: Path, region: str, account_id: str = ACCOUNT_ID) -> None:
        self.path = path
        self._region = region
        self._account_id = account_id
        self._written: set[str] = set()
        self._lock = threading.Lock()

    def collect(self) -> list[Path]:
        """Write the messages accepted since the last call; the files written."""
        with self._lock:
            self.path.mkdir(parents=True, exist_ok=True)
            written = []
            for message in sent_messages(self._region, self._account_id):
                if message.id in self._written:
                    continue
                self._written.add(message.id)
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
                name = _UNSAFE.sub("_", f"{stamp}-{_recipient(message)}-{message.id}")[:180] + ".eml"
                target = self.path / name
                target.write_bytes(eml_bytes(message))
                written.append(target)
            return written
