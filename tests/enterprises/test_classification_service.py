"""Classification in the registry: on create, edit and import; review queue; curated examples."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lianzhang.accounts.models import AuditEntry
from lianzhang.accounts.permissions import SYSTEM
from lianzhang.enterprises import classification, services
from lianzhang.enterprises.models import ChainClassification, CuratedExample, NodeAssignment
from lianzhang.taxonomy import get_chain
from tests.conftest import enterprise_record

pytestmark = pytest.mark.django_db

UNCLEAR_SCOPE = "一般项目：五金产品批发；日用百货销售；智能机器人销售；货物进出口。"


def _enterprise(name: str, serial: int, scope: str, products: str = ""):
    record = enterprise_record(name, "440106001", serial, business_scope=scope, products=products)
    return services.create_enterprise(SYSTEM, record)


def test_a_new_enterprise_is_classified_with_evidence_spans_in_its_own_text(enterprise_a) -> None:
    result = ChainClassification.objects.get(enterprise=enterprise_a)
    assert result.is_ai_chain
    assert result.chain_version == get_chain("ai").version
    text = result.result["text"]
    assert text == classification.classification_text(enterprise_a)
    for items in result.result["evidence"].values():
        for item in items:
            if item["source"] == "scope":
                assert text[item["start"] : item["end"]] == item["text"]
    primary = NodeAssignment.objects.get(enterprise=enterprise_a, is_primary=True)
    assert primary.source == NodeAssignment.Source.AUTO
    assert primary.node == result.result["nodes"][0]
    assert primary.evidence and "start" in primary.evidence[0]


def test_a_non_ai_business_gets_no_nodes() -> None:
    enterprise = _enterprise("丁物业管理有限公司", 51, "一般项目：物业管理；停车场服务；保安服务；家政服务。")
    result = ChainClassification.objects.get(enterprise=enterprise)
    assert not result.is_ai_chain
    assert result.national_2018 == "none"
    assert not NodeAssignment.objects.filter(enterprise=enterprise).exists()


def test_editing_the_scope_reclassifies_but_keeps_nodes_confirmed_by_hand(personas, enterprise_a) -> None:
    chain = personas["chain_office"].actor
    services.confirm_node(chain, enterprise_a.pk, "manufacturing")
    record = services.record_of(enterprise_a)
    record.business_scope = "一般项目：智能语音识别软件开发；语音合成技术服务。"
    record.products = ""

    services.update_enterprise(chain, enterprise_a.pk, enterprise_a.version, record)

    nodes = set(NodeAssignment.objects.filter(enterprise=enterprise_a).values_list("node", flat=True))
    assert "speech" in nodes
    assert "manufacturing" in nodes
    assert "vision" not in nodes
    assert ChainClassification.objects.filter(enterprise=enterprise_a).count() == 1


def test_editing_only_figures_does_not_reclassify(personas, enterprise_a) -> None:
    before = ChainClassification.objects.get(enterprise=enterprise_a)
    record = services.record_of(enterprise_a)
    record.figures[0].patents = 99
    services.update_enterprise(personas["chain_office"].actor, enterprise_a.pk, enterprise_a.version, record)
    assert ChainClassification.objects.get(enterprise=enterprise_a).pk == before.pk


def test_every_imported_row_is_classified(personas) -> None:
    rows = ["统一社会信用代码*,企业名称*,所在区划*,经营范围"]
    for serial, scope in enumerate(
        ["计算机视觉软件开发", "餐饮服务", "工业机器人制造；伺服电机研发"], start=60
    ):
        code = enterprise_record("x", "440106001", serial).credit_code
        rows.append(f"{code},导入{serial}有限公司,440106001,{scope}")
    data = io.BytesIO("\n".join(rows).encode())
    report = services.import_enterprises(personas["chain_office"].actor, data, "rows.csv")
    assert report.applied and report.created == 3
    assert ChainClassification.objects.filter(enterprise__name__startswith="导入").count() == 3
    assert ChainClassification.objects.get(enterprise__name="导入61有限公司").is_ai_chain is False


def _pending_item():
    enterprise = _enterprise("戊贸易有限公司", 70, UNCLEAR_SCOPE)
    item = ChainClassification.objects.get(enterprise=enterprise)
    if item.review != ChainClassification.Review.PENDING:
        # The engine was sure; the queue is what is pending, so put this one there for the test.
        item.review = ChainClassification.Review.PENDING
        item.save()
    return item


def test_review_queue_lists_pending_results_least_confident_first(personas) -> None:
    item = _pending_item()
    queue = list(classification.review_queue(personas["chain_office"].actor))
    assert item in queue
    assert [q.confidence for q in queue] == sorted(q.confidence for q in queue)


@pytest.mark.parametrize("role", ["district", "department", "enterprise_a", "expert", "anonymous"])
def test_only_the_chain_office_reviews_classifications(personas, role) -> None:
    item = _pending_item()
    with pytest.raises(PermissionDenied):
        classification.review_queue(personas[role].actor)
    with pytest.raises(PermissionDenied):
        classification.confirm_classification(personas[role].actor, item.pk)
    item.refresh_from_db()
    assert item.review == ChainClassification.Review.PENDING


def test_confirming_keeps_the_engine_result_as_a_curated_example(personas) -> None:
    item = _pending_item()
    actor = personas["chain_office"].actor

    classification.confirm_classification(actor, item.pk)

    item.refresh_from_db()
    assert item.review == ChainClassification.Review.CONFIRMED
    assert item.reviewed_by_id == actor.user_id
    assert not NodeAssignment.objects.filter(enterprise=item.enterprise, confirmed_by__isnull=True).exists()
    example = CuratedExample.objects.get(enterprise=item.enterprise)
    assert example.is_ai_chain == item.is_ai_chain
    assert example.text == item.result["text"]
    assert AuditEntry.objects.filter(
        action="confirm_classification", object_id=str(item.enterprise_id)
    ).exists()


def test_correcting_replaces_the_nodes_and_records_what_the_engine_said(personas) -> None:
    item = _pending_item()
    actor = personas["chain_office"].actor

    classification.correct_classification(actor, item.pk, ["robot", "motion"], "none")

    assignments = NodeAssignment.objects.filter(enterprise=item.enterprise).order_by("-is_primary", "node")
    assert [(a.node, a.source, a.is_primary) for a in assignments] == [
        ("robot", "manual", True),
        ("motion", "manual", False),
    ]
    example = CuratedExample.objects.get(enterprise=item.enterprise)
    assert (example.nodes, example.engine_is_ai_chain) == ("robot,motion", item.is_ai_chain)
    exported = list(classification.curated_examples(actor))
    assert exported[0]["node"] == "robot" and exported[0]["text"] == item.result["text"]


def test_correcting_to_not_on_the_chain_removes_every_node(personas) -> None:
    item = _pending_item()
    classification.correct_classification(personas["chain_office"].actor, item.pk, [], "none")
    assert not NodeAssignment.objects.filter(enterprise=item.enterprise).exists()
    assert CuratedExample.objects.get(enterprise=item.enterprise).is_ai_chain is False


@pytest.mark.parametrize(
    ("nodes", "national", "field"),
    [(["teleport"], "none", "nodes"), (["vision"], "9.9", "national_2018"), ([], "1.5.1", "national_2018")],
)
def test_corrections_are_checked(personas, nodes, national, field) -> None:
    item = _pending_item()
    with pytest.raises(ValidationError) as refused:
        classification.correct_classification(personas["chain_office"].actor, item.pk, nodes, national)
    assert field in refused.value.message_dict
    item.refresh_from_db()
    assert item.review == ChainClassification.Review.PENDING


def test_review_page_highlights_evidence_and_decisions_go_through(personas) -> None:
    item = _pending_item()
    client = personas["chain_office"].client
    page = client.get("/review/").content.decode()
    assert item.enterprise.name in page
    assert "<mark" in page
    response = client.post(
        f"/review/{item.pk}/", {"decision": "correct", "nodes": ["robot", ""], "national_2018": "none"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.review == ChainClassification.Review.CORRECTED


def test_enterprise_page_shows_why_it_sits_on_its_nodes(personas, enterprise_a) -> None:
    page = personas["chain_office"].client.get(f"/enterprises/{enterprise_a.pk}/").content.decode()
    assert 'id="classification"' in page
    assert "<mark" in page
