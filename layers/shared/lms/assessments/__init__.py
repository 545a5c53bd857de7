"""Assessments context: quizzes and attempts, assignments and submissions, the gradebook."""
