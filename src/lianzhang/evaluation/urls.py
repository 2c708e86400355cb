"""Evaluation pages, mounted under /evaluation/."""

from django.urls import path

from lianzhang.evaluation import views

urlpatterns = [
    path("", views.index, name="evaluation-index"),
    path("run/", views.run_create, name="evaluation-run-create"),
    path("values/import/", views.values_import, name="evaluation-values-import"),
    path("frameworks/<str:key>/", views.framework_detail, name="evaluation-framework"),
    path("runs/<int:pk>/", views.run_detail, name="evaluation-run"),
    path("runs/<int:pk>/export.xlsx", views.run_export, name="evaluation-run-export"),
]
