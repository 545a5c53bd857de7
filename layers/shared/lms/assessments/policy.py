"""Who may attempt each assessments operation (resource checks follow in the services)."""

from __future__ import annotations

# ---------------------------------------------------------------- quizzes

# ---------------------------------------------------------------- assignments

# ---------------------------------------------------------------- gradebook
