"""Round seven of the user test, the web service: HTML that shows nothing is refused as an empty
query (422 from the API, the page's own error on the page), a lone surrogate in JSON is a 422
naming the field, an unknown source in an entry's path says so, and the history shows an imported
file by its name, not the operator's folders."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from peizi_guard.api import import_file
from peizi_guard.guard import Guard
from peizi_guard.web.app import _origin, create_app

EMPTY = "blank, only punctuation or symbols, or HTML that shows no text"
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def mine_db(shared_db, tmp_path_factory):
    """The shipped lists and a user list “mine” imported from a local file."""
    folder = tmp_path_factory.mktemp("operator-folder")
    (folder / "mine.csv").write_text("name\n青蛙理财平台\n", encoding="utf-8")
    import_file(shared_db, str(folder / "mine.csv"), "mine")
    return shared_db


@pytest.fixture(scope="module")
def client(mine_db):
    with TestClient(create_app(mine_db, rate_limit=0)) as c:
        yield c


def problem(r, status: int) -> str:
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json", r.text
    return r.json()["detail"]


def page_error(r) -> str:
    """The page's own error line (the page answers an input error with itself, and 422)."""
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    return r.text.split('id="error">', 1)[1].split("</p>", 1)[0]


# ---- 1. HTML that shows nothing ------------------------------------------------------------


@pytest.mark.parametrize("html", ["<p></p>", "<div> </div>", "<html><body>\u200b</body></html>"])
def test_html_that_shows_nothing_is_a_422_from_every_api_endpoint(client, html):
    """Guard refused it as empty: 500 internal error (ValueError)."""
    assert problem(client.post("/api/text", json={"text": html}), 422) == f"text: empty ({EMPTY})"
    get = problem(client.get("/api/check", params={"q": html}), 422)
    post = problem(client.post("/api/check", json={"queries": ["杜德配资", html]}), 422)
    assert get == post == f"an empty query ({EMPTY})"


def test_html_that_shows_something_or_links_is_still_judged(client):
    r = client.post("/api/text", json={"text": '<p><a href="https://example.com/">x</a></p>'})
    assert r.status_code == 200 and r.json()["verdict"] == "clear"
    assert client.get("/api/check", params={"q": "<p>杜德配资</p>"}).json()[0]["verdict"] == "listed"


def test_html_that_shows_nothing_is_the_pages_own_error_in_its_language(client):
    zh = "没有可查的内容：空白、只有标点符号，或不显示任何文字的网页源代码"
    assert page_error(client.get("/", params={"q": "<p></p>"})) == f"出错了: {zh} / nothing to check: {EMPTY}"
    assert page_error(client.post("/", data={"q": "<div> </div>"})).startswith(f"出错了: {zh}")
    en = page_error(client.post("/?lang=en", data={"q": "<p></p>"}))
    assert en == f"Error: nothing to check: {EMPTY}"


def test_a_real_bug_is_still_a_500_and_on_the_page_a_page(mine_db, monkeypatch):
    def broken(self, text):  # noqa: ANN001
        raise RuntimeError("a bug")

    monkeypatch.setattr(Guard, "check_text", broken)
    with TestClient(create_app(mine_db, rate_limit=0), raise_server_exceptions=False) as c:
        assert problem(c.post("/api/text", json={"text": "配资 1:10"}), 500) == "internal error (RuntimeError)"
        r = c.get("/", params={"q": "<p>杜德配资</p>", "lang": "en"})
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in r.text and "Error: internal error (RuntimeError)" in r.text


# ---- 2. a lone surrogate in JSON -----------------------------------------------------------


def test_a_lone_surrogate_is_a_422_naming_the_field(client):
    """JSON's \\ud800 is no text: 500 PydanticSerializationError / UnicodeEncodeError."""
    r = client.post("/api/check", content=b'{"queries": ["ok", "\\ud800abc"]}', headers=JSON)
    assert problem(r, 422) == "queries.1: a lone surrogate (U+D800 at character 1) is not text"
    r = client.post("/api/text", content='{"text": "配资 1:10 \\udfff"}'.encode(), headers=JSON)
    assert problem(r, 422) == "text: a lone surrogate (U+DFFF at character 9) is not text"
    r = client.post("/api/check", content=b'{"queries": ["ok"], "\\ud800": 1}', headers=JSON)
    assert problem(r, 422) == "unknown key \\ud800: this endpoint takes queries"


def test_a_surrogate_pair_is_text(client):
    r = client.post("/api/text", content=b'{"text": "\\ud83d\\ude00 \\u914d\\u8d44 1:10"}', headers=JSON)
    assert r.status_code == 200 and r.json()["query"] == "😀 配资 1:10"


# ---- 3. an unknown source in an entry's path -----------------------------------------------


def test_an_entry_of_an_unknown_source_says_unknown_source(client):
    detail = problem(client.get("/api/entries/nosuch/1"), 404)
    assert detail == "unknown source: nosuch (have csrc-peizi, mine, sac-blacklist)"  # as `list --source` says
    assert problem(client.get("/api/entries/csrc-peizi/999999"), 404) == "no entry csrc-peizi #999999"
    assert client.get("/api/entries/mine/1").json()["name"] == "青蛙理财平台"


# ---- 4. the origin of a snapshot -----------------------------------------------------------


def test_history_and_sources_show_an_imported_file_by_its_name(client):
    history = client.get("/api/history").json()
    origins = {h["source"]: h["origin"] for h in history}
    assert origins["mine"] == "mine.csv" and origins["csrc-peizi"].startswith("builtin:")
    assert "operator-folder" not in client.get("/api/history", params={"source": "mine"}).text
    sources = {s["id"]: s for s in client.get("/api/sources").json()}
    assert [s["origin"] for s in sources["mine"]["snapshots"]] == ["mine.csv"]


@pytest.mark.parametrize(
    "origin, shown",
    [
        ("/srv/lists/l1.csv", "l1.csv"),
        ("C:\\Users\\op\\lists\\l1.xlsx", "l1.xlsx"),
        ("file:///srv/lists/l1.csv", "l1.csv"),
        ("https://www.csrc.gov.cn/a/b/list.pdf", "https://www.csrc.gov.cn/a/b/list.pdf"),
        ("builtin:sac-blacklist-2020-04.docx", "builtin:sac-blacklist-2020-04.docx"),
    ],
)
def test_an_origin_keeps_urls_and_drops_folders(origin, shown):
    assert _origin(origin) == shown
