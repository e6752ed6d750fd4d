"""Which hosts a client may reach over plain http: only this computer's loopback interface, where
the local sandboxes run. Anywhere else credentials would cross the network unencrypted."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
