"""One interface for every output format: results (dicts) in, lines on a stream out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import IO


class Writer(ABC):
    name = ""

    def __init__(self, stream: IO[str]):
        self.stream = stream

    @abstractmethod
    def write(self, result: dict) -> None:
        """Write one result."""

    def close(self) -> None:
        self.stream.flush()
