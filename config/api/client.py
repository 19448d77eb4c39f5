"""Who is calling: the one place a request's client address is read (throttles, page throttles, logins, audit).

``X-Forwarded-For`` is written by whoever sends the request, so it is believed
only as far as proxies this service was told about wrote it:

* ``TRUSTED_PROXIES`` (addresses or networks): when the socket's peer is one of
  them, the header is read from the right, skipping every trusted hop; the
  first address that is not a trusted proxy is the client. A peer outside the
  list is the client itself, whatever its header says.
* else ``NUM_PROXIES`` (n > 0): exactly n proxies stand in front of the
  service and each appends the address it saw, so the client is the n-th
  entry from the right. A header with fewer entries did not come through all
  of them; the peer is used (fail closed: it shares its bucket with every
  such caller rather than choosing its own).
* neither (the default): the socket's peer, and the header is ignored.

Anything in the header that is not an address stops the walk at the last
address a trusted hop vouched for.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_BRACKETED = re.compile(r"^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$")
_V4_WITH_PORT = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$")


def parse_address(value: str) -> _Address | None:
    """An address as proxies write it (``1.2.3.4``, ``1.2.3.4:5678``, ``::1``, ``[::1]:443``), or None."""
    value = (value or "").strip()
    match = _BRACKETED.match(value) or _V4_WITH_PORT.match(value)
    if match:
        value = match.group(1)
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:1.2.3.4 is 1.2.3.4
    return mapped or address


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[_Network, ...]:
    """``TRUSTED_PROXIES`` as networks; a malformed entry is a configuration error, not "trust nobody"."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {entry!r} is not an address or network") from exc
    return tuple(networks)


def _trusted(address: _Address, networks: tuple[_Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str:
    """The client's address as this service can vouch for it (see the module docstring)."""
    peer_text = request.META.get("REMOTE_ADDR", "") or ""
    peer = parse_address(peer_text)
    if peer is None:
        return peer_text
    networks = trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    num_proxies = int(getattr(settings, "NUM_PROXIES", 0) or 0)
    if not networks and num_proxies <= 0:
        return str(peer)
    header = request.META.get("HTTP_X_FORWARDED_FOR", "") or ""
    hops = [hop for hop in (part.strip() for part in header.split(",")) if hop]

    if networks:
        if not _trusted(peer, networks):
            return str(peer)
        client = peer
        for hop in reversed(hops):
            address = parse_address(hop)
            if address is None:  # not written by a proxy we trust: stop at the last vouched-for address
                break
            client = address
            if not _trusted(address, networks):
                break
        return str(client)

    if len(hops) < num_proxies:
        return str(peer)
    address = parse_address(hops[-num_proxies])
    return str(address) if address is not None else str(peer)
