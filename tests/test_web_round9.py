"""Round nine of the user test, the web service: a query parameter an endpoint does not take is a
422 naming it on every endpoint of the API (the calculator's misspelled `anual_rate`, a POST's
`as_of`), HEAD answers wherever GET does, the page refuses a form it cannot read (multipart, JSON)
instead of showing the start page, and the entries' search reads text as names are matched."""

from __future__ import annotations

import pytest
import requests
from fastapi.testclient import TestClient

from peizi_guard.web.app import create_app

from .test_web_round7 import problem  # noqa: F401 -- the problem object's check
from .webhelper import Server

# 杜德配资: app and WeChat 杜德配资, WeChat gh_d3cc254439bb, companies 北京哲杜德科技有限公司 …, www.ddpz666.com …
DUDE = ("csrc-peizi", 3)


@pytest.fixture(scope="module")
def client(shared_db):
    with TestClient(create_app(shared_db, rate_limit=0)) as c:
        yield c




def page_error(r, status: int) -> str:
    assert r.status_code == status and r.headers["content-type"].startswith("text/html"), r.text[:300]
    return r.text.split('id="error">', 1)[1].split("</p>", 1)[0]


# ---- 5. the calculator's parameters -------------------------------------------------------------


def test_the_calculator_refuses_a_parameter_it_does_not_take_naming_it(client):
    """anual_rate=8%&dayz=300 answered 200 with no interest over 30 days: both were ignored."""
    r = client.get("/api/calc", params={"own": "10000", "leverage": "10", "anual_rate": "8%", "dayz": "300"})
    detail = problem(r, 422)
    assert detail.startswith("unknown parameter anual_rate, dayz: this endpoint takes own, leverage, ratio,")
    assert detail.endswith("liquidation_line, move")


def test_the_calculator_still_takes_every_parameter_it_documents(client):
    params = {"own": "10000", "leverage": "10", "annual_rate": "8%", "days": "300", "management_fee": "0",
              "trade_cost": "0.11%", "warning_line": "110%", "liquidation_line": "105%", "move": ["-0.1", "0.1"]}  # fmt: skip
    r = client.get("/api/calc", params=params)
    assert r.status_code == 200 and r.json()["days"] == 300 and r.json()["interest"] > 0
    documented = {p["name"] for p in client.get("/openapi.json").json()["paths"]["/api/calc"]["get"]["parameters"]}
    assert documented == set(params) | {"ratio", "monthly_rate", "daily_rate"}


def test_every_get_of_the_api_refuses_a_parameter_it_does_not_take(client):
    for path, takes in (("/api/history", "source"), ("/api/sources", "no query parameters"),
                        ("/api/entries/csrc-peizi/3", "no query parameters")):  # fmt: skip
        detail = problem(client.get(path, params={"as_of": "2020-01-01"}), 422)
        assert detail == f"unknown parameter as_of: this endpoint takes {takes}", path
    assert client.get("/api/history", params={"source": "csrc-peizi"}).status_code == 200


# ---- 6. a POST's query string -------------------------------------------------------------------


@pytest.mark.parametrize("path, body", [("/api/check", {"queries": ["a"]}), ("/api/text", {"text": "配资 1:10"})])
def test_a_post_refuses_query_parameters_naming_them(client, path, body):
    """POST /api/check?q=x&as_of=2020-01-01 answered 200 from the current lists."""
    r = client.post(path, params={"q": "x", "as_of": "2020-01-01"}, json=body)
    assert problem(r, 422) == "unknown parameter as_of, q: this endpoint takes no query parameters, only a JSON body"
    assert client.post(path, json=body).status_code == 200


# ---- 8. HEAD ------------------------------------------------------------------------------------


GETS = ["/healthz", "/", "/?lang=en&q=杜德配资", "/api/check?q=杜德配资", "/api/entries?limit=2", "/api/sources",
        "/api/history?source=csrc-peizi", "/api/entries/csrc-peizi/3", "/api/calc?own=1万&leverage=5",
        "/openapi.json", "/api/check?q=x&as_of=2020-01-01", "/api/entries/csrc-peizi/999999"]  # fmt: skip


@pytest.mark.parametrize("path", GETS)
def test_head_answers_as_get_does_without_the_body(client, path):
    """HEAD was 405 everywhere but /openapi.json (uptime monitors probe /healthz with HEAD)."""
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code and head.content == b""
    for name in ("content-type", "content-length"):
        assert head.headers.get(name) == get.headers.get(name), name


def test_head_on_a_path_without_get_is_a_405_naming_its_methods(client):
    r = client.head("/api/text")
    assert r.status_code == 405 and r.headers["allow"] == "POST" and r.content == b""


def test_a_real_server_answers_head_on_healthz(shared_db):
    server = Server(shared_db, "--rate-limit", "0")
    try:
        head = requests.head(server.url + "/healthz", timeout=30)
        get = requests.get(server.url + "/healthz", timeout=30)
    finally:
        server.stop()
    assert head.status_code == get.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"] == str(len(get.content))


# ---- 9. the page's form -------------------------------------------------------------------------


def test_the_page_refuses_a_multipart_form_saying_how_to_send_it(client):
    """curl -F 'q=杜德配资' got 200 and the empty start page: no result and no error."""
    r = client.post("/", files={"q": (None, "杜德配资")})
    error = page_error(r, 415)
    assert "表单须以 application/x-www-form-urlencoded 格式提交" in error and "not multipart/form-data" in error
    assert r.headers["accept"] == "application/x-www-form-urlencoded"
    en = page_error(client.post("/?lang=en", json={"q": "杜德配资"}), 415)
    assert en == "Error: the form must be sent as application/x-www-form-urlencoded (what the page&#x27;s form " \
                 "sends), not application/json"  # fmt: skip


def test_the_page_still_reads_its_own_form_and_an_empty_post(client):
    form = {"content-type": "application/x-www-form-urlencoded; charset=UTF-8"}
    r = client.post("/?lang=en", content="q=%E6%9D%9C%E5%BE%B7%E9%85%8D%E8%B5%84".encode(), headers=form)
    assert r.status_code == 200 and "LISTED on an official list" in r.text
    empty = client.post("/")  # nothing sent, nothing to read: the start page
    assert empty.status_code == 200 and 'id="error"' not in empty.text


# ---- 10. the entries' search --------------------------------------------------------------------


@pytest.mark.parametrize("q", ["杜德配資", "ＤＤＰＺ６６６", "杜德 配资", "gh_d3cc254439bb", "GH_D3CC254439BB", "哲杜德",
                               "DDPZ666.COM", "www.ddpz777"])  # fmt: skip
def test_the_entries_search_reads_text_as_names_are_matched(client, q):
    """Traditional, full width, a space and a WeChat id of the entry all found nothing."""
    found = client.get("/api/entries", params={"q": q}).json()
    assert DUDE in [(e["source"], e["seq"]) for e in found["entries"]], q
    assert found["total"] == len(found["entries"])
    assert client.get("/api/entries", params={"q": q, "source": "sac-blacklist"}).json()["total"] == 0


def test_the_entries_search_and_check_agree_on_a_listed_name(client):
    for q in ("杜德配資", "杜德 配资", "gh_d3cc254439bb"):
        [check] = client.get("/api/check", params={"q": q}).json()
        assert check["verdict"] == "listed" and (check["matches"][0]["source"], check["matches"][0]["seq"]) == DUDE
        found = client.get("/api/entries", params={"q": q}).json()["entries"]
        assert [(e["source"], e["seq"]) for e in found] == [DUDE]


def test_the_entries_search_of_only_punctuation_or_spaces(client):
    everything = client.get("/api/entries", params={"limit": 1}).json()["total"]
    assert client.get("/api/entries", params={"q": "  ", "limit": 1}).json()["total"] == everything
    dots = client.get("/api/entries", params={"q": "．", "limit": 1}).json()["total"]  # full width: "."
    assert 0 < dots < everything  # the entries with an address, as written
    assert client.get("/api/entries", params={"q": "没有这个平台"}).json()["total"] == 0


def test_the_calculators_days_are_read_as_calc_reads_them(client):
    for days, want in (("30", 30), ("３０", 30), ("45天", 45)):
        r = client.get("/api/calc", params={"own": "10万", "leverage": "10", "days": days})
        assert r.status_code == 200 and r.json()["days"] == want, (days, r.text)
    detail = problem(client.get("/api/calc", params={"own": "10万", "leverage": "10", "days": "1.5"}), 422)
    assert "'1.5' is not a whole number of days" in detail  # the calculator's words, not the framework's
    for days in ("45", "45天"):  # the page's calculator (a GET form), as the command line reads them
        r = client.get("/", params={"own": "10万", "leverage": "10", "days": days})
        assert r.status_code == 200 and 'id="error"' not in r.text and 'name="days" value="' in r.text, days
    r = client.get("/", params={"own": "10万", "leverage": "10", "days": "1.5"})
    assert "is not a whole number of days (e.g. 30)" in page_error(r, 422)
