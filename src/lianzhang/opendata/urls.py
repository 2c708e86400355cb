"""Open data pages, mounted under /data/."""

from django.urls import path

from lianzhang.opendata import views

urlpatterns = [
    path("", views.public_list, name="opendata-public-list"),
    path("<int:pk>/", views.public_detail, name="opendata-detail"),
    path("files/<int:pk>/download/", views.download, name="opendata-download"),
    path("manage/", views.manage, name="opendata-manage"),
    path("manage/new/", views.dataset_create, name="opendata-create"),
    path("manage/<int:pk>/", views.dataset_page, name="opendata-dataset"),
    path("manage/<int:pk>/edit/", views.dataset_edit, name="opendata-edit"),
    path("manage/<int:pk>/progress/", views.dataset_progress, name="opendata-dataset-progress"),
    path("releases/<int:pk>/", views.release_page, name="opendata-release"),
    path("releases/<int:pk>/action/", views.release_action, name="opendata-release-action"),
    path("releases/<int:pk>/progress/", views.progress, name="opendata-progress"),
    path("approvals/", views.approvals, name="opendata-approvals"),
    path("requests/", views.my_requests, name="opendata-requests"),
    path("requests/inbox/", views.inbox, name="opendata-inbox"),
    path("requests/<int:pk>/", views.request_detail, name="opendata-request"),
]
