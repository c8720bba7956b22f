"""The page with q given more than once: an error on the page, never one of them answered alone."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from peizi_guard.web.app import create_app


@pytest.fixture(scope="module")
def client(shared_db):
    with TestClient(create_app(shared_db, rate_limit=0)) as c:
        yield c


def _error(html: str) -> str:
    return html.split('id="error">', 1)[1].split("</p>", 1)[0] if 'id="error">' in html else ""


def test_the_page_says_q_was_given_twice_instead_of_answering_the_first(client):
    for r in (
        client.get("/", params=[("q", "华泰证券"), ("q", "杜德配资")]),
        client.post(
            "/",
            content="q=华泰证券&q=杜德配资".encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
    ):
        assert r.status_code == 422
        assert "q given 2 times" in _error(r.text) or "q 出现了 2 次" in _error(r.text)
        assert "LISTED" not in r.text and "CLEAR" not in r.text  # neither answered
    one = client.get("/", params={"q": "杜德配资"})
    assert _error(one.text) == "" and "杜德配资" in one.text


def test_entries_refuses_a_query_in_another_encoding_as_check_does(client):
    gbk = "%B6%C5%B5%C2%C5%E4%D7%CA"  # 杜德配资 in GBK, percent-encoded
    for path in ("/api/entries", "/api/check"):
        r = client.get(f"{path}?q={gbk}")
        assert r.status_code == 422 and "not text" in r.json()["detail"], (path, r.text[:200])
    assert client.get("/api/entries", params={"q": "杜德配资"}).json()["total"] >= 1


def test_a_json_body_not_in_utf8_is_a_422_saying_so(client):
    gbk = '{"queries": ["杜德配资"]}'.encode("gbk")  # round 16: a bare 400 "error parsing the body"
    for path in ("/api/check", "/api/text"):
        r = client.post(path, content=gbk, headers={"Content-Type": "application/json; charset=gbk"})
        assert r.status_code == 422 and "not UTF-8" in r.json()["detail"], (path, r.text)
    r = client.post("/api/check", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["detail"] == "the body is not valid JSON"
