"""Who may attempt each communication operation (resource checks follow in the services).

One module for the context: announcements, discussions and direct messages each declare their
operations in their own section below.
"""

from __future__ import annotations
