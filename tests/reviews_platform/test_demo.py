"""The demo expert pool and rounds load once, through the services, with work for every persona."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from lianzhang.accounts.permissions import actor_for
from lianzhang.enterprises.models import RelatedPerson
from lianzhang.reviews import scoring_services, services
from lianzhang.reviews.demo import load_demo_reviews
from lianzhang.reviews.models import Conflict, Expert, ReviewRound

pytestmark = pytest.mark.django_db


def test_demo_has_a_pool_a_scoring_round_for_the_expert_a_notice_and_a_final_round(db):
    from lianzhang.demo.loader import ensure_demo

    ensure_demo(n_enterprises=120, seed=11)
    load_demo_reviews()  # a second run changes nothing
    assert Expert.objects.count() == 40
    expert = actor_for(get_user_model().objects.get(username="expert"))
    mine = list(scoring_services.my_assignments(expert))
    assert any(a.application.round.status == ReviewRound.Status.SCORING for a in mine)
    noticed = ReviewRound.objects.get(status=ReviewRound.Status.NOTICED)
    ranking = services.final_ranking(actor_for(get_user_model().objects.get(username="chain")), noticed.pk)
    assert [r["rank"] for r in ranking][:1] == [1] and sum(r["decision"] == "approved" for r in ranking) == 3
    assert all(a.reviewers == 5 and len(a.dropped) == 2 for a in noticed.applications.all())
    kinds = set(Conflict.objects.values_list("kind", flat=True))
    assert {"same_org", "related_person", "declared"} <= kinds
    assert RelatedPerson.objects.count() >= 4
    # A final round, so the demo subsidy programme can take its approved applications.
    final = ReviewRound.objects.get(status=ReviewRound.Status.FINAL)
    from lianzhang.subsidies import services as subsidies
    from lianzhang.subsidies.models import Programme

    office = actor_for(get_user_model().objects.get(username="chain"))
    assert subsidies.rounds_to_import(office) == [final]
    taken = subsidies.import_review_round(office, Programme.objects.get().pk, final.pk)
    assert len(taken) == 3 and all(a.rank is not None for a in taken)
