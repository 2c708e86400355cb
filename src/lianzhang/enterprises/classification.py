"""Running the chain classifier on registry enterprises, and the chain office's review of its results."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lianzhang.accounts import audit
from lianzhang.accounts.models import Role
from lianzhang.accounts.permissions import Actor, guarded
from lianzhang.classify.engine import Classification, get_classifier
from lianzhang.common.chains import platform_chain
from lianzhang.enterprises.models import ChainClassification, CuratedExample, Enterprise, NodeAssignment

NATIONAL_CODES = ("1.5.1", "1.5.2", "1.5.3", "none")
CHUNK = 500


def classification_text(enterprise: Enterprise) -> str:
    """The text the classifier reads: the business scope, then the products (spans refer to this text)."""
    if enterprise.products.strip():
        return f"{enterprise.business_scope}\n主要产品：{enterprise.products}"
    return enterprise.business_scope


def apply_classifications(enterprises: Iterable[Enterprise], chain_id: str = "ai") -> int:
    """Classify enterprises and store the results; manual and confirmed node assignments are kept."""
    classifier = get_classifier(platform_chain(chain_id))
    now = timezone.now()
    done = 0
    batch: list[Enterprise] = []
    for enterprise in enterprises:
        batch.append(enterprise)
        if len(batch) == CHUNK:
            done += _store(batch, chain_id, classifier, now)
            batch = []
    if batch:
        done += _store(batch, chain_id, classifier, now)
    return done


def _store(enterprises: list[Enterprise], chain_id: str, classifier: Any, now: Any) -> int:
    texts = {e.pk: classification_text(e) for e in enterprises}
    results: dict[int, Classification] = {e.pk: classifier.classify(texts[e.pk], e.name) for e in enterprises}
    ids = list(results)
    NodeAssignment.objects.filter(
        enterprise_id__in=ids, chain=chain_id, source=NodeAssignment.Source.AUTO, confirmed_by__isnull=True
    ).delete()
    ChainClassification.objects.filter(enterprise_id__in=ids, chain=chain_id).delete()
    kept = set(
        NodeAssignment.objects.filter(enterprise_id__in=ids, chain=chain_id).values_list(
            "enterprise_id", "node"
        )
    )
    NodeAssignment.objects.bulk_create(
        [
            NodeAssignment(
                enterprise_id=pk,
                chain=chain_id,
                node=score.node,
                source=NodeAssignment.Source.AUTO,
                confidence=round(score.score, 3),
                evidence=[e.to_dict() for e in score.evidence],
                is_primary=rank == 0,
            )
            for pk, result in results.items()
            for rank, score in enumerate(result.nodes)
            if (pk, score.node) not in kept
        ]
    )
    ChainClassification.objects.bulk_create(
        [
            ChainClassification(
                enterprise_id=pk,
                chain=chain_id,
                chain_version=result.chain_version,
                is_ai_chain=result.is_ai_chain,
                national_2018=result.national_2018,
                confidence=round(result.confidence, 3),
                result={**result.to_dict(), "text": texts[pk]},
                review=(
                    ChainClassification.Review.PENDING
                    if result.needs_review
                    else ChainClassification.Review.NOT_NEEDED
                ),
                classified_at=now,
            )
            for pk, result in results.items()
        ]
    )
    return len(results)


def highlighted(result: dict[str, Any]) -> list[tuple[str, str | None]]:
    """Split the classified text into (text, node) segments, node set where evidence was found."""
    text: str = result.get("text", "")
    spans: list[tuple[int, int, str]] = []
    for node, items in (result.get("evidence") or {}).items():
        spans.extend((e["start"], e["end"], node) for e in items if e.get("source") == "scope")
    segments: list[tuple[str, str | None]] = []
    cursor = 0
    for start, end, node in sorted(spans):
        if start < cursor or end > len(text):
            continue  # overlapping or out-of-range spans: keep the first, never garble the text
        if start > cursor:
            segments.append((text[cursor:start], None))
        segments.append((text[start:end], node))
        cursor = end
    if cursor < len(text):
        segments.append((text[cursor:], None))
    return segments


@guarded("node.confirm")
def review_queue(actor: Actor, chain_id: str = "ai") -> QuerySet[ChainClassification]:
    """Classifications awaiting review, least confident first."""
    return (
        ChainClassification.objects.filter(chain=chain_id, review=ChainClassification.Review.PENDING)
        .select_related("enterprise", "enterprise__division")
        .order_by("confidence", "enterprise__name")
    )


def _pending(actor: Actor, pk: int) -> ChainClassification:
    try:
        item = ChainClassification.objects.select_related("enterprise").get(pk=pk)
    except ChainClassification.DoesNotExist:
        raise ValidationError("该识别结果已不存在（企业可能已重新识别），请刷新复核列表") from None
    if actor.role != Role.ADMIN and item.chain not in actor.chains:
        raise PermissionDenied(f"您不负责产业链 {item.chain}")
    return item


def _curate(actor: Actor, item: ChainClassification, is_ai: bool, nodes: list[str], national: str) -> None:
    CuratedExample.objects.create(
        enterprise=item.enterprise,
        chain=item.chain,
        chain_version=item.chain_version,
        name=item.enterprise.name,
        text=item.result.get("text", ""),
        is_ai_chain=is_ai,
        nodes=",".join(nodes),
        national_2018=national,
        engine_nodes=",".join(item.result.get("nodes", [])),
        engine_is_ai_chain=item.is_ai_chain,
        decided_by_id=actor.user_id,
    )


@guarded("node.confirm")
def confirm_classification(actor: Actor, pk: int) -> ChainClassification:
    """Accept the engine's result as it is: its nodes become confirmed assignments."""
    item = _pending(actor, pk)
    now = timezone.now()
    with transaction.atomic():
        NodeAssignment.objects.filter(enterprise=item.enterprise, chain=item.chain).update(
            confirmed_by_id=actor.user_id, confirmed_at=now
        )
        item.review = ChainClassification.Review.CONFIRMED
        item.reviewed_by_id = actor.user_id
        item.reviewed_at = now
        item.save()
        _curate(actor, item, item.is_ai_chain, list(item.result.get("nodes", [])), item.national_2018)
        audit.record(
            actor, "confirm_classification", item.enterprise, {"nodes": item.result.get("nodes", [])}
        )
    return item


@guarded("node.confirm")
def correct_classification(
    actor: Actor, pk: int, nodes: list[str], national_2018: str
) -> ChainClassification:
    """Replace the engine's result: `nodes` best first (empty means not on the chain)."""
    item = _pending(actor, pk)
    chain = platform_chain(item.chain)
    unknown = [n for n in nodes if n not in chain.nodes]
    if unknown:
        raise ValidationError({"nodes": f"产业链 {item.chain} 没有节点 {'、'.join(unknown)}"})
    if national_2018 not in NATIONAL_CODES:
        raise ValidationError({"national_2018": f"国家分类应为 {'、'.join(NATIONAL_CODES)} 之一"})
    if not nodes and national_2018 != "none":
        raise ValidationError({"national_2018": "不属于产业链的企业，国家分类应为 none"})
    nodes = list(dict.fromkeys(nodes))
    now = timezone.now()
    with transaction.atomic():
        before = sorted(
            NodeAssignment.objects.filter(enterprise=item.enterprise, chain=item.chain).values_list(
                "node", flat=True
            )
        )
        NodeAssignment.objects.filter(enterprise=item.enterprise, chain=item.chain).exclude(
            node__in=nodes
        ).delete()
        for rank, node in enumerate(nodes):
            NodeAssignment.objects.update_or_create(
                enterprise=item.enterprise,
                chain=item.chain,
                node=node,
                defaults={
                    "source": NodeAssignment.Source.MANUAL,
                    "confidence": 1.0,
                    "is_primary": rank == 0,
                    "confirmed_by_id": actor.user_id,
                    "confirmed_at": now,
                },
            )
        item.review = ChainClassification.Review.CORRECTED
        item.reviewed_by_id = actor.user_id
        item.reviewed_at = now
        item.save()
        _curate(actor, item, bool(nodes), nodes, national_2018)
        audit.record(
            actor,
            "correct_classification",
            item.enterprise,
            {"nodes": [before, nodes], "national_2018": national_2018},
        )
    return item


@guarded("node.confirm")
def curated_examples(actor: Actor, chain_id: str = "ai") -> Iterator[dict[str, Any]]:
    """Reviewed decisions as labelled records, in the development-set format of the classifier."""
    for example in CuratedExample.objects.filter(chain=chain_id).order_by("pk").iterator():
        nodes = [n for n in example.nodes.split(",") if n]
        yield {
            "id": f"curated-{example.pk}",
            "name": example.name,
            "text": example.text,
            "is_ai_chain": example.is_ai_chain,
            "node": nodes[0] if nodes else None,
            "nodes": nodes,
            "national_2018": example.national_2018,
            "engine_nodes": [n for n in example.engine_nodes.split(",") if n],
            "chain_version": example.chain_version,
        }
