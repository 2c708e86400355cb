"""JSON API of 数据开放."""

from ninja import Router

router = Router(tags=["数据开放"])
