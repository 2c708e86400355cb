"""Which department an actor may act for in the open data catalogue."""

from __future__ import annotations

from lianzhang.accounts.models import Role
from lianzhang.accounts.permissions import Actor


def acts_for(actor: Actor, department_id: int) -> bool:
    """Whether the actor may act for a department: its own officers, the chain office and admins."""
    if actor.role in {Role.CHAIN_OFFICE, Role.ADMIN}:
        return True
    return actor.role == Role.DEPARTMENT and actor.department_id == department_id
