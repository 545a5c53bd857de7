"""URLs of external tools, which several contexts store (LTI registrations, lessons that open a tool)."""

from __future__ import annotations

from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def is_tool_url(url: str) -> bool:
    """Tools are reached over HTTPS; plain HTTP only on this machine (a tool in development)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if not parts.hostname or parts.username or parts.password:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)
