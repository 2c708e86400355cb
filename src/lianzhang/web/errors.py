"""Turn service exceptions into HTTP answers in one place."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

from lianzhang.enterprises.services import NotFound


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Map NotFound from the services to a 404 page (PermissionDenied already gives 403)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from None

    return wrapper
