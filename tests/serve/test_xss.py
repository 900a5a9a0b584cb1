"""Untrusted article text reaches pages as text: markup escaped, no script links, a CSP."""

from __future__ import annotations

import re

import httpx
import pytest

from .conftest import HOSTILE


@pytest.fixture(scope="module")
def hostile_pages(client: httpx.Client) -> dict[str, httpx.Response]:
    hit = client.get("/api/search", params={"q": "capitainerie"}).json()["articles"][0]
    article = client.get(f"/api/articles/{hit['id']}").json()
    return {
        "front": client.get("/"),
        "story": client.get(f"/stories/{article['story']}"),
        "article": client.get(f"/articles/{hit['id']}", params={"mark": "0-20"}),
        "search": client.get("/search", params={"q": "<script>alert(1)</script> Marseille"}),
        "entities": client.get("/entities", params={"q": "<img src=x onerror=alert(1)>"}),
        "missing": client.get("/stories/<script>alert(1)</script>"),
    }


def test_markup_in_articles_is_escaped_everywhere(hostile_pages: dict[str, httpx.Response]) -> None:
    for name, response in hostile_pages.items():
        html = response.text
        assert "<script>alert" not in html, name
        assert not re.search(r"<img[^>]*onerror", html), name
        assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", html, re.I), name
        assert "<script" not in html.lower(), name  # the pages carry no script at all
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in hostile_pages["article"].text
    assert "onerror=alert(&#39;img&#39;)" in hostile_pages["article"].text  # shown, inert


def test_script_urls_are_not_linked(hostile_pages: dict[str, httpx.Response]) -> None:
    page = hostile_pages["article"].text
    assert HOSTILE["url"] in page.replace("&#39;", "'")  # the address is shown as text
    assert 'rel="noopener noreferrer nofollow">original</a>' not in page


def test_every_response_has_a_strict_csp(client: httpx.Client,
                                         hostile_pages: dict[str, httpx.Response]) -> None:
    for response in [*hostile_pages.values(), client.get("/api/stories"), client.get("/docs")]:
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
