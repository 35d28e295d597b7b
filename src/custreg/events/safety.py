"""Where webhooks and company services may be called: https only, and never to an address
that is not global (loopback, private, link-local — the cloud metadata address among them —,
shared, reserved), unless CUSTREG_WEBHOOK_ALLOW_PRIVATE allows both. Checked when a URL is
saved and again before every try (a name may resolve elsewhere later)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from custreg.errors import field_error


class UnsafeUrl(ValueError):
    pass


def check_saved(url: str, *, allow_private: bool) -> None:
    """A URL being saved (a webhook endpoint, a company's service): 422 naming `url` when it
    may not receive calls; a name that does not resolve yet passes (checked again each try)."""
    try:
        check(url, allow_private=allow_private, resolve=False)
    except UnsafeUrl as exc:
        raise field_error("url", str(exc)) from None


def check(url: str, *, allow_private: bool, resolve: bool = True) -> None:
    """Raise UnsafeUrl naming why `url` may not receive webhooks. A name that does not
    resolve passes when `resolve` is False (saving an endpoint: its DNS may come later)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeUrl("must be an https URL")
    if parts.scheme != "https" and not allow_private:
        raise UnsafeUrl("must use https")
    if parts.username or parts.password:
        raise UnsafeUrl("must not carry credentials")
    if allow_private:
        return
    for address in _addresses(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), resolve):
        if not address.is_global or address.is_multicast:
            raise UnsafeUrl(f"resolves to a non-public address ({address})")


def _addresses(host: str, port: int, resolve: bool) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return [_unmapped(literal)]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        if resolve:
            raise UnsafeUrl(f"host {host!r} does not resolve") from None
        return []
    return [_unmapped(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])) for info in infos]


def _unmapped(address):
    """An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is judged as its IPv4 address."""
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped if mapped is not None else address


def pinned(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses to connect to for `host`, in order: resolved once and checked (every
    address the name resolves to must pass), so the connection goes where the check looked,
    never to what a second lookup answers (DNS rebinding). Raises UnsafeUrl."""
    addresses = _addresses(host, port, resolve=True)
    if not allow_private:
        for address in addresses:
            if not address.is_global or address.is_multicast:
                raise UnsafeUrl(f"resolves to a non-public address ({address})")
    return list(dict.fromkeys(str(a) for a in addresses))
