"""Before `serve` says it is serving: can it listen on that host and port? One-line reasons,
checked the way uvicorn binds (SO_REUSEADDR), so a port in use or a host that does not resolve
is a usage error, not a start-up crash."""

from __future__ import annotations

import errno
import socket


class ListenError(Exception):
    """The service cannot listen there; the message is one line for the user."""


def check_listen(host: str, port: int) -> None:
    """Resolve `host`, then bind every address it resolves to on `port` and let go (asyncio binds
    them all; an IPv6 address this machine does not have is skipped, as asyncio does; "" is every
    interface)."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        addrs = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise ListenError(f"cannot listen on {where}: host {host!r} does not resolve ({_reason(exc)})") from None
    for family, kind, proto, _, addr in addrs:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(addr)
            except OSError as exc:
                if family == socket.AF_INET6 and exc.errno == errno.EADDRNOTAVAIL:
                    continue
                raise ListenError(f"cannot listen on {where}: {_why(exc)}") from None


def _why(exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return "the port is already in use (another server is listening there)"
    if exc.errno == errno.EACCES:
        return "permission denied (ports below 1024 need privileges)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return "the address is not one of this machine's"
    return _reason(exc)


def _reason(exc: Exception) -> str:
    return (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).splitlines()[0]
