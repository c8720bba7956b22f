"""What a page does to a visitor without a browser counts: meta refresh and script `location`
are followed, iframes and links to listed domains are evidence; entities and invisible
characters never hide a listed name. Real pages served on 127.0.0.1."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from peizi_guard import builtin
from peizi_guard.cli import main
from peizi_guard.matcher import build, check_text
from peizi_guard.scraper.visible import content

from .sitehelper import Site

LISTED = "http://www.ddpz666.com/"  # CSRC list #3 杜德配资; unreachable here, judged as an address
HTML = "text/html; charset=utf-8"


def page(body: str, head: str = "") -> bytes:
    return f"<html><head><title>首页</title>{head}</head><body>{body}</body></html>".encode()


@pytest.fixture(scope="module")
def site():
    s = Site()
    s.pages.update({
        "/refresh-listed": (HTML, page("<p>正在跳转……</p>", f'<meta http-equiv="refresh" content="0; url={LISTED}">')),
        "/script-listed": (HTML, page(f'<p>loading</p><script>window.location.href = "{LISTED}";</script>')),
        "/replace-listed": (HTML, page(f"<script>location.replace('{LISTED}')</script>")),
        "/iframe-listed": (HTML, page(f'<iframe src="{LISTED}" width="100%"></iframe>')),
        "/link-listed": (HTML, page(f'<p>合作伙伴</p><a href="{LISTED}">点此进入</a>')),
        "/warn-link": (HTML, page('<p>证监会提醒：以下网站为非法配资平台，投资者切勿参与，谨防上当受骗。</p>'
                                  f'<a href="{LISTED}">{LISTED}</a>')),
        "/refresh-local": (HTML, page("<p>欢迎</p>", '<meta http-equiv="refresh" content="1;URL=/plain">')),
        "/plain": (HTML, page("<p>今天晴，适合出游。</p>")),
        "/hidden-name": (HTML, page("<p>杜&#8203;德&#x200b;配资，新用户福利</p>")),
    })
    yield s
    s.close()


def scan(tmp_path, site, *paths):
    urls = "\n".join(site.url + p for p in paths)
    r = CliRunner().invoke(main, ["--db", str(tmp_path / "g.db"), "scan", "-", "--format", "jsonl",
                                  "--allow-private", "--timeout", "3"], input=urls)
    return {row["url"][len(site.url):]: row for row in map(json.loads, r.stdout.splitlines())}


def test_pages_that_send_the_visitor_to_a_listed_site_are_listed(tmp_path, site):
    rows = scan(tmp_path, site, "/refresh-listed", "/script-listed", "/replace-listed", "/iframe-listed")
    for path, row in rows.items():
        assert row["verdict"] == "listed", path
        assert any(m["entry"] == "杜德配资" and m["method"] == "host" for m in row["matches"]), path
    assert rows["/refresh-listed"]["redirects"] == [site.url + "/refresh-listed"]  # followed like a redirect
    assert rows["/script-listed"]["final_url"] == LISTED


def test_links_count_like_written_addresses(tmp_path, site):
    rows = scan(tmp_path, site, "/link-listed", "/warn-link")
    assert rows["/link-listed"]["verdict"] == "listed"
    warn = rows["/warn-link"]
    assert warn["verdict"] == "clear"  # a warning that links the listed site does not promote it
    assert any(m["entry"] == "杜德配资" for m in warn["matches"])  # but the mention is shown


def test_meta_refresh_on_the_same_site_is_followed_and_both_texts_kept(tmp_path, site):
    row = scan(tmp_path, site, "/refresh-local")["/refresh-local"]
    assert row["final_url"] == site.url + "/plain"
    assert row["redirects"] == [site.url + "/refresh-local"]
    assert row["verdict"] == "clear" and row["error"] is None


def test_invisible_characters_do_not_hide_a_listed_name(tmp_path, site):
    row = scan(tmp_path, site, "/hidden-name")["/hidden-name"]
    assert row["verdict"] == "listed"


def test_content_extracts_targets_frames_and_foreign_links_only():
    html = ('<html><head><meta http-equiv="Refresh" content="3;url=\'/next\'"></head><body>'
            '<script>var a = 1; top.location = "https://x.example.cn/go";</script>'
            '<iframe src="//cdn.example.com/f.html"></iframe><frame src="javascript:void(0)">'
            '<a href="/local">本站</a><a href="https://other.cn/p">外站</a><a href="mailto:a@b.cn">mail</a>'
            '<p>正文</p></body></html>')
    c = content(html, "http://site.cn/a/b.html")
    assert c.goes_to == ["http://site.cn/next", "https://x.example.cn/go"]
    assert c.frames == ["http://cdn.example.com/f.html"]
    assert c.links == ["https://other.cn/p"]
    assert c.text == "本站 外站 mail 正文"


@pytest.mark.parametrize("text", [
    "杜&#24503;配资，1:10杠杆，当天到账",  # an entity in pasted page source
    "杜\u200b德\u200c配\u200d资，1:10杠杆，当天到账",  # zero-width characters between the letters
    "杜\u00ad德配资，1:10杠杆，当天到账",  # soft hyphen
])
def test_entities_and_zero_width_characters_in_text(text):
    ix = build(builtin.records())
    v = check_text(ix, text)
    assert v.verdict == "listed" and v.matches[0].entry == "杜德配资"
