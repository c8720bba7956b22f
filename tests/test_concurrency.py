"""Processes that start together on a new database: the first seeds it, the others wait and find it seeded."""
from __future__ import annotations

import json
import subprocess
import sys
import time

from .conftest import sqlite_only, table_counts

# every process waits for the same moment, then runs the real CLI entry point
START = ("import sys, time; from pathlib import Path\n"
         "while not Path(sys.argv[1]).exists(): time.sleep(0.005)\n"
         "sys.argv = ['peizi-guard'] + sys.argv[2:]\n"
         "from peizi_guard.cli import run; run()")


def test_six_first_runs_at_once_all_answer_and_seed_once(new_db, tmp_path):
    url = new_db("six")
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", START, str(go), "--db", url, "check", "杜德配资", "--json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
    time.sleep(1.5)  # all six imported and waiting
    go.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 1, err  # 1: listed
        assert json.loads(out)["verdict"] == "listed" and "Traceback" not in err
    c = table_counts(url, ("sources", "snapshots", "entries", "memberships"))
    assert c == {"sources": 2, "snapshots": 13, "entries": 492, "memberships": 1659}  # seeded once


def test_four_refreshes_of_the_same_new_document_at_once_store_it_once(db_before_history, tmp_path):
    from .conftest import FIXTURES
    from .sitehelper import Site

    url = db_before_history  # (PEIZI_GUARD_HISTORY=0 reaches the processes started here)
    subprocess.run([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", url, "check", "x"],
                   capture_output=True)
    site = Site()
    oldest = sorted(FIXTURES.glob("sac-blacklist-*.docx"))[0]  # joins the history, the list stays
    site.landing("/sac/", "a/list.docx")
    site.pages["/sac/a/list.docx"] = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                      oldest.read_bytes())
    go = tmp_path / "go"
    args = ["--db", url, "refresh", "sac-blacklist", "--url", site.url + "/sac/", "--allow-private", "--json"]
    procs = [subprocess.Popen([sys.executable, "-c", START, str(go), *args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    time.sleep(1.5)
    go.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    site.close()
    statuses = []
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0 and "Traceback" not in err, err  # was: IntegrityError, exit 3
        statuses.append(json.loads(out)["status"])
    assert sorted(statuses) == ["added", "unchanged", "unchanged", "unchanged"]
    assert table_counts(url, ("snapshots",)) == {"snapshots": 3}  # the current two and this one


@sqlite_only
def test_setup_lock_without_a_lock_file_or_flock_still_runs_once(tmp_path, monkeypatch):
    """A directory where the lock file should be (like a read-only folder) or a platform without
    flock: the work still runs, once, unlocked."""
    from sqlalchemy import create_engine

    from peizi_guard.db.lock import setup_lock

    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    (tmp_path / "x.db-setup.lock").mkdir()  # open() fails on it
    ran = []
    with setup_lock(engine):
        ran.append("no lock file")
    monkeypatch.setitem(sys.modules, "fcntl", None)  # import fcntl raises ImportError
    with setup_lock(engine):
        ran.append("no flock")
    assert ran == ["no lock file", "no flock"]
    engine.dispose()
