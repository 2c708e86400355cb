"""Pages of 数据开放."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
