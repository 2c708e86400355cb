"""Chain map, weak links and investment attraction pages, mounted under /chains/."""

from django.urls import path

from lianzhang.chains import views

urlpatterns = [
    path("", views.chain_map, name="chain-map"),
    path("nodes/<str:node>/", views.node_detail, name="chain-node"),
    path("gaps/", views.gaps, name="chain-gaps"),
    path("gaps/run/", views.run_analysis, name="chain-analyse"),
    path("targets.xlsx", views.export_targets, name="chain-targets-export"),
    path("pipeline/", views.pipeline, name="chain-pipeline"),
    path("pipeline/claim/", views.claim, name="candidate-claim"),
    path("pipeline/<int:pk>/", views.candidate_detail, name="candidate-detail"),
    path("pipeline/<int:pk>/<str:action>/", views.candidate_action, name="candidate-action"),
]
