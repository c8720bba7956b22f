"""Issue 4: refresh of an unchanged source (one conditional request) and ingesting the twelve SAC issues."""
from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from common import FIXTURES, ROOT, report, run

sys.path.insert(0, str(ROOT))
from tests.sitehelper import Site  # noqa: E402


def main() -> None:
    from peizi_guard import api

    tmp = Path(tempfile.mkdtemp())
    site = Site()
    try:
        site.landing("/list.html", "files/list.pdf")
        site.pages["/files/list.pdf"] = ("application/pdf", (FIXTURES / "2020-07-08-illegal-peizi-platforms.pdf").read_bytes())
        db = str(tmp / "r.db")
        env = {"PEIZI_GUARD_DB": db}
        first, _, p = run(["refresh", "csrc-peizi", "--allow-private", "--url", site.url + "/list.html"], env=env)
        assert p.returncode == 0, p.stderr
        walls, requests = [], []
        for _ in range(5):
            site.log.clear()
            wall, _, p = run(["refresh", "csrc-peizi", "--allow-private", "--url", site.url + "/list.html"], env=env)
            assert p.returncode == 0 and b"unchanged" in p.stdout
            walls.append(wall)
            requests.append(len(site.log))
    finally:
        site.close()

    db2 = str(tmp / "sac.db")
    api.entries(db2)  # seed first: measure ingestion only
    t = time.perf_counter()
    counts = []
    for i, path in enumerate(sorted(FIXTURES.glob("sac-blacklist-*.docx"))):
        counts.append(api.import_file(db2, str(path), "sac-issues", published=date(2019 + i // 8, 1 + i % 8, 1)).count)
    ingest = time.perf_counter() - t
    report("refresh (issue 4)", [
        ("first refresh from 127.0.0.1 (landing page + PDF, same bytes as shipped)", f"{first:.2f} s"),
        ("refresh of an unchanged source, whole process",
         f"best {min(walls):.3f} s, worst {max(walls):.3f} s; requests per refresh {sorted(set(requests))} (target: 1 request, < 0.5 s)"),
        ("ingesting all twelve SAC issues (parse + store + history)", f"{ingest:.2f} s for {sum(counts)} rows {counts} (target < 5 s)"),
    ])


if __name__ == "__main__":
    main()
