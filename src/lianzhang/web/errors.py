"""Turn service exceptions into HTTP answers in one place."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from django import forms
from django.core.exceptions import ValidationError
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


def form_errors(form: forms.Form, exc: ValidationError, rename: Mapping[str, str] | None = None) -> None:
    """Show a service's ValidationError on a form: at the field it names, else above the form.

    `rename` maps a service field to the form field that edits it (cap_fen → cap_yuan)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errs in exc.message_dict.items():
        target = (rename or {}).get(name, name)
        form.add_error(target if target in form.fields else None, errs)


def refusal(exc: Exception) -> str:
    """A refused step in one line: a ValidationError's messages joined, else the exception's text."""
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
