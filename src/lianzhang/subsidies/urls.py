"""择优支持 pages, mounted under /subsidies/."""

from django.urls import path

from lianzhang.subsidies import views

urlpatterns = [
    path("", views.programme_list, name="subsidy-programmes"),
    path("new/", views.programme_create, name="subsidy-programme-create"),
    path("mine/", views.mine, name="subsidy-mine"),
    path("notices/", views.notice_list, name="subsidy-notices"),
    path("notices/<int:pk>/", views.notice_detail, name="subsidy-notice"),
    path("notices/<int:pk>/notice.<str:fmt>", views.notice_file, name="subsidy-notice-file"),
    path("<int:pk>/", views.programme_detail, name="subsidy-programme"),
    path("<int:pk>/edit/", views.programme_edit, name="subsidy-programme-edit"),
    path("<int:pk>/status/", views.programme_status, name="subsidy-programme-status"),
    path("<int:pk>/delete/", views.programme_delete, name="subsidy-programme-delete"),
    path("<int:pk>/import/", views.application_import, name="subsidy-import"),
    path("<int:pk>/from-review/", views.round_import, name="subsidy-round-import"),
    path("<int:pk>/whatif/", views.whatif, name="subsidy-whatif"),
    path("<int:pk>/allocate/", views.allocate, name="subsidy-allocate"),
    path("runs/<int:pk>/", views.run_detail, name="subsidy-run"),
    path("runs/<int:pk>/confirm/", views.run_confirm, name="subsidy-run-confirm"),
    path("runs/<int:pk>/notice.<str:fmt>", views.run_export, name="subsidy-run-export"),
]
