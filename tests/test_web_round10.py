"""Round ten of the user test, the web service: a parameter that takes one value given more than
once is a 422 naming it (it silently used the last), a 405's Allow names HEAD wherever GET is, and
the entries' search finds a pasted address by its host and a decorated name without its decoration."""

from __future__ import annotations

import pytest

from .test_web_round9 import client, problem  # noqa: F401 -- the module's app, and the problem object's check

# 杜德配资: www.ddpz666.com …; 宝利配资: csrc-peizi too
DUDE = ("csrc-peizi", 3)


def found(client, q: str, **params) -> list[tuple[str, int]]:
    r = client.get("/api/entries", params={"q": q, "limit": 1000, **params})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["entries"])
    return [(e["source"], e["seq"]) for e in body["entries"]]


# ---- 10. a parameter given more than once -------------------------------------------------------


@pytest.mark.parametrize(
    "query, detail",
    [
        ("/api/calc?own=10000&own=500000&leverage=2",
         "parameter own given more than once: it takes one value (only move may be repeated)"),
        ("/api/calc?own=10000&leverage=10&leverage=2",
         "parameter leverage given more than once: it takes one value (only move may be repeated)"),
        ("/api/calc?leverage=10&own=1&leverage=2&own=2&days=30",
         "parameters leverage, own given more than once: each takes one value (only move may be repeated)"),
        ("/api/entries?source=csrc-peizi&source=sac-blacklist&limit=1",
         "parameter source given more than once: it takes one value"),
        ("/api/entries?q=a&q=b", "parameter q given more than once: it takes one value"),
        ("/api/entries?limit=1&limit=1", "parameter limit given more than once: it takes one value"),
        ("/api/entries?offset=0&offset=5", "parameter offset given more than once: it takes one value"),
        ("/api/history?source=csrc-peizi&source=csrc-peizi",
         "parameter source given more than once: it takes one value"),
    ],
)  # fmt: skip
def test_a_parameter_that_takes_one_value_given_twice_is_a_422_naming_it(client, query, detail):
    """own=10000&own=500000 answered for own 500000, source=a&source=b for b only: the last won."""
    assert problem(client.get(query), 422) == detail


def test_an_empty_repeat_is_refused_too_and_unknown_parameters_are_named_first(client):
    assert "parameter source given more than once" in problem(client.get("/api/entries?source=&source="), 422)
    detail = problem(client.get("/api/calc?own=1&own=2&anual_rate=8%25"), 422)
    assert detail.startswith("unknown parameter anual_rate: this endpoint takes own,")


def test_the_repeatable_parameters_stay_repeatable(client):
    r = client.get("/api/check", params={"q": ["杜德配资", "没有这个平台"]})
    assert r.status_code == 200 and [a["verdict"] for a in r.json()] == ["listed", "clear"]
    r = client.get("/api/calc", params={"own": "10000", "leverage": "2", "move": ["-0.1", "0.1"]})
    assert r.status_code == 200, r.text
    one = client.get("/api/calc", params={"own": "10000", "leverage": "2"})
    assert one.status_code == 200 and one.json()["leverage"] == 2


# ---- 11. Allow names HEAD -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path, allow",
    [("DELETE", "/api/check", "GET, HEAD, POST"), ("DELETE", "/healthz", "GET, HEAD"),
     ("POST", "/api/entries", "GET, HEAD"), ("PUT", "/", "GET, HEAD, POST"), ("POST", "/api/calc", "GET, HEAD"),
     ("DELETE", "/api/entries/csrc-peizi/3", "GET, HEAD"), ("GET", "/api/text", "POST")],
)  # fmt: skip
def test_allow_names_head_wherever_get_is_allowed(client, method, path, allow):
    """curl -X DELETE …/api/check said allow: GET, POST, though HEAD answers there."""
    r = client.request(method, path)
    assert r.status_code == 405 and r.headers["allow"] == allow, (method, path, r.headers)
    for m in allow.split(", "):  # each method it names is taken
        assert client.request(m, path).status_code != 405, (m, path)


# ---- 12. the entries' search of an address or a decorated name ----------------------------------


@pytest.mark.parametrize("q", ["https://www.ddpz666.com/", "http://ddpz666.com", "HTTPS://WWW.DDPZ666.COM/index.html",
                               "hxxps://www.ddpz666[.]com", "www.ddpz666.com/"])  # fmt: skip
def test_the_entries_search_finds_a_pasted_address_by_its_host(client, q):
    """q=https://www.ddpz666.com/ found nothing, www.ddpz666.com the entry."""
    assert DUDE in found(client, q), q
    assert found(client, q) == found(client, "www.ddpz666.com")
    assert found(client, q, source="sac-blacklist") == []


def test_an_address_is_not_searched_as_a_name(client):
    assert found(client, "https://nothing-listed-here.example/") == []
    assert found(client, "https://www.ddpz666.com.evil.example/") == []  # another host


@pytest.mark.parametrize("q", ["宝利配資官网", "宝利配资官网", "宝利配资（官方网站）", "【宝利配资】", "宝利配资APP"])
def test_the_entries_search_finds_a_decorated_name_as_check_does(client, q):
    """q=宝利配資官网 found nothing, while check lists 宝利配资."""
    [check] = client.get("/api/check", params={"q": q}).json()
    assert check["verdict"] == "listed", q
    listed = {(m["source"], m["seq"]) for m in check["matches"]}
    assert listed and listed <= set(found(client, q)), q
    assert found(client, q) == found(client, "宝利配资")


def test_a_name_of_several_parts_finds_each_listed_part_as_check_does(client):
    q = "杜德配资-股票配资平台"
    [check] = client.get("/api/check", params={"q": q}).json()
    assert check["verdict"] == "listed" and (check["matches"][0]["source"], check["matches"][0]["seq"]) == DUDE
    assert found(client, q) == [DUDE]  # not every entry with 股票配资 in it


def test_trade_words_with_a_decoration_are_no_search_for_every_entry(client):
    everything = client.get("/api/entries", params={"limit": 1}).json()["total"]
    assert found(client, "配资平台") == found(client, "配资平台", source="csrc-peizi") == []
    assert len(found(client, "配资官网")) < everything


def test_every_entry_is_found_by_its_name_with_a_decoration(client):
    entries = client.get("/api/entries", params={"limit": 1000}).json()["entries"]
    missed = [e["name"] for e in entries if (e["source"], e["seq"]) not in found(client, e["name"] + "官网")]
    assert missed == []


def test_a_json_key_given_twice_is_a_422_naming_it(client):
    for path, body in (("/api/check", '{"queries":["杜德配资"],"queries":["a"]}'), ("/api/text", '{"text":"a","text":"b"}')):
        r = client.post(path, content=body.encode(), headers={"content-type": "application/json"})
        detail = problem(r, 422)
        assert "given more than once" in detail and ("queries" in detail or "text" in detail), detail
    r = client.post("/api/check", content='{"queries":["杜德配资","a"]}'.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 200 and [v["verdict"] for v in r.json()] == ["listed", "clear"]


def test_the_entries_search_finds_a_subdomain_by_its_domain_and_a_question_by_its_name(client):
    for q in ("m.ddpz666.com", "https://m.ddpz666.com/app", "杜德配资靠谱吗", "杜德配资是真的吗？"):
        assert DUDE in found(client, q), q
    assert found(client, "m.example.com") == []
