"""The communication context: announcements, discussions and direct messages."""
