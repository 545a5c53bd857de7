"""Events of the communication context (source `lms.communication`).

Each carries what a notification needs (who should hear of it, a short plain-text preview) and
nothing more: never a whole body, a message's text or a reader's state.
"""

from __future__ import annotations

from typing import ClassVar

from lms.events.envelope import DomainEvent


class CommunicationEvent(DomainEvent):
    source: ClassVar[str] = "lms.communication"
