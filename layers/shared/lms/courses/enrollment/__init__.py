"""Enrollment: the course's roster, its capacity and waitlist (owned by the courses context)."""
