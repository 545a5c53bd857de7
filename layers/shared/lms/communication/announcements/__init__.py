"""Announcements of a course, or of the whole institution, and who has read how far."""
