"""Session 33 (issue 11's bulk and import targets): bulk workers inherit the parent's warm index
and open only their own connection to its file; the index's writer hands its workers entries as
stored, undecoded; pinyin's look-ups with its tables in memory; the name caches' bound."""
from __future__ import annotations

import itertools
import os
import random
import sqlite3

from peizi_guard import Guard, api, bulk, builtin
from peizi_guard.db import fast, indexfile, indexmake, store
from peizi_guard.matcher import pinyin
from peizi_guard.normalise import cached_below

from .test_indexfile import _tables


def _queries(db: str) -> list[str]:
    out = []
    for e in Guard(db).entries():
        out += [e["name"], e["name"][:-1] + "宝", *e["urls"][:1]]
    return out


def test_bulk_workers_answer_from_the_parents_index_on_connections_of_their_own(db, monkeypatch):
    guard = Guard(db)
    items = [(q, None) for q in _queries(db)]
    assert len(items) > 2 * bulk.BATCH
    one = [line for _, line in bulk.check_all(Guard(db), items, lambda v: repr(v.to_dict()), jobs=1)]
    parent = guard.index.names.db  # the saved index's reader (a test database is never in memory)
    assert isinstance(parent, indexfile._Reader)

    def fail(*a, **k):  # noqa: ANN002, ANN003
        raise AssertionError("a worker loaded the index again")

    monkeypatch.setattr(api, "load_index", fail)  # the workers are forked after this: they inherit it

    def render(v) -> str:  # noqa: ANN001 -- runs in the worker
        reader = guard.index.names.db
        return f"{os.getpid()}\t{id(reader.con)}\t{repr(v.to_dict())}"

    lines = [line for _, line in bulk.check_all(guard, items, render, jobs=2)]
    pids = {line.split("\t")[0] for line in lines}
    assert str(os.getpid()) not in pids and 1 <= len(pids) <= 2  # answered by the workers
    assert {line.split("\t")[1] for line in lines}.isdisjoint({str(id(parent.con))})  # not the parent's
    assert [line.split("\t", 2)[2] for line in lines] == one  # the answers of one process
    # what bulk work reads whole was read before the fork, once for every worker
    assert parent.whole is not None and guard.index.names.keys is not None and guard.index.near.by is not None
    assert parent.con.execute("SELECT count(*) FROM refs").fetchone()[0] > 0  # the parent's still works


def test_an_index_read_whole_answers_as_one_read_by_look_ups(db):
    qs = _queries(db)[:300] + ["鑫旺优配", "华信投资有限公司", "https://www.example-pz.com/"]
    lazy = Guard(db)
    want = [lazy.check(q).to_dict() for q in qs[:200]]
    whole = Guard(db)
    indexfile.read_whole(whole.index)
    reader = whole.index.names.db
    assert reader.whole is not None and whole.index.fuzzy_keys.whole is not None
    assert all(getattr(whole.index, m).keys is not None for m in indexfile.TABLES)
    asked = []
    real = reader.all
    reader.all = lambda sql, params=(): asked.append(sql) or real(sql, params)
    assert [whole.check(q).to_dict() for q in qs[:200]] == want
    assert not any("FROM refs" in sql or "FROM near" in sql or "FROM fuzzy" in sql for sql in asked)
    assert all("k = ?" in sql for sql in asked)  # only a key that is there is read, its rows


def test_the_index_written_from_stored_rows_is_the_one_written_from_records(db, tmp_path, monkeypatch):
    monkeypatch.setattr(indexmake, "CHUNK", 50)
    monkeypatch.setattr(indexmake, "PARALLEL_FROM", 100)  # on spawned workers, which decode the rows
    url = api.resolve_url(db)
    with api.session(url) as s:
        rows = list(store.iter_current_rows(s))
        former = list(store.iter_former_records(s))
    assert rows and all(isinstance(r, tuple) and isinstance(r[0], str) for r in rows)
    records = api.entries(db)
    assert [fast.listed(r) for r in rows] == records  # decoded, the records api.entries gives
    n = len(records) + len(former)
    assert indexfile.write(records + former, str(tmp_path / "records.index"), "k", jobs=1) == n
    assert indexfile.write(itertools.chain(rows, former), str(tmp_path / "rows.index"), "k", jobs=2) == n
    a, b = _tables(str(tmp_path / "records.index")), _tables(str(tmp_path / "rows.index"))
    assert a == b and len(a["refs"]) > 1_000


def test_refresh_index_writes_the_index_a_check_trusts(db):
    api.refresh_index(db, jobs=1)
    path = indexfile.path_for(api.resolve_url(db))
    con = sqlite3.connect(path)
    try:
        entries = int(dict(con.execute("SELECT k, v FROM meta"))["entries"])
    finally:
        con.close()
    assert entries == len(api.entries(db)) + len(api.former_entries(api.resolve_url(db)))
    assert Guard(db).check("杜德配资").verdict == "listed"


def _in_place(monkeypatch) -> None:
    """pinyin's tables answered from their files' text however many look-ups are asked."""
    from peizi_guard import read_data

    monkeypatch.setattr(pinyin, "LOOK_UPS", 10**9)
    readings = pinyin._InPlace(read_data(pinyin.TABLE), pinyin._reading_in, pinyin.table)
    phrases = pinyin._InPlace(read_data(pinyin.PHRASES), pinyin._phrase_in, pinyin.phrases)
    monkeypatch.setattr(pinyin, "_readings", lambda: readings)
    monkeypatch.setattr(pinyin, "_phrases", lambda: phrases)


def test_pinyin_read_in_memory_reads_as_the_files_text_does(monkeypatch):
    rnd = random.Random(33)
    phrases = list(pinyin.phrases())
    texts = [e["name"] for e in builtin.records()] + [c["name"] for e in builtin.records() for c in e["companies"]]
    texts += ["".join(rnd.choice(phrases) if rnd.random() < 0.5 else rnd.choice("银行重庆长沙a1 行中") for _ in range(6))
              for _ in range(3_000)]
    texts += ["银", "银行", "中国银行股份有限公司", "行长", "长沙银行", ""]
    fast_read = [pinyin._read(t, pinyin.table(), pinyin.phrases(), pinyin._phrase_starts()) for t in texts]
    _in_place(monkeypatch)
    assert pinyin._readings().dict is None
    slow = [pinyin._syllables.__wrapped__(t) for t in texts]
    assert pinyin._readings().dict is None  # (answered from the text all along)
    assert fast_read == slow
    assert pinyin._read("银行", pinyin.table(), pinyin.phrases(), pinyin._phrase_starts()) == ("yin", "hang")


def test_a_name_cache_keeps_short_arguments_only_and_is_bounded():
    calls = []

    @cached_below(4, 3)
    def f(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert [f("ab"), f("ab"), f("ab")] == ["AB"] * 3 and calls == ["ab"]  # kept
    assert [f("abcdef"), f("abcdef")] == ["ABCDEF"] * 2 and calls.count("abcdef") == 2  # too long: not kept
    for t in ("c", "d"):  # three kept: full
        f(t)
    f("e")  # emptied, then kept
    f("ab")
    assert calls.count("ab") == 2 and f.__wrapped__("x") == "X"


def test_a_large_index_is_left_to_the_workers_to_read(db):
    ix = Guard(db).index
    reader = ix.names.db
    indexfile.read_whole(ix, up_to=reader.n_refs - 1)  # larger than that: not read before forking
    assert reader.whole is None and ix.names.keys is None and ix.near.by is None
    indexfile.read_whole(ix, up_to=reader.n_refs)
    assert reader.whole is not None and ix.names.keys is not None and ix.near.by is not None
    assert reader.n_refs <= bulk.WARM_UP_TO  # the shipped lists' index is read before forking


def test_workers_stopped_early_end_whatever_sigterm_handler_their_parent_has(db):
    """A reader that stops early ends the pool (SIGTERM to the workers): a handler the parent
    installed (a server's, a coverage run's) is not the workers', else they outlive the pool and
    its join waits for ever."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import signal
        from peizi_guard import Guard, bulk
        signal.signal(signal.SIGTERM, lambda *a: None)  # caught, and nothing done
        guard = Guard({db!r})
        items = [(e["name"], None) for e in guard.entries()] * 3
        answers = bulk.check_all(guard, items, lambda v: v.verdict, jobs=2)
        got = [next(answers) for _ in range(10)]
        answers.close()  # the reader stops: the pool is ended
        print("ended", len(got), len(items) > 2 * bulk.BATCH)
    """)
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.split() == ["ended", "10", "True"], p.stderr[-2000:]
