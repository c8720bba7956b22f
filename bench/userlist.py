"""A seeded, clearly synthetic user list for the scale benchmarks (never shipped, never a real entry).

    python bench/userlist.py 100000 > /tmp/list.jsonl      # or .csv with --csv
"""
from __future__ import annotations

import csv
import json
import random
import sys

# common characters of platform names; the combinations are random and mean nothing
CORE = ("金鼎盛泰华信鑫隆汇丰融通达恒益宏富源瑞祥安康顺利发德诚嘉和兴旺财宝银海天宇星辰龙凤腾飞"
        "博远创新优选智赢策略牛熊股期淘乐易快优配众合聚福永久长城东方南北中西红盛")
TAIL = ("配资", "优配", "策略", "操盘", "金服", "在线", "网", "宝", "通", "资本", "投资", "财富", "股票配资", "期货配资")
CITY = ("上海", "深圳", "北京", "杭州", "广州", "成都", "武汉", "南京", "厦门", "西安")
TRADE = ("投资管理", "网络科技", "信息咨询", "资产管理", "金融服务", "商务咨询")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
TLD = ("com", "cn", "com.cn", "net", "top", "vip", "xyz")


def rows(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    seen: set[str] = set()
    out = []
    while len(out) < n:
        core = "".join(rng.choice(CORE) for _ in range(rng.choice((2, 2, 3))))
        name = core + rng.choice(TAIL)
        if name in seen:
            continue
        seen.add(name)
        label = "".join(rng.choice(LETTERS) for _ in range(rng.randint(4, 8))) + str(rng.randint(0, 999))
        urls = [f"www.{label}.{rng.choice(TLD)}"] + ([f"m.{label}.{rng.choice(TLD)}"] if rng.random() < 0.3 else [])
        out.append({
            "name": name,
            "company": f"{rng.choice(CITY)}{core}{rng.choice(TRADE)}有限公司" if rng.random() < 0.6 else "",
            "urls": urls,
            "aliases": [core + "APP"] if rng.random() < 0.2 else [],
            "note": f"synthetic benchmark row {len(out) + 1}",
        })
    return out


def queries(data: list[dict], n: int, seed: int = 3) -> list[str]:
    """The scale benchmarks' query mix over `data`: a third names, a third look-alikes (the last
    character made 宝), a third addresses."""
    rnd = random.Random(seed)
    names = [r["name"] for r in data]
    return [rnd.choice(names) if i % 3 == 0 else rnd.choice(names)[:-1] + "宝" if i % 3 == 1 else
            f"http://{rnd.choice(data)['urls'][0]}/" for i in range(n)]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    data = rows(n)
    if "--csv" in sys.argv:
        w = csv.writer(sys.stdout)
        w.writerow(["name", "company", "urls", "aliases", "note"])
        for r in data:
            w.writerow([r["name"], r["company"], "|".join(r["urls"]), "|".join(r["aliases"]), r["note"]])
    else:
        for r in data:
            print(json.dumps(r, ensure_ascii=False))


if __name__ == "__main__":
    main()
