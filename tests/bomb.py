"""A decompression-bomb PDF, made on the spot: about 1 MiB that inflates to `inflated` bytes."""
from __future__ import annotations

import struct
import zlib

CHUNK = 1 << 20


def deflate_repeated(chunk: bytes, times: int) -> bytes:
    """zlib data of chunk * times, built from one compressed block repeated (each block starts
    from a fresh dictionary after a full flush, so all blocks are the same bytes)."""
    c = zlib.compressobj(9)
    head = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    end = c.flush()[:-4]  # the final empty block, without the checksum of two chunks
    adler = 1
    for _ in range(times):
        adler = zlib.adler32(chunk, adler)
    return head + block * (times - 1) + end + struct.pack(">I", adler)


def bomb_pdf(inflated: int = 1 << 30) -> bytes:
    stream = deflate_repeated(b" " * CHUNK, inflated // CHUNK)  # white space: valid page content
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (0 once it is gone); Linux /proc."""
    import os

    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = open(f"/proc/{p}/status").read()
            total += int(status.split("VmRSS:")[1].split()[0]) * 1024 if "VmRSS:" in status else 0
            for task in os.listdir(f"/proc/{p}/task"):
                todo += [int(c) for c in open(f"/proc/{p}/task/{task}/children").read().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def run_measured(cmd: list[str], timeout: float = 120) -> tuple[int, str, str, int]:
    """(exit status, stdout, stderr, peak resident bytes of the command and its children),
    sampled every 5 ms."""
    import subprocess
    import threading
    import time

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.005)

    t = threading.Thread(target=sample)
    t.start()
    out, err = proc.communicate(timeout=timeout)
    t.join()
    return proc.returncode, out, err, peak[0]
