"""The network edge, against `responses` mocks (plus one real refused connection)."""
from __future__ import annotations

import socket
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest
import requests
import responses
from urllib3.exceptions import NameResolutionError, NewConnectionError

from peizi_guard.scraper.charset import decode
from peizi_guard.scraper.fetch import FetchError, Fetcher, retry_after, user_agent

URL = "http://www.example.gov.cn/list/index.html"
PAGE_GBK = '<html><head><meta charset="gbk"><title>名单</title></head><body>非法配资平台名单</body></html>'


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def fetcher(sleeps):
    return Fetcher(sleep=sleeps)


@responses.activate
def test_plain_get_sends_honest_user_agent(fetcher):
    responses.get(URL, body=b"<html>ok</html>", content_type="text/html",
                  headers={"ETag": '"abc"', "Last-Modified": "Wed, 08 Jul 2020 08:00:00 GMT"})
    r = fetcher.get(URL)
    assert (r.status, r.content, r.url) == (200, b"<html>ok</html>", URL)
    assert r.content_type.startswith("text/html")
    assert (r.etag, r.last_modified) == ('"abc"', "Wed, 08 Jul 2020 08:00:00 GMT")
    ua = responses.calls[0].request.headers["User-Agent"]
    assert ua == user_agent() and ua.startswith("peizi-guard/") and "blacklists" in ua
    ua.encode("latin-1")  # sendable as a header
    assert "If-None-Match" not in responses.calls[0].request.headers


@responses.activate
def test_connect_timeout_retried_then_fails(fetcher, sleeps):
    responses.get(URL, body=requests.ConnectTimeout("connect timed out"))
    with pytest.raises(FetchError) as e:
        fetcher.get(URL)
    assert len(responses.calls) == 4
    assert sleeps == [1, 2, 4]
    msg = str(e.value)
    assert "timed out after 10 s connecting to www.example.gov.cn" in msg and "4 attempts" in msg
    assert "\n" not in msg


@responses.activate
def test_read_timeout_retried_then_fails(sleeps):
    responses.get(URL, body=requests.ReadTimeout("read timed out"))
    with pytest.raises(FetchError, match=r"timed out after 30 s waiting for www\.example\.gov\.cn"):
        Fetcher(sleep=sleeps, retries=2).get(URL)
    assert len(responses.calls) == 3 and sleeps == [1, 2]


@responses.activate
def test_500_then_200_is_retried(fetcher, sleeps):
    responses.get(URL, status=500)
    responses.get(URL, status=503)
    responses.get(URL, body=b"fine")
    assert fetcher.get(URL).content == b"fine"
    assert len(responses.calls) == 3 and sleeps == [1, 2]


@responses.activate
def test_persistent_500_gives_up(fetcher, sleeps):
    responses.get(URL, status=502)
    with pytest.raises(FetchError, match=r"HTTP 502 .*gave up after 4 attempts"):
        fetcher.get(URL)
    assert sleeps == [1, 2, 4]


@responses.activate
def test_429_honours_retry_after_seconds(fetcher, sleeps):
    responses.get(URL, status=429, headers={"Retry-After": "2"})
    responses.get(URL, body=b"ok")
    assert fetcher.get(URL).content == b"ok"
    assert sleeps == [2]


@responses.activate
def test_retry_after_is_capped(fetcher, sleeps):
    later = format_datetime(datetime.now(timezone.utc) + timedelta(hours=3), usegmt=True)
    responses.get(URL, status=503, headers={"Retry-After": later})
    responses.get(URL, status=429, headers={"Retry-After": "86400"})
    responses.get(URL, body=b"ok")
    assert fetcher.get(URL).content == b"ok"
    assert sleeps == [60, 60]


def test_retry_after_parsing():
    assert retry_after("") is None and retry_after("soon") is None
    assert retry_after("7") == 7
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past
    soon = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after(soon) <= 30


@responses.activate
@pytest.mark.parametrize("status", [403, 404, 410])
def test_client_errors_not_retried(fetcher, sleeps, status):
    responses.get(URL, status=status)
    with pytest.raises(FetchError, match=f"HTTP {status}"):
        fetcher.get(URL)
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_conditional_get_304(fetcher):
    etag, lm = '"v1"', "Wed, 08 Jul 2020 08:00:00 GMT"
    responses.get(URL, status=304, headers={"ETag": etag})
    r = fetcher.get(URL, etag=etag, last_modified=lm)
    sent = responses.calls[0].request.headers
    assert sent["If-None-Match"] == etag and sent["If-Modified-Since"] == lm
    assert (r.status, r.content) == (304, b"")
    assert (r.etag, r.last_modified) == (etag, lm)  # validators kept though the 304 omitted one
    assert len(responses.calls) == 1


@responses.activate
def test_redirects_report_final_url(fetcher):
    final = "https://www.example.gov.cn/new/list.html"
    responses.get(URL, status=301, headers={"Location": "http://www.example.gov.cn/moved"})
    responses.get("http://www.example.gov.cn/moved", status=302, headers={"Location": final})
    responses.get(final, body=b"here")
    r = fetcher.get(URL)
    assert (r.url, r.content) == (final, b"here")


@responses.activate
def test_redirect_loop_fails(fetcher):
    responses.get(URL, status=302, headers={"Location": URL})
    with pytest.raises(FetchError, match="more than 10 redirects"):
        fetcher.get(URL)


@responses.activate
def test_oversized_with_content_length(sleeps):
    responses.get(URL, body=b"x" * 10, headers={"Content-Length": str(200 * 1024 * 1024)})
    with pytest.raises(FetchError, match=r"response larger than 50 MiB"):
        Fetcher(sleep=sleeps).get(URL)
    assert len(responses.calls) == 1


@responses.activate
def test_oversized_without_content_length(sleeps):
    responses.get(URL, body=b"x" * 300_000)  # responses sends no Content-Length
    with pytest.raises(FetchError, match=r"response larger than 100 KiB"):
        Fetcher(sleep=sleeps, max_bytes=100 * 1024).get(URL)
    assert "Content-Length" not in responses.calls[0].response.headers


@responses.activate
def test_body_at_the_limit_is_fine(sleeps):
    responses.get(URL, body=b"x" * 1024, auto_calculate_content_length=True)
    assert len(Fetcher(sleep=sleeps, max_bytes=1024).get(URL).content) == 1024


@responses.activate
def test_connection_refused_message(fetcher, sleeps):
    refused = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    responses.get(URL, body=requests.ConnectionError(refused))
    with pytest.raises(FetchError) as e:
        fetcher.get(URL)
    assert str(e.value).startswith("cannot connect to www.example.gov.cn: connection refused")
    assert len(responses.calls) == 4


@responses.activate
def test_unknown_host_message(fetcher):
    err = NameResolutionError("nowhere.invalid", None, OSError("[Errno -2] Name or service not known"))
    responses.get("http://nowhere.invalid/", body=requests.ConnectionError(err))
    with pytest.raises(FetchError, match="cannot resolve host name nowhere.invalid"):
        fetcher.get("http://nowhere.invalid/")


@responses.activate
def test_tls_error_not_retried(fetcher, sleeps):
    responses.get("https://www.example.gov.cn/", body=requests.exceptions.SSLError("certificate verify failed"))
    with pytest.raises(FetchError, match="TLS error with www.example.gov.cn: certificate verify failed"):
        fetcher.get("https://www.example.gov.cn/")
    assert sleeps == []


def test_real_refused_connection(sleeps):
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError, match="cannot connect to 127.0.0.1: connection refused"):
        Fetcher(sleep=sleeps, retries=1, allow_private=True).get(f"http://127.0.0.1:{port}/")
    assert sleeps == [1]


@responses.activate
def test_gbk_page_charset_only_in_meta(fetcher):
    responses.get(URL, body=PAGE_GBK.encode("gbk"), content_type="text/html")
    r = fetcher.get(URL)
    assert decode(r.content, r.content_type)[0] == PAGE_GBK


@responses.activate
def test_gb2312_header_charset(fetcher):
    page = "<html><body>关于非法配资平台的名单</body></html>"
    responses.get(URL, body=page.encode("gb2312"), content_type="text/html; charset=GB2312")
    r = fetcher.get(URL)
    assert decode(r.content, r.content_type)[0] == page


def test_decode_fallbacks():
    text = "配资平台名单 — 附件"
    assert decode(text.encode("utf-8"))[0] == text
    assert decode(text.encode("gb18030"))[0] == text  # no label anywhere
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8"), "text/html")[0] == text  # BOM
    assert decode(text.encode("utf-16"))[0] == text
    http_equiv = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>名单</p>'
    assert decode(http_equiv.encode("gbk"), "text/html")[0] == http_equiv
    # a wrong header label falls through to what the bytes can be
    assert decode(text.encode("gbk"), "text/html; charset=utf-8")[0] == text
    assert decode(text.encode("utf-8"), "text/html; charset=bogus")[0] == text
