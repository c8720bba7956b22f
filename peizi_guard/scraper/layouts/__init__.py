"""List layouts: which columns a list has and how its cells become entries."""

from __future__ import annotations

from .csrc import CsrcLayout
from .interface import Layout
from .sac import SacLayout

LAYOUTS: list[Layout] = [CsrcLayout(), SacLayout()]

__all__ = ["LAYOUTS", "Layout"]
