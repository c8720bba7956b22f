"""Landing page → document: discovery units, then end to end against a real local HTTP server."""
from __future__ import annotations

import hashlib
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

from peizi_guard.scraper.discover import document_format, find_documents, link_format, page_has_table
from peizi_guard.scraper.fetch import FetchError, Fetcher
from peizi_guard.scraper.locate import locate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PDF = FIXTURES / "2020-07-08-illegal-peizi-platforms.pdf"
FORMATS = ["pdf", "docx", "xlsx"]
SOURCE = {"id": "csrc-peizi", "url": "", "document": "attachment", "formats": FORMATS}


# --- discovery (pure) ---------------------------------------------------------------------------

def test_find_documents_ranks_named_attachments_first():
    html = """<html><body>
      <a href="/guide/howto.pdf">操作指南</a>
      <a href="#top">top</a><a href="javascript:void(0)">x</a>
      <a href="report.DOCX?v=2#p1">报告</a>
      <a href="files/list.pdf" title="点击下载">非法配资平台</a>
      <a href="files/P0200708.xlsx">附件：名单</a>
      <a href="/page.shtml">名单公告</a>
      <a href="files/list.pdf">again</a>
    </body></html>"""
    links = find_documents(html, "http://www.csrc.gov.cn/csrc/c100028/content.shtml", FORMATS)
    assert [(l.url, l.format) for l in links] == [
        ("http://www.csrc.gov.cn/csrc/c100028/files/list.pdf", "pdf"),
        ("http://www.csrc.gov.cn/csrc/c100028/files/P0200708.xlsx", "xlsx"),
        ("http://www.csrc.gov.cn/guide/howto.pdf", "pdf"),
        ("http://www.csrc.gov.cn/csrc/c100028/report.DOCX?v=2", "docx"),
    ]
    assert links[1].text == "附件：名单"


def test_find_documents_base_href_and_extensionless_links():
    html = """<html><head><base href="http://static.example.cn/att/"></head><body>
      <a href="/download?id=3">附件：名单.pdf</a>
      <a href="getfile.jsp?file=%E5%90%8D%E5%8D%95.xlsx">表格</a>
      <a href="old.xls">旧表格.xls</a>
      <a href="a.zip">附件.zip</a>
    </body></html>"""
    links = find_documents(html, "http://www.example.cn/x/y.html", ["pdf", "xlsx"])
    assert [(l.url, l.format) for l in links] == [  # .xls: no parser reads it, so it is never followed
        ("http://static.example.cn/download?id=3", "pdf"),
        ("http://static.example.cn/att/getfile.jsp?file=%E5%90%8D%E5%8D%95.xlsx", "xlsx"),
    ]


def test_find_documents_respects_allowed_formats():
    html = '<a href="a.pdf">附件</a><a href="b.docx">附件</a>'
    assert [l.format for l in find_documents(html, "http://h/", ["docx"])] == ["docx"]
    assert link_format("http://h/a.PDF", "", ["pdf"]) == "pdf"
    assert link_format("http://h/a.pdf.html", "", ["pdf"]) == ""


def test_page_has_table():
    data = "<table><tr><th>序号</th><th>平台名称</th></tr><tr><td>1</td><td>某某配资</td></tr></table>"
    layout = "<table><tr><td><table><tr><td>menu</td></tr></table></td><td>x</td></tr></table>"
    assert page_has_table(f"<html><body>{data}</body></html>")
    assert not page_has_table(f"<html><body>{layout}<p>no list</p></body></html>")
    assert not page_has_table("<html><body><p>text</p></body></html>")


def test_document_format():
    pdf = PDF.read_bytes()
    assert document_format(pdf, "application/pdf") == "pdf"
    assert document_format(pdf, "text/html") == "pdf"  # the bytes speak when the type is wrong
    assert document_format(b"", "application/octet-stream", "http://h/list.xlsx?x=1") == "xlsx"
    assert document_format(b"<html></html>", "text/html; charset=gbk") == ""
    docx = next(FIXTURES.glob("sac-blacklist-*.docx")).read_bytes()
    assert document_format(docx, "") == "docx"


# --- end to end, real server --------------------------------------------------------------------

def _handler(root: Path, log: list):
    class Handler(http.server.SimpleHTTPRequestHandler):
        """Static files with ETag / If-None-Match (If-Modified-Since is built in)."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def send_head(self):
            log.append((self.path, dict(self.headers)))
            self._etag = ""
            path = self.translate_path(self.path)
            if os.path.isfile(path):
                self._etag = '"%s"' % hashlib.sha1(Path(path).read_bytes()).hexdigest()[:16]
                if self.headers.get("If-None-Match") == self._etag:
                    self.send_response(304)
                    self.end_headers()
                    return None
            return super().send_head()

        def end_headers(self):
            if getattr(self, "_etag", ""):
                self.send_header("ETag", self._etag)
            super().end_headers()

        def guess_type(self, path):
            return "application/octet-stream" if path.endswith(".bin") else super().guess_type(path)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def site(tmp_path):
    (tmp_path / "news" / "files").mkdir(parents=True)
    shutil.copy(PDF, tmp_path / "news" / "files" / "P020200708.pdf")
    shutil.copy(PDF, tmp_path / "direct.bin")
    landing = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
               "<title>证监会公布非法从事场外配资平台名单</title></head><body>"
               # an earlier, unnamed (and missing) document: ranking must skip it
               '<p>为保护投资者合法权益……</p><a href="../guide/help.pdf">帮助</a>'
               '<p><a href="files/P020200708.pdf">附件：非法从事场外配资平台名单</a></p></body></html>')
    (tmp_path / "news" / "index.html").write_bytes(landing.encode("gbk"))
    (tmp_path / "news" / "empty.html").write_bytes(
        '<html><head><meta charset="gbk"></head><body><a href="other.html">其他通知</a></body></html>'.encode("gbk"))
    log: list = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(tmp_path, log))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def fetcher():
    return Fetcher(sleep=lambda s: None, timeout=(5, 5), allow_private=True)


def test_locate_gbk_landing_page_to_pdf(site, fetcher):
    base, log = site
    found = locate({**SOURCE, "url": f"{base}/news/index.html"}, fetcher)
    assert found.status == "document"
    assert found.document == PDF.read_bytes()
    assert found.document_url == f"{base}/news/files/P020200708.pdf"
    assert found.claimed_format == "pdf"
    assert found.page_etag.startswith('"') and found.page_last_modified.endswith("GMT")
    assert found.doc_etag and found.doc_etag != found.page_etag and found.doc_last_modified
    assert [p for p, _ in log] == ["/news/index.html", "/news/files/P020200708.pdf"]
    assert all(h["User-Agent"].startswith("peizi-guard/") for _, h in log)

    # next refresh: one conditional request, answered 304
    log.clear()
    again = locate({**SOURCE, "url": f"{base}/news/index.html"}, fetcher,
                   page_etag=found.page_etag, page_last_modified=found.page_last_modified)
    assert again.status == "unchanged" and again.document == b""
    assert again.page_etag == found.page_etag
    assert len(log) == 1 and log[0][1]["If-None-Match"] == found.page_etag


def test_locate_unchanged_by_last_modified_alone(site, fetcher):
    base, log = site
    first = locate(SOURCE, fetcher, url=f"{base}/news/index.html")
    log.clear()
    again = locate(SOURCE, fetcher, url=f"{base}/news/index.html", page_last_modified=first.page_last_modified)
    assert again.status == "unchanged" and len(log) == 1


def test_locate_no_attachment(site, fetcher):
    base, _ = site
    with pytest.raises(FetchError) as e:
        locate(SOURCE, fetcher, url=f"{base}/news/empty.html")
    assert str(e.value) == f"no .pdf/.docx/.xlsx attachment linked from {base}/news/empty.html"


def test_locate_landing_is_the_document(site, fetcher):
    base, log = site
    found = locate(SOURCE, fetcher, url=f"{base}/direct.bin")  # octet-stream: the magic bytes decide
    assert found.status == "document" and found.claimed_format == "pdf"
    assert found.document == PDF.read_bytes() and found.document_url == f"{base}/direct.bin"
    assert found.doc_etag == found.page_etag and len(log) == 1


def test_locate_table_source_uses_page(site, fetcher, tmp_path):
    base, _ = site
    page = "<html><body><table><tr><th>序号</th><th>名称</th></tr><tr><td>1</td><td>某配资</td></tr></table>"
    (tmp_path / "table.html").write_text(page, "utf-8")
    found = locate({"id": "t", "document": "table"}, fetcher, url=f"{base}/table.html")
    assert (found.claimed_format, found.document) == ("html", page.encode("utf-8"))
    with pytest.raises(FetchError, match="no table in the page"):
        locate({"id": "t", "document": "table"}, fetcher, url=f"{base}/news/empty.html")


def test_locate_broken_attachment_link(site, fetcher, tmp_path):
    base, _ = site
    (tmp_path / "gone.html").write_text('<a href="missing.pdf">附件</a>', "utf-8")
    with pytest.raises(FetchError, match=r"HTTP 404 .*missing\.pdf"):
        locate(SOURCE, fetcher, url=f"{base}/gone.html")


def test_locate_missing_url(fetcher):
    with pytest.raises(FetchError, match="source csrc-peizi has no URL"):
        locate(SOURCE, fetcher)
