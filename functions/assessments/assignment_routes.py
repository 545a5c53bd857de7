"""Routes of the assessments API for the assignment part: request parsing and wiring only."""

from __future__ import annotations
