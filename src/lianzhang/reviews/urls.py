"""Pages of 专家评审."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
