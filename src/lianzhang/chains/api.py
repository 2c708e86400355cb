"""JSON twins of the chain pages: map, weak links and candidate list, pipeline."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from lianzhang.accounts.permissions import actor_for
from lianzhang.chains import services

router = Router(tags=["产业链与招商"])


@router.get("/chains/map", url_name="chain_map")
def chain_map(
    request: HttpRequest,
    lens: str = "layer",
    district: str = "",
    compare: str = "",
    year_a: int | None = None,
    year_b: int | None = None,
) -> dict:
    """Nodes, edges, heatmap and comparison (two districts, or two years) of the chain map."""
    years = (year_a, year_b) if year_a and year_b and year_a != year_b else None
    return services.chain_map(
        actor_for(request.user), lens=lens, district=district or None, compare=compare or None, years=years
    )


@router.get("/chains/nodes/{node}", url_name="chain_node")
def chain_node(request: HttpRequest, node: str, district: str = "") -> dict:
    """A node's figures and the enterprises on it the caller may see."""
    return services.node_detail(actor_for(request.user), node, district=district or None)


@router.get("/chains/gaps", url_name="chain_gaps")
def chain_gaps(request: HttpRequest) -> dict:
    """The latest stored weak-link analysis and its investment-attraction list."""
    analysis = services.latest_analysis(actor_for(request.user))
    if analysis is None:
        return {"analysis": None}
    return {
        "analysis": {
            "created_at": analysis.created_at.isoformat(),
            "reference": analysis.reference.name,
            **analysis.report,
            "candidates": analysis.candidates,
        }
    }


@router.get("/chains/pipeline", url_name="chain_pipeline")
def chain_pipeline(request: HttpRequest, team: str = "") -> list[dict]:
    """Every candidate with its team and stage."""
    return [
        {
            "id": c.pk,
            "external_id": c.external_id,
            "name": c.name,
            "node": c.node,
            "team": c.team_id,
            "team_name": c.team.name,
            "stage": c.stage,
            "score": c.score,
        }
        for c in services.list_candidates(actor_for(request.user), team=team or None)
    ]
