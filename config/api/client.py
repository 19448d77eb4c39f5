"""Who is calling: the one place a request's client address is read (throttles, page throttles, audit)."""

from __future__ import annotations


def client_ip(request) -> str:
    """The client's address as this service can vouch for it (the socket's peer)."""
    return request.META.get("REMOTE_ADDR", "")
