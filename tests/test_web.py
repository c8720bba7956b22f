"""The web service through FastAPI's TestClient: the API's answers are the CLI's, limits hold,
errors are problem objects, and the page works without JavaScript."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from peizi_guard.cli import main
from peizi_guard.web.app import MAX_QUERIES, create_app
from peizi_guard.web.limits import RateLimit

from .webhelper import corpus_text

SMS = corpus_text("st-0001")  # an SMS ad for 股票和期货配资 (Ydoit/Spam_Message_Classification)


@pytest.fixture(scope="module")
def client(shared_db):
    with TestClient(create_app(shared_db, rate_limit=0)) as c:
        yield c


@pytest.fixture()
def db(shared_db):
    return shared_db  # the service is read-only: its tests share one database


def cli_json(db, *args):
    r = CliRunner().invoke(main, ["--db", db, *args])
    assert r.exit_code in (0, 1), r.output
    return [json.loads(line) for line in r.output.splitlines()]


def test_check_is_the_cli_answer(client, db):
    qs = ["杜德配资", "https://www.ddpz666.com/", "杜得配资", "华泰证券"]
    got = client.get("/api/check", params=[("q", q) for q in qs])
    assert got.status_code == 200
    assert got.json() == cli_json(db, "check", "--json", *qs)
    assert [v["verdict"] for v in got.json()] == ["listed", "listed", "suspicious", "clear"]
    posted = client.post("/api/check", json={"queries": qs})
    assert posted.json() == got.json()


def test_text_is_the_cli_answer(client, db):
    r = client.post("/api/text", json={"text": SMS["text"]})
    assert r.status_code == 200
    assert r.json() == cli_json(db, "check", "--json", "--text", SMS["text"])[0]
    assert r.json()["verdict"] == "suspicious" and r.json()["probability"] > 0.9


def test_entries_sources_history(client):
    r = client.get("/api/entries", params={"q": "ddpz666"}).json()
    assert r["total"] == 1 and r["entries"][0]["name"] == "杜德配资"
    assert client.get("/api/entries", params={"source": "sac-blacklist", "limit": 5}).json()["total"] == 152
    page2 = client.get("/api/entries", params={"source": "csrc-peizi", "limit": 2, "offset": 2}).json()
    assert [e["seq"] for e in page2["entries"]] == [3, 4]
    one = client.get("/api/entries/csrc-peizi/3").json()
    assert one["domains"] == ["ddpz666.com", "ddpz777.com", "ddpz88.com"]
    assert client.get("/api/entries/csrc-peizi/999").status_code == 404
    src = client.get("/api/sources").json()
    assert {s["id"] for s in src} == {"csrc-peizi", "sac-blacklist"}
    assert src[0]["snapshots"][0]["entry_count"] == 258
    hist = client.get("/api/history", params={"source": "csrc-peizi"}).json()
    assert hist[0]["added"] == 258 and hist[0]["current"] is True
    assert client.get("/api/history", params={"source": "nope"}).status_code == 404


def test_calc_is_the_cli_answer(client):
    params = {"own": "10万", "ratio": "1:9", "annual_rate": "8%", "days": "30"}
    r = client.get("/api/calc", params=params)
    cli = CliRunner().invoke(main, ["calc", "--own", "10万", "--ratio", "1:9", "--annual-rate", "8%", "--json"])
    assert r.status_code == 200 and r.json() == json.loads(cli.output)
    assert r.json()["interest"] == 5917.81
    moves = client.get("/api/calc", params=[("own", "100000"), ("leverage", "10"), ("move", "-10%")]).json()
    assert moves["scenarios"][0]["status"] == "wiped_out"
    bad = client.get("/api/calc", params={"own": "100000", "leverage": "1"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert "above 1" in bad.json()["detail"]


def test_errors_are_problems(client):
    r = client.post("/api/text", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["title"] == "Bad Request"
    r = client.post("/api/text", json={"txt": "x"})
    assert r.status_code == 422 and r.json()["detail"] == "unknown key txt: this endpoint takes text"
    r = client.post("/api/text", json={})
    assert r.status_code == 422 and r.json()["detail"].startswith("text")
    r = client.post("/api/check", json={"queries": ["x"] * (MAX_QUERIES + 1)})
    assert r.status_code == 413
    r = client.get("/api/check", params={"q": "x" * 2001})
    assert r.status_code == 413
    r = client.get("/api/check")
    assert r.status_code == 422
    r = client.post("/api/text", json={"text": "配资" * 40_000})  # 240 kB of UTF-8
    assert r.status_code == 413 and "bytes" in r.json()["detail"]
    r = client.post("/api/text", content=b"x" * (3 * 1024 * 1024), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert client.get("/nope").status_code == 404
    assert client.delete("/api/check").status_code == 405
    for resp in (r, client.get("/nope")):
        assert resp.headers["content-type"] == "application/problem+json"
        assert set(resp.json()) == {"type", "title", "status", "detail"}


def test_chunked_body_over_the_cap_is_refused(client):
    def chunks():
        for _ in range(40):
            yield b"x" * 100_000  # 4 MB, no Content-Length

    r = client.post("/api/text", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_rate_limit(db):
    with TestClient(create_app(db, rate_limit=5)) as c:
        codes = [c.get("/api/check", params={"q": "杜德配资"}).status_code for _ in range(8)]
        assert codes == [200] * 5 + [429] * 3
        r = c.get("/api/check", params={"q": "杜德配资"})
        assert r.json()["status"] == 429 and int(r.headers["retry-after"]) >= 1
        assert c.get("/healthz").status_code == 200  # health checks are never limited


def test_bucket_refills():
    rl = RateLimit(None, per_minute=60)  # type: ignore[arg-type]
    assert all(rl.allow("a", now=100.0) == 0 for _ in range(60))
    assert rl.allow("a", now=100.0) > 0
    assert rl.allow("b", now=100.0) == 0  # per client
    assert rl.allow("a", now=101.5) == 0  # a second later, one more


def test_docs_are_served_offline(client):
    html = client.get("/docs").text
    assert "cdn" not in html.lower()
    js = [p for p in html.split('"') if p.endswith(".js")]
    assert js and all(p.startswith("/") for p in js)
    assert client.get(js[0]).status_code == 200
    spec = client.get("/openapi.json").json()
    assert {"/api/check", "/api/text", "/api/entries", "/api/calc", "/api/sources", "/api/history"} <= set(spec["paths"])


def test_page_without_javascript(client):
    home = client.get("/")
    assert home.status_code == 200 and "<script" not in home.text and 'method="post"' in home.text
    r = client.post("/", data={"q": "杜德配资"})
    assert r.status_code == 200
    assert 'class="verdict listed"' in r.text and "杜德配资" in r.text and "ddpz" not in r.text.split("evidence")[0]
    assert "中国证券监督管理委员会" in r.text and "九民纪要" in r.text
    ad = client.post("/", data={"q": SMS["text"]})
    assert 'class="verdict suspicious"' in ad.text and 'id="phrases"' in ad.text
    en = client.post("/?lang=en", data={"q": "杜德配资"})
    assert "LISTED on an official list" in en.text and '<html lang="en">' in en.text
    calc = client.get("/", params={"own": "10万", "ratio": "1:9", "monthly": "1.5%", "days": "30"})
    assert "<svg" in calc.text and "-10.00%" in calc.text  # the wipe-out fall at leverage 10
    bad = client.get("/", params={"own": "abc", "leverage": "10"})
    assert bad.status_code == 422 and 'id="error"' in bad.text
    assert "&lt;script&gt;" in client.post("/", data={"q": "<script>alert(1)</script>"}).text


def test_a_parameter_an_endpoint_does_not_take_is_refused_not_ignored(client):
    """/api/check?q=…&as_of=2020-07-08 answered for today's lists, as if as_of were read."""
    bad = client.get("/api/check", params={"q": "杜德配资", "as_of": "2020-07-08"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert "as_of" in bad.json()["detail"] and "takes q" in bad.json()["detail"]
    assert client.get("/api/entries", params={"limit": 2, "sort": "name"}).status_code == 422
    assert client.get("/api/check", params={"q": "杜德配资"}).status_code == 200
    assert client.get("/api/entries", params={"limit": 2, "q": "杜德"}).status_code == 200
