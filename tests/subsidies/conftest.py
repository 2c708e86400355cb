"""Fixtures of the 择优支持 tests: a programme on the documents' rule and a few more enterprises."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lianzhang.accounts.permissions import SYSTEM
from lianzhang.enterprises import services as registry
from lianzhang.subsidies import services
from tests.conftest import enterprise_record

YUAN = 100  # fen per yuan


@pytest.fixture
def enterprise_c(db):
    """A third enterprise in the home district (天河区), founded in 2015, 专精特新."""
    return registry.create_enterprise(
        SYSTEM,
        enterprise_record(
            "丙语音科技有限公司",
            "440106002",
            3,
            founded_on=date(2015, 3, 1),
            tags=["专精特新", "高新技术企业"],
        ),
    )


@pytest.fixture
def programme(personas):
    """30% of cost, at most 2,000,000 yuan a firm a year, at most 10 firms, budget 15,000,000 yuan; open."""
    office = personas["chain_office"].actor
    created = services.create_programme(
        office,
        services.ProgrammeInput(
            name="技术合作择优支持",
            year=2025,
            rate_bp=3000,
            cap_fen=2_000_000 * YUAN,
            max_count=10,
            budget_fen=15_000_000 * YUAN,
        ),
    )
    return services.set_programme_status(office, created.pk, created.version, "open")


def ranked(*items: tuple[int, int, str]) -> list[dict]:
    """Rows for add_ranked_applicants from (enterprise id, cost in yuan, score), ranked in the given order."""
    return [
        {
            "enterprise_id": ident,
            "title": f"合作项目{n}",
            "requested_fen": cost * YUAN,
            "score": Decimal(score),
            "rank": n,
        }
        for n, (ident, cost, score) in enumerate(items, start=1)
    ]
