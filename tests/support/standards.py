"""Learning standards as an author sends them: CASE items of the Common Core, by coding scheme."""

from __future__ import annotations

import uuid
from typing import Any

REI_B_3 = "CCSS.MATH.CONTENT.HSA.REI.B.3"
CED_A_1 = "CCSS.MATH.CONTENT.HSA.CED.A.1"
FRAMEWORK = "Common Core State Standards for Mathematics"


def case_id(coding_scheme: str) -> str:
    """A stable CASE identifier for a coding scheme (CASE identifiers are UUIDs)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, coding_scheme))


def alignment(coding_scheme: str = REI_B_3, alignment_type: str = "teaches") -> dict[str, Any]:
    item_id = case_id(coding_scheme)
    return {
        "case_item_id": item_id,
        "case_item_uri": f"https://case.example.org/ims/case/v1p0/CFItems/{item_id}",
        "human_coding_scheme": coding_scheme,
        "framework": FRAMEWORK,
        "alignment_type": alignment_type,
    }
