"""The same question gets the same answer in every process: nothing in a verdict may depend on
Python's per-process string hashing (set order)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

TEXT = "宇轩配资、杜德配资、牛弘配资、九鼎配资、景盛配资：股票配资1:10杠杆，按天配资，当天到账，加微信"


def test_names_found_in_a_text_come_in_the_order_the_text_names_them_in_every_process(db):
    seen = []
    for seed in ("1", "2", "3", "4"):
        p = subprocess.run(
            [
                sys.executable,
                "-c",
                "from peizi_guard.cli import run; run()",
                "--db",
                db,
                "check",
                "--json",
                "--text",
                TEXT,
            ],
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert p.returncode == 1, p.stderr[-300:]
        seen.append([m["entry"] for m in json.loads(p.stdout)["matches"]])
    assert seen[0][:5] == ["宇轩配资", "杜德配资", "牛弘配资", "九鼎配资", "景盛配资"]
    assert all(s == seen[0] for s in seen)
