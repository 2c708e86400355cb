"""Who may do what: one table of actions per role, and the actor every service call receives."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied

from lianzhang.accounts.models import Role

P = ParamSpec("P")
R = TypeVar("R")

C, DEP, DIS, ENT, EXP, ADM = (
    Role.CHAIN_OFFICE,
    Role.DEPARTMENT,
    Role.DISTRICT,
    Role.ENTERPRISE,
    Role.EXPERT,
    Role.ADMIN,
)

# Role-level rules. Object-level scoping (a district officer's area, an enterprise's own records)
# is applied by the scope functions below, inside the services.
RULES: dict[str, frozenset[str]] = {
    "dashboard.view": frozenset({C, DEP, DIS, ADM}),
    "enterprise.list": frozenset({C, DEP, DIS, ADM}),
    "enterprise.view": frozenset({C, DEP, DIS, ENT, ADM}),
    "enterprise.create": frozenset({C, DIS, ADM}),
    "enterprise.edit": frozenset({C, DIS, ENT, ADM}),
    "enterprise.delete": frozenset({C, ADM}),
    "enterprise.import": frozenset({C, DIS, ADM}),
    "enterprise.export": frozenset({C, DEP, DIS, ADM}),
    "node.confirm": frozenset({C, ADM}),
    "project.list": frozenset({C, DEP, DIS, ENT, ADM}),
    "project.view": frozenset({C, DEP, DIS, ENT, ADM}),
    "project.create": frozenset({C, DIS, ENT, ADM}),
    "project.transition": frozenset({C, DIS, ADM}),
    "park.list": frozenset({C, DEP, DIS, ADM}),
    "region.list": frozenset({C, DEP, DIS, ENT, EXP, ADM}),
    "taxonomy.view": frozenset({C, DEP, DIS, ENT, EXP, ADM}),
    "audit.view": frozenset({C, ADM}),
    "user.manage": frozenset({ADM}),
    "profile.view": frozenset({C, DEP, DIS, ENT, EXP, ADM}),
    # Plans, targets and tasks: departments report on their own tasks, districts read.
    "plan.view": frozenset({C, DEP, DIS, ADM}),
    "plan.import": frozenset({C, ADM}),
    "plan.edit": frozenset({C, ADM}),
    "plan.export": frozenset({C, DEP, DIS, ADM}),
    "target.update": frozenset({C, ADM}),
    "task.list": frozenset({C, DEP, DIS, ADM}),
    "progress.report": frozenset({C, DEP, ADM}),
    # Scenario recruitment (场景招募) and matchmaking. Published calls are public without these rules
    # (services.public_scenarios). Enterprises file demands and bid only as themselves, districts work
    # their own area, the chain office reviews, publishes, selects and checks supplier profiles.
    "scenario.list": frozenset({C, DEP, DIS, ENT, ADM}),
    "scenario.create": frozenset({C, DEP, DIS, ENT, ADM}),
    "scenario.submit": frozenset({C, DEP, DIS, ENT, ADM}),
    "scenario.review": frozenset({C, ADM}),
    "scenario.publish": frozenset({C, ADM}),
    "scenario.apply": frozenset({ENT}),
    "scenario.select": frozenset({C, ADM}),
    "scenario.implement": frozenset({C, DIS, ADM}),
    "scenario.match": frozenset({C, DEP, DIS, ADM}),
    "supplier.list": frozenset({C, DEP, DIS, ADM}),
    "supplier.edit": frozenset({C, ENT, ADM}),
    "supplier.check": frozenset({C, ADM}),
    "notification.view": frozenset({ENT}),
    # 技术对接 records and their subsidies (专栏5); 供应链对接 needs filed by enterprises.
    "cooperation.view": frozenset({C, DEP, DIS, ADM}),
    "cooperation.record": frozenset({C, DIS, ADM}),
    "supply.view": frozenset({C, DEP, DIS, ENT, ADM}),
    "supply.create": frozenset({C, ENT, ADM}),
    # Evaluation (综合评价): the chain office edits frameworks, imports values and runs evaluations;
    # departments and districts read every result (rankings compare districts); enterprises see none.
    "evaluation.view": frozenset({C, DEP, DIS, ADM}),
    "evaluation.edit": frozenset({C, ADM}),
    "evaluation.run": frozenset({C, ADM}),
    "evaluation.export": frozenset({C, DEP, DIS, ADM}),
    # Chain map, weak links and investment attraction (招商): the chain office imports references, runs
    # the analysis and hands candidates to district teams; a district works only its own candidates but
    # sees who chases every other one, so two districts never chase one company unknowingly.
    "chain.map.view": frozenset({C, DEP, DIS, ADM}),
    "chain.analysis.run": frozenset({C, ADM}),
    "chain.reference.import": frozenset({C, ADM}),
    "chain.targets.export": frozenset({C, DEP, DIS, ADM}),
    "pipeline.view": frozenset({C, DEP, DIS, ADM}),
    "pipeline.claim": frozenset({C, DIS, ADM}),
    "pipeline.advance": frozenset({C, DIS, ADM}),
    "pipeline.reassign": frozenset({C, ADM}),
    "referral.record": frozenset({C, DIS, ADM}),
    # The chain office keeps the pool and runs rounds; departments read rounds; an expert edits only
    # their own profile and scores only their own assignments; enterprises object during 公示. The
    # public 公示 list needs no rule (services.public_notices).
    "expert.pool.view": frozenset({C, ADM}),
    "expert.pool.edit": frozenset({C, ADM}),
    "expert.self.edit": frozenset({EXP}),
    "review.view": frozenset({C, DEP, ADM}),
    "review.manage": frozenset({C, ADM}),
    "review.score": frozenset({EXP}),
    "review.object": frozenset({ENT}),
    # The chain office runs programmes and allocations; departments read, try what-ifs and export;
    # districts read the rows of their own area; an enterprise sees its own results (subsidy.mine).
    # Confirmed 公示 lists are public without these rules (services.public_notices).
    "subsidy.view": frozenset({C, DEP, DIS, ADM}),
    "subsidy.manage": frozenset({C, ADM}),
    "subsidy.preview": frozenset({C, DEP, ADM}),
    "subsidy.export": frozenset({C, DEP, ADM}),
    "subsidy.mine": frozenset({ENT}),
    # Published datasets are public without a rule (services.public_datasets). Department officers work
    # only their own department's datasets and requests; approving and publishing need a second officer.
    "data.manage": frozenset({C, DEP, ADM}),
    "data.approve": frozenset({C, DEP, ADM}),
    "data.request": frozenset({ENT}),
    "data.request.view": frozenset({C, DEP, ENT, ADM}),
    "data.answer": frozenset({C, DEP, ADM}),
}

# Roles that see every enterprise; others are scoped to their area or to their own enterprise.
CITYWIDE_ROLES = frozenset({C, DEP, ADM})


@dataclass(frozen=True)
class Actor:
    """The person behind a service call, reduced to what permission checks need."""

    user_id: int | None
    username: str
    role: str | None
    region_code: str | None = None
    department_id: int | None = None
    enterprise_id: int | None = None
    chains: tuple[str, ...] = ()

    @property
    def is_anonymous(self) -> bool:
        """True for the public (not logged in)."""
        return self.role is None

    @property
    def role_label(self) -> str:
        """The role's Chinese name, or 公众 for the public."""
        return Role(self.role).label if self.role else "公众"


ANONYMOUS = Actor(user_id=None, username="", role=None)
# Command-line maintenance (demo loading, createuser) acts as the platform itself, with admin rights.
SYSTEM = Actor(user_id=None, username="系统", role=Role.ADMIN)


def actor_for(user: Any) -> Actor:
    """Build the actor for a Django user (anonymous users become the public)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    profile = getattr(user, "profile", None)
    if profile is None:
        # Superusers made with Django's own command have no profile: treat them as administrators.
        role = Role.ADMIN if user.is_superuser else None
        return Actor(user_id=user.pk, username=user.get_username(), role=role)
    return Actor(
        user_id=user.pk,
        username=user.get_username(),
        role=profile.role,
        region_code=profile.region_id,
        department_id=profile.department_id,
        enterprise_id=profile.enterprise_id,
        chains=tuple(c.strip() for c in profile.chains.split(",") if c.strip()),
    )


def allowed(actor: Actor, action: str) -> bool:
    """Whether the actor's role may perform the action at all."""
    if action not in RULES:
        raise KeyError(f"未登记的操作 {action!r}")
    return actor.role in RULES[action]


def require(actor: Actor, action: str) -> None:
    """Raise PermissionDenied unless the actor's role may perform the action."""
    if not allowed(actor, action):
        who = "请先登录" if actor.is_anonymous else f"角色“{actor.role_label}”无权执行此操作"
        raise PermissionDenied(f"{who}（{action}）")


def guarded(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a service function with its action and check the role before it runs (actor is arg 1)."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            actor = args[0] if args else kwargs["actor"]
            if not isinstance(actor, Actor):
                raise TypeError(f"{fn.__name__} 的第一个参数必须是 Actor")
            require(actor, action)
            return fn(*args, **kwargs)

        wrapper.permission = action  # type: ignore[attr-defined]
        return wrapper

    if action not in RULES:
        raise KeyError(f"未登记的操作 {action!r}")
    return decorate


def in_area(actor: Actor, division_code: str) -> bool:
    """Whether a division lies inside the actor's area (city-wide roles cover everything)."""
    if actor.role in CITYWIDE_ROLES:
        return True
    if actor.role == Role.DISTRICT and actor.region_code:
        return division_code.startswith(actor.region_code)
    return False
