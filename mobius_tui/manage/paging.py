"""Reading Manage's ``Link`` paging header.

Navigable paging: ``Link`` carries ``rel="next"`` while more pages remain (it may be missing on
a single page, or end in ``rel="last"``/``rel="first"``). Forward-only paging
(``pagination-type: forward-only``): the header holds one URL with ``pageId=<last id>``, with or
without a ``rel``, and is empty or absent after the last page. Either way a page shorter than
the page size is the last one.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# <url>; param; param, <url>; ...  URLs may contain commas (encoded or not), so match on <...>.
_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,<]*)*)")
_REL = re.compile(r"""rel\s*=\s*"?([^";,\s]+)"?""", re.IGNORECASE)

PAGE_SIZE_MAX = 1000
PAGINATION_HEADER = "pagination-type"
FORWARD_ONLY = "forward-only"


def parse_link_header(value: str | None) -> list[tuple[str, str | None]]:
    """``[(url, rel or None), ...]`` in header order."""
    if not value:
        return []
    links = []
    for match in _LINK.finditer(value):
        url = match.group(1).strip()
        rel = _REL.search(match.group(2) or "")
        if url:
            links.append((url, rel.group(1).lower() if rel else None))
    return links


def next_link(value: str | None, *, forward_only: bool) -> str | None:
    """The URL of the next page, or ``None`` when the header says this was the last page."""
    links = parse_link_header(value)
    for url, rel in links:
        if rel == "next":
            return url
    if forward_only and len(links) == 1 and links[0][1] is None:
        return links[0][0]
    return None


def path_and_query(url: str) -> str:
    """The path and query of a Link URL.

    The request is always re-sent to the configured site: a proxy may advertise an internal host
    in ``Link``, and credentials must never follow a URL to another host.
    """
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
