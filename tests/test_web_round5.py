"""Round five of the user test, the web service: a JSON body key an endpoint does not take is a 422
naming it (as a query parameter is), the page answers its errors as a page in its language, the
curl example in `serve --help` works against a real server, and a PEIZI_GUARD_PORT that is not a
port is one line naming the variable."""
from __future__ import annotations

import json
import shlex
import shutil
import subprocess

import pytest
import requests
from click.testing import CliRunner
from fastapi.testclient import TestClient

from peizi_guard.cli import main
from peizi_guard.web.app import create_app

from .webhelper import Server

BIG = b"q=" + b"x" * (3 * 1024 * 1024)  # a form over the 2 MiB cap
FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def client(shared_db):
    with TestClient(create_app(shared_db, rate_limit=0)) as c:
        yield c


def problem(r, status: int) -> str:
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert set(body) == {"type", "title", "status", "detail"} and body["status"] == status
    return body["detail"]


# ---- 1. a JSON key an endpoint does not take --------------------------------------------------


def test_a_body_key_check_does_not_take_is_refused_naming_it(client):
    """{"queries": […], "as_of": …} answered for today's lists, as if as_of were read."""
    r = client.post("/api/check", json={"queries": ["杜德配资"], "as_of": "2019-01-01", "kind": "url"})
    assert problem(r, 422) == "unknown key as_of, kind: this endpoint takes queries"
    r = client.post("/api/check", json={"query": ["杜德配资"]})  # a typo: named, not "queries: Field required"
    assert problem(r, 422) == "unknown key query: this endpoint takes queries"
    assert client.post("/api/check", json={"queries": ["杜德配资"]}).json()[0]["verdict"] == "listed"


def test_a_body_key_text_does_not_take_is_refused_naming_it(client):
    r = client.post("/api/text", json={"text": "杜德配资，加微信", "as_of": "2019-01-01"})
    assert problem(r, 422) == "unknown key as_of: this endpoint takes text"
    assert client.post("/api/text", json={"text": "杜德配资，加微信"}).status_code == 200


def test_the_get_and_the_post_refuse_in_the_same_words(client):
    get = problem(client.get("/api/check", params={"q": "杜德配资", "as_of": "2019-01-01"}), 422)
    post = problem(client.post("/api/check", json={"queries": ["杜德配资"], "as_of": "2019-01-01"}), 422)
    assert get == "unknown parameter as_of: this endpoint takes q"
    assert post == "unknown key as_of: this endpoint takes queries"


def test_many_or_long_unknown_keys_are_named_briefly(client):
    keys = {f"k{i:02}": 1 for i in range(12)} | {"x" * 5000: 1}
    detail = problem(client.post("/api/check", json={"queries": ["a"], **keys}), 422)
    assert detail.startswith("unknown key k00, k01,") and detail.endswith(", …: this endpoint takes queries")
    assert len(detail) < 200


def test_the_api_docs_say_no_other_keys(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["CheckRequest"]["additionalProperties"] is False
    assert schemas["TextRequest"]["additionalProperties"] is False


# ---- 3. the page's errors are a page in its language ----------------------------------------


def html_error(r, status: int, lang: str) -> str:
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in r.text and 'id="error"' in r.text
    return r.text


def test_a_form_over_the_cap_is_a_chinese_and_english_page(client):
    page = html_error(client.post("/", content=BIG, headers=FORM), 413, "zh-CN")
    assert "出错了: 提交的内容超过 2,097,152 字节 / request body over 2,097,152 bytes" in page
    assert 'href="/?lang=zh"' in page and "返回查询" in page


def test_a_form_over_the_cap_on_the_english_page_is_english(client):
    page = html_error(client.post("/?lang=en", content=BIG, headers=FORM), 413, "en")
    assert "Error: request body over 2,097,152 bytes" in page and "字节" not in page
    assert 'href="/?lang=en"' in page


def test_a_form_sent_in_chunks_over_the_cap_is_a_page_too(client):
    def chunks():
        for _ in range(40):
            yield b"x" * 100_000  # 4 MB, no Content-Length

    html_error(client.post("/", content=chunks(), headers=FORM), 413, "zh-CN")


def test_the_api_over_the_cap_stays_json_even_for_a_browser(client):
    big = b"x" * (3 * 1024 * 1024)
    for accept in ("*/*", "text/html,application/xhtml+xml"):
        r = client.post("/api/text", content=big, headers={"content-type": "application/json", "accept": accept})
        assert problem(r, 413) == "request body over 2,097,152 bytes"


def test_a_form_that_is_not_utf8_is_a_page(client):
    page = html_error(client.post("/?lang=en", content=b"q=%FF\xff", headers=FORM), 400, "en")
    assert "a form of UTF-8 text was expected" in page


def test_too_many_requests_on_the_page_is_a_page(shared_db):
    with TestClient(create_app(shared_db, rate_limit=1)) as c:
        assert c.get("/").status_code == 200
        page = html_error(c.get("/"), 429, "zh-CN")
        assert "每分钟来自 testclient 的请求超过 1 次" in page and "requests a minute" in page
        assert problem(c.get("/api/entries"), 429).startswith("more than 1 requests a minute")


def test_a_text_over_200_kb_is_said_in_the_pages_language(client):
    text = "配资" * 40_000  # 240 kB of UTF-8
    zh = client.post("/", data={"q": text}).text
    assert "出错了: 文字超过 204,800 字节 / the text is over 204,800 bytes" in zh
    en = client.post("/?lang=en", data={"q": text}).text
    assert "Error: the text is over 204,800 bytes" in en and "字节" not in en


# ---- 2 and 3 on a real server: the help's curl example, a browser's big form ---------------


def help_curl() -> str:
    out = CliRunner().invoke(main, ["serve", "--help"]).output
    [line] = [x.strip() for x in out.splitlines() if x.strip().startswith("curl ")]
    return line


def test_the_curl_example_in_serve_help_puts_no_raw_chinese_in_the_url():
    """uvicorn refuses a request line with raw UTF-8 bytes; curl sends the URL as written."""
    urls = [a for a in shlex.split(help_curl()) if "://" in a]
    assert urls and all(u.isascii() for u in urls)


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_the_curl_example_in_serve_help_works(shared_db):
    """The example sent 杜德配资 as raw bytes in the URL: uvicorn answered 400 before the app ran."""
    server = Server(shared_db, "--rate-limit", "0")
    try:
        cmd = shlex.split(help_curl().replace("127.0.0.1:8765", f"127.0.0.1:{server.port}"))
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    finally:
        server.stop()
    [answer] = json.loads(out)
    assert answer["query"] == "杜德配资" and answer["verdict"] == "listed"


def test_a_browsers_big_form_gets_a_page_from_a_real_server(shared_db):
    server = Server(shared_db, "--rate-limit", "0")
    try:
        r = requests.post(server.url + "/", data=BIG, headers=FORM, timeout=30)
        api = requests.post(server.url + "/api/check", json={"queries": ["杜德配资"], "as_of": "2019-01-01"}, timeout=30)
    finally:
        server.stop()
    assert "提交的内容超过 2,097,152 字节" in html_error(r, 413, "zh-CN")
    assert problem(api, 422) == "unknown key as_of: this endpoint takes queries"


# ---- 4. PEIZI_GUARD_PORT -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "0", "65536", "80.5"])
def test_a_port_from_the_environment_that_is_not_one_names_the_variable(shared_db, value):
    r = CliRunner().invoke(main, ["--db", shared_db, "serve"], env={"PEIZI_GUARD_PORT": value})
    assert r.exit_code == 2
    assert r.output == f"peizi-guard: error: PEIZI_GUARD_PORT={value!r} must be a port number 1–65535\n"


def test_a_bad_port_option_still_names_the_option(shared_db):
    r = CliRunner().invoke(main, ["--db", shared_db, "serve", "--port", "abc"], env={"PEIZI_GUARD_PORT": "8080"})
    assert r.exit_code == 2 and "'--port'" in r.output and "PEIZI_GUARD_PORT" not in r.output
