"""Pages of 择优支持."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
