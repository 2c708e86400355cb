"""The demo programme: the documents' rule, a published first batch and a pending second one."""

from __future__ import annotations

from datetime import date

import pytest

from lianzhang.accounts.permissions import SYSTEM
from lianzhang.enterprises import services as registry
from lianzhang.subsidies import services
from lianzhang.subsidies.demo import APPLICANTS, FIRST_ROUND, load_demo_subsidies
from lianzhang.subsidies.models import AllocationRun, Application, Programme
from tests.conftest import enterprise_record

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_through_the_services():
    for n in range(APPLICANTS):
        record = enterprise_record(f"演示视觉{n}有限公司", "440106001", 100 + n, founded_on=date(2018, 1, 1))
        registry.create_enterprise(SYSTEM, record)
    load_demo_subsidies()
    load_demo_subsidies()
    programme = Programme.objects.get()
    assert programme.rule_text == "按成本的30%，单家每年不超过200万元，每年最多10家，总预算1,500万元"
    assert Application.objects.count() == APPLICANTS
    run = AllocationRun.objects.get(status=AllocationRun.Status.CONFIRMED)
    assert run.notice_start and run.objection_deadline and list(services.public_notices()) == [run]
    assert Application.objects.filter(decided_run=run).count() == FIRST_ROUND
    assert 0 < run.funded_count <= 10 and 0 < run.total_fen <= programme.budget_fen
    pending = services.programme_detail(SYSTEM, programme.pk)
    assert len(pending["rows"]) == APPLICANTS - FIRST_ROUND
    assert pending["summary"]["granted_before_fen"] == run.total_fen
