"""JSON API of 专家评审."""

from ninja import Router

router = Router(tags=["专家评审"])
