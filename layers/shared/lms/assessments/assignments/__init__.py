"""Assignments: instructions, late policy, rubrics, file uploads, submissions and grading."""
