"""Discussions of a course: topics, threaded posts, subscriptions, likes and moderation."""
