"""The regex scanner both sandbox query languages (Manage ``conditions``, OData ``$filter``) share."""

from __future__ import annotations

import re


class ScanError(ValueError):
    """No token matches at ``pos``; each grammar words its own message."""

    def __init__(self, pos: int) -> None:
        super().__init__(f"no token at position {pos}")
        self.pos = pos


def scan(pattern: re.Pattern[str], text: str) -> list[tuple[str, str, int]]:
    """``(group name, matched text, start)`` for each token; ``pattern`` skips leading blanks itself."""
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = pattern.match(text, pos)
        if not m or m.end() == pos:
            raise ScanError(pos)
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind), m.start(kind)))
        pos = m.end()
    return tokens
