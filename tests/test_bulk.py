"""Bulk checks on several processes give the answers of one process, in input order."""
from __future__ import annotations

import json
from dataclasses import fields

from click.testing import CliRunner

from peizi_guard import Guard
from peizi_guard.bulk import AUTO_FROM, jobs_for
from peizi_guard.cli import main
from peizi_guard.matcher.match import Match
from peizi_guard.matcher.signals import Signal


def _queries(db) -> list[str]:
    out = []
    for e in Guard(db).entries():
        out.append(e["name"])
        out.append(e["name"][:-1] + "宝")  # near names: fuzzy and homophone paths
        out += [u + "/p/1" for u in e["urls"][:1]]
    return out + ["华泰证券", "https://www.htsc.com.cn/", "今天天气不错"] * 10


def test_two_processes_answer_as_one(db, tmp_path):
    qs = _queries(db)
    assert len(qs) > 1000  # several batches of 500
    f = tmp_path / "q.txt"
    f.write_text("\n".join(qs) + "\n", encoding="utf-8")
    one = CliRunner().invoke(main, ["--db", db, "check", "--file", str(f), "--json", "-j", "1"])
    two = CliRunner().invoke(main, ["--db", db, "check", "--file", str(f), "--json", "-j", "2"])
    assert one.exit_code == two.exit_code == 1
    assert two.output == one.output
    rows = [json.loads(line) for line in two.output.splitlines()]
    assert [r["query"] for r in rows] == qs
    names = {e["name"] for e in Guard(db).entries()}
    assert all(r["verdict"] == "listed" for r in rows if r["query"] in names)
    assert {r["verdict"] for r in rows if r["query"] == "今天天气不错"} == {"clear"}


def test_plain_output_in_parallel(db, tmp_path):
    qs = _queries(db)
    f = tmp_path / "q.txt"
    f.write_text("\n".join(qs) + "\n", encoding="utf-8")
    one = CliRunner().invoke(main, ["--db", db, "check", "--file", str(f), "-j", "1"])
    two = CliRunner().invoke(main, ["--db", db, "check", "--file", str(f)], env={"PEIZI_GUARD_JOBS": "2"})
    assert two.output == one.output and len(one.output.splitlines()) == len(qs)


def test_jobs_default():
    assert jobs_for(3, 10) == 3
    assert jobs_for(0, 10) == 1
    assert 1 <= jobs_for(0, AUTO_FROM) <= 4


def test_to_dict_has_every_field():
    m = Match("csrc-peizi", 3, "杜德配资", "name", "杜德配资", "exact", 1.0, "杜德配资", "official")
    assert list(m.to_dict()) == [f.name for f in fields(Match)]
    s = Signal("leverage", "1:10", 0.4, False, "x")
    assert list(s.to_dict()) == [f.name for f in fields(Signal)]


def test_ctrl_c_on_a_bulk_check_ends_every_process_without_a_traceback(db, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    f, out = tmp_path / "q.txt", tmp_path / "out.jsonl"
    f.write_text("\n".join(_queries(db) * 40) + "\n", encoding="utf-8")  # about 50,000 lines
    cmd = [sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", db]
    p = subprocess.Popen([*cmd, "check", "--file", str(f), "--json", "-j", "2", "-o", str(out)],
                         stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while (not out.exists() or out.stat().st_size < 100_000) and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # answers are coming from the workers
    assert p.poll() is None, "finished before Ctrl-C"
    os.killpg(p.pid, signal.SIGINT)  # as a terminal sends it: to the whole process group
    _, err = p.communicate(timeout=30)
    assert p.returncode == 130 and "Traceback" not in err.decode() and err.decode().strip() == "peizi-guard: interrupted"
