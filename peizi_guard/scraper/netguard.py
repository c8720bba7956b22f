"""Address rule for outbound fetches: only globally routable addresses (SSRF guard).

`check_address` resolves a host and refuses it when any resolved address is not global
(loopback, private, link-local, multicast, reserved, unspecified, shared 100.64/10, …),
including such addresses carried inside IPv6 translation forms (IPv4-mapped, IPv4-compatible,
6to4, NAT64 64:ff9b::/96), which are judged by the IPv4 address they carry. Pure apart from
the DNS lookup; thread-safe.
"""

from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_V4_COMPAT = ipaddress.ip_network("::/96")


class BlockedAddress(Exception):
    """The host resolves to an address outside the public internet."""


class DnsError(Exception):
    """The host name could not be resolved."""

    def __init__(self, message: str, host: str = "", temporary: bool = False):
        super().__init__(message)
        self.host = host  # the host looked up (after a redirect, not the one first asked for)
        self.temporary = temporary  # the resolver failed for now (EAI_AGAIN), not "no such name"


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 translation form stands for, if any (not Teredo: 2001::/32
    is non-global in itself)."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _V4_COMPAT and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _label(ip: IPAddress) -> str | None:
    """Why a plain address is blocked, or None when it is global."""
    for attr, label in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_private", "private"),
        ("is_reserved", "reserved"),
    ):
        if getattr(ip, attr):
            return label
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "shared"
    return None if ip.is_global else "non-global"


def blocked_reason(address: str | IPAddress) -> str | None:
    """Why `address` must not be contacted ("loopback", "private", …), or None if it may."""
    ip = ipaddress.ip_address(str(address).split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None:
            return blocked_reason(inner)
    return _label(ip)


def resolve(host: str, port: int) -> list[str]:
    """The distinct addresses `host` resolves to, in resolver order; DnsError if none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        again = isinstance(exc, socket.gaierror) and exc.errno in (socket.EAI_AGAIN, socket.EAI_FAIL)
        raise DnsError(f"DNS lookup failed for {host}", host, again) from exc
    ips = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not ips:
        raise DnsError(f"DNS lookup failed for {host}", host)
    return ips


# cloud instance metadata (credentials): never fetched, allow_private or not
METADATA = frozenset(
    map(ipaddress.ip_address, ("169.254.169.254", "169.254.170.2", "169.254.0.23", "fd00:ec2::254", "100.100.100.200"))
)


def _metadata(ip: IPAddress) -> bool:
    inner = _embedded_v4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    return ip in METADATA or inner in METADATA


def check_address(host: str, port: int, allow_private: bool) -> list[str]:
    """Resolve `host` and return its vetted addresses; BlockedAddress if any is not global
    (with `allow_private`, only a cloud metadata address is refused)."""
    ips = resolve(host.strip("[]"), port)
    for ip in ips:
        if _metadata(ipaddress.ip_address(ip.split("%", 1)[0])):
            raise BlockedAddress(f"blocked address {ip} (cloud metadata)")
    if allow_private:
        return ips
    for ip in ips:
        reason = blocked_reason(ip)
        if reason is not None:
            raise BlockedAddress(f"blocked address {ip.split('%', 1)[0]} ({reason})")
    return ips
