"""Routes of the assessments API for the quiz part: request parsing and wiring only."""

from __future__ import annotations
