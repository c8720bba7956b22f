"""Found in use: a clear answer names the user's own lists, checked too; `diff` alone compares
the list now current after an earlier version is made current again."""

from __future__ import annotations

import json

from click.testing import CliRunner

from peizi_guard.cli import main


def cli(db, *args):  # noqa: ANN001
    return CliRunner().invoke(main, ["--db", db, *args])


def _import(db, tmp_path, name: str, rows: list[str]):  # noqa: ANN001
    f = tmp_path / name
    f.write_text("name,urls\n" + "\n".join(rows) + "\n", encoding="utf-8")
    r = cli(db, "import", str(f), "--source", "my-blocklist", "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_a_clear_answer_names_the_users_own_lists_only_when_there_are_some(db, tmp_path):
    r = cli(db, "check", "华泰证券")
    assert r.exit_code == 0 and "Not on the official lists. That alone" in r.output and "your own" not in r.output
    _import(db, tmp_path, "mine.csv", ["甲乙配资,jiayi-pz.com", "丙丁配资,bingding-pz.com"])
    r = cli(db, "check", "华泰证券")
    assert r.exit_code == 0
    assert "Not on the official lists nor on your own (my-blocklist)" in r.output
    assert "你导入的名单（my-blocklist）" in r.output
    r = cli(db, "check", "甲乙配资")  # listed on the user's list: no clear advice at all
    assert r.exit_code == 1 and "your own (my-blocklist)" not in r.output


def test_the_web_page_names_the_users_own_lists_in_a_clear_answer():
    from peizi_guard.matcher import Verdict
    from peizi_guard.web.page import page

    v = Verdict("华泰证券", "name", "clear", 0.0, [], [], [], None)
    lists = [{"id": "csrc-peizi", "kind": "official"}, {"id": "my-blocklist", "kind": "user"}]
    assert "Not on the official lists nor on your own (my-blocklist)" in page("en", "华泰证券", v, lists=lists)
    assert "你导入的名单（my-blocklist）中均未发现" in page("zh", "华泰证券", v, lists=lists)
    assert "nor on your own" not in page("en", "华泰证券", v, lists=lists[:1])


def test_diff_alone_compares_the_list_now_current_after_an_earlier_version_is_current_again(db, tmp_path):
    first = _import(db, tmp_path, "v1.csv", ["甲乙配资,jiayi-pz.com", "丙丁配资,bingding-pz.com"])
    second = _import(
        db, tmp_path, "v2.csv", ["甲乙配资,jiayi-pz.com", "丙丁配资,bingding-pz.com", "戊己配资,wuji-pz.com"]
    )
    d = json.loads(cli(db, "diff", "my-blocklist", "--json").output)
    assert (d["old"], d["new"]) == (first["snapshot"], second["snapshot"])
    assert [e["name"] for e in d["added"]] == ["戊己配资"] and not d["removed"]
    again = _import(db, tmp_path, "v1.csv", ["甲乙配资,jiayi-pz.com", "丙丁配资,bingding-pz.com"])
    assert again["status"] == "reverted"
    d = json.loads(cli(db, "diff", "my-blocklist", "--json").output)
    assert (d["old"], d["new"]) == (second["snapshot"], first["snapshot"])  # what going back changed
    assert [e["name"] for e in d["removed"]] == ["戊己配资"] and not d["added"]


def test_an_entry_printed_otherwise_is_counted_as_changed_not_kept(db, tmp_path):
    _import(db, tmp_path, "v1.csv", ["甲乙配资,jiayi-pz.com", "丙丁配资,bingding-pz.com", "戊己配资,wuji-pz.com"])
    f = tmp_path / "v2.csv"  # 丙丁配资 renamed at its address; 戊己配资 gone; 庚辛配资 new
    f.write_text(
        "name,urls\n甲乙配资,jiayi-pz.com\n丙丁优配,bingding-pz.com\n庚辛配资,gengxin-pz.com\n", encoding="utf-8"
    )
    r = cli(db, "import", str(f), "--source", "my-blocklist")
    assert r.exit_code == 0 and "(added 1, removed 1, changed 1, kept 1)" in r.output, r.output
    out = json.loads(cli(db, "import", str(f), "--source", "my-blocklist", "--force", "--json").output)
    assert out["status"] == "unchanged"
    hist = [json.loads(x) for x in cli(db, "history", "my-blocklist", "--json").output.splitlines()]
    assert [(h["added"], h["removed"], h["changed"], h["kept"]) for h in hist] == [(3, 0, 0, 0), (1, 1, 1, 1)]
    table = cli(db, "history", "my-blocklist").output
    assert "CHANGED" in table and "~1" in table


# ---- round seven of user testing: refresh, import and the library ---------------------------


def _partial_csrc_table() -> bytes:
    """The first 100 rows of the real CSRC list as an HTML table (under half of its 258)."""
    from peizi_guard import builtin

    [doc] = [d for d in builtin.manifest() if d["source"] == "csrc-peizi"]
    parsed, _ = builtin.load(doc)
    rows = "".join(
        f"<tr><td>{e.seq}</td><td>{'/'.join([e.name] + e.aliases)}</td><td>{'<br>'.join(e.urls) or '—'}</td>"
        f"<td>—</td><td>{'/'.join(c.name for c in e.companies) or '—'}</td><td>{e.region}</td></tr>"
        for e in parsed.entries[:100]
    )
    return (
        "<html><head><meta charset='utf-8'></head><body><table><tr><td>序号</td><td>配资平台名称</td><td>网址</td>"
        "<td>配资APP、微信公众号、小程序名称</td><td>运营机构名称</td><td>运营机构注册地</td></tr>"
        f"{rows}</table></body></html>"
    ).encode()


def _refresh(db, *args):  # noqa: ANN001
    r = cli(db, "refresh", "--json", "--allow-private", *args)
    return r, [json.loads(x) for x in r.stdout.splitlines()]


def test_after_a_revert_refreshing_a_document_stored_already_is_unchanged_not_refused(db):
    from peizi_guard import api

    from .sitehelper import Site

    site = Site()
    site.conditional = False  # a server that answers every request in full
    try:
        site.pages["/partial.html"] = ("text/html; charset=utf-8", _partial_csrc_table())
        original = [s for s in api.sources(db) if s["id"] == "csrc-peizi"][0]["snapshots"][-1]["id"]
        r, [o] = _refresh(db, "csrc-peizi", "--url", site.url + "/partial.html", "--force")
        assert r.exit_code == 0 and o["status"] == "added" and o["entries"] == 100
        assert cli(db, "revert", "csrc-peizi", str(original)).exit_code == 0
        for _ in range(2):  # as cron runs it, again and again
            r, [o] = _refresh(db, "csrc-peizi", "--url", site.url + "/partial.html")
            assert r.exit_code == 0 and o["status"] == "unchanged", o
        assert len(api.entries(db, "csrc-peizi")) == 258  # the revert holds
    finally:
        site.close()


def test_refresh_passes_over_an_attachment_that_is_not_the_list(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    from .conftest import FIXTURES
    from .sitehelper import Site

    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    site = Site()
    try:
        page = '<html><body><a href="n.docx">附件1：说明</a> <a href="l.docx">附件2：名单</a></body></html>'
        site.pages["/sac/"] = ("text/html; charset=utf-8", page.encode())
        site.pages["/sac/n.docx"] = (docx, b"<!DOCTYPE html><html><body>login required</body></html>")
        site.pages["/sac/l.docx"] = (docx, (FIXTURES / "sac-blacklist-2019-07.docx").read_bytes())
        r, [o] = _refresh(db, "sac-blacklist", "--url", site.url + "/sac/")
        assert r.exit_code == 0 and o["status"] == "added" and o["entries"] == 132, o
        assert o["url"].endswith("/l.docx")
        site.pages["/sac/l.docx"] = (docx, b"<!DOCTYPE html><html><body>gone</body></html>")
        site.pages["/sac/"] = ("text/html; charset=utf-8", page.replace("名单", "名单 ").encode())
        r, [o] = _refresh(db, "sac-blacklist", "--url", site.url + "/sac/")
        assert r.exit_code == 1 and o["status"] == "failed"
        assert "/n.docx: " in o["message"] and "/l.docx: " in o["message"]  # each one tried is named
    finally:
        site.close()


def test_a_user_list_dated_earlier_is_filed_in_the_history(db, tmp_path):
    newer, older = tmp_path / "l2.csv", tmp_path / "l1.csv"
    newer.write_text("name,urls\n金牛优配,www.jnpz1.com\n恒盈在线,hengying.cc\n新光配资,xgpz.com\n", encoding="utf-8")
    older.write_text(
        "name,urls\n金牛配资,www.jnpz1.com\n银狐策略,yinhu-cl.com\n恒盈在线,hengying.cc\n", encoding="utf-8"
    )
    assert cli(db, "import", str(newer), "--source", "acme", "--published", "2024-06-01").exit_code == 0
    r = cli(db, "import", str(older), "--source", "acme", "--published", "2023-01-01", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["current"] is False, r.output
    assert cli(db, "check", "新光配资").exit_code == 1  # the current list is still the newer one
    hist = [json.loads(x) for x in cli(db, "history", "acme", "--json").output.splitlines()]
    assert [h["published"] for h in hist] == ["2023-01-01", "2024-06-01"]


def test_an_official_document_under_a_name_of_ones_own_is_ones_own_list(db):
    from .conftest import FIXTURES

    r = cli(db, "import", str(FIXTURES / "sac-blacklist-2019-01.docx"), "--source", "sac-2019-01")
    assert r.exit_code == 0, r.output
    v = json.loads(cli(db, "check", "股发金融", "--json").output)
    assert v["verdict"] == "listed"
    assert {(m["source"], m["list"]) for m in v["matches"]} >= {("sac-2019-01", "user")}
    assert all(m["list"] == "user" for m in v["matches"] if m["source"] == "sac-2019-01")
    kinds = {s["id"]: s["kind"] for s in map(json.loads, cli(db, "sources", "--json").output.splitlines())}
    assert kinds["sac-2019-01"] == "user" and kinds["sac-blacklist"] == "official"


def test_a_very_long_name_gets_no_near_match_keys():
    from peizi_guard.matcher.index import FUZZY, postings

    name = "巨象" + "配资平台" * 5000
    e = {
        "source": "big",
        "seq": 1,
        "name": name,
        "aliases": [],
        "apps": [],
        "companies": [],
        "urls": ["jx.com"],
        "domains": ["jx.com"],
        "list": "user",
    }
    tables = {t for t, *_ in postings(e)[1]}
    assert "names" in tables and "hosts" in tables  # still matched as written, and by its address
    assert not tables & {FUZZY, "sounds", "spelled"}
    short = postings(dict(e, name="巨象配资平台"))[1]
    assert {t for t, *_ in short} >= {FUZZY, "sounds", "spelled"}


def test_the_library_refuses_one_string_for_a_list_of_sources_and_a_text_for_a_date(db, tmp_path):
    import pytest

    from peizi_guard import Guard

    g = Guard(db)
    with pytest.raises(TypeError):
        g.refresh("csrc-peizi")
    f = tmp_path / "l.csv"
    f.write_text("name\n甲乙配资\n", encoding="utf-8")
    with pytest.raises(TypeError):
        g.import_file(str(f), "mine", published="2020-01-01")


def _children(pid: int) -> list[int]:
    import os

    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    return out


def test_index_workers_end_when_the_import_is_killed(db, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    import pytest

    from .conftest import TEST_DB

    if TEST_DB:
        pytest.skip("backend-independent (processes): runs in the SQLite run")
    f = tmp_path / "big.jsonl"  # a list long enough to be indexed on worker processes
    f.write_text("".join(json.dumps({"name": f"测试平台{i:05d}", "urls": f"t{i}.example.com"}) + "\n" for i in range(20_500)))
    p = subprocess.Popen([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", db, "import", str(f),
                          "--source", "big", "-j", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(workers := _children(p.pid)) < 2 and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.05)
        assert len(workers) >= 2, "the import never started its workers"
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        deadline = time.monotonic() + 10
        while any(os.path.exists(f"/proc/{w}") and "Z" not in open(f"/proc/{w}/stat").read().rsplit(")", 1)[1][:3]
                  for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        alive = [w for w in workers if os.path.exists(f"/proc/{w}")
                 and "Z" not in open(f"/proc/{w}/stat").read().rsplit(")", 1)[1][:3]]
        assert not alive, f"workers {alive} outlived the killed import"
    finally:
        if p.poll() is None:
            p.kill()


def test_a_database_locked_by_another_program_fails_the_refresh_with_a_json_line(db_before_history, monkeypatch):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    import sqlite3

    import pytest

    from peizi_guard.db import engine

    from .conftest import FIXTURES, TEST_DB
    from .sitehelper import Site

    if TEST_DB:
        pytest.skip("SQLite-specific (another program's lock on the file); this run uses PEIZI_GUARD_TEST_DB")
    cli(db, "list")  # set up
    monkeypatch.setattr(engine, "BUSY_MS", 300)
    site = Site()
    other = sqlite3.connect(db, isolation_level=None)
    try:
        docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        site.landing("/sac/", "l.docx")
        site.pages["/sac/l.docx"] = (docx, (FIXTURES / "sac-blacklist-2019-07.docx").read_bytes())
        other.execute("BEGIN EXCLUSIVE")
        r, outs = _refresh(db, "sac-blacklist", "--url", site.url + "/sac/")
        assert r.exit_code == 1 and [o["status"] for o in outs] == ["failed"], r.output
        assert "locked by another program" in outs[0]["message"]
        other.execute("ROLLBACK")
        r, [o] = _refresh(db, "sac-blacklist", "--url", site.url + "/sac/")
        assert r.exit_code == 0 and o["status"] == "added"  # nothing was half-done
    finally:
        other.close()
        site.close()


def test_json_lines_of_import_and_revert_use_the_same_names(db, tmp_path):
    f = tmp_path / "l.csv"
    f.write_text("name,urls\n甲乙配资,jiayi-pz.com\n丙丁配资,bingding-pz.com\n", encoding="utf-8")
    first = json.loads(cli(db, "import", str(f), "--source", "mine", "--json").output)
    again = json.loads(cli(db, "import", str(f), "--source", "mine", "--json").output)
    assert again["status"] == "unchanged" and (again["entries"], again["kept"]) == (2, 2)
    f.write_text("name,urls\n甲乙配资,jiayi-pz.com\n丙丁配资,bingding-pz.com\n戊己配资,wuji-pz.com\n", encoding="utf-8")
    assert cli(db, "import", str(f), "--source", "mine").exit_code == 0
    r = cli(db, "revert", "mine", str(first["snapshot"]), "--json")
    back = json.loads(r.output)
    assert (back["status"], back["snapshot"], back["entries"]) == ("reverted", first["snapshot"], 2)
    bad = tmp_path / "bad.csv"
    bad.write_text("company\n某公司\n", encoding="utf-8")
    r = cli(db, "import", str(bad), "--source", "mine", "--json")
    assert r.exit_code == 2
    line = json.loads(r.stdout.splitlines()[0])
    assert line["status"] == "failed" and line["ok"] is False and "bad.csv" in line["message"]


def test_diff_json_names_entries_by_identity_not_by_stored_version(db, tmp_path):
    _import(db, tmp_path, "v1.csv", ["甲乙配资,jiayi-pz.com", "丙丁配资,bingding-pz.com"])
    _import(db, tmp_path, "v2.csv", ["甲乙优配,jiayi-pz.com", "丙丁配资,bingding-pz.com"])
    d = json.loads(cli(db, "diff", "my-blocklist", "--json").output)
    [c] = d["changed"]
    assert c["old"]["key"] == c["new"]["key"] == "url:jiayi-pz.com"  # not "url:jiayi-pz.com ~2"


def test_a_revert_holds_until_a_document_newer_than_every_stored_one(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    from peizi_guard import api

    from .conftest import FIXTURES

    api.entries(db)
    jan = api.import_file(db, str(FIXTURES / "sac-blacklist-2020-01.docx"), "sac-blacklist")
    assert not jan.current  # older than the shipped 2020-04 issue: history
    assert cli(db, "revert", "sac-blacklist", str(jan.snapshot_id)).exit_code == 0
    march = api.import_file(db, str(FIXTURES / "sac-blacklist-2020-03.docx"), "sac-blacklist")
    assert march.status == "added" and not march.current and march.current_id == jan.snapshot_id
    now = [s for s in api.sources(db) if s["id"] == "sac-blacklist"][0]["snapshots"]
    assert [x["id"] for x in now if x["current"]] == [jan.snapshot_id]  # still the reverted list


def test_refresh_passes_over_an_attachment_that_cannot_be_fetched(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    from .conftest import FIXTURES
    from .sitehelper import Site

    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    site = Site()
    try:
        page = '<html><body><a href="gone.pdf">附件1</a> <a href="l.docx">附件2：名单</a></body></html>'
        site.pages["/sac/"] = ("text/html; charset=utf-8", page.encode())  # gone.pdf answers 404
        site.pages["/sac/l.docx"] = (docx, (FIXTURES / "sac-blacklist-2019-06.docx").read_bytes())
        r, [o] = _refresh(db, "sac-blacklist", "--url", site.url + "/sac/")
        assert r.exit_code == 0 and o["status"] == "added" and o["url"].endswith("/l.docx"), o
    finally:
        site.close()


def test_pasted_html_is_read_as_a_page_whatever_element_it_starts_with(db):
    ad = "您炒股，我出钱！1:10杠杆，当天到账"
    seen = set()
    for tag in ("div", "center", "font", "section"):
        v = json.loads(cli(db, "check", "--json", "--text", f"<{tag}><h2>{ad}</h2><br><img src=x.png></{tag}>").output)
        seen.add((v["verdict"], round(v["probability"], 4)))
    assert len(seen) == 1 and next(iter(seen))[0] == "suspicious"  # the tags are never read as words
    for empty in ("<h1></h1>", "<script>var a=1</script>", "<!-- nothing -->"):
        r = cli(db, "check", "--text", empty)
        assert r.exit_code == 2 and "nothing to check" in r.output, (empty, r.output)


def test_a_name_read_in_another_encoding_is_refused_never_checked_as_another_name(db, tmp_path):
    import pytest

    from peizi_guard import Guard

    gbk = "杜德配资".encode("gbk").decode("utf-8", "surrogateescape")  # a GBK terminal's argument
    r = cli(db, "check", gbk)
    assert r.exit_code == 2 and "not text" in r.output and "CLEAR" not in r.output
    f = tmp_path / "q.txt"
    f.write_text("杜德配资\n\ufffd\ufffd配资\n", encoding="utf-8")
    r = cli(db, "check", "--file", str(f), "--json")
    assert r.exit_code == 1 and len(r.stdout.splitlines()) == 1 and "line 2" in r.stderr
    with pytest.raises(ValueError, match="not text"):
        Guard(db).check("\ufffd\ufffd配资")
    assert Guard(db).check_text("网页里的\ufffd乱码，股票配资1:10杠杆，当天到账").verdict == "suspicious"  # a page may hold one


def test_the_web_refuses_a_query_that_was_not_utf_8(db):
    from fastapi.testclient import TestClient

    from peizi_guard.web.app import create_app

    c = TestClient(create_app(db))
    r = c.get("/api/check?q=%B6%C5%B5%C2%C5%E4%D7%CA")  # 杜德配资 in GBK
    assert r.status_code == 422 and "not text" in r.json()["detail"]
    r = c.post("/?lang=en", data={"q": "\ufffd\ufffd配资"})
    assert r.status_code == 422 and "could not be decoded" in r.text and "Not on the official lists" not in r.text


def test_a_password_in_the_refresh_url_is_never_stored_or_shown(db_before_history):
    db = db_before_history  # (the shipped SAC history not stored: earlier issues are new)
    from peizi_guard import api

    from .conftest import FIXTURES
    from .sitehelper import Site

    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    site = Site()
    try:
        site.pages["/l.docx"] = (docx, (FIXTURES / "sac-blacklist-2019-03.docx").read_bytes())
        url = site.url.replace("http://", "http://alice:s3cret@") + "/l.docx"
        r, [o] = _refresh(db, "sac-blacklist", "--url", url)
        assert r.exit_code == 0 and o["status"] == "added" and "s3cret" not in r.output
        origins = [x["origin"] for x in api.history(db, "sac-blacklist") if x.get("origin")]
        assert any("alice:***@" in x for x in origins) and not any("s3cret" in x for x in origins)
    finally:
        site.close()


def test_own_lists_are_named_only_when_checked_and_listing_something(db, tmp_path):
    _import(db, tmp_path, "mine.csv", ["甲乙配资,jiayi-pz.com"])
    r = cli(db, "check", "华泰证券")
    assert "nor on your own (my-blocklist)" in r.output
    assert "nor on your own" not in cli(db, "check", "华泰证券", "--as-of", "2020-08-01").output
    empty = tmp_path / "empty.csv"
    empty.write_text("name,urls\n", encoding="utf-8")
    assert cli(db, "import", str(empty), "--source", "my-blocklist", "--force").exit_code == 0
    assert "nor on your own" not in cli(db, "check", "华泰证券").output


def test_an_english_answer_lists_own_lists_with_a_comma():
    from peizi_guard.matcher import Verdict
    from peizi_guard.output.report import advice_for
    from peizi_guard.web.page import page

    v = Verdict("华泰证券", "name", "clear", 0.0, [], [], [], None)
    zh, en = advice_for(v, lambda: ["a-list", "b-list"]).split("\n")
    assert "（a-list、b-list）" in zh and "(a-list, b-list)" in en
    lists = [{"id": "a-list", "kind": "user"}, {"id": "b-list", "kind": "user"}]
    assert "nor on your own (a-list, b-list)" in page("en", "华泰证券", v, lists=lists)


def test_published_for_a_file_stored_already_is_said_not_dropped(db, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("name\n甲配资\n", encoding="utf-8")
    b.write_text("name\n甲配资\n乙配资\n", encoding="utf-8")
    assert cli(db, "import", str(a), "--source", "x").exit_code == 0
    assert cli(db, "import", str(b), "--source", "x").exit_code == 0
    out = json.loads(cli(db, "import", str(a), "--source", "x", "--published", "2019-01-01", "--json").stdout)
    assert any("not --published 2019-01-01" in w for w in out["warnings"])


def test_a_quote_left_open_in_another_cell_is_a_warning_naming_its_line(db, tmp_path):
    f = tmp_path / "q.csv"
    f.write_text('name,company,urls\n甲配资,"甲公司\n乙配资,乙公司,www.b.com\n丙配资,丙公司",www.c.com\n', encoding="utf-8")
    out = json.loads(cli(db, "import", str(f), "--source", "q", "--json").stdout)
    assert any(w.startswith("line 2: the company cell runs on to line 4") for w in out["warnings"])
    ok = tmp_path / "ok.csv"  # a note over two lines, quoted as it should be: no warning
    ok.write_text('name,urls,note\n甲配资,www.a.com,"第一行\n第二行"\n乙配资,www.b.com,x\n', encoding="utf-8")
    assert json.loads(cli(db, "import", str(ok), "--source", "ok", "--json").stdout)["warnings"] == []


def test_import_and_revert_with_json_give_a_line_when_they_fail(db, tmp_path):
    import subprocess
    import sys

    r = cli(db, "revert", "sac-blacklist", "999", "--json")
    assert r.exit_code == 2
    line = json.loads(r.stdout.splitlines()[0])
    assert (line["source"], line["status"], line["ok"]) == ("sac-blacklist", "failed", False)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database file at all" * 100)
    f = tmp_path / "l.csv"
    f.write_text("name\n甲乙配资\n", encoding="utf-8")
    p = subprocess.run([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", str(junk), "import",
                        str(f), "--source", "mine", "--json"], capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    line = json.loads(p.stdout.splitlines()[0])
    assert line["status"] == "failed" and "damaged" in line["message"]
