"""Reviews and ratings of courses: one review per student and course, its counters and moderation."""
