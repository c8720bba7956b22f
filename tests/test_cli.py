"""The command line, through click's CliRunner on a temporary database."""
from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from peizi_guard.cli import main

from .conftest import sqlite_only


def run(db, *args, input=None):
    return CliRunner().invoke(main, ["--db", db, *args], input=input)


def test_list_json_has_every_field(db):
    r = run(db, "list", "--json")
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert {s: sum(x["source"] == s for x in rows) for s in ("csrc-peizi", "sac-blacklist")} == {
        "csrc-peizi": 258, "sac-blacklist": 152}
    keys = {"source", "seq", "name", "aliases", "urls", "domains", "companies", "apps", "region"}
    assert all(keys <= row.keys() for row in rows)
    dude = rows[2]
    assert dude["name"] == "杜德配资" and dude["source"] == "csrc-peizi"
    assert dude["domains"] == ["ddpz666.com", "ddpz777.com", "ddpz88.com"]
    assert {"kind": "wechat", "value": "gh_d3cc254439bb", "label": "微信号"} in dude["apps"]


def test_list_text_and_source_filter(db):
    r = run(db, "list", "--source", "csrc-peizi")
    assert r.exit_code == 0
    assert "杜德配资" in r.output and "ddpz666.com" in r.output
    r = run(db, "list", "--source", "nope")
    assert r.exit_code == 2 and "unknown source" in r.output


def test_show(db):
    r = run(db, "show", "71")
    assert r.exit_code == 0
    assert "维海配资" in r.output and "wbpz68.com" in r.output and "488.com.cn" in r.output
    r = run(db, "show", "239", "--json")
    row = json.loads(r.output)
    assert row["company_details"][0]["former_names"] == ["杭州喜股网络科技有限公司"]
    assert run(db, "show", "999").exit_code == 2


def test_sources(db):
    r = run(db, "sources", "--json")
    src = json.loads(r.output.splitlines()[0])
    sac = json.loads(r.output.splitlines()[1])
    assert sac["id"] == "sac-blacklist" and [s["entry_count"] for s in sac["snapshots"]] == [
        88, 95, 95, 92, 89, 102, 132, 132, 133, 144, 147, 152  # the twelve shipped issues, oldest first
    ]
    assert [s["current"] for s in sac["snapshots"]] == [False] * 11 + [True]
    assert sac["snapshots"][0]["issue"] == "2019年第1期" and sac["snapshots"][0]["published"] is None
    assert src["id"] == "csrc-peizi"
    assert src["snapshots"][0]["entry_count"] == 258 and src["snapshots"][0]["published"] == "2020-07-08"
    assert len(src["snapshots"][0]["sha256"]) == 64


def test_import_twice_and_bad_file(db, tmp_path, csrc_bytes):
    f = tmp_path / "list.pdf"
    f.write_bytes(csrc_bytes)
    r = run(db, "import", str(f), "--source", "csrc-peizi", "--published", "2020-07-08")
    assert r.exit_code == 0 and "unchanged" in r.output
    bad = tmp_path / "fake.pdf"
    bad.write_text("<html><body>error</body></html>")
    r = run(db, "import", str(bad), "--source", "csrc-peizi")
    assert r.exit_code == 2
    assert r.output.count("\n") == 1 and "fake.pdf" in r.output and "error:" in r.output
    r = run(db, "import", str(tmp_path / "missing.pdf"), "--source", "csrc-peizi")
    assert r.exit_code == 2 and "missing.pdf" in r.output
    r = run(db, "import", str(f), "--source", "csrc-peizi", "--published", "yesterday")
    assert r.exit_code == 2


def test_console_script_errors_are_one_line(tmp_path):
    """The real entry point: a bad database URL gives one line on stderr, no traceback."""
    r = subprocess.run([sys.executable, "-c", "from peizi_guard.cli import run; run()",
                        "--db", "nosuchdialect://x", "list"], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "Traceback" not in r.stderr
    assert "nosuchdialect" in r.stderr


def test_the_cli_leaves_the_cycle_collector_on_after_its_imports():
    import gc
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "import gc, peizi_guard.cli; print(gc.isenabled())"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True" and gc.isenabled()


def test_every_file_given_is_checked_in_order(db, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("杜德配资\n", encoding="utf-8")
    b.write_text("华泰证券\n", encoding="utf-8")
    r = run(db, "check", "--file", str(a), "-f", str(b), "--json")
    assert r.exit_code == 1 and [json.loads(x)["query"] for x in r.stdout.splitlines()] == ["杜德配资", "华泰证券"]


def test_as_never_turns_a_listed_name_or_address_silently_clear(db):
    r = run(db, "check", "--as", "url", "杜德配资", "--json")
    v = json.loads(r.stdout)
    assert r.exit_code == 1 and v["verdict"] == "listed" and any("not an address" in n for n in v["notes"])
    r = run(db, "check", "--as", "name", "https://www.ddpz666.com/", "--json")
    assert any("looks like an address" in n for n in json.loads(r.stdout)["notes"])
    r = run(db, "check", "--as", "url", "--text", "hi")
    assert r.exit_code == 2 and "--as applies to" in r.stderr


def test_an_empty_text_file_beside_a_text_is_reported_and_the_text_judged(db, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    r = run(db, "check", "--text", "您炒股我出钱，1:10杠杆，当天到账", "--text-file", str(empty), "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["verdict"] == "suspicious"
    assert "no text in it" in r.stderr


@sqlite_only
def test_a_damaged_database_file_is_one_line_saying_so(db, tmp_path):
    import random
    import shutil
    import sqlite3

    run(db, "check", "x")
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    bad = tmp_path / "bad.db"
    shutil.copy(db, bad)
    size = bad.stat().st_size
    with open(bad, "r+b") as fh:  # a bad disk: the middle of the file overwritten
        fh.seek(size // 2)
        fh.write(random.Random(5).randbytes(min(50_000, size // 3)))
    for args in (["history"], ["list"], ["check", "杜德配资"]):
        p = subprocess.run([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", str(bad), *args],
                           capture_output=True, text=True)
        assert p.returncode == 2 and "the database file is damaged" in p.stderr, (args, p.stderr)
        assert len(p.stderr.strip().splitlines()) == 1 and "internal error" not in p.stderr


def test_max_age_without_resume_is_a_usage_error(db, tmp_path):
    urls = tmp_path / "u.txt"
    urls.write_text("http://127.0.0.1:9/\n", encoding="utf-8")
    r = run(db, "scan", str(urls), "--max-age", "1h")
    assert r.exit_code == 2 and "give --resume too" in r.stderr


def test_one_line_answers_say_which_list_matched(db, tmp_path):
    mine = tmp_path / "mine.csv"
    mine.write_text("name,urls\n黑马金服,www.heima-x.com\n", encoding="utf-8")
    assert run(db, "import", str(mine), "--source", "my-blocklist").exit_code == 0
    r = run(db, "check", "国元配资", "杜德配资", "黑马金服", "华泰证券")
    lines = r.stdout.splitlines()
    assert "(exact, sac-blacklist)" in lines[0] and "(exact, csrc-peizi)" in lines[1]
    assert "(exact, your list my-blocklist)" in lines[2] and lines[3].startswith("clear")
    assert "my-blocklist  你导入的名单 your own list" in run(db, "sources").stdout


def test_a_future_publication_date_and_results_over_the_url_list_are_refused(db, tmp_path, csrc_bytes):
    f = tmp_path / "copy.pdf"
    f.write_bytes(csrc_bytes)
    r = run(db, "import", str(f), "--source", "csrc-peizi", "--published", "2999-01-01")
    assert r.exit_code == 2 and "in the future" in r.output
    urls = tmp_path / "u.txt"
    urls.write_text("http://127.0.0.1:9/\n", encoding="utf-8")
    r = run(db, "scan", str(urls), "-o", str(urls))
    assert r.exit_code == 2 and "is the list of URLs itself" in r.stderr
    assert urls.read_text(encoding="utf-8") == "http://127.0.0.1:9/\n"


def test_calc_reads_wan_yi():
    r = CliRunner().invoke(main, ["calc", "--own", "1万亿", "--leverage", "2", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["own"] == 1e12


def test_db_works_after_the_command_too(db, tmp_path):
    """`check --db X` as `--db X check`: the same database, not the default one."""
    run(db, "import", "--source", "mine", str(_user_list(tmp_path)))
    after = CliRunner().invoke(main, ["check", "--db", db, "宏图天下", "--json"])
    assert after.exit_code == 1 and json.loads(after.stdout)["matches"][0]["source"] == "mine"
    for args in (["list", "--source", "mine", "--db", db], ["sources", "--db", db, "--json"]):
        assert "mine" in CliRunner().invoke(main, args).stdout


def _user_list(tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text("name,company,urls,aliases,note\n宏图天下,,,,a test list\n", encoding="utf-8")
    return f


@sqlite_only
def test_a_database_file_in_a_missing_folder_is_an_error_not_a_new_database(tmp_path):
    where = tmp_path / "no-such-folder" / "guard.db"
    for args in (["--db", str(where), "check", "杜德配资"], ["check", "--db", str(where), "杜德配资"]):
        p = subprocess.run([sys.executable, "-c", "from peizi_guard.cli import run; run()", *args],
                           capture_output=True, text=True)
        assert p.returncode == 2 and p.stderr.strip().count("\n") == 0, p.stderr
        assert f"its folder {where.parent} does not exist" in p.stderr
    assert not where.parent.exists()
    fresh = tmp_path / "new.db"  # a new file in a folder that is there: created and seeded, as ever
    assert CliRunner().invoke(main, ["--db", str(fresh), "check", "杜德配资"]).exit_code == 1 and fresh.exists()
