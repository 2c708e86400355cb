"""The JSON API: one NinjaAPI mounting each domain's router, and service errors mapped to HTTP."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from lianzhang.accounts import services as account_services
from lianzhang.accounts.permissions import actor_for
from lianzhang.chains.api import router as chains_router
from lianzhang.common.versioning import StaleEdit
from lianzhang.enterprises.api import router as registry_router
from lianzhang.enterprises.services import NotFound
from lianzhang.evaluation.api import router as evaluation_router
from lianzhang.opendata.api import router as opendata_router
from lianzhang.plans.api import router as plans_router
from lianzhang.reviews.api import router as reviews_router
from lianzhang.scenarios.api import router as scenarios_router
from lianzhang.subsidies.api import router as subsidies_router

# Session authentication also enforces CSRF on writes, exactly like the HTML forms.
api = NinjaAPI(title="链长 API", version="1.0.0", auth=django_auth, urls_namespace="api-1.0.0")
api.add_router("/", registry_router)
api.add_router("/", plans_router)
api.add_router("/", scenarios_router)
api.add_router("/", chains_router)
api.add_router("/", evaluation_router)
api.add_router("/", reviews_router)
api.add_router("/", subsidies_router)
api.add_router("/", opendata_router)

platform = Router(tags=["平台"])


@platform.get("/me", url_name="me")
def me(request: HttpRequest) -> dict:
    """The caller's role and scope."""
    actor = actor_for(request.user)
    return {
        "username": actor.username,
        "role": actor.role,
        "region_code": actor.region_code,
        "department_id": actor.department_id,
        "enterprise_id": actor.enterprise_id,
    }


@platform.get("/audit", url_name="audit")
def audit(
    request: HttpRequest, q: str = "", model: str = "", username: str = "", limit: int = 100
) -> list[dict]:
    """Newest audit entries (chain office and administrators)."""
    entries = account_services.list_audit(actor_for(request.user), q=q, model=model, username=username)
    return [
        {
            "at": e.at.isoformat(),
            "username": e.username,
            "role": e.role,
            "action": e.action,
            "model": e.model,
            "object_id": e.object_id,
            "object": e.object_repr,
            "changes": e.changes,
        }
        for e in entries[: max(1, min(limit, 1000))]
    ]


api.add_router("/", platform)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "无权访问"}, status=403)


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=404)


@api.exception_handler(StaleEdit)
def _stale(request: HttpRequest, exc: StaleEdit) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc), "current_version": exc.current}, status=409)


# What a request body or query parameter of the wrong shape gets, in the same words the services use.
SCHEMA_MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "date_parsing": "日期格式应为 年-月-日",
    "date_from_datetime_parsing": "日期格式应为 年-月-日",
    "datetime_parsing": "时间格式应为 年-月-日T时:分",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
}


@api.exception_handler(NinjaValidationError)
def _malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    wrappers = ("body", "payload", "query", "path")
    for error in exc.errors:
        # loc is like ("body", "payload", "per_app"): what is left after the wrappers is the field typed.
        names = [str(part) for part in error.get("loc", ()) if part not in wrappers]
        field = ".".join(names) or "__all__"
        words = SCHEMA_MESSAGES.get(error.get("type", ""), f"格式不正确（{error.get('msg', '')}）")
        errors.setdefault(field, []).append(words)
    return api.create_response(request, {"detail": "输入有误", "errors": errors}, status=422)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "输入有误", "errors": errors}, status=422)
