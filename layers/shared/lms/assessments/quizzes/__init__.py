"""Quizzes: authoring, auto-graded attempts, statistics and regrading."""
