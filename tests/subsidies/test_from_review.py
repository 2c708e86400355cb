"""A programme takes its applicants from a final review round: approved applications only, once."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lianzhang.reviews import bridge, scoring_services
from lianzhang.subsidies import services
from lianzhang.subsidies.models import Application
from tests.reviews_platform.test_rounds import _noticed

pytestmark = pytest.mark.django_db


def test_only_a_final_round_is_imported_with_its_approved_applications_once(personas, monkeypatch, programme):
    office = personas["chain_office"].actor
    round_ = _noticed(personas, monkeypatch, date(2025, 6, 8))
    with pytest.raises(ValidationError, match="尚未定案"):
        services.import_review_round(office, programme.pk, round_.pk)
    assert services.rounds_to_import(office) == []
    monkeypatch.setattr(bridge, "today", lambda: date(2025, 6, 9))
    round_ = scoring_services.finalise(office, round_.pk, round_.version)
    assert services.rounds_to_import(office) == [round_]
    with pytest.raises(PermissionDenied):
        services.import_review_round(personas["department"].actor, programme.pk, round_.pk)

    created = services.import_review_round(office, programme.pk, round_.pk)

    approved = round_.applications.filter(decision__approved=True)
    assert approved.count() >= 1
    assert sorted((a.enterprise_id, a.cost_fen, a.rank) for a in created) == sorted(
        (a.enterprise_id, a.requested_fen, a.rank) for a in approved
    )
    assert {a.source for a in created} == {f"专家评审：{round_.name}"}
    with pytest.raises(ValidationError, match="已导入本项目"):
        services.import_review_round(office, programme.pk, round_.pk)
    assert Application.objects.filter(programme=programme).count() == len(created)


def test_the_programme_page_offers_final_rounds_to_the_chain_office_only(personas, monkeypatch, programme):
    office = personas["chain_office"]
    round_ = _noticed(personas, monkeypatch, date(2025, 6, 8))
    monkeypatch.setattr(bridge, "today", lambda: date(2025, 6, 9))
    scoring_services.finalise(office.actor, round_.pk, round_.version)
    detail, take = f"/subsidies/{programme.pk}/", f"/subsidies/{programme.pk}/from-review/"
    page = office.client.get(detail).content.decode()
    assert f'<option value="{round_.pk}">{round_.name}</option>' in page
    assert "round-import" not in personas["department"].client.get(detail).content.decode()
    response = office.client.post(take, {"round": round_.pk}, follow=True)
    assert "已从专家评审导入" in response.content.decode()
    refused = office.client.post(take, {"round": round_.pk}, follow=True)
    assert "已导入本项目" in refused.content.decode()
