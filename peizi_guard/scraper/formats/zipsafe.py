"""Reading Office (zip) documents without trusting their headers: caps on members and inflated size.

Sizes written in a zip (``ZipInfo.file_size``) can lie, so besides refusing what the headers
declare, members are inflated in chunks and the bytes actually produced are counted against one
budget for the whole document.
"""

from __future__ import annotations

import io
import zipfile

from ...errors import first_line
from ...model import DocumentError

MAX_TOTAL = 64 * 1024 * 1024  # inflated bytes per document
MAX_MEMBERS = 2000
_CHUNK = 1 << 16
_ZIP_MAGIC = b"PK\x03\x04"


def looks_like(data: bytes, member: str) -> bool:
    """True when `data` is a zip holding `member` — or a damaged zip whose local headers name it."""
    if not data.startswith(_ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return member in zf.namelist()
    except Exception:  # no readable central directory: judge by the local file headers
        return member.encode() in data


class SafeZip:
    """A zip archive whose reads share one inflated-size budget."""

    def __init__(self, data: bytes, kind: str, max_total: int = MAX_TOTAL, max_members: int = MAX_MEMBERS):
        self.kind = kind
        self.limit = self.budget = max_total
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except Exception as exc:
            raise DocumentError(f"corrupt or truncated {kind} ({_why(exc)})") from None
        if len(infos) > max_members:
            raise DocumentError(f"{kind} holds {len(infos)} files, more than {max_members}: refused")
        self.infos = infos

    def names(self) -> list[str]:
        return [i.filename for i in self.infos]

    def read(self, name: str) -> bytes:
        """One member's bytes; DocumentError when it is missing, broken or over the budget."""
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            raise DocumentError(f"{self.kind} has no {name}") from None
        return self._inflate(info, keep=True)

    def check_all(self) -> None:
        """Inflate every member (discarding the bytes), so that a later reader cannot blow up.
        Once the whole archive is known to fit, later reads get the full budget again."""
        if sum(i.file_size for i in self.infos) > self.budget:
            raise self._bomb()
        for info in self.infos:
            self._inflate(info, keep=False)
        self.budget = self.limit

    def _bomb(self) -> DocumentError:
        return DocumentError(f"{self.kind} inflates to more than {self.limit >> 20} MiB (a zip bomb?): refused")

    def _inflate(self, info: zipfile.ZipInfo, keep: bool) -> bytes:
        if info.file_size > self.budget:  # an honest header already says too much
            raise self._bomb()
        out: list[bytes] | None = [] if keep else None
        try:
            with self.zf.open(info) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    self.budget -= len(chunk)
                    if self.budget < 0:  # the header lied
                        raise self._bomb()
                    if out is not None:
                        out.append(chunk)
        except DocumentError:
            raise
        except MemoryError:
            raise  # the parsing child's memory cap: reported as such
        except Exception as exc:  # BadZipFile, zlib.error, EOFError, encrypted, unsupported method…
            why = _why(exc)
            what = "encrypted" if "encrypt" in why.lower() else "corrupt or truncated"
            raise DocumentError(f"{what} {self.kind} ({why})") from None
        return b"".join(out) if out is not None else b""

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> "SafeZip":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _why(exc: Exception) -> str:
    msg = first_line(exc, type(exc).__name__)
    return msg[:80]
