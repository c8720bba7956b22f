"""Fixes from a user test: the page never calls the user's own list official, the calculator takes
only figures it can compute (finite JSON, one-line errors naming the caller's own options), and
`serve` refuses a port in use or a host that does not resolve before it says it is serving; it
follows lists imported or refreshed beside it, and its API names allowed methods, refuses bodies
that are not JSON with 415, says 404 for an unknown source everywhere and Retry-After in its text."""
from __future__ import annotations

import itertools
import json
import math
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from peizi_guard import api as guard_api
from peizi_guard.api import import_file
from peizi_guard.calc import MAX_DAYS, MAX_LEVERAGE, MAX_OWN, CalcError, calculate
from peizi_guard.cli import main
from peizi_guard.web.app import FOLLOW_EVERY, create_app
from peizi_guard.web.limits import RateLimit
from peizi_guard.web.listen import ListenError, check_listen

from .webhelper import Server, free_port

HEADER = "name,company,urls,aliases,note\n"
V1 = ["牛牛,牛牛投资有限公司,niuniu-pz.com,,seen in an ad\n", "杜德配资,,,,also on the CSRC list\n"]
V2 = V1 + ["马马策略,,,,\n"]


def cli(db, *args):
    return CliRunner().invoke(main, ["--db", db, *args])


@pytest.fixture(scope="module")
def user_db(shared_db, tmp_path_factory):
    """The shipped lists and a user list “my-block”: imported (2 entries), updated (3), then reverted to the 2."""
    folder = tmp_path_factory.mktemp("lists")
    for name, rows in (("v1.csv", V1), ("v2.csv", V2)):
        (folder / name).write_text(HEADER + "".join(rows), encoding="utf-8")
        assert cli(shared_db, "import", str(folder / name), "--source", "my-block").exit_code == 0
    [src] = [json.loads(x) for x in cli(shared_db, "sources", "--json").stdout.splitlines() if '"my-block"' in x]
    first = src["snapshots"][0]
    assert first["entry_count"] == 2 and src["snapshots"][-1]["entry_count"] == 3
    assert cli(shared_db, "revert", "my-block", str(first["id"])).exit_code == 0
    return shared_db


@pytest.fixture(scope="module")
def client(user_db):
    with TestClient(create_app(user_db, rate_limit=0)) as c:
        yield c


def verdict_head(html: str) -> str:
    return re.search(r'<div class="verdict \w+" id="verdict">([^<]*)</div>', html).group(1)


def lists_line(html: str) -> str:
    return re.search(r'<p class="small" id="lists">([^<]*)</p>', html).group(1)


# ---- 1. the user's own list is never “official” ------------------------------------------------


def test_a_match_on_the_users_own_list_only_is_worded_as_check_words_it(client, user_db):
    text = cli(user_db, "check", "牛牛").stdout
    assert "在你导入的名单上 LISTED on your own list" in text and "已列入官方名单" not in text
    zh = client.post("/", data={"q": "牛牛"}).text
    en = client.post("/?lang=en", data={"q": "牛牛"}).text
    assert verdict_head(zh) == "在你导入的名单上" and verdict_head(en) == "LISTED on your own list"
    assert f"{verdict_head(zh)} {verdict_head(en)}" in text  # the same words as the command
    assert 'class="verdict listed"' in zh and "已列入官方名单" not in zh and "your list “my-block”" in zh
    assert "LISTED on an official list" not in en


def test_an_official_match_stays_official_whatever_the_users_list_holds(client, user_db):
    v = json.loads(cli(user_db, "check", "杜德配资", "--json").stdout)
    assert {m["list"] for m in v["matches"]} == {"official", "user"}  # on both lists
    assert verdict_head(client.post("/", data={"q": "杜德配资"}).text) == "已列入官方名单"
    assert verdict_head(client.post("/?lang=en", data={"q": "杜德配资"}).text) == "LISTED on an official list"


def test_the_lists_under_the_page_are_the_current_ones_official_with_dates_the_users_marked(client):
    zh, en = lists_line(client.get("/").text), lists_line(client.get("/?lang=en").text)
    assert "中国证券监督管理委员会《非法从事场外配资平台名单》：258 条，2020-07-08 公布" in zh
    assert "中国证券业协会《非法仿冒证券公司、证券投资咨询公司等机构黑名单》：152 条，2020-05-01 公布" in zh
    assert "你导入的名单 “my-block”：2 条" in zh  # the reverted, current snapshot, not the last one
    assert "中国证券监督管理委员会《非法从事场外配资平台名单》: 258 entries, published 2020-07-08" in en
    assert "your own list “my-block”: 2 entries" in en
    assert "?" not in zh + en and "csrc-peizi" not in zh
    assert zh.index("中国证券业协会") < zh.index("你导入的名单")  # official lists first
    assert verdict_head(client.post("/", data={"q": "马马策略"}).text) != "在你导入的名单上"  # only in the later one


# ---- 2. the calculator takes only what it can compute -------------------------------------------


@pytest.mark.parametrize("kwargs, message", [
    (dict(own=100_000, leverage="1e308"), "at most 1000"),
    (dict(own=100_000, leverage=1e308), "at most 1000"),
    (dict(own=100_000, leverage=MAX_LEVERAGE + 1), "at most 1000"),
    (dict(own=100_000, leverage="inf"), "not a finite number"),
    (dict(own=100_000, leverage="nan"), "not a finite number"),
    (dict(own=100_000, leverage=math.nan), "not a finite number"),
    (dict(own=100_000, ratio="1:1000"), "leverage 1001"),
    (dict(own=100_000, ratio="1:" + "9" * 400), "above zero"),
    (dict(own="9" * 400, leverage=10), "more than the calculator takes"),
    (dict(own=MAX_OWN * 10, leverage=10), "more than the calculator takes"),
    (dict(own=math.inf, leverage=10), "more than the calculator takes"),
    (dict(own=math.nan, leverage=10), "above zero"),
    (dict(own=100_000, leverage=10, days=MAX_DAYS + 1), "at most 36,500"),
    (dict(own=100_000, leverage=10, days=10**400), "at most 36,500"),
    (dict(own=100_000, leverage=10, annual_rate=math.nan), "not a finite number"),
    (dict(own=100_000, leverage=10, daily_rate="9" * 400 + "%"), "not a finite number"),
    (dict(own=100_000, leverage=10, warning_line="9" * 400 + "%"), "not a finite number"),
    (dict(own=100_000, leverage=10, warning_line="2000%"), "above 1000%"),
    (dict(own=100_000, leverage=10, liquidation_line=math.inf), "not a finite number"),
    (dict(own=100_000, leverage=10, moves=[math.inf]), "not a finite number"),
    (dict(own=100_000, leverage=10, moves=["5000%"]), "more than 1000%"),
])  # fmt: skip
def test_figures_it_cannot_compute_are_refused(kwargs, message):
    with pytest.raises(CalcError, match=message):
        calculate(**kwargs)


def test_the_bounds_themselves_are_computed():
    r = calculate(MAX_OWN, MAX_LEVERAGE, daily_rate="100%", days=MAX_DAYS, warning_line="1000%",
                  liquidation_line="1000%", moves=["-100%", "1000%"])  # fmt: skip
    json.dumps(r, allow_nan=False)
    assert r["position"] == MAX_OWN * MAX_LEVERAGE and r["days"] == MAX_DAYS


finite_or_not = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**30), 10**30))


@settings(max_examples=300, derandomize=True, deadline=None)
@given(own=finite_or_not, lev=finite_or_not, rate=finite_or_not, line=finite_or_not, move=finite_or_not,
       days=st.integers(-10, 10**6))  # fmt: skip
def test_any_answer_is_valid_json(own, lev, rate, line, move, days):
    try:
        r = calculate(own, lev, daily_rate=rate, warning_line=line, days=days, moves=[move])
    except CalcError:
        return
    json.dumps(r, allow_nan=False)  # no Infinity, no NaN


def test_command_refuses_in_one_line_with_exit_2():
    for args, flag in ((["--leverage", "1e308"], "--leverage"), (["--leverage", "10", "--days", "100000"], "--days"),
                       (["--ratio", "1:5000"], "--ratio"), (["--leverage", "10", "--move", "99999%"], "--move")):  # fmt: skip
        r = CliRunner().invoke(main, ["calc", "--own", "100000", *args, "--json"])
        assert r.exit_code == 2, r.output
        assert r.output.count("\n") == 1 and r.output.startswith(f"peizi-guard: error: {flag}")


def test_api_refuses_with_a_problem_naming_its_own_parameters(client):
    cases = [
        ({"own": "100000", "leverage": "1e308"}, "leverage"),
        ({"own": "100000"}, "give exactly one of leverage (e.g. 10) or ratio"),
        ({"own": "100000", "leverage": "10", "days": "100000"}, "days"),
        ({"own": "100000", "leverage": "10", "annual_rate": "nan"}, "annual_rate"),
        ({"own": "100000", "leverage": "10", "annual_rate": "8%", "monthly_rate": "1%"}, "give at most one of annual_rate"),
        ({"own": "9" * 400, "leverage": "10"}, "own"),
        ({"own": "100000", "leverage": "10", "warning_line": "5000%"}, "a warning or liquidation line above"),
        ({"own": "100000", "leverage": "10", "move": "99999%"}, "move"),
    ]
    for params, start in cases:
        r = client.get("/api/calc", params=params)
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", (params, r.text)
        assert r.json()["detail"].startswith(start) and "--" not in r.json()["detail"], r.json()
    ok = client.get("/api/calc", params={"own": "100000", "leverage": "1000", "days": "36500"})
    assert ok.status_code == 200 and json.loads(ok.text, parse_constant=pytest.fail)["position"] == 1e8


def test_page_shows_the_error_and_no_chart(client):
    r = client.get("/", params={"own": "10万", "leverage": "1e308"})
    assert r.status_code == 422 and 'id="error"' in r.text and "<svg" not in r.text
    assert "leverage 1e308 is more than the calculator takes" in r.text
    r = client.get("/", params={"own": "10万", "ratio": "1:9", "monthly": "abc"})
    assert "monthly: &#x27;abc&#x27; is not a percentage" in r.text  # the form's own field name


# ---- 3. serve: a port in use or a host that does not resolve is a usage error ------------------


def test_check_listen_binds_and_lets_go():
    port = free_port()
    check_listen("127.0.0.1", port)
    check_listen("localhost", port)
    with socket.socket() as s:  # the check let go of the port
        s.bind(("127.0.0.1", port))


def test_check_listen_says_why_in_one_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ListenError, match=rf"^cannot listen on 127\.0\.0\.1:{port}: the port is already in use"):
            check_listen("127.0.0.1", port)
    # hosts that fail before any DNS query: glibc refuses a name with spaces, Python an empty label
    with pytest.raises(ListenError, match=r"^cannot listen on no such host:8765: host 'no such host' does not resolve"):
        check_listen("no such host", 8765)
    with pytest.raises(ListenError, match=r"does not resolve"):
        check_listen("bad..host", 8765)
    with pytest.raises(ListenError, match=r"^cannot listen on 192\.0\.2\.1:8765: the address is not one of this machine"):
        check_listen("192.0.2.1", 8765)  # TEST-NET-1: never a local address


def serve(db, *args):
    cmd = [sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", db, "serve", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_serve_on_a_port_in_use_says_so_and_exits_2(user_db):
    server = Server(user_db, "--rate-limit", "0")  # a real peizi-guard serve holds the port
    try:
        r = serve(user_db, "--port", str(server.port))
    finally:
        server.stop()
    assert r.returncode == 2, r.stderr
    assert r.stderr == f"peizi-guard: error: cannot listen on 127.0.0.1:{server.port}: the port is already in use " \
                       "(another server is listening there)\n"
    assert "serving" not in r.stderr and r.stdout == ""


def test_serve_on_a_host_that_does_not_resolve_says_so_and_exits_2(user_db):
    r = serve(user_db, "--host", "no such host", "--port", str(free_port()))
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("peizi-guard: error: cannot listen on no such host:") and r.stderr.count("\n") == 1
    assert "serving" not in r.stderr and "warning" not in r.stderr


# ---- 4. serve follows the lists another process imports or refreshes ----------------------------

ADD = HEADER + "青蛙理财平台,青蛙理财有限公司,qingwa-licai.com,,\n" + "蝌蚪优配,,,,\n"


def home_lists(c) -> str:
    return lists_line(c.get("/").text)


def test_serve_follows_a_list_another_process_imports(new_db, tmp_path):
    db = new_db("follow")
    (tmp_path / "add.csv").write_text(ADD, encoding="utf-8")
    with TestClient(create_app(db, rate_limit=0, follow_every=0)) as c:
        before = c.get("/healthz").json()["entries"]
        assert c.get("/api/check", params={"q": "青蛙理财平台"}).json()[0]["verdict"] == "clear"
        assert c.get("/api/entries", params={"source": "addlist"}).status_code == 404
        assert "addlist" not in home_lists(c)
        import_file(db, str(tmp_path / "add.csv"), "addlist")  # not through the app's Guard: another process
        got = c.get("/api/check", params=[("q", "青蛙理财平台"), ("q", "https://qingwa-licai.com/")]).json()
        assert [v["verdict"] for v in got] == ["listed", "listed"]
        assert c.post("/api/text", json={"text": "蝌蚪优配"}).json()["verdict"] != "clear"
        entries = c.get("/api/entries", params={"source": "addlist"}).json()
        assert entries["total"] == 2 and entries["entries"][0]["name"] == "青蛙理财平台"
        assert c.get("/api/entries/addlist/2").json()["name"] == "蝌蚪优配"
        assert c.get("/healthz").json()["entries"] == before + 2
        assert [h["entry_count"] for h in c.get("/api/history", params={"source": "addlist"}).json()] == [2]
        assert "你导入的名单 “addlist”：2 条" in home_lists(c)  # the line under the page too
        assert verdict_head(c.post("/", data={"q": "青蛙理财平台"}).text) == "在你导入的名单上"


def test_a_running_serve_sees_an_import_from_the_command_line(new_db, tmp_path):
    """The user's case: `serve` on a database, `peizi-guard --db … import add.csv` beside it."""
    db = new_db("follow-serve")
    (tmp_path / "add.csv").write_text(ADD, encoding="utf-8")
    server = Server(db, "--rate-limit", "0")  # the default look: at most once every 2 s
    try:
        ask = lambda: requests.get(server.url + "/api/check", params={"q": "青蛙理财平台"}, timeout=10).json()  # noqa: E731
        assert ask()[0]["verdict"] == "clear"
        assert cli(db, "import", str(tmp_path / "add.csv"), "--source", "addlist").exit_code == 0
        deadline = time.monotonic() + FOLLOW_EVERY + 10
        while ask()[0]["verdict"] != "listed" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert ask()[0]["verdict"] == "listed"
        r = requests.get(server.url + "/api/entries", params={"source": "addlist"}, timeout=10)
        assert r.status_code == 200 and r.json()["total"] == 2
    finally:
        err = server.stop()
    assert "Traceback" not in err


def test_requests_keep_their_index_while_another_thread_drops_it(new_db, monkeypatch):
    """Every look sees new lists (follow_every=0, a key that always changes), so the index and the
    caches are dropped and reloaded under requests on eight threads: each answers from a whole
    index, and none fails or waits for ever."""
    db = new_db("threads")
    app = create_app(db, rate_limit=0, follow_every=0)
    index = guard_api.load_index(db)
    looks = itertools.count()
    monkeypatch.setattr(guard_api, "index_key", lambda url: str(next(looks)))
    monkeypatch.setattr(guard_api, "load_index", lambda *a, **k: index)  # a reload costs nothing here
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads very often
    try:
        with TestClient(app) as c:

            def ask(_: int) -> list[int]:
                out = []
                for _ in range(10):  # healthz reads every entry again after each drop: slow on PostgreSQL
                    r = c.get("/api/check", params={"q": "杜德配资"})
                    out.append(r.status_code if r.status_code != 200 else r.json()[0]["verdict"] == "listed")
                    out.append(c.get("/healthz").status_code)
                return out

            with ThreadPoolExecutor(8) as pool:
                answers = [x for xs in pool.map(ask, range(8)) for x in xs]
    finally:
        sys.setswitchinterval(interval)
    assert set(answers) == {True, 200} and next(looks) > 40  # the index was dropped over and over


# ---- 5. API details: Allow, 415, unknown sources, Retry-After ---------------------------------


def test_405_names_every_method_the_path_takes(client):
    for method, path, allow in (("DELETE", "/api/check", "GET, HEAD, POST"), ("PUT", "/api/check", "GET, HEAD, POST"),
                                ("GET", "/api/text", "POST"), ("PUT", "/", "GET, HEAD, POST"),
                                ("POST", "/api/entries", "GET, HEAD")):  # fmt: skip
        r = client.request(method, path)
        assert r.status_code == 405 and r.headers["allow"] == allow, (method, path, r.headers)
        assert r.headers["content-type"] == "application/problem+json" and r.json()["title"] == "Method Not Allowed"


def test_a_body_that_is_not_json_is_415(client):
    for path in ("/api/check", "/api/text"):
        for kwargs, media in ((dict(data={"queries": "x", "text": "x"}), "application/x-www-form-urlencoded"),
                              (dict(content=b"x", headers={"content-type": "text/plain"}), "text/plain"),
                              (dict(content=b'{"text": "x"}'), "none given")):  # fmt: skip
            r = client.post(path, **kwargs)
            assert r.status_code == 415, (path, media, r.text)
            assert r.headers["content-type"] == "application/problem+json" and r.headers["accept"] == "application/json"
            assert r.json() == {"type": "about:blank", "title": "Unsupported Media Type", "status": 415,
                                "detail": f"the body must be JSON (content-type: application/json), not {media}"}  # fmt: skip
    ok = client.post("/api/text", content='{"text": "杜德配资"}'.encode(),
                     headers={"content-type": "application/json; charset=utf-8"})  # fmt: skip
    assert ok.status_code == 200 and ok.json()["verdict"] == "listed"
    assert client.post("/api/check", json={"queries": []}).status_code == 422  # JSON, still checked


def test_an_unknown_source_is_404_everywhere_in_one_shape(client):
    answers = [client.get(path, params={"source": "nope"}) for path in ("/api/entries", "/api/history")]
    for r in answers:
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert answers[0].json() == answers[1].json() == {
        "type": "about:blank", "title": "Not Found", "status": 404, "detail": "unknown source: nope"}  # fmt: skip
    assert client.get("/api/entries", params={"source": "my-block"}).json()["total"] == 2
    assert client.get("/api/entries", params={"source": ""}).json()["total"] > 400  # empty: every source


@pytest.mark.parametrize("wait, after", [(0.3, 1), (1.0, 1), (2.2, 3), (59.01, 60)])
def test_429_says_the_seconds_its_retry_after_says(user_db, monkeypatch, wait, after):
    monkeypatch.setattr(RateLimit, "allow", lambda self, client, now=None: wait)
    with TestClient(create_app(user_db, rate_limit=5)) as c:
        r = c.get("/api/check", params={"q": "杜德配资"})
    assert r.status_code == 429 and r.headers["retry-after"] == str(after)
    assert r.json()["detail"].endswith(f"try again in {after} s")
