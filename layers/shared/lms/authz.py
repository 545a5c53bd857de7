"""One authorization mechanism: every operation declares the roles that may call it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lms.auth import Principal, Role
from lms.errors import Forbidden


@dataclass(frozen=True)
class Operation:
    """An API operation and the roles allowed to attempt it (resource checks come after)."""

    name: str
    allowed: frozenset[Role]
    summary: str = ""


OPERATIONS: dict[str, Operation] = {}


def operation(name: str, allowed: Iterable[Role], summary: str = "") -> Operation:
    """Declare an operation; declaring the same name twice is a programming error."""
    if name in OPERATIONS:
        raise ValueError(f"operation {name} declared twice")
    op = Operation(name=name, allowed=frozenset(allowed), summary=summary)
    OPERATIONS[name] = op
    return op


def authorize(principal: Principal, op: Operation) -> None:
    """Deny by default: the principal needs one of the operation's roles."""
    if not principal.has_any(op.allowed):
        raise Forbidden(f"Your role may not {op.summary or op.name}.")
