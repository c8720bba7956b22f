"""Machine instructions, counted by valgrind's callgrind: the same count on a quiet machine and a
busy one, so a change of a few per cent is seen where seconds vary by a third (issue 11's timings
moved 20-30 % between runs of the same code on this 2-core machine). Needs valgrind (Debian's
package); about 2 minutes.

    python bench/instructions.py [N]   # N first-seen queries of bench_scale's mix (default 3,000)

- per query: a process checks N queries after its start, one check and its tables read whole
  (matcher.read_tables); the count of a process that stops before them is taken off, so
  start-up and first-use set-up are not in it;
- bulk: `check --file --json -j 2` of 2N queries: the two workers, each counted from its fork
  (--zero-before=PyOS_AfterFork_Child: what the parent did before forking is counted once), and
  the parent apart: its pool's threads wake on a timer, so under valgrind its count depends on
  how long the run takes, not only on the code.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import exe, report
from userlist import queries, rows

CHECK = """
import sys
from peizi_guard.guard import Guard
try:
    from peizi_guard.matcher import read_tables
except ImportError:  # an earlier version (A/B runs with PYTHONPATH): its tables, read whole
    def read_tables():
        from peizi_guard.matcher import pinyin, suffix
        pinyin.table(), pinyin.phrases(), suffix._rules()
g = Guard(sys.argv[1])
g.check("x")
read_tables()
for q in open(sys.argv[2], encoding="utf-8").read().split("\\n")[: int(sys.argv[3])]:
    if q:
        g.check(q)
"""


def callgrind(args: list[str], out: Path, children: bool = False) -> int:
    """Instructions of `args` (summed over its processes with `children`)."""
    return sum(callgrind_each(args, out, children).values())


def callgrind_each(args: list[str], out: Path, children: bool = False) -> dict[int, int]:
    """Instructions of `args`, by process id (its processes with `children`)."""
    for f in out.parent.glob(out.name + ".*"):
        f.unlink()
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.%p"]
    if children:
        cmd += ["--trace-children=yes", "--zero-before=PyOS_AfterFork_Child"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd + args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    counts = {}
    for f in out.parent.glob(out.name + ".*"):
        m = re.search(r"^summary: (\d+)", f.read_text(errors="replace"), re.M)
        counts[int(f.name.rsplit(".", 1)[1])] = int(m.group(1)) if m else 0
        f.unlink()
    return counts


def main() -> None:
    if not shutil.which("valgrind"):
        sys.exit("needs valgrind (apt-get install valgrind)")
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000
    tmp = Path(tempfile.mkdtemp())
    data = rows(100_000)
    qfile = tmp / "queries.txt"  # bench_scale's mix: names, look-alikes and addresses, none listed
    qfile.write_text("\n".join(queries(data, 2 * n)) + "\n", encoding="utf-8")
    db = str(tmp / "small.db")
    subprocess.run([*exe(), "--db", db, "check", "x"], stdout=subprocess.DEVNULL, check=True)  # seeded, index saved
    script = tmp / "check.py"
    script.write_text(CHECK)
    py = [sys.executable, str(script), db, str(qfile)]
    base = callgrind([*py, "0"], tmp / "cg")
    many = callgrind([*py, str(n)], tmp / "cg")
    each = callgrind_each([*exe(), "--db", db, "check", "--file", str(qfile), "--json", "-j", "2"], tmp / "cg", True)
    parent = min(each)  # (the first process id: the forked workers' are later)
    workers = sum(c for pid, c in each.items() if pid != parent)
    report("instructions (callgrind), shipped lists", [
        (f"per first-seen query ({n:,} of bench_scale's mix, after start-up and one check)",
         f"{(many - base) / n:,.0f}"),
        ("a process's start, index load, one check and its tables read whole", f"{base / 1e6:,.0f} million"),
        (f"bulk `check --file --json -j 2`, {2 * n:,} queries: the two workers from their fork",
         f"{workers / 1e6:,.0f} million = {workers / (2 * n):,.0f} a query"),
        ("… and the parent (start-up, reading, warming the index, writing; its pool's threads poll on a "
         "timer, and valgrind runs ~50× slower, so this count grows with the run's length)", f"{each[parent] / 1e6:,.0f} million"),
    ])


if __name__ == "__main__":
    main()
