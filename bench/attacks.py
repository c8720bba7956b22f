"""Replays every attack of issue 10 through the installed CLI, on 127.0.0.1 only, and prints what
happened: exit status, verdict or message, seconds, and peak memory where it matters.

    python bench/attacks.py [--pg postgresql://…]   # --pg adds six concurrent first runs on PostgreSQL
"""
from __future__ import annotations

import argparse
import codecs
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import FIXTURES, exe  # noqa: E402
from tests.bomb import bomb_pdf, run_measured  # noqa: E402
from tests.sitehelper import Site, dripping_server  # noqa: E402

SAC = {p.stem.removeprefix("sac-blacklist-"): p for p in sorted(FIXTURES.glob("sac-blacklist-*.docx"))}
AD = "您炒股我出钱，1:10杠杆，按天配资，当天到账，免开户，加微信领取体验金"
ROWS: list[tuple[str, str, str]] = []


def cli(db: str, *args: str, stdin: str | bytes | None = None, env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run(exe() + ["--db", db, *args], input=data, capture_output=True,
                          env={**os.environ, **(env or {})})
    return time.perf_counter() - t, proc


def out(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout.decode("utf-8", "replace")


def err(proc: subprocess.CompletedProcess) -> str:
    return proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1] if proc.stderr.strip() else ""


def row(attack: str, outcome: str, took: float | None = None) -> None:
    ROWS.append((attack, outcome, f"{took:.2f} s" if took is not None else ""))
    print(f"- {attack}: {outcome}" + (f" ({took:.2f} s)" if took is not None else ""), flush=True)


def current_count(db: str, source: str) -> int:
    _, p = cli(db, "list", "--source", source, "--json")
    return len(out(p).splitlines())


def tree_peak(cmd: list[str]) -> tuple[int, int, str]:
    """(exit, peak resident MiB of the process and its children, last stderr line)."""
    code, _, err, peak = run_measured(cmd)
    return code, peak >> 20, err.strip().splitlines()[-1]


def ordering(tmp: Path) -> None:
    db = str(tmp / "order.db")
    cli(db, "check", "x")
    before = current_count(db, "sac-blacklist")
    t, p = cli(db, "import", str(SAC["2019-05"]), "--source", "sac-blacklist", "--json")
    o = json.loads(out(p))
    row("import an older SAC issue after a newer one",
        f"exit {p.returncode}, status {o['status']}, current list {before} -> {current_count(db, 'sac-blacklist')} rows: "
        f"{o['message']}", t)
    from peizi_guard import builtin

    parsed, _ = builtin.load(next(d for d in builtin.manifest() if d["source"] == "csrc-peizi"))
    rows = "".join(f"<tr><td>{e.seq}</td><td>{e.name}</td><td>{'<br>'.join(e.urls) or '—'}</td><td>—</td>"
                   f"<td>—</td><td>{e.region}</td></tr>" for e in parsed.entries[:10])
    ten = tmp / "ten.html"
    ten.write_text("<html><head><meta charset='utf-8'></head><body><table><tr><td>序号</td><td>配资平台名称</td>"
                   "<td>网址</td><td>配资APP、微信公众号、小程序名称</td><td>运营机构名称</td><td>运营机构注册地</td></tr>"
                   f"{rows}</table></body></html>", encoding="utf-8")
    t, p = cli(db, "import", str(ten), "--source", "csrc-peizi", "--published", "2021-01-01")
    row("import a 10-row document for csrc-peizi (258 rows)",
        f"exit {p.returncode}, {err(p)}; current list {current_count(db, 'csrc-peizi')} rows", t)
    site = Site()
    site.landing("/sac/", "a/2019-01.docx")
    site.pages["/sac/a/2019-01.docx"] = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                         SAC["2019-01"].read_bytes())
    t, p = cli(db, "refresh", "sac-blacklist", "--url", site.url + "/sac/", "--allow-private", "--json")
    o = json.loads(out(p).splitlines()[0])
    row("refresh --url with an old SAC issue", f"exit {p.returncode}, status {o['status']}: {o['message']}", t)
    site.close()
    _, p = cli(db, "history", "sac-blacklist", "--json")
    hist = [json.loads(x) for x in out(p).splitlines()]
    old = next(h for h in hist if not h.get("current") and h.get("event") == "snapshot")
    t, p = cli(db, "revert", "sac-blacklist", str(old["id"]))
    row("revert SOURCE SNAPSHOT", f"exit {p.returncode}; current list now {current_count(db, 'sac-blacklist')} rows", t)


def unchecked(tmp: Path) -> None:
    db = str(tmp / "scan.db")
    site = Site()
    page = f"<html><head><title>配资\x1b[2J\x1b]0;owned\x07首页</title></head><body><p>{AD}</p></body></html>"
    site.pages.update({
        "/utf16": ("text/html; charset=utf-16", codecs.BOM_UTF16_LE + page.encode("utf-16-le")),
        "/unknown": ("text/html; charset=x-no-such-charset", page.encode("utf-8")),
    })
    urls = [site.url + "/missing", "http://127.0.0.1:9/", "file:///etc/passwd", "javascript:alert(1)",
            site.url + "/utf16", site.url + "/unknown", "http://www.ddpz666.com\\@evil.cn/", "http://%64dpz666.com/",
            "=HYPERLINK(\"http://x\")"]
    t, p = cli(db, "scan", "-", "--format", "jsonl", "--allow-private", "--timeout", "3", stdin="\n".join(urls))
    for x in out(p).splitlines():
        o = json.loads(x)
        row(f"scan {o['url'][:40]}", f"{o['verdict']}" + (f" ({o['reason']})" if o.get("reason") else ""))
    row("scan exit status for the batch above", f"exit {p.returncode}", t)
    _, p = cli(db, "scan", "-", "--format", "csv", "--allow-private", "--timeout", "3", stdin=urls[-1])
    row("URL beginning with = in CSV output", "cell written as " + out(p).splitlines()[1].split(",")[0][:20])
    _, p = cli(db, "scan", "-", "--format", "table", "--allow-private", "--timeout", "3", stdin=urls[4])
    row("escape sequences in a page title, table output", "ESC/BEL reach the terminal" if "\x1b" in out(p)
        or "\x07" in out(p) else "none reach the terminal")
    big = b"http://" + b"a" * (200 * 1024) + b".com/\n" + b"\xff\xfe\xc3 bad line\n" + (site.url + "/utf16\n").encode()
    t, p = cli(db, "scan", "-", "--format", "jsonl", "--allow-private", "--timeout", "3", stdin=big)
    row("scan input with a 200 KiB line and an invalid UTF-8 line",
        f"exit {p.returncode}, {len(out(p).splitlines())} row judged, warnings: "
        + "; ".join(x.split("warning: ")[1] for x in p.stderr.decode().splitlines() if "warning: " in x), t)
    site.close()
    for enc in ("gbk", "utf-16"):
        f = tmp / f"names-{enc}.txt"
        f.write_bytes(("杜德配资\n华泰证券\n宝利配资官网\n" * 4).encode(enc))
        t, p = cli(db, "check", "--file", str(f), "--json")
        verdicts = [json.loads(x)["verdict"] for x in out(p).splitlines()]
        row(f"check --file in {enc}", f"exit {p.returncode}, verdicts {sorted(set(verdicts))}", t)
    t, p = cli("sqlite://", "check", "杜德配资")
    row("check on an empty in-memory database", f"exit {p.returncode}: {err(p)}", t)
    t, p = cli(db, "check", "杜德配资", "--as-of", "2019-01-01")
    row("check --as-of before every list", f"exit {p.returncode}: {err(p)}", t)
    t, p = cli(db, "check", "--text", AD + " ₩€🙂", env={"PYTHONIOENCODING": "gbk"})
    row("PYTHONIOENCODING=gbk output", f"exit {p.returncode}, traceback: {'Traceback' in p.stderr.decode('gbk', 'replace')}", t)
    t, p = cli("postgresql+psycopg://bob:s3cret@127.0.0.1:1/x", "check", "杜德配资")
    row("database password in an error", f"exit {p.returncode}, password shown: {'s3cret' in err(p)}: {err(p)[:80]}", t)


def hostile(tmp: Path) -> None:
    db = str(tmp / "hostile.db")
    cli(db, "check", "x")
    url, stop = dripping_server(1.0)  # one header byte a second
    t, p = cli(db, "scan", "-", "--format", "jsonl", "--allow-private", "--timeout", "2", stdin=url + "/a\n")
    o = json.loads(out(p).splitlines()[0])
    row("scan of a server dripping one header byte a second, --timeout 2", f"{o['verdict']} ({o['reason']})", t)
    t, p = cli(db, "refresh", "csrc-peizi", "--url", url + "/list.html", "--allow-private", "--deadline", "3", "--json")
    row("refresh of the dripping server, --deadline 3", f"exit {p.returncode}: {json.loads(out(p))['message'][:80]}", t)
    stop.set()
    t, p = cli(db, "refresh", "csrc-peizi", "--url", "http://169.254.169.254/latest/meta-data/", "--json")
    row("refresh of the metadata address", f"exit {p.returncode}: {json.loads(out(p))['message'][:80]}", t)
    token = "a." * 48000 + "com"
    t, p = cli(db, "check", "--text", token)
    row("check --text of a 96 kB a.a.a… token", f"exit {p.returncode}", t)
    t, p = cli(db, "check", token)
    row("check of a 96 kB a.a.a… token as a name", f"exit {p.returncode}", t)
    bomb = tmp / "bomb.pdf"
    bomb.write_bytes(bomb_pdf(1 << 30))
    t = time.perf_counter()
    code, peak, last = tree_peak(exe() + ["--db", db, "import", str(bomb), "--source", "csrc-peizi"])
    row(f"import of a {bomb.stat().st_size >> 10} KiB PDF that inflates to 1 GiB",
        f"exit {code}, peak {peak} MiB (CLI + parsing child): {last}", time.perf_counter() - t)
    site = Site()
    site.pages["/csrc/"] = ("text/html; charset=x-bogus", "<html><table><tr><td>1</td><td>2</td><td>3</td>"
                            "<td>4</td><td>5</td><td>6</td><td>7</td></tr></table>".encode("utf-8"))
    site.landing("/sac/", "a/2019-07.docx")
    site.pages["/sac/a/2019-07.docx"] = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                         SAC["2019-07"].read_bytes())
    t, p = cli(db, "refresh", "csrc-peizi", "--url", site.url + "/csrc/", "--allow-private", "--json")
    o = json.loads(out(p))
    row("refresh of a changed CSRC landing page (extra cells, bogus charset)",
        f"exit {p.returncode}, {o['status']}: {o['message'][:90]}", t)
    t, p = cli(db, "refresh", "sac-blacklist", "--url", site.url + "/sac/", "--allow-private", "--json")
    row("… the SAC source refreshed after it", f"exit {p.returncode}, {json.loads(out(p))['status']}", t)
    site.close()


def concurrent(url: str, label: str) -> None:
    start = ("import sys, time; from pathlib import Path\n"
             "while not Path(sys.argv[1]).exists(): time.sleep(0.005)\n"
             "sys.argv = ['peizi-guard'] + sys.argv[2:]\n"
             "from peizi_guard.cli import run; run()")
    go = Path(tempfile.gettempdir()) / f"go-{uuid.uuid4().hex}"
    procs = [subprocess.Popen([sys.executable, "-c", start, str(go), "--db", url, "check", "杜德配资", "--json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(6)]
    time.sleep(1.5)
    t = time.perf_counter()
    go.touch()
    codes = [p.wait() for p in procs]
    took = time.perf_counter() - t
    go.unlink()
    _, p = cli(url, "history", "csrc-peizi", "--json")
    row(f"six first runs at once on {label}", f"exit codes {codes} (1 = listed), "
        f"csrc-peizi snapshots {len(out(p).splitlines())}", took)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", help="a PostgreSQL URL where databases may be created")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        ordering(tmp)
        unchecked(tmp)
        hostile(tmp)
        concurrent(str(tmp / "six.db"), "SQLite")
        if args.pg:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            name = f"attacks_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                concurrent(make_url(args.pg).set(database=name).render_as_string(hide_password=False), "PostgreSQL")
            finally:
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
