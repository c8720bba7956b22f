"""A real HTTP server on 127.0.0.1 whose pages a test sets, with ETag / 304 support and a request log."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Site:
    def __init__(self):
        self.pages: dict[str, tuple[str, bytes]] = {}  # path → (content type, body)
        self.log: list[tuple[str, str]] = []  # (path, If-None-Match)
        self.agents: list[str] = []  # User-Agent of every request
        self.conditional = True  # False: 200 with the whole body every time, as many servers do
        self.failing: dict[str, int] = {}  # path → a status it answers for now (503 …), to be retried at once
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                site.log.append((self.path, self.headers.get("If-None-Match", "")))
                site.agents.append(self.headers.get("User-Agent", ""))
                if self.path in site.failing:
                    self.send_response(site.failing[self.path])
                    self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path not in site.pages:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                ctype, body = site.pages[self.path]
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if site.conditional and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def landing(self, path: str, link: str, text: str = "附件：名单") -> None:
        """A GBK landing page linking a document by a relative link."""
        html = (
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            f"<title>关于公布名单的公告</title></head><body><p>现将名单公布如下。</p>"
            f'<a href="{link}">{text}</a></body></html>'
        )
        self.pages[path] = ("text/html", html.encode("gbk"))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def dripping_server(interval: float, body: bytes = b"") -> tuple[str, "threading.Event"]:
    """A server on 127.0.0.1 that answers one byte every `interval` seconds, headers first.
    Returns its URL and an event that stops it."""
    import socket
    import time

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    stop = threading.Event()
    reply = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"x" * 200 + b"\r\n\r\n<html>" + body

    def serve():
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                return

            def drip(c=conn):
                try:
                    c.recv(4096)
                    for b in reply:
                        if stop.is_set():
                            break
                        c.sendall(bytes([b]))
                        time.sleep(interval)
                except OSError:
                    pass
                finally:
                    c.close()

            threading.Thread(target=drip, daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()

    def close_on_stop():
        stop.wait()
        srv.close()

    threading.Thread(target=close_on_stop, daemon=True).start()
    return f"http://127.0.0.1:{srv.getsockname()[1]}", stop
