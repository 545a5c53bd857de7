"""The analytics context: read models of engagement and completion, and at-risk learners."""
