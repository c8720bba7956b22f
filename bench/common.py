"""Helpers shared by the benchmark scripts: timing whole processes and building inputs."""
from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def exe() -> list[str]:
    """The installed console script, else the module through this interpreter."""
    found = shutil.which("peizi-guard", path=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    return [found] if found else [sys.executable, "-c", "from peizi_guard.cli import run; run()"]


def run(args: list[str], env: dict | None = None, stdin=None) -> tuple[float, int, subprocess.CompletedProcess]:  # noqa: ANN001
    """(wall seconds, peak RSS of children in MiB so far, completed process)."""
    t = time.perf_counter()
    proc = subprocess.run(exe() + args, env={**os.environ, **(env or {})}, stdin=stdin,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, int(rss), proc


def best_of(n: int, fn) -> float:  # noqa: ANN001
    return min(fn() for _ in range(n))


def machine_speed() -> tuple[str, str]:
    """A report line on how fast this machine runs Python now: the same code's timings here
    moved by up to 3x within a day (a 3,000,000-step loop took 0.11 to 0.35 s), so a figure is
    read beside this one."""
    import sys

    loop = "import time\nt = time.perf_counter()\nx = 0\nfor i in range(3_000_000):\n    x += i\nprint(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", loop], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    return ("machine speed: a 3,000,000-step Python loop (best of 3; 0.11-0.35 s seen here)", f"{min(runs):.2f} s")


def corpus_texts() -> list[str]:
    """The corpus's texts (corpus/texts/*.jsonl, each verbatim from its source), files in name
    order (peizi_guard.train.load reads the same, but needs the train extra)."""
    return [json.loads(line)["text"] for f in sorted((ROOT / "corpus" / "texts").glob("*.jsonl"))
            for line in f.read_text("utf-8").splitlines()]  # fmt: skip


def entries() -> list[dict]:
    from peizi_guard import builtin

    return builtin.records()


def report(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n## {title}")
    for k, v in rows:
        print(f"- {k}: {v}")


def dump(path: Path, obj) -> None:  # noqa: ANN001
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1))


class SlowServer:
    """HTTP/1.1 keep-alive server on 127.0.0.1 that answers every request after `delay` seconds,
    with `respond(path) -> (status line, extra headers, body)`. asyncio in one thread, with
    whole responses written at once: it spends little CPU per request, so a benchmark measures
    the client, not the server (http.server's thread per connection and unbuffered writes cost
    about 4 ms of CPU per response on a 2-core machine, and trip Nagle's 40 ms delay)."""

    def __init__(self, respond, delay: float = 0.1):  # noqa: ANN001
        import asyncio

        self.respond, self.delay, self.loop = respond, delay, asyncio.new_event_loop()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        ready.wait(10)

    def _run(self, ready) -> None:  # noqa: ANN001
        import asyncio

        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=1024))
        self.port = self.server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    async def _serve(self, reader, writer) -> None:  # noqa: ANN001
        import asyncio

        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                while await reader.readline() not in (b"\r\n", b"\n", b""):
                    pass
                await asyncio.sleep(self.delay)
                status, headers, body = self.respond(line.split()[1].decode())
                head = [f"HTTP/1.1 {status}", *headers, f"Content-Length: {len(body)}", "", ""]
                writer.write("\r\n".join(head).encode() + body)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # (a cancelled task's exception is read by 3.11's stream callback: it would log it)
        finally:
            writer.close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def shutdown(self) -> None:
        """Stop serving: the kept-alive connections' tasks ended first, so none is left for the
        interpreter's exit to report as destroyed while pending."""
        import asyncio

        async def stop() -> None:
            self.server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
