"""Bulk check and scan on a Dask LocalCluster with 2 workers: the answers of a local run, in
input order, and nothing lost or written twice when a worker dies mid-run."""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from peizi_guard import Guard
from peizi_guard.cli import main

from .conftest import TEST_DB, table_counts

pytest.importorskip("distributed", reason="the dask extra is not installed (pip install '.[dask]')")

# the cluster never touches the database (workers get the index file; the client stores scan
# results through the same code as a local scan): run once, in the SQLite run, to keep each run short
once = pytest.mark.skipif(bool(TEST_DB), reason="backend-independent cluster work: runs in the SQLite run")


def cli(db, *args):
    return CliRunner().invoke(main, ["--db", db, *args], catch_exceptions=False)


N = 8_000  # queries: 8 partitions of 1,000


def queries(db) -> list[str]:
    """Names, near names, addresses and clear names built from the real lists' entries."""
    entries = Guard(db).entries()
    out = []
    i = 0
    while len(out) < N:
        e = entries[i % len(entries)]
        k = (i // len(entries)) % 5
        out.append([e["name"], e["name"][:-1] + "宝", f"http://{(e['domains'] or ['x.com'])[0]}/p/{i}",
                    f"{e['name']}{i}", f"http://www.site{i}.com/"][k])
        i += 1
    return out


@pytest.fixture()
def queries_file(db, tmp_path):
    f = tmp_path / "q.txt"
    f.write_text("\n".join(queries(db)) + "\n", encoding="utf-8")
    return f


@once
def test_check_on_a_cluster_is_the_local_run(db, queries_file, tmp_path):
    local = cli(db, "check", "--file", str(queries_file), "--json", "-j", "1")
    assert local.exit_code == 1
    # the input as a directory of two files, read in order as one stream
    inputs = tmp_path / "in"
    inputs.mkdir()
    lines = queries_file.read_text(encoding="utf-8").splitlines()
    # with lines that name nothing, skipped as check --file skips them (they came out clear)
    (inputs / "a.txt").write_text("-----\n" + "\n".join(lines[:3000]) + "\n。，！？\n", encoding="utf-8")
    (inputs / "b.txt").write_text("\n".join(lines[3000:]) + "\n", encoding="utf-8")
    remote = cli(db, "check", "--file", str(inputs), "--json", "--cluster", "local", "--workers", "2")
    assert remote.exit_code == 1
    assert remote.output == local.output
    rows = [json.loads(x) for x in remote.output.splitlines()]
    assert len(rows) == N and {r["verdict"] for r in rows} == {"listed", "suspicious", "clear"}


@once
def test_a_worker_killed_mid_run_loses_nothing(db, queries_file):
    from peizi_guard import cluster as dc
    from peizi_guard.cli import _json_line
    from peizi_guard.db.engine import resolve_url

    local = cli(db, "check", "--file", str(queries_file), "--json", "-j", "1").output.splitlines()
    client = dc.connect("local", 2)
    try:
        pids = client.run(os.getpid)
        victim = sorted(pids.values())[0]
        shipped = client.scatter(dc.ship(resolve_url(db)), broadcast=True)
        lines = queries_file.read_text(encoding="utf-8").splitlines()
        parts = dc.partitions(((q, None) for q in lines), 1000)
        got = []
        for n, answers in enumerate(dc.in_order(client, dc.check_partition, parts, shipped, _json_line, in_flight=6)):
            got += [line for _, line in answers]
            if n == 1:
                os.kill(victim, signal.SIGKILL)  # mid-run: partitions are running and queued on it
        after = set(client.run(os.getpid).values())
    finally:
        dc.close(client)
    assert victim not in after  # the worker really died (its nanny started another)
    assert got == local  # every answer once, in order


class _Pages(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        n = int(self.path.strip("/").split("/")[-1] or 0)
        if n % 10 == 9:
            body, status = b"gone", 404
        elif n % 3 == 0:
            body, status = "<html><title>配资</title><body>您炒股我出钱，1:10杠杆，按天配资，当天到账，加微信</body></html>".encode(), 200
        else:
            body, status = "<html><title>新闻</title><body>今日沪指小幅上涨，成交量温和放大。</body></html>".encode(), 200
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@once
def test_scan_on_a_cluster_is_the_local_run(db, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        urls = [f"http://127.0.0.1:{server.server_port}/p/{i}" for i in range(300)]
        f = tmp_path / "urls.txt"
        f.write_text("\n".join(urls) + "\n", encoding="utf-8")
        common = ["scan", str(f), "--allow-private", "--format", "jsonl", "-c", "16"]
        local = cli(db, *common, "-o", str(tmp_path / "local.jsonl"))
        parts = tmp_path / "parts"  # a directory: one JSON-lines file per partition, in order
        remote = cli(db, *common, "-o", str(parts) + os.sep, "--cluster", "local", "--workers", "2")
    finally:
        server.shutdown()
    assert local.exit_code == remote.exit_code == 1
    assert remote.output.split(" in ")[0] == local.output.split(" in ")[0]  # "scanned 300 of 300 URLs"

    files = sorted(parts.glob("part-*.jsonl"))
    assert len(files) == 6  # 50 URLs each
    a = [json.loads(x) for x in (tmp_path / "local.jsonl").read_text(encoding="utf-8").splitlines()]
    b = [json.loads(x) for f in files for x in f.read_text(encoding="utf-8").splitlines()]
    assert [r["url"] for r in b] == urls  # input order
    strip = lambda r: {k: v for k, v in r.items() if k != "fetched_at"}  # noqa: E731
    assert sorted(map(json.dumps, map(strip, a))) == sorted(map(json.dumps, map(strip, b)))
    assert {r["verdict"] for r in b} == {"suspicious", "clear", "unchecked"}
    assert table_counts(db, ["scan_results"])["scan_results"] == 600  # each run stored once, by the client


def test_cluster_without_dask_says_what_to_install(db, tmp_path, monkeypatch):
    f = tmp_path / "q.txt"
    f.write_text("杜德配资\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "distributed", None)
    r = CliRunner().invoke(main, ["--db", db, "check", "--file", str(f), "--cluster", "local"])
    assert r.exit_code == 2
    assert "pip install 'peizi-guard[dask]'" in r.output and r.output.count("\n") == 1


def test_cluster_needs_a_file(db):
    r = CliRunner().invoke(main, ["--db", db, "check", "杜德配资", "--cluster", "local"])
    assert r.exit_code == 2 and "--cluster checks one --file only" in r.output


def test_cluster_workers_and_serve_workers_are_configured_apart():
    from peizi_guard.cli import check, serve

    def envvar(cmd, name):
        return next(p.envvar for p in cmd.params if p.name == name)

    assert envvar(check, "workers") == "PEIZI_GUARD_CLUSTER_WORKERS"
    assert envvar(serve, "workers") == "PEIZI_GUARD_WORKERS"


def test_part_files_of_a_resumed_scan_follow_the_earlier_ones(tmp_path):
    """scan --cluster -o DIR/ --resume keeps the earlier run's files; a new run replaces them."""
    from peizi_guard.cluster import PartFiles

    (tmp_path / "notes.txt").write_text("mine")
    first = PartFiles(str(tmp_path))
    first.write(["a"])
    first.write(["b"])
    PartFiles(str(tmp_path), append=True).write(["c"])
    assert {p.name: p.read_text() for p in tmp_path.glob("part-*")} == {
        "part-00000.jsonl": "a\n", "part-00001.jsonl": "b\n", "part-00002.jsonl": "c\n"}
    again = PartFiles(str(tmp_path))  # nothing goes before the new run writes (its cluster may not answer)
    assert len(list(tmp_path.glob("part-*"))) == 3
    again.write(["d"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "part-00000.jsonl"]
    assert (tmp_path / "part-00000.jsonl").read_text() == "d\n"
