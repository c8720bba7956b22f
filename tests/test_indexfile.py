"""The saved index answers exactly as a freshly built one, and a stale or broken one is rebuilt."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from peizi_guard import builtin, matcher
from peizi_guard.cli import main
from peizi_guard.db import indexfile, indexmake
from peizi_guard.db.engine import resolve_url

from .conftest import FIXTURES

CASES = [r for f in ("check_cases.tsv", "holdout.tsv")
         for r in csv.DictReader(open(FIXTURES.parent / "tests" / "cases" / f, encoding="utf-8"), delimiter="\t")]
CORPUS = FIXTURES.parent / "corpus" / "texts"


def test_a_saved_index_answers_every_case_as_the_built_one(tmp_path):
    built = matcher.build(builtin.records())
    path = str(tmp_path / "x.index")
    assert indexfile.write(builtin.records(), path, "k1") == 410
    loaded = indexfile.load(path, "k1", matcher.DEFAULT)
    assert loaded is not None and loaded.entries == built.entries == 410
    for r in CASES:
        if r["kind"] == "text":
            a, b = matcher.check_text(built, r["query"]), matcher.check_text(loaded, r["query"])
        else:
            a, b = matcher.check(built, r["query"], r["kind"]), matcher.check(loaded, r["query"], r["kind"])
        assert a.to_dict() == b.to_dict(), r["query"]
    texts = [json.loads(line)["text"] for f in sorted(CORPUS.glob("*.jsonl")) for line in open(f, encoding="utf-8")]
    for t in texts[::7]:
        assert matcher.check_text(built, t).to_dict() == matcher.check_text(loaded, t).to_dict()
    assert len(CASES) > 500 and len(texts[::7]) > 200


def test_an_index_for_other_lists_or_a_broken_file_is_never_trusted(tmp_path):
    path = str(tmp_path / "x.index")
    indexfile.write(builtin.records(), path, "k1")
    assert indexfile.load(path, "k2", matcher.DEFAULT) is None  # built for other lists
    with open(path, "r+b") as fh:
        fh.seek(0)
        fh.write(b"garbage" * 100)
    assert indexfile.load(path, "k1", matcher.DEFAULT) is None
    assert indexfile.load(str(tmp_path / "missing.index"), "k1", matcher.DEFAULT) is None


def cli(db, *args):  # noqa: ANN001
    return CliRunner().invoke(main, ["--db", db, *args])


def test_import_saves_the_index_and_a_new_list_replaces_it(db, tmp_path):
    path = indexfile.path_for(resolve_url(db))
    assert cli(db, "check", "杜德配资").exit_code == 1
    assert os.path.exists(path)
    first = os.path.getmtime(path), os.path.getsize(path)
    f = tmp_path / "mine.csv"
    f.write_text("name,urls\n示例配资,www.example-pz.com\n", encoding="utf-8")
    assert cli(db, "import", str(f), "--source", "mine").exit_code == 0
    assert (os.path.getmtime(path), os.path.getsize(path)) != first  # saved again, for the new lists
    # a new process reads the saved index: the user's entry is there, the official ones too
    for q, code in (("示例配资", 1), ("杜德配资", 1), ("http://www.example-pz.com/", 1), ("华泰证券", 0)):
        p = subprocess.run([sys.executable, "-c", "from peizi_guard.cli import run; run()", "--db", db, "check", q],
                           capture_output=True, text=True)
        assert p.returncode == code, (q, p.stderr)


def test_a_corrupt_index_file_is_rebuilt_through_the_cli(db):
    path = indexfile.path_for(resolve_url(db))
    cli(db, "check", "杜德配资")
    with open(path, "wb") as fh:
        fh.write(b"not an index")
    r = cli(db, "check", "杜德配资", "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["verdict"] == "listed"
    assert indexfile.load(path, "anything", matcher.DEFAULT) is None and os.path.getsize(path) > 10_000


def _damage(path: str, key: str, seed: int) -> None:
    """Random bytes over the root pages of the key indexes (a bad disk): the header and the
    tables read well, so the file loads, but a look-up fails."""
    import random
    import sqlite3

    con = sqlite3.connect(path)
    (size,) = con.execute("PRAGMA page_size").fetchone()
    roots = [r for (r,) in con.execute("SELECT rootpage FROM sqlite_schema WHERE name IN ('post_tk', 'near_d')")]
    con.close()
    assert len(roots) == 2
    with open(path, "r+b") as fh:
        for page in roots:
            fh.seek((page - 1) * size)
            fh.write(random.Random(seed).randbytes(size))
    loaded = indexfile.load(path, key, matcher.DEFAULT)
    assert loaded is not None
    with pytest.raises(indexfile.IndexDamaged):
        matcher.check(loaded, "杜德配资")


def test_an_index_damaged_past_its_header_is_written_again(db):
    path = indexfile.path_for(resolve_url(db))
    assert cli(db, "check", "杜德配资").exit_code == 1
    _damage(path, _key(db), 1)
    queries = ["杜德配资", "https://www.ddpz666.com/", "华泰证券", "杜德配资网", "您炒股我出钱，1:10杠杆"]
    want = [matcher.check(matcher.build(builtin.records()), q).to_dict() for q in queries]
    r = cli(db, "check", *queries, "--json")
    assert r.exit_code == 1, r.output
    assert [json.loads(line) for line in r.stdout.splitlines()] == want
    assert indexfile.load(path, _key(db), matcher.DEFAULT) is not None  # whole again


def _key(db: str) -> str:
    from peizi_guard import api

    key = api.index_key(resolve_url(db))
    assert key
    return key


def test_a_damaged_index_is_written_again_for_bulk_and_text_checks(db, tmp_path):
    path = indexfile.path_for(resolve_url(db))
    cli(db, "check", "x")
    _damage(path, _key(db), 7)
    qfile = tmp_path / "q.txt"
    qfile.write_text("\n".join(["杜德配资", "华泰证券"] * 600) + "\n", encoding="utf-8")
    r = cli(db, "check", "--file", str(qfile), "--json")
    assert r.exit_code == 1 and [json.loads(x)["verdict"] for x in r.stdout.splitlines()] == ["listed", "clear"] * 600
    _damage(path, _key(db), 8)
    r = cli(db, "check", "--text", "欢迎来到杜德配资，您炒股我出钱", "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["verdict"] == "listed"


def test_a_failed_save_leaves_no_temporary_file(tmp_path):
    import pytest

    target = tmp_path / "taken"
    target.mkdir()  # a directory where the index should go: the final rename fails
    with pytest.raises(OSError):
        indexfile.write(builtin.records(), str(target), "k1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_a_failure_while_writing_leaves_nothing(tmp_path, monkeypatch):
    import sqlite3

    import pytest

    def records():  # the lists fail half-way (a database error while they stream in)
        for i, r in enumerate(builtin.records()):
            if i == 300:
                raise RuntimeError("gone")
            yield r

    with pytest.raises(RuntimeError, match="gone"):
        indexfile.write(records(), str(tmp_path / "x.index"), "k1")
    assert list(tmp_path.iterdir()) == []
    # the file refuses a row (here: a long name) half-way
    monkeypatch.setattr(indexfile, "SCHEMA", indexfile.SCHEMA.replace("k TEXT NOT NULL, r", "k TEXT CHECK (length(k) < 6), r"))
    monkeypatch.setattr(indexmake, "CHUNK", 10)
    with pytest.raises(sqlite3.IntegrityError):
        indexfile.write(builtin.records(), str(tmp_path / "y.index"), "k1")
    assert list(tmp_path.iterdir()) == []


def test_tables_read_whole_for_bulk_work_answer_as_look_ups_do(tmp_path, monkeypatch):
    """After WHOLE_AFTER look-ups a small saved table is read at once: the same answers."""
    built = matcher.build(builtin.records())
    path = str(tmp_path / "x.index")
    indexfile.write(builtin.records(), path, "k1")
    names = [r for r in CASES if r["kind"] != "text"]
    answers = {}
    for after in (1, 10**9):
        monkeypatch.setattr(indexfile, "WHOLE_AFTER", after)
        loaded = indexfile.load(path, "k1", matcher.DEFAULT)
        answers[after] = [matcher.check(loaded, r["query"], r["kind"]).to_dict() for r in names]
        assert (loaded.near.by is not None) == (after == 1) and (loaded.fuzzy_keys.whole is not None) == (after == 1)
    assert answers[1] == answers[10**9] == [matcher.check(built, r["query"], r["kind"]).to_dict() for r in names]


def _tables(path: str) -> dict:
    import sqlite3

    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
                for t in ("meta", "refs", "post", "fuzzy", "near", "words")}
    finally:
        con.close()


def test_chunks_made_on_several_processes_write_the_same_file(tmp_path, monkeypatch):
    """A long list's rows are made on worker processes: the file is the one made in this process."""
    records = builtin.records()
    monkeypatch.setattr(indexmake, "CHUNK", 50)
    indexfile.write(records, str(tmp_path / "one.index"), "k1", jobs=1)
    monkeypatch.setattr(indexmake, "PARALLEL_FROM", 100)
    seen = []
    real = indexmake.made

    def spy(*a, **k):  # noqa: ANN002, ANN003
        for chunk in real(*a, **k):
            seen.append(chunk.entries)
            yield chunk

    monkeypatch.setattr(indexmake, "made", spy)
    assert indexfile.write(records, str(tmp_path / "two.index"), "k1", jobs=2) == 410
    assert seen == [50] * 8 + [10]
    one, two = _tables(str(tmp_path / "one.index")), _tables(str(tmp_path / "two.index"))
    assert one == two and len(one["post"]) > 2_000 and len(one["refs"]) > 1_000
    assert {r[0] >> 32 for r in one["refs"]} == set(range(9))  # numbered by chunk


def test_worker_part_files_are_copied_and_removed_whatever_the_file_is_named(tmp_path, monkeypatch):
    records = builtin.records()
    monkeypatch.setattr(indexmake, "CHUNK", 50)
    indexfile.write(records, str(tmp_path / "one.index"), "k1", jobs=1)
    monkeypatch.setattr(indexmake, "PARALLEL_FROM", 100)
    folder = tmp_path / "lists [1]*"
    folder.mkdir()
    assert indexfile.write(records, str(folder / "two[a].index"), "k1", jobs=2) == 410
    assert [p.name for p in folder.iterdir()] == ["two[a].index"]  # no part file left
    assert _tables(str(tmp_path / "one.index")) == _tables(str(folder / "two[a].index"))


def test_an_index_made_by_other_code_is_rebuilt_and_one_copied_from_another_machine_is_trusted(tmp_path, monkeypatch):
    path = str(tmp_path / "x.index")
    indexfile.write(builtin.records(), path, "k1")
    content = indexfile._code_digest()
    assert indexfile.load(path, "k1", matcher.DEFAULT) is not None
    # another checkout or version: other files, other contents
    monkeypatch.setattr(indexfile, "_CODE", {"content": "other", "stamp": "other"})
    assert indexfile.load(path, "k1", matcher.DEFAULT) is None
    # the same package installed elsewhere: other file times, the same contents
    monkeypatch.setattr(indexfile, "_CODE", {"content": content, "stamp": "installed elsewhere"})
    assert indexfile.load(path, "k1", matcher.DEFAULT) is not None


def test_the_library_indexes_in_its_own_process_unless_asked(tmp_path, monkeypatch, db):
    """Spawned processes re-import the caller's main script: only the CLI (or a caller who asks)
    uses them."""
    import multiprocessing

    def no_processes(*a, **k):  # noqa: ANN002, ANN003
        raise AssertionError("a process was started")

    monkeypatch.setattr(indexmake, "CHUNK", 50)
    monkeypatch.setattr(indexmake, "PARALLEL_FROM", 100)
    monkeypatch.setattr(multiprocessing, "get_context", no_processes)
    assert indexfile.write(builtin.records(), str(tmp_path / "x.index"), "k1") == 410
    lst = tmp_path / "mine.csv"
    lst.write_text("name,urls\n" + "".join(f"测试{i}号配资,www.t{i}.com\n" for i in range(150)), encoding="utf-8")
    from peizi_guard import api

    api.import_file(db, str(lst), "mine")  # writes the index of 642 entries in this process
    assert api.load_index(db).entries == 410 + 82 + 150  # with the 82 only earlier SAC issues list


def _die() -> None:
    os._exit(3)


class _Fatal:
    """Kills the process that unpickles it: a worker dying half-way."""

    def __reduce__(self):  # noqa: ANN204
        return (_die, ())


def test_a_worker_that_dies_costs_time_not_the_index(tmp_path, monkeypatch):
    records = builtin.records()
    monkeypatch.setattr(indexmake, "CHUNK", 50)
    indexfile.write(records, str(tmp_path / "one.index"), "k1", jobs=1)
    monkeypatch.setattr(indexmake, "PARALLEL_FROM", 100)
    doomed = [dict(r) for r in records]
    doomed[275]["extra"] = {"x": _Fatal()}  # the sixth chunk's process dies reading it
    assert indexfile.write(doomed, str(tmp_path / "two.index"), "k1", jobs=2) == 410
    assert _tables(str(tmp_path / "one.index")) == _tables(str(tmp_path / "two.index"))


def _failing_records():  # the lists fail half-way while they stream in from the database
    for i, r in enumerate(builtin.records()):
        if i == 300:
            raise RuntimeError("database connection lost")
        yield r


def test_lists_that_fail_while_read_leave_no_index_whatever_the_processes(tmp_path, monkeypatch):
    import pytest

    monkeypatch.setattr(indexmake, "CHUNK", 50)
    monkeypatch.setattr(indexmake, "PARALLEL_FROM", 100)
    for jobs in (1, 2):
        path = tmp_path / f"x{jobs}.index"
        with pytest.raises(RuntimeError, match="connection lost"):
            indexfile.write(_failing_records(), str(path), "k1", jobs=jobs)
        assert not path.exists() and list(tmp_path.iterdir()) == []


def test_a_key_with_thousands_of_refs_on_an_older_sqlite(tmp_path):
    """A shared host's listed pages all sit under one key; SQLite before 3.32 took at most 999
    parameters a statement."""
    import sqlite3

    records = [dict(source="s", seq=i, name=f"公众号文章{i}", aliases=[], urls=[f"https://mp.weixin.qq.com/s/abc{i}"],
                    domains=[], apps=[], companies=[]) for i in range(1200)]
    path = str(tmp_path / "x.index")
    indexfile.write(records, path, "k1")
    loaded = indexfile.load(path, "k1", matcher.DEFAULT)
    loaded.paths.db.con.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    built = matcher.build(records)
    for q in ("https://mp.weixin.qq.com/s/abc7", "https://mp.weixin.qq.com/s/other", "公众号文章1199"):
        assert matcher.check(loaded, q).to_dict() == matcher.check(built, q).to_dict()
    assert matcher.check(loaded, "https://mp.weixin.qq.com/s/abc7").verdict == "listed"


def test_a_shipped_index_from_other_code_is_rebuilt_and_replaced_on_the_worker(db, monkeypatch):
    from peizi_guard import api, cluster

    url = resolve_url(db)
    monkeypatch.setattr(indexfile, "_CODE", {"content": "older code", "stamp": "older code"})
    api.load_index(url)  # saved by "older code"
    stale = cluster.Shipped(api.index_key(url), open(indexfile.path_for(url), "rb").read())
    monkeypatch.setattr(indexfile, "_CODE", {})  # this code again
    with pytest.raises(RuntimeError, match="could not be opened"):
        cluster.worker_index(stale)  # a file written by other code is never trusted …
    fresh = cluster.ship(url)  # … the client rebuilds it …
    assert fresh.data != stale.data
    ix = cluster.worker_index(fresh)  # … and the worker replaces the file the stale one left
    assert matcher.check(ix, "杜德配资").verdict == "listed"
