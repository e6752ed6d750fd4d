"""Failures every client shares the meaning of, whatever system it talks to."""

from __future__ import annotations


class TemporaryFailure(Exception):
    """Worth trying again later, with nothing to fix: the server could not be reached, or answered
    "busy" (429, 503) until the retries ran out, or asked to wait longer than the client waits.
    The command line exits 75 for it, apart from configuration and login errors."""
