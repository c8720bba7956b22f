"""`peizi-guard serve` as a real uvicorn process on 127.0.0.1: the API, the page and a clean stop."""
from __future__ import annotations

import requests
from .webhelper import Server, corpus_text


def test_serve_end_to_end(db):
    server = Server(db, "--workers", "2", "--rate-limit", "0")
    try:
        r = requests.get(server.url + "/api/check", params={"q": ["杜德配资", "ddpz999.com"]}, timeout=10)
        assert r.status_code == 200
        assert [v["verdict"] for v in r.json()] == ["listed", "suspicious"]
        sms = corpus_text("st-0001")["text"]
        t = requests.post(server.url + "/api/text", json={"text": sms}, timeout=10).json()
        assert t["verdict"] == "suspicious"
        page = requests.post(server.url + "/", data={"q": "杜德配资"}, timeout=10)
        assert 'class="verdict listed"' in page.text
        big = requests.post(server.url + "/api/text", data=b"x" * (3 * 1024 * 1024),
                            headers={"content-type": "application/json"}, timeout=10)
        assert big.status_code == 413
        assert requests.get(server.url + "/docs", timeout=10).status_code == 200
    finally:
        err = server.stop()
    assert "serving http://127.0.0.1:" in err and "Traceback" not in err


def test_serve_rate_limit_and_loopback_default(db):
    server = Server(db, "--rate-limit", "3")
    try:
        codes = [requests.get(server.url + "/api/entries", timeout=10).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
    finally:
        err = server.stop()
    assert "listening on" not in err  # no warning: loopback only

