"""Shared by the web tests: a real ad from the corpus, and a `serve` process on 127.0.0.1."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def corpus_text(text_id: str) -> dict:
    """A text of the corpus by id (verbatim, with its source)."""
    for f in sorted((ROOT / "corpus" / "texts").glob("*.jsonl")):
        for line in f.open(encoding="utf-8"):
            row = json.loads(line)
            if row["id"] == text_id:
                return row
    raise KeyError(text_id)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`peizi-guard serve` as a user starts it, on a free loopback port."""

    def __init__(self, db: str, *args: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", db, "serve", "--port",
               str(self.port), *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.proc.stderr.read().decode()[-2000:])
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("serve did not start in 60 s")

    def stop(self) -> str:
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err.decode("utf-8", "replace")
