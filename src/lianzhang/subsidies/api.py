"""JSON API of 择优支持."""

from ninja import Router

router = Router(tags=["择优支持"])
