"""The errors every layer raises, in a module of their own (cheap to import)."""

from __future__ import annotations


class DocumentError(ValueError):
    """A document that is not what it claims to be, or holds no usable list."""
