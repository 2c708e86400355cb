from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "lianzhang.reviews"
    verbose_name = "专家评审"
