"""Pages of 专家评审, mounted under /reviews/."""

from django.urls import path

from lianzhang.reviews import views

urlpatterns = [
    path("experts/", views.expert_pool, name="expert-pool"),
    path("experts/new/", views.expert_edit, name="expert-create"),
    path("experts/<int:pk>/edit/", views.expert_edit, name="expert-edit"),
    path("experts/import/", views.expert_import, name="expert-import"),
    path("experts/import/template.xlsx", views.expert_import_template, name="expert-import-template"),
    path("profile/", views.my_profile, name="review-profile"),
    path("mine/", views.my_reviews, name="review-mine"),
    path("mine/<int:pk>/", views.score_sheet, name="review-sheet"),
    path("mine/<int:pk>/decline/", views.decline, name="review-decline"),
    path("rounds/", views.round_list, name="review-rounds"),
    path("rounds/new/", views.round_create, name="review-round-create"),
    path("rounds/<int:pk>/", views.round_detail, name="review-round"),
    path("rounds/<int:pk>/action/", views.round_action, name="review-round-action"),
    path("rounds/<int:pk>/applications/", views.add_application, name="review-add-application"),
    path("rounds/<int:pk>/decide/", views.decide, name="review-round-decide"),
    path("applications/<int:pk>/check/", views.formal_check, name="review-check"),
    path("assignments/<int:pk>/withdraw/", views.withdraw, name="review-withdraw"),
    path("objections/<int:pk>/resolve/", views.resolve, name="review-resolve"),
    path("notices/", views.notice_list, name="review-notices"),
    path("notices/<int:pk>/", views.notice_detail, name="review-notice"),
    path("notices/<int:pk>/object/", views.object_to, name="review-object"),
    path("enterprises/<int:enterprise_id>/related/", views.related_add, name="related-person-add"),
    path("related/<int:pk>/delete/", views.related_remove, name="related-person-delete"),
]
