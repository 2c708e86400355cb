"""URL names are unique across the apps: a clash makes {% url %} silently point at another app's page."""

from __future__ import annotations

from collections import Counter

from django.urls import URLPattern, URLResolver, get_resolver


def _names(patterns: list, prefix: str = "") -> list[str]:
    out: list[str] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            out += _names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            out.append(prefix + entry.name)
    return out


def test_no_two_pages_share_a_url_name() -> None:
    names = _names(get_resolver().url_patterns)
    assert len(names) > 100
    assert [name for name, n in Counter(names).items() if n > 1] == []


def test_a_missing_page_or_record_gets_a_chinese_404_page(personas) -> None:
    client = personas["chain_office"].client
    unknown = client.get("/no-such-page/")
    assert unknown.status_code == 404
    body = unknown.content.decode()
    assert "页面不存在" in body and "您要找的页面或记录不存在" in body and "tried" not in body
    missing = client.get("/enterprises/999999/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()


def test_a_request_body_of_the_wrong_shape_gets_the_same_chinese_422_as_service_errors(personas) -> None:
    client = personas["chain_office"].client
    response = client.post(
        "/api/reviews/rounds", {"name": "测试", "per_app": "五"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json() == {"detail": "输入有误", "errors": {"per_app": ["应为整数"]}}
    broken = client.post("/api/reviews/rounds", "{not json", content_type="application/json")
    assert broken.status_code in (400, 422) and "Traceback" not in broken.content.decode()
