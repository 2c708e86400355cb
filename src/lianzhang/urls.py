"""URL map: pages, the JSON API with its OpenAPI schema, admin and local assets."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from lianzhang.api import api
from lianzhang.enterprises import views as registry
from lianzhang.web import views as web

handler403 = "lianzhang.web.views.permission_denied"
handler404 = "lianzhang.web.views.page_not_found"

urlpatterns = [
    path("", web.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", web.me, name="me"),
    path("dashboard/", web.dashboard, name="dashboard"),
    path("audit/", web.audit_log, name="audit-log"),
    path("enterprises/", registry.enterprise_list, name="enterprise-list"),
    path("enterprises/new/", registry.enterprise_create, name="enterprise-create"),
    path("enterprises/import/", registry.enterprise_import, name="enterprise-import"),
    path("enterprises/import/errors.xlsx", registry.import_error_report, name="import-error-report"),
    path("enterprises/import/template.<str:fmt>", registry.import_template, name="import-template"),
    path("enterprises/export.<str:fmt>", registry.enterprise_export, name="enterprise-export"),
    path("enterprises/<int:pk>/", registry.enterprise_detail, name="enterprise-detail"),
    path("enterprises/<int:pk>/edit/", registry.enterprise_edit, name="enterprise-edit"),
    path("enterprises/<int:pk>/delete/", registry.enterprise_delete, name="enterprise-delete"),
    path("enterprises/<int:pk>/nodes/confirm/", registry.node_confirm, name="node-confirm"),
    path("enterprises/<int:enterprise_pk>/projects/new/", registry.project_create, name="project-create"),
    path("review/", registry.review_queue, name="review-queue"),
    path("review/<int:pk>/", registry.review_decide, name="review-decide"),
    path("projects/", registry.project_list, name="project-list"),
    path("projects/<int:pk>/", registry.project_detail, name="project-detail"),
    path("parks/", registry.park_list, name="park-list"),
    path("plans/", include("lianzhang.plans.urls")),
    path("scenarios/", include("lianzhang.scenarios.urls")),
    path("chains/", include("lianzhang.chains.urls")),
    path("evaluation/", include("lianzhang.evaluation.urls")),
    path("reviews/", include("lianzhang.reviews.urls")),
    path("subsidies/", include("lianzhang.subsidies.urls")),
    path("data/", include("lianzhang.opendata.urls")),
    path("assets/plotly.min.js", web.plotly_asset, name="asset-plotly"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
