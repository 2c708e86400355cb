"""Scenario pages, mounted under /scenarios/."""

from django.urls import path

from lianzhang.scenarios import views

urlpatterns = [
    path("", views.scenario_public_list, name="scenario-public-list"),
    path("manage/", views.scenario_manage, name="scenario-manage"),
    path("new/", views.scenario_create, name="scenario-create"),
    path("<int:pk>/", views.scenario_detail, name="scenario-detail"),
    path("<int:pk>/action/", views.scenario_action, name="scenario-action"),
    path("<int:pk>/apply/", views.scenario_apply, name="scenario-apply"),
    path("<int:pk>/select/", views.scenario_select, name="scenario-select"),
    path("<int:pk>/contract/", views.scenario_contract, name="scenario-contract"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone-done"),
    path("suppliers/", views.supplier_list, name="supplier-list"),
    path("suppliers/<int:pk>/check/", views.supplier_check, name="supplier-check"),
    path("suppliers/mine/", views.supplier_mine, name="supplier-mine"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("cooperations/", views.cooperation_report, name="cooperation-report"),
    path("supply/", views.supply_list, name="supply-list"),
    path("supply/<int:pk>/", views.supply_detail, name="supply-detail"),
]
