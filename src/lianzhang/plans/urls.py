"""Plan pages, mounted under /plans/."""

from django.urls import path

from lianzhang.plans import views

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("import/", views.plan_import, name="plan-import"),
    path("dashboard/", views.plan_dashboard, name="plan-dashboard"),
    path("briefing/", views.plan_briefing, name="plan-briefing"),
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("attachments/<int:pk>/", views.report_attachment, name="report-attachment"),
    path("targets/<int:pk>/", views.target_detail, name="target-detail"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/review/", views.plan_review, name="plan-review"),
    path("<int:pk>/departments/", views.plan_map_department, name="plan-map-department"),
    path("<int:pk>/confirm/", views.plan_confirm, name="plan-confirm"),
    path("<int:pk>/discard/", views.plan_discard, name="plan-discard"),
    path("<int:pk>/matrix/", views.plan_matrix, name="plan-matrix"),
    path("<int:pk>/matrix.<str:fmt>", views.plan_matrix_export, name="plan-matrix-export"),
]
