"""From database rows to the pure engine's records, and the stored conflicts (回避) of a round.

Registry link rules, from the related persons registered per enterprise (legal representative,
shareholders, key staff):
- by name: an application carries its enterprise's related persons, and the engine flags every expert
  whose name equals one of them ("关联人员", with the person's role). Names are compared exactly after
  Unicode normalisation with spaces removed.
- by name and organisation: an expert's `related_enterprises` are the enterprises where a related person
  has the expert's name and an organisation that is the expert's own (same_org); the engine then also
  gives the stronger "关联企业" reason.
Limits: a name alone cannot tell two people of the same name apart (the reason asks for a check by
hand); a person registered under another spelling (Traditional characters, a former name) or without
an organisation is missed by the second rule; nothing here uses identity numbers, which the registry
does not hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from lianzhang.enterprises.models import RelatedPerson
from lianzhang.reviews import engine
from lianzhang.reviews.models import Assignment, Conflict, Expert, ReviewApplication, ReviewRound

R = ReviewRound.Status
# Rounds whose conflicts follow late changes to the pool, the applications or the registry.
OPEN_STATUSES = (R.CHECKING, R.ASSIGNING, R.SCORING)
NAME_CHUNK = 5000


def today() -> date:
    """The local date (one place, so tests can move the clock)."""
    return timezone.localdate()


def expert_key(pk: int) -> str:
    """The engine id of an expert."""
    return f"X{pk}"


def application_key(pk: int) -> str:
    """The engine id of an application."""
    return f"A{pk}"


def pk_of(key: str) -> int:
    """The database id behind an engine id."""
    return int(key[1:])


def eligible_experts(on: date | None = None) -> QuerySet[Expert]:
    """Experts who may be drawn: in the pool (active) and within their term on the given day."""
    on = on or today()
    return Expert.objects.filter(status=Expert.Status.ACTIVE).filter(
        Q(term_start__isnull=True) | Q(term_start__lte=on), Q(term_end__isnull=True) | Q(term_end__gte=on)
    )


def registry_links(experts: Iterable[Expert]) -> dict[int, tuple[str, ...]]:
    """Credit codes of the enterprises where each expert is registered by name and organisation."""
    by_name: dict[str, list[Expert]] = {}
    for expert in experts:
        by_name.setdefault(expert.name, []).append(expert)
    links: dict[int, list[str]] = {}
    names = list(by_name)
    # In chunks: a pool of tens of thousands of names would pass SQLite's limit on query parameters.
    for start in range(0, len(names), NAME_CHUNK):
        persons = RelatedPerson.objects.filter(name__in=names[start : start + NAME_CHUNK]).exclude(
            organisation=""
        )
        for name, org, code in persons.values_list("name", "organisation", "enterprise__credit_code"):
            for expert in by_name[name]:
                if engine.same_org(org, expert.organisation):
                    links.setdefault(expert.pk, []).append(code)
    return {pk: tuple(dict.fromkeys(codes)) for pk, codes in links.items()}


def to_engine_experts(experts: Sequence[Expert], *, eligible: set[int] | None = None) -> list[engine.Expert]:
    """Engine records of experts with their registry links (outside `eligible` they take no new work)."""
    links = registry_links(experts)
    return [
        to_engine_expert(
            e,
            available=None if eligible is None else (e.available and e.pk in eligible),
            related=links.get(e.pk, ()),
        )
        for e in experts
    ]


def to_engine_expert(
    expert: Expert, *, available: bool | None = None, related: tuple[str, ...] = ()
) -> engine.Expert:
    """The engine record of one expert."""
    return engine.Expert(
        id=expert_key(expert.pk),
        name=expert.name,
        org=expert.organisation,
        fields=tuple(dict.fromkeys(expert.fields)),
        text=" ".join(t for t in (expert.title, expert.profile) if t),
        district=expert.district[:6],
        related_enterprises=related,
        declared_conflicts=tuple(expert.declared_conflicts),
        max_load=expert.max_load,
        available=expert.available if available is None else available,
    )


def to_engine_applications(apps: Sequence[ReviewApplication]) -> list[engine.Application]:
    """Engine records of applications, with the related persons registered for their enterprises."""
    persons: dict[int, list[engine.RelatedPerson]] = {}
    for person in RelatedPerson.objects.filter(enterprise_id__in={a.enterprise_id for a in apps}):
        persons.setdefault(person.enterprise_id, []).append(
            engine.RelatedPerson(person.name, person.get_role_display())
        )
    return [
        engine.Application(
            id=application_key(a.pk),
            title=a.title,
            text=a.text,
            applicant_org=a.enterprise.name,
            applicant_id=a.enterprise.credit_code,
            fields=tuple(a.fields),
            district=a.enterprise.division_id[:6],
            related_persons=tuple(persons.get(a.enterprise_id, ())),
        )
        for a in apps
    ]


def rules_of(round_: ReviewRound) -> engine.ConflictRules:
    """The round's own recusal rules on top of the ones that always apply."""
    return engine.ConflictRules(same_district=round_.same_district)


def reviewable(round_: ReviewRound, only: Iterable[int] | None = None) -> list[ReviewApplication]:
    """Applications that go to experts: all but those that failed the formal check (or of `only`)."""
    qs = round_.applications.exclude(check_status=ReviewApplication.Check.FAILED)
    if only is not None:
        qs = qs.filter(pk__in=list(only))
    return list(qs.select_related("enterprise").order_by("pk"))


def pool_for(round_: ReviewRound) -> list[Expert]:
    """Eligible experts plus everyone already assigned in the round (so their conflicts stay visible)."""
    assigned = Assignment.objects.filter(application__round=round_).values("expert_id")
    return list(Expert.objects.filter(Q(pk__in=eligible_experts().values("pk")) | Q(pk__in=assigned)))


def store_conflicts(round_: ReviewRound, applications: Iterable[int] | None = None) -> list[Conflict]:
    """Recompute and store the conflicts of the round (or only of these applications), with reasons.

    A change that concerns some applications only (one added, one checked, a related person of one
    enterprise) recomputes those: the other applications' conflicts cannot have changed.
    """
    only = None if applications is None else set(applications)
    apps = reviewable(round_, only)
    experts = pool_for(round_)
    found = engine.find_conflicts(to_engine_experts(experts), to_engine_applications(apps), rules_of(round_))
    stale = Conflict.objects.filter(round=round_)
    if only is not None:
        stale = stale.filter(application_id__in=only)
    stale.delete()
    rows = [
        Conflict(
            round=round_,
            application_id=pk_of(c.application),
            expert_id=pk_of(c.expert),
            kind=c.kind,
            reason=c.reason[:500],
        )
        for c in found
    ]
    return Conflict.objects.bulk_create(rows, batch_size=2000)


def recompute_open_rounds(enterprise_ids: Iterable[int] | None = None) -> list[ReviewRound]:
    """Recompute conflicts of open rounds after a late change (all, or the applications of enterprises)."""
    rounds = ReviewRound.objects.filter(status__in=OPEN_STATUSES)
    wanted = None if enterprise_ids is None else list(enterprise_ids)
    if wanted is not None:
        rounds = rounds.filter(applications__enterprise_id__in=wanted).distinct()
    done = []
    for round_ in rounds:
        if wanted is None:
            store_conflicts(round_)
        else:
            affected = round_.applications.filter(enterprise_id__in=wanted).values_list("pk", flat=True)
            store_conflicts(round_, list(affected))
        done.append(round_)
    return done
