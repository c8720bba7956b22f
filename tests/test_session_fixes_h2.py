"""Fixes from a user test of `scan` and `check`: --resume after the lists change, -o naming an
input, bad --cluster addresses, a prompt exit on Ctrl-C, --resume appending in the file's format,
empty pages, input files named in results, a blank --db, line splitting, binary inputs."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from peizi_guard import scan as scanmod
from peizi_guard.inputs import decode
from peizi_guard.scraper.pages import Page

from .conftest import CSRC_PDF, FIXTURES
from .test_scan_fixes import Handler, _stored_urls, ix, run, scan_file, site, stop, write_urls  # noqa: F401

CLI = [sys.executable, "-c", "from peizi_guard.cli import run; run()"]


def one_line_error(r, says: str) -> None:
    assert r.exit_code == 2, (r.exit_code, r.stderr)
    assert says in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr


def _next_second() -> None:
    """Scan results keep whole seconds: a result from the second of a change counts as older."""
    time.sleep(1.05 - time.time() % 1)


# ---- 1. --resume rescans what was judged against other lists ------------------------------------


def test_resume_scans_again_after_the_lists_change(db, site, tmp_path):
    urls = write_urls(tmp_path / "u.txt", site, "/plain?bakery")
    first = scan_file(db, urls, "--format", "jsonl")
    assert first.exit_code == 0 and json.loads(first.stdout)["verdict"] == "clear"
    blocklist = tmp_path / "bl.csv"
    blocklist.write_text("name,urls\n面包店配资,127.0.0.1\n", encoding="utf-8")
    assert run(["--db", db, "import", str(blocklist), "--source", "blk"]).exit_code == 0
    again = scan_file(db, urls, "--format", "jsonl", "--resume")
    assert "scanned 1 of 1 URLs" in again.stderr and "kept" not in again.stderr
    assert json.loads(again.stdout)["verdict"] == "listed" and again.exit_code == 1
    _next_second()
    scan_file(db, urls, "--format", "jsonl")
    kept = scan_file(db, urls, "--format", "jsonl", "--resume")  # the lists have not changed since
    assert "scanned 0 of 1 URLs" in kept.stderr and "kept from the last 24h: listed 1" in kept.stderr
    assert run(["--db", db, "revert", "blk", "999"]).exit_code == 2
    sources = {x["id"]: x for x in map(json.loads, run(["--db", db, "sources", "--json"]).stdout.splitlines())}
    snaps = sources["blk"]["snapshots"]
    assert len(snaps) == 1  # one snapshot of blk: a second import makes a revert possible
    blocklist.write_text("name,urls\n面包店配资,127.0.0.1\n另一家配资,www.other-pz.cn\n", encoding="utf-8")
    assert run(["--db", db, "import", str(blocklist), "--source", "blk"]).exit_code == 0
    _next_second()
    scan_file(db, urls, "--format", "jsonl")
    assert run(["--db", db, "revert", "blk", str(snaps[0]["id"])]).exit_code == 0
    reverted = scan_file(db, urls, "--format", "jsonl", "--resume")  # a revert changes the lists too
    assert "scanned 1 of 1 URLs" in reverted.stderr


# ---- 2. check -o naming its own input ----------------------------------------------------------


def test_check_refuses_to_write_over_its_input(db, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("杜德配资\n华泰证券\n", encoding="utf-8")
    for args in (["--file", str(names)], ["--text-file", str(names)], ["--file", str(names), "--json"]):
        r = run(["--db", db, "check", *args, "-o", str(names)])
        one_line_error(r, f"-o {names} is the list of queries itself")
    glob = str(tmp_path / "*.txt")  # with --cluster: any file of the folder or glob
    one_line_error(run(["--db", db, "check", "--file", glob, "--cluster", "local", "-o", str(names)]), "queries itself")
    one_line_error(run(["--db", db, "scan", glob, "--cluster", "local", "-o", str(names)]), "URLs itself")
    assert names.read_text(encoding="utf-8") == "杜德配资\n华泰证券\n"


# ---- 3. --cluster addresses --------------------------------------------------------------------


@pytest.mark.parametrize("address", ["foo", "tcp://host", "tcp://", "http://127.0.0.1:8786", "tcp://[::1",
                                     "", "  ", "tcp://h:99999", "ftp://h:1"])
def test_a_bad_cluster_address_is_a_usage_error(db, tmp_path, address):
    names = tmp_path / "names.txt"
    names.write_text("杜德配资\n", encoding="utf-8")
    for cmd in (["check", "--file"], ["scan"]):
        r = run(["--db", db, *cmd, str(names), "--cluster", address])
        one_line_error(r, "--cluster")
        assert r.stdout == ""


def test_what_is_a_cluster_address():
    from peizi_guard.cluster import address_problem

    for good in ("local", "tcp://10.0.0.5:8786", "10.0.0.5:8786", "tls://sched.example.com:8786",
                 "tcp://[::1]:8786", "[fe80::1]:8786"):
        assert address_problem(good) == "", good
    assert "dashboard" in address_problem("http://127.0.0.1:8787")
    assert "closing ]" in address_problem("tcp://[::1")


# ---- 4. Ctrl-C ends a threaded scan at once ------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_ctrl_c_ends_a_threaded_scan_promptly(db, site, tmp_path):
    urls = write_urls(tmp_path / "u.txt", site, "/plain?quick", "/slow?ctrl-c")
    out = tmp_path / "out.jsonl"
    slow_before = Handler.slow
    proc = subprocess.Popen([*CLI, "--db", db, "scan", str(urls), "--format", "jsonl", "-o", str(out),
                             "--allow-private", "--timeout", "60", "-j", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while (Handler.slow == slow_before or not out.exists() or not out.read_text()) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.1)
    time.sleep(0.3)
    err, took = stop(proc, signal.SIGINT)
    assert proc.returncode == 130 and took < 5, (took, err)  # not when the slow fetch times out (60 s)
    assert "interrupted: 1 not scanned" in err and "Traceback" not in err
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["url"][len(site):] for r in rows] == ["/plain?quick"]
    assert _stored_urls(db) == {site + "/plain?quick"}  # committed


# ---- 5. --resume appends only in the file's format ---------------------------------------------


def test_resume_appends_only_in_the_format_the_file_has(db, site, tmp_path):
    urls = write_urls(tmp_path / "u.txt", site, "/plain?fmt")
    for have, fmt in (("csv", "table"), ("csv", "jsonl"), ("jsonl", "csv"), ("jsonl", "table"), ("table", "csv"),
                      ("table", "jsonl")):
        out = tmp_path / f"out-{have}-{fmt}"
        assert scan_file(db, urls, "--format", have, "-o", out).exit_code == 0
        before = out.read_text(encoding="utf-8")
        r = scan_file(db, urls, "--format", fmt, "-o", out, "--resume")
        one_line_error(r, f"holds {have}, not {fmt}")
        assert out.read_text(encoding="utf-8") == before
    other = tmp_path / "other.csv"
    other.write_text("id,url,verdict\n1,http://x.cn/,clear\n", encoding="utf-8")
    one_line_error(scan_file(db, urls, "--format", "csv", "-o", other, "--resume"), "csv with other columns")
    from peizi_guard.output.csv import COLUMNS

    older = tmp_path / "older.csv"  # written before the line column: our columns but the last
    older.write_text(",".join(COLUMNS[: COLUMNS.index("line")]) + "\r\n", encoding="utf-8")
    fresh = write_urls(tmp_path / "fresh.txt", site, "/plain?older")
    assert scan_file(db, fresh, "--format", "csv", "-o", older, "--resume").exit_code == 0
    assert len(older.read_text(encoding="utf-8").splitlines()) == 2


# ---- 6. an empty page was never judged ---------------------------------------------------------


def test_an_empty_page_is_unchecked(db, site, ix):  # noqa: F811
    r = run(["--db", db, "scan", "-", "--format", "jsonl", "--allow-private", "--timeout", "3"],
            input=f"{site}/empty\n")
    row = json.loads(r.stdout)
    assert (row["verdict"], row["reason"], row["probability"]) == ("unchecked", "empty page", None)
    assert r.exit_code == 2
    listed = scanmod.result_of(ix, Page("http://www.ddpz666.com/", "http://www.ddpz666.com/", status=200), [])
    assert listed["verdict"] == "listed"  # its address is flagged
    framed = scanmod.result_of(ix, Page("http://127.0.0.1/", "http://127.0.0.1/", status=200,
                                        frames=["http://www.ddpz666.com/"]), [])
    assert framed["verdict"] == "listed"  # a page that only frames a listed site is not empty


# ---- 7. several input files: each result names its file -----------------------------------------


def test_line_numbers_name_the_file_when_there_are_several():
    from peizi_guard.scan import line_rows

    numbered = [("a.txt", 1, "http://x.cn/"), ("b.txt", 3, "http://y.cn/"), ("b.txt", 4, "http://x.cn/")]
    assert line_rows(numbered, False)({"url": "http://y.cn/"}) == [{"url": "http://y.cn/", "line": 3}]
    several = line_rows(numbered, True)({"url": "http://x.cn/"})  # on two lines: a row for each
    assert several == [{"url": "http://x.cn/", "input": "a.txt", "line": 1}, {"url": "http://x.cn/", "input": "b.txt", "line": 4}]


def test_scan_on_a_cluster_names_each_results_file_and_line(db, site, tmp_path):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    folder = tmp_path / "in"
    folder.mkdir()
    write_urls(folder / "a.txt", site, "/plain?a1", "/plain?a2")
    write_urls(folder / "b.txt", site, "/plain?b1")
    r = run(["--db", db, "scan", str(folder / "*.txt"), "--format", "jsonl", "--allow-private", "--timeout", "3",
             "--cluster", "local", "--workers", "1"])
    assert r.exit_code == 0, r.stderr
    got = sorted((x["input"], x["line"], x["url"][len(site):]) for x in map(json.loads, r.stdout.splitlines()))
    a, b = str(folder / "a.txt"), str(folder / "b.txt")
    assert got == [(a, 1, "/plain?a1"), (a, 2, "/plain?a2"), (b, 1, "/plain?b1")]
    table = run(["--db", db, "scan", str(folder), "--allow-private", "--timeout", "3", "--cluster", "local",
                 "--workers", "1"])
    assert sorted(ln.split()[0] for ln in table.stdout.splitlines()[1:]) == [f"{a}:1", f"{a}:2", f"{b}:1"]


# ---- 8. a blank --db ---------------------------------------------------------------------------


def test_a_blank_db_is_an_error_and_an_empty_variable_is_unset(db, tmp_path, monkeypatch):
    for args in (["--db", "", "sources"], ["--db", "  ", "sources"], ["sources", "--db", ""]):
        one_line_error(run(args), "--db is blank")
    blank = dict(os.environ, PEIZI_GUARD_DB=" ")
    p = subprocess.run([*CLI, "sources"], env=blank, capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 2 and p.stderr == "peizi-guard: error: PEIZI_GUARD_DB is blank: set it to a database file or URL, or unset it\n"
    monkeypatch.setenv("PEIZI_GUARD_DB", " ")
    assert run(["sources", "--db", db]).exit_code == 0  # the flag wins
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_DATA_HOME", str(work / "data"))
    monkeypatch.setenv("PEIZI_GUARD_DB", "")
    assert run(["sources"]).exit_code == 0  # empty: unset, the default database
    assert (work / "data" / "peizi-guard" / "peizi-guard.db").exists()
    assert sorted(p.name for p in work.iterdir()) == ["data"]  # no file named " "


# ---- 9. lines end at \n only -------------------------------------------------------------------


def test_lines_end_at_newlines_only():
    from peizi_guard.inputs import split_lines

    data = "http://a.cn/x\u2028y\nb\x0cc\x1cd\x85e\r\nlast\n".encode()
    assert decode(data).lines == [(1, "http://a.cn/x\u2028y"), (2, "b\x0cc\x1cd\x85e"), (3, "last")]
    assert split_lines("a\n\nb") == ["a", "", "b"] and split_lines("") == [] and split_lines("a\r\n") == ["a"]
    assert len(decode(data).lines) == data.count(b"\n")  # as wc -l counts


def test_scan_keeps_a_url_with_a_line_separator_whole(db, tmp_path):
    f = tmp_path / "u.txt"
    f.write_text("http://a.invalid/x\u2028y\nhttp://b.invalid/\n", encoding="utf-8")
    r = scan_file(db, f, "--format", "jsonl", "--timeout", "1")
    assert sorted(json.loads(x)["line"] for x in r.stdout.split("\n") if x) == [1, 2]  # JSON keeps U+2028 raw


# ---- 10. binary inputs -------------------------------------------------------------------------


def test_binary_inputs_are_refused(db, tmp_path):
    noise = tmp_path / "noise.bin"
    noise.write_bytes(bytes(range(256)) * 40)
    nul = tmp_path / "nul.txt"
    nul.write_bytes(b"abc\x00\x00\x00def\nghi\n")
    for opt in ("--text-file", "--file"):
        r = run(["--db", db, "check", opt, str(CSRC_PDF)])
        one_line_error(r, "a PDF document, not text")
        assert "peizi-guard import" in r.stderr and r.stdout == ""
        one_line_error(run(["--db", db, "check", opt, str(FIXTURES / "sac-blacklist-2020-01.docx")]), "ZIP")
        one_line_error(run(["--db", db, "check", opt, str(noise)]), "not text")
        one_line_error(run(["--db", db, "check", opt, str(nul)]), "NUL")
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("一丁\n杜德配资\n".encode("utf-16-le"))  # zero bytes, and text
    assert run(["--db", db, "check", "--file", str(utf16), "--json"]).exit_code == 1


# ---- 11. messages --------------------------------------------------------------------------------


def test_globs_and_folders_need_cluster(db, tmp_path):
    (tmp_path / "a.txt").write_text("杜德配资\n", encoding="utf-8")
    for spec in (str(tmp_path / "*.txt"), str(tmp_path)):
        one_line_error(run(["--db", db, "check", "--file", spec]), "needs --cluster")
        one_line_error(run(["--db", db, "scan", spec]), "needs --cluster")


def test_cluster_part_files_of_text_are_txt(db, tmp_path):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    names = tmp_path / "names.txt"
    names.write_text("杜德配资\n华泰证券\n", encoding="utf-8")
    out = tmp_path / "out"
    r = run(["--db", db, "check", "--file", str(names), "--cluster", "local", "--workers", "1", "-o", f"{out}/"])
    assert r.exit_code == 1, r.stderr
    assert [p.name for p in out.iterdir()] == ["part-00000.txt"]
    assert "杜德配资" in (out / "part-00000.txt").read_text(encoding="utf-8")
    r = run(["--db", db, "check", "--file", str(names), "--cluster", "local", "--workers", "1", "--json",
             "-o", f"{out}/"])
    assert [p.name for p in out.iterdir()] == ["part-00000.jsonl"]  # the earlier run's parts replaced


def test_revert_of_an_unknown_source_says_so(db):
    one_line_error(run(["--db", db, "revert", "nosuch", "1"]), "unknown source: nosuch")


# ---- 12. title, description and text are separate phrases ---------------------------------------


def test_page_parts_are_joined_with_a_phrase_break(ix, monkeypatch):  # noqa: F811
    seen = []
    real = scanmod.check_page
    monkeypatch.setattr(scanmod, "check_page", lambda *a, **k: seen.append(a[3]) or real(*a, **k))
    page = Page("http://127.0.0.1/", "http://127.0.0.1/", status=200, title="欢迎", description="面包", text="我们是一家面包店")
    scanmod.result_of(ix, page, [])
    assert seen[0] == "欢迎\n|\n面包\n|\n我们是一家面包店"
