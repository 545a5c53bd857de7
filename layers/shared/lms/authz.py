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
    """Deny by default: the principal needs one of the operation's roles.

    An operation that platform admins may not call works inside one institution: a caller
    attached to none (a platform admin with another role) is refused it too.
    """
    if not principal.has_any(op.allowed):
        raise Forbidden(f"Your role may not {op.summary or op.name}.")
    if not principal.has_institution and Role.PLATFORM_ADMIN not in op.allowed:
        raise Forbidden(f"To {op.summary or op.name} your account must belong to an institution.")
