"""Issue 2: PDF parse time, seeding a new database, `list --json` on a seeded database."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from common import FIXTURES, best_of, report, run


def main() -> None:
    from peizi_guard.scraper.parse import parse_document

    data = (FIXTURES / "2020-07-08-illegal-peizi-platforms.pdf").read_bytes()
    t = time.perf_counter()
    doc = parse_document(data)
    parse = time.perf_counter() - t
    tmp = Path(tempfile.mkdtemp())
    firsts = []
    for i in range(3):
        db = str(tmp / f"fresh{i}.db")
        wall, _, p = run(["list", "--json"], env={"PEIZI_GUARD_DB": db})
        assert p.returncode == 0 and p.stdout.count(b"\n") >= 258
        firsts.append(wall)
    db = str(tmp / "fresh0.db")
    later = best_of(5, lambda: run(["list", "--json"], env={"PEIZI_GUARD_DB": db})[0])
    check = best_of(5, lambda: run(["check", "杜德配资"], env={"PEIZI_GUARD_DB": db})[0])
    report("store (issue 2)", [
        ("PDF parse (258 rows, 11 pages)", f"{parse:.2f} s ({len(doc.entries)} entries)"),
        ("first command on a fresh database, seeding included (`list --json`)",
         f"best {min(firsts):.3f} s, worst {max(firsts):.3f} s (target < 1 s)"),
        ("`list --json` on a seeded database, whole process", f"{later:.3f} s (target < 0.3 s)"),
        ("`check 杜德配资` on a seeded database, whole process", f"{check:.3f} s"),
    ])


if __name__ == "__main__":
    main()
