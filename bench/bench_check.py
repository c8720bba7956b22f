"""Issue 3: 100,000 mixed queries through `check --file`, a cold `check`, and rapidfuzz as reference."""
from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from common import best_of, entries, report, run

N = 100_000


def queries(rows: list[dict], n: int, seed: int = 7) -> list[str]:
    """A realistic mix: listed names and URLs as typed, variants, and clear names and domains."""
    rnd = random.Random(seed)
    names = [e["name"] for e in rows] + [a for e in rows for a in e["aliases"]]
    companies = [c["name"] for e in rows for c in e["companies"]]
    urls = [u for e in rows for u in e["urls"]]
    clear = ["华泰证券", "中信证券", "国泰君安证券", "招商银行", "阿里巴巴", "腾讯", "北京天坛医院", "上海市第一中学",
             "163.com", "https://www.htsc.com.cn/", "sse.com.cn", "12306.cn", "http://www.baidu.com/s?wd=股票"]
    out = []
    for i in range(n):
        k = i % 10
        if k < 2:
            out.append(rnd.choice(names))
        elif k == 2:
            out.append(rnd.choice(names) + rnd.choice(["官网", " APP", "-股票配资平台", "（官方网站）"]))
        elif k == 3:
            out.append(rnd.choice(companies))
        elif k < 6:
            u = rnd.choice(urls)
            out.append(rnd.choice(["", "https://", "http://m."]) + u.split("://")[-1].removeprefix("www.") + rnd.choice(["", "/", "/index.html?a=1"]))
        elif k == 6:
            name = rnd.choice(names)
            j = rnd.randrange(len(name))
            out.append(name[:j] + rnd.choice("金鑫盛达富") + name[j + 1:])
        elif k == 7:
            out.append(f"{rnd.choice(['wx', 'ab', 'zz', 'pz'])}{rnd.randrange(10**6)}.{rnd.choice(['com', 'cn', 'net'])}")
        else:
            out.append(rnd.choice(clear) + ("" if rnd.random() < .5 else str(rnd.randrange(100))))
    return out


def main() -> None:
    from rapidfuzz import process

    from peizi_guard.normalise import name_key

    rows = entries()
    qs = queries(rows, N)
    tmp = Path(tempfile.mkdtemp())
    f = tmp / "queries.txt"
    f.write_text("\n".join(qs) + "\n", encoding="utf-8")
    db = str(tmp / "b.db")
    run(["list"], env={"PEIZI_GUARD_DB": db})  # seed
    wall, rss, p = run(["check", "--file", str(f), "--json"], env={"PEIZI_GUARD_DB": db})
    assert p.returncode in (0, 1), p.stderr
    lines = p.stdout.decode().splitlines()
    assert len(lines) == N
    verdicts = {v: sum(f'"verdict": "{v}"' in x for x in lines) for v in ("listed", "suspicious", "clear")}
    cold = best_of(5, lambda: run(["check", "https://www.ddpz666.com/"], env={"PEIZI_GUARD_DB": db})[0])
    cold_new = best_of(5, lambda: run(["check", "杜得配资"], env={"PEIZI_GUARD_DB": db})[0])

    strings = sorted({name_key(v) for e in rows for v in [e["name"], *e["aliases"], *[a["value"] for a in e["apps"]],
                                                         *[c["name"] for c in e["companies"]], *e["domains"]]})
    sample = [name_key(q) for q in qs[:5000]]
    t = time.perf_counter()
    for q in sample:
        process.extractOne(q, strings)
    ref = len(sample) / (time.perf_counter() - t)
    report("check (issue 3)", [
        (f"{N:,} mixed queries through `check --file --json`", f"{wall:.2f} s wall = {N / wall:,.0f} queries/s "
         f"(target ≥ 5,000/s); peak RSS {rss} MiB; verdicts {verdicts}"),
        ("one cold `check https://www.ddpz666.com/` (listed URL)", f"{cold:.3f} s (target < 0.3 s)"),
        ("one cold `check 杜得配资` (homophone, fuzzy path)", f"{cold_new:.3f} s"),
        (f"reference: rapidfuzz process.extractOne over all {len(strings)} list strings",
         f"{ref:,.0f} queries/s (single thread, default scorer WRatio)"),
    ])


if __name__ == "__main__":
    main()
