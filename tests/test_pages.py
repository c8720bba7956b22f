"""Safe page fetching against a real threaded HTTP server on 127.0.0.1 (no other address)."""
from __future__ import annotations

import datetime
import gzip
import ipaddress
import socket
import ssl
import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from peizi_guard.scraper import netguard, pages
from peizi_guard.scraper.netguard import BlockedAddress, DnsError, blocked_reason, check_address
from peizi_guard.scraper.charset import decode, header_charset
from peizi_guard.scraper.pages import Page, fetch_page
from peizi_guard.scraper.visible import visible_text

UTF8_PAGE = """<!doctype html><html><head><title> 某某配资 平台 </title>
<meta name="Description" content="免息配资 十倍杠杆"><meta name="keywords" content="股票配资,期货配资">
<style>.x{color:red}</style><script>var hidden = "脚本文字";</script></head>
<body><h1>欢迎来到某某配资</h1><p>最高   10倍\u3000杠杆</p>
<div style="display: none">隐藏文字</div><p hidden>也隐藏</p><noscript>请开启脚本</noscript>
</body></html>"""
GBK_TEXT = "配资平台朱镕基"  # 镕 is in GBK but not in GB2312
GBK_META = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            f"<title>{GBK_TEXT}</title></head><body><p>{GBK_TEXT}</p></body></html>").encode("gbk")
GBK_BARE = f"<html><body><p>{GBK_TEXT}</p></body></html>".encode("gbk")
HUGE = 20 * 1024 * 1024


class Handler(BaseHTTPRequestHandler):
    server: "Server"

    def log_message(self, *args) -> None:  # quiet
        pass

    def send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
             headers: dict | None = None, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, status: int, location: str) -> None:
        self.send(status, b"moved", headers={"Location": location})

    def do_GET(self) -> None:
        path = self.path
        try:
            if path.startswith("/chain/"):
                n = int(path.rsplit("/", 1)[1])
                return self.redirect(302, f"/chain/{n - 1}") if n else self.send(200, b"<p>end</p>")
            ROUTES[path](self)
        except (BrokenPipeError, ConnectionResetError):
            pass

    # --- routes ---
    def utf8(self):
        self.send(200, UTF8_PAGE.encode("utf-8"))

    def host(self):
        self.send(200, f"<p>host={self.headers['Host']}</p>".encode())

    def gbk_meta(self):
        self.send(200, GBK_META, ctype="text/html")

    def gbk_header(self):
        self.send(200, GBK_BARE, ctype="text/html; charset=GBK")

    def gbk_bare(self):
        self.send(200, GBK_BARE, ctype="text/html")

    def gzipped(self):
        self.send(200, gzip.compress(UTF8_PAGE.encode()), headers={"Content-Encoding": "gzip"})

    def slow(self):
        self.server.stop.wait(3)
        self.send(200, b"<p>late</p>")

    def drip(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        for _ in range(50):
            if self.server.stop.wait(0.1):
                return
            self.wfile.write(b"x")
            self.wfile.flush()

    def huge(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(HUGE))
        self.end_headers()
        block = ("<p>配资" + "a" * 1000 + "</p>\n").encode()[:1024] * 64
        for _ in range(HUGE // len(block)):
            self.wfile.write(block)
        self.server.huge_completed = True

    def short(self):
        self.send(200, b"<html><body><p>partial page</p>", length=1000)
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)


ROUTES = {
    "/utf8": Handler.utf8, "/host": Handler.host, "/gbk-meta": Handler.gbk_meta,
    "/gbk-header": Handler.gbk_header, "/gbk-bare": Handler.gbk_bare, "/gzip": Handler.gzipped,
    "/slow": Handler.slow, "/drip": Handler.drip, "/huge": Handler.huge, "/short": Handler.short,
    "/r301": lambda h: h.redirect(301, "/r302"),
    "/r302": lambda h: h.redirect(302, f"http://127.0.0.1:{h.server.server_port}/utf8#top"),
    "/loop-a": lambda h: h.redirect(302, "/loop-b"),
    "/loop-b": lambda h: h.redirect(302, "/loop-a"),
    "/to-loopback": lambda h: h.redirect(302, f"http://127.0.0.2:{h.server.server_port}/utf8"),
    "/to-ftp": lambda h: h.redirect(302, "ftp://files.example/x"),
    "/404": lambda h: h.send(404, b"<p>not found</p>"),
    "/500": lambda h: h.send(500, b"<p>boom</p>"),
    "/pdf": lambda h: h.send(200, b"%PDF-1.4 ...", ctype="application/pdf"),
    "/plain": lambda h: h.send(200, "配资  文本".encode(), ctype="text/plain; charset=utf-8"),
}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    stop: threading.Event
    huge_completed = False


@pytest.fixture(scope="module")
def server():
    srv = Server(("127.0.0.1", 0), Handler)
    srv.stop = threading.Event()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.stop.set()
    srv.shutdown()
    srv.server_close()
    thread.join(5)


@pytest.fixture
def base(server) -> str:
    return f"http://127.0.0.1:{server.server_port}"


def fetch(url: str, **kw) -> Page:
    kw.setdefault("allow_private", True)
    kw.setdefault("timeout", 5.0)
    return fetch_page(url, **kw)


@pytest.fixture
def only_127_0_0_1_allowed(monkeypatch):
    """The address rule as in production, except that the test server's 127.0.0.1 passes."""
    real = netguard.blocked_reason
    monkeypatch.setattr(netguard, "blocked_reason",
                        lambda ip: None if str(ip) == "127.0.0.1" else real(ip))


@pytest.fixture
def fake_dns(monkeypatch):
    """Names under .test resolve to the given addresses; anything else as usual."""
    table: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in table:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in table[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


# --- pages --------------------------------------------------------------------------------

def test_utf8_page(base):
    page = fetch(f"{base}/utf8")
    assert page.ok and page.status == 200 and page.content_type == "text/html"
    assert page.final_url == f"{base}/utf8" and page.redirects == []
    assert page.title == "某某配资 平台"
    assert page.description == "免息配资 十倍杠杆 股票配资,期货配资"
    assert page.text == "欢迎来到某某配资 最高 10倍 杠杆"
    assert page.encoding == "utf-8" and not page.truncated
    assert page.fetched_at.endswith("+00:00")


def test_gbk_charset_only_in_meta(base):
    page = fetch(f"{base}/gbk-meta")
    assert page.ok and page.encoding == "gb18030"
    assert page.title == GBK_TEXT and page.text == GBK_TEXT


def test_gbk_charset_in_header(base):
    page = fetch(f"{base}/gbk-header")
    assert page.ok and page.encoding == "gb18030" and page.text == GBK_TEXT


def test_unlabelled_gbk_falls_back_to_gb18030(base):
    page = fetch(f"{base}/gbk-bare")
    assert page.ok and page.encoding == "gb18030" and page.text == GBK_TEXT


def test_gzip_body_is_decoded(base):
    page = fetch(f"{base}/gzip")
    assert page.ok and page.title == "某某配资 平台"


def test_text_plain_is_judged_as_text(base):
    page = fetch(f"{base}/plain")
    assert page.ok and page.text == "配资 文本" and page.title == ""


def test_redirect_chain_301_302_200(base):
    seen = []
    page = fetch(f"{base}/r301", hop_check=seen.append)
    assert page.ok and page.status == 200 and page.title == "某某配资 平台"
    assert page.redirects == [f"{base}/r301", f"{base}/r302"]
    assert page.final_url == f"{base}/utf8#top"
    assert seen == [f"{base}/r301", f"{base}/r302", f"{base}/utf8#top"]


def test_loopback_blocked_without_allow_private(base):
    seen = []
    page = fetch_page(f"{base}/utf8", hop_check=seen.append)
    assert page.error == "blocked address 127.0.0.1 (loopback)"
    assert page.status is None and page.text == "" and seen == [f"{base}/utf8"]


def test_redirect_to_loopback_blocked(base, server, only_127_0_0_1_allowed):
    seen = []
    page = fetch(f"{base}/to-loopback", allow_private=False, hop_check=seen.append)
    target = f"http://127.0.0.2:{server.server_port}/utf8"
    assert page.error == "blocked address 127.0.0.2 (loopback)"
    assert page.redirects == [f"{base}/to-loopback"] and page.final_url == target
    assert page.status == 302 and seen == [f"{base}/to-loopback", target]


def test_guarded_connection_pins_vetted_address(server, fake_dns, only_127_0_0_1_allowed):
    fake_dns["pinned.test"] = ["127.0.0.1"]
    page = fetch(f"http://pinned.test:{server.server_port}/host", allow_private=False)
    assert page.ok and page.text == f"host=pinned.test:{server.server_port}"


def test_any_blocked_address_blocks_the_host(server, fake_dns, only_127_0_0_1_allowed):
    fake_dns["mixed.test"] = ["127.0.0.1", "10.0.0.1"]
    page = fetch(f"http://mixed.test:{server.server_port}/utf8", allow_private=False)
    assert page.error == "blocked address 10.0.0.1 (private)"


def test_caller_session_is_prechecked(base):
    with requests.Session() as session:
        assert fetch_page(f"{base}/utf8", session=session).error.startswith("blocked address")
        assert fetch(f"{base}/utf8", session=session).ok


def test_redirect_loop(base):
    seen = []
    page = fetch(f"{base}/loop-a", hop_check=seen.append)
    assert page.error == "redirect loop"
    assert page.redirects == [f"{base}/loop-a", f"{base}/loop-b"]
    assert seen == [f"{base}/loop-a", f"{base}/loop-b"]


def test_too_many_redirects(base):
    assert fetch(f"{base}/chain/5", max_redirects=5).ok
    page = fetch(f"{base}/chain/6", max_redirects=5)
    assert page.error == "too many redirects" and len(page.redirects) == 6
    assert page.final_url == f"{base}/chain/0"
    assert fetch(f"{base}/chain/1", max_redirects=0).error == "too many redirects"


def test_redirect_to_unsupported_scheme(base):
    page = fetch(f"{base}/to-ftp")
    assert page.error == "unsupported scheme ftp" and page.final_url == "ftp://files.example/x"


def test_slow_response_times_out(base):
    start = time.monotonic()
    page = fetch(f"{base}/slow", timeout=0.5)
    assert page.error == "timed out" and time.monotonic() - start < 1.5


def test_total_deadline_covers_a_dripping_body(base):
    start = time.monotonic()
    page = fetch(f"{base}/drip", timeout=0.7)
    assert page.error == "timed out" and page.truncated
    assert time.monotonic() - start < 1.5


def test_huge_body_is_capped(base, server):
    tracemalloc.start()
    start = time.monotonic()
    page = fetch(f"{base}/huge", max_bytes=1_000_000)
    elapsed = time.monotonic() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert page.error is None and page.truncated and page.status == 200
    assert page.text.startswith("配资") and 900_000 < len(page.text.encode()) <= 1_000_000
    assert elapsed < 5 and peak < 40_000_000
    time.sleep(0.2)
    assert not server.huge_completed


def test_http_errors(base):
    for code in (404, 500):
        page = fetch(f"{base}/{code}")
        assert page.error == f"HTTP {code}" and page.status == code


def test_non_html_content(base):
    page = fetch(f"{base}/pdf")
    assert page.error == "not HTML (application/pdf)" and page.text == ""
    assert page.content_type == "application/pdf"


def test_truncated_body(base):
    page = fetch(f"{base}/short")
    assert page.error == "body truncated" and page.truncated and page.text == "partial page"


def test_connection_refused():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert fetch(f"http://127.0.0.1:{port}/").error == "connection refused"


@pytest.mark.parametrize("url, error", [
    ("http://exa mple.com/", "malformed URL"),
    ("http://[::1/", "malformed URL"),
    ("www.example.com", "malformed URL"),
    ("http:///path", "malformed URL"),
    ("ftp://example.com/file", "unsupported scheme ftp"),
    ("javascript:alert(1)", "unsupported scheme javascript"),
    ("http://no-such-host.invalid/", "DNS lookup failed"),
])
def test_bad_urls(url, error):
    page = fetch_page(url, timeout=5)
    assert page.error == error and page.status is None and page.final_url == url


def test_concurrent_fetches(base):
    paths = ["/utf8", "/gbk-meta", "/r301", "/404", "/pdf", "/gzip"] * 6
    with ThreadPoolExecutor(16) as pool:
        pages = list(pool.map(lambda p: fetch(base + p), paths))
    for path, page in zip(paths, pages):
        assert page.url == base + path
        assert page.ok == (path in ("/utf8", "/gbk-meta", "/r301", "/gzip"))
        if path in ("/utf8", "/r301", "/gzip"):
            assert page.title == "某某配资 平台"


# --- TLS ------------------------------------------------------------------------------------

def _self_signed(directory) -> tuple[str, str]:
    """(cert, key) paths of a self-signed certificate for pinned.test and 127.0.0.1."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "pinned.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("pinned.test"),
                x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    cert, key = _self_signed(tmp_path_factory.mktemp("tls"))
    srv = Server(("127.0.0.1", 0), Handler)
    srv.stop = threading.Event()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    srv.socket = context.wrap_socket(srv.socket, server_side=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv, cert
    srv.stop.set()
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def test_untrusted_certificate_is_a_tls_error(tls_server):
    srv, _ = tls_server
    assert fetch(f"https://127.0.0.1:{srv.server_port}/utf8").error == "TLS error"


def test_tls_to_pinned_address_verifies_the_host_name(tls_server, fake_dns, monkeypatch,
                                                       only_127_0_0_1_allowed):
    srv, cert = tls_server
    real = pages.guarded_session

    def trusting(allow_private):
        session = real(allow_private)
        session.verify = cert
        return session

    monkeypatch.setattr(pages, "guarded_session", trusting)
    fake_dns["pinned.test"] = ["127.0.0.1"]
    fake_dns["other.test"] = ["127.0.0.1"]
    page = fetch(f"https://pinned.test:{srv.server_port}/utf8", allow_private=False)
    assert page.ok and page.title == "某某配资 平台"
    assert fetch(f"https://other.test:{srv.server_port}/utf8").error == "TLS error"


# --- charsets --------------------------------------------------------------------------------

def test_decode_order():
    assert decode(b"\xef\xbb\xbf<p>x</p>", "text/html; charset=gbk") == ("<p>x</p>", "utf-8-sig")
    body = '<meta charset="gbk">配资'.encode("gbk")
    assert decode(body, "text/html; charset=utf-8") == ('<meta charset="gbk">配资', "gb18030")
    assert decode("配资".encode()[:-1], complete=False) == ("配", "utf-8")
    assert decode(b"<p>\xff\xfe ok</p>", "text/html; charset=utf-8")[1] == "utf-8"
    # ASCII only: the declared codec is named
    assert decode(b"<p>ok</p>", "text/html; charset=gb2312") == ("<p>ok</p>", "gb18030")
    # valid non-ASCII UTF-8 beats a declared GBK (a template's stale <meta>): no mojibake
    utf8 = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>配资平台</p>'
    assert decode(utf8.encode(), "text/html; charset=GBK") == (utf8, "utf-8")
    assert decode('<?xml version="1.0" encoding="gbk"?><p>配资</p>'.encode("gbk"))[1] == "gb18030"
    # nothing decodes cleanly and nothing is declared: the codec needing fewer replacements
    assert decode("配资平台名单".encode() + b"\xff") == ("配资平台名单\ufffd", "utf-8")
    assert decode("配资平台名单".encode("gbk") + b"\xff")[1] == "gb18030"


def test_header_charset():
    assert header_charset('text/html; charset="GB2312"') == "gb18030"
    assert header_charset("text/html;charset=x-gbk") == "gb18030"
    assert header_charset("text/html; charset=UTF-8") == "utf-8"
    assert header_charset("text/html") == header_charset("text/html; charset=bogus") == ""
    assert header_charset("text/html; charset=zlib") == ""  # bytes-to-bytes codecs are no charset
    assert decode(b'<meta charset="base64"><p>ok</p>') == ('<meta charset="base64"><p>ok</p>', "utf-8")


# --- netguard --------------------------------------------------------------------------------

@pytest.mark.parametrize("address, reason", [
    ("10.0.0.1", "private"), ("192.168.1.1", "private"), ("169.254.169.254", "link-local"),
    ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"), ("224.0.0.1", "multicast"),
    ("0.0.0.0", "unspecified"), ("100.64.0.1", "shared"), ("127.0.0.1", "loopback"),
    ("fe80::1%eth0", "link-local"), ("fc00::1", "private"), ("2002:a00:1::", "private"),
    ("64:ff9b::7f00:1", "loopback"), ("::7f00:1", "loopback"), ("ff02::1", "multicast"),
    ("1.1.1.1", None), ("2606:4700:4700::1111", None), ("64:ff9b::101:101", None),
])
def test_blocked_reason(address, reason):
    assert blocked_reason(address) == reason


@pytest.mark.parametrize("address", ["10.0.0.1", "192.168.1.1", "169.254.1.1", "::1",
                                     "::ffff:127.0.0.1", "224.0.0.1", "0.0.0.0", "100.64.0.1"])
def test_check_address_blocks(address):
    with pytest.raises(BlockedAddress, match=r"^blocked address \S+ \(\w[\w-]*\)$"):
        check_address(address, 80, allow_private=False)
    assert check_address(address, 80, allow_private=True)


def test_check_address_allows_global_literal():
    assert check_address("1.1.1.1", 443, allow_private=False) == ["1.1.1.1"]


def test_check_address_dns_failure():
    with pytest.raises(DnsError):
        check_address("no-such-host.invalid", 80, allow_private=True)


# --- visible text ----------------------------------------------------------------------------

def test_visible_text_drops_scripts_styles_and_hidden():
    title, description, text = visible_text(UTF8_PAGE)
    assert title == "某某配资 平台"
    assert description == "免息配资 十倍杠杆 股票配资,期货配资"
    for gone in ("脚本文字", "color", "隐藏文字", "也隐藏", "请开启脚本"):
        assert gone not in text


def test_visible_text_more_invisible_things():
    html = ("<body><template><p>tpl</p></template><iframe>frame</iframe><svg><text>svg</text></svg>"
            "<div style='visibility:hidden'><b>vis</b></div><div hidden><div>nested</div></div>"
            "<p>seen&nbsp;text</p><meta property='og:description' content='og desc'></body>")
    assert visible_text(html) == ("", "og desc", "seen text")


def test_visible_text_of_fragment_and_empty():
    assert visible_text("") == ("", "", "")
    assert visible_text("just <b>text</b>") == ("", "", "just text")
