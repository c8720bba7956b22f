"""The errors every layer raises, in a module of their own (cheap to import)."""

from __future__ import annotations


class DocumentError(ValueError):
    """A document that is not what it claims to be, or holds no usable list."""


def first_line(exc: BaseException, default: str = "") -> str:
    """The first line of an exception's message; `default` when it has none."""
    text = str(exc)
    return text.splitlines()[0] if text else default


def exception_chain(exc: BaseException) -> list[BaseException]:
    """`exc` and what it wraps (causes, contexts, urllib3 reasons, requests args)."""
    out: list[BaseException] = []
    todo: list[object] = [exc]
    while todo and len(out) < 20:
        cur = todo.pop(0)
        if not isinstance(cur, BaseException) or any(cur is seen for seen in out):
            continue
        out.append(cur)
        todo += [cur.__cause__, cur.__context__, getattr(cur, "reason", None), *cur.args]
    return out
