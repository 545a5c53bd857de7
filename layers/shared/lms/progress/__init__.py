"""The progress context: lesson completion, course completion and achievements."""
