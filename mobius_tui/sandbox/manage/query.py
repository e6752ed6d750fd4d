"""List handling shared by every collection route: conditions, orderBy, fields, both paging modes.

Records are wire dicts (already serialised through the models). ``query_list`` returns the page
and the ``Link`` header value:

* navigable paging (default): ``page``/``pageSize`` (1-based; pageSize defaults to 25 and is
  clamped to 1..1000); ``Link`` lists first/prev/next/last where they apply and is absent when
  everything fits on one page.
* forward-only (header ``pagination-type: forward-only``): rows in id order after ``pageId``;
  ``Link`` holds one ``rel="next"`` URL carrying ``pageId=<last id>``; on the last page the header
  is present but empty (UNCONFIRMED: the real text of the header is not documented).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel

from mobius_tui.sandbox.manage.conditions import ConditionError, compile_conditions

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000


class QueryError(ValueError):
    """Bad query parameter; the message says which and how to fix it."""


def model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(nested model class, is-open-dict) behind an annotation such as ``list[X] | None``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            found, open_ = model_of(arg)
            if found or open_:
                return found, open_
        return None, False
    if origin is dict or annotation is typing.Any:
        return None, True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


@lru_cache(maxsize=None)
def wire_fields(model: type[BaseModel]) -> dict[str, Any]:
    return {(f.alias or name): f.annotation for name, f in model.model_fields.items()}


def known_path(model: type[BaseModel], path: Sequence[str]) -> bool:
    """Whether ``a/b/c`` names a property of ``model`` (names matched case-insensitively)."""
    current: type[BaseModel] | None = model
    for part in path:
        if current is None:
            return False
        fields = {k.lower(): v for k, v in wire_fields(current).items()}
        if part.lower() not in fields:
            return False
        current, open_ = model_of(fields[part.lower()])
        if open_:
            return True
    return True


def canonical_path(model: type[BaseModel], path: Sequence[str]) -> tuple[str, ...]:
    """The wire spelling of a path given in any case (``COMPANY/ID`` -> ``company/id``)."""
    out: list[str] = []
    current: type[BaseModel] | None = model
    for part in path:
        if current is None:
            out.append(part)
            continue
        fields = {k.lower(): (k, v) for k, v in wire_fields(current).items()}
        name, annotation = fields.get(part.lower(), (part, None))
        out.append(name)
        current = model_of(annotation)[0] if annotation is not None else None
    return tuple(out)


def _lookup(record: dict[str, Any], path: Sequence[str]) -> Any:
    value: Any = record
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def resolve_path(model: type[BaseModel], path: Sequence[str]) -> tuple[str, ...] | None:
    """The wire spelling of ``path`` (any case), or None when ``model`` has no such property."""
    return canonical_path(model, path) if known_path(model, path) else None


def make_filter(model: type[BaseModel], conditions: str | None) -> Callable[[dict[str, Any]], bool]:
    if not conditions:
        return lambda r: True
    try:
        return compile_conditions(conditions, lambda path: resolve_path(model, path))
    except ConditionError as exc:
        raise QueryError(str(exc)) from exc


def _sort_key(path: tuple[str, ...]) -> Callable[[dict[str, Any]], Any]:
    def key(r: dict[str, Any]) -> Any:
        v = _lookup(r, path)
        if v is None:
            return (1, 0, "")
        if isinstance(v, bool):
            return (0, 0, int(v))
        if isinstance(v, (int, float)):
            return (0, 0, v)
        return (0, 1, str(v).lower())

    return key


def order(model: type[BaseModel], records: list[dict[str, Any]], order_by: str | None) -> list[dict[str, Any]]:
    if not order_by:
        return sorted(records, key=lambda r: (r.get("id") is None, r.get("id") or 0))
    out = list(records)
    specs = [s.strip() for s in order_by.split(",") if s.strip()]
    for spec in reversed(specs):  # stable sorts, last key first
        parts = spec.split()
        if len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in ("asc", "desc")):
            raise QueryError(f"orderBy: {spec!r} is not 'field asc' or 'field desc'")
        path = tuple(parts[0].split("/"))
        if not known_path(model, path):
            raise QueryError(f"orderBy: unknown field {parts[0]!r}")
        out.sort(key=_sort_key(canonical_path(model, path)), reverse=len(parts) == 2 and parts[1].lower() == "desc")
    return out


def project(model: type[BaseModel], record: dict[str, Any], fields: list[tuple[str, ...]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in fields:
        value = _lookup(record, path)
        if value is None:
            continue
        target = out
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value
    return out


def parse_fields(model: type[BaseModel], fields: str | None) -> list[tuple[str, ...]] | None:
    if not fields:
        return None
    out = []
    for raw in fields.split(","):
        raw = raw.strip()
        if not raw:
            continue
        path = tuple(raw.split("/"))
        if not known_path(model, path):
            raise QueryError(f"fields: unknown field {raw!r}")
        out.append(canonical_path(model, path))
    return out


def _int_param(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name.lower())
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise QueryError(f"{name}: {raw!r} is not a whole number") from exc


_IN_TEXTS = re.compile(r'^\s*(\w+)\s+in\s*\(\s*("[^"\\]*"(?:\s*,\s*"[^"\\]*")*)\s*\)\s*$', re.IGNORECASE)


def in_texts(conditions: str | None, field: str) -> set[str] | None:
    """The lower-cased values of a condition that is only ``field in ("a", "b", …)``, else None.

    Lets a collection look its candidates up in an index, as a real server would, instead of
    testing every record; the full condition is still applied to what the index returns."""
    match = _IN_TEXTS.match(conditions or "")
    if match is None or match.group(1).lower() != field.lower():
        return None
    return {v.lower() for v in re.findall(r'"([^"]*)"', match.group(2))}


def query_list(
    model: type[BaseModel],
    records: list[dict[str, Any]],
    params: dict[str, str],
    url: str,
    forward_only: bool,
) -> tuple[list[dict[str, Any]], str | None]:
    """Filter, order, page and project ``records``. ``params`` keys are lower-cased.

    Returns (rows, Link header or None)."""
    pred = make_filter(model, params.get("conditions"))
    rows = [r for r in records if pred(r)]
    fields = parse_fields(model, params.get("fields"))
    size = max(1, min(MAX_PAGE_SIZE, _int_param(params, "pageSize", DEFAULT_PAGE_SIZE)))
    keep = {k: v for k, v in params.items() if k not in ("page", "pagesize", "pageid")}
    if forward_only:
        rows = sorted(rows, key=lambda r: r.get("id") or 0)
        after = _int_param(params, "pageId", 0)
        rows = [r for r in rows if (r.get("id") or 0) > after]
        page_rows = rows[:size]
        link = ""
        if len(rows) > size:
            link = f'<{url}?{urlencode({**keep, "pageSize": size, "pageId": page_rows[-1]["id"]})}>; rel="next"'
    else:
        rows = order(model, rows, params.get("orderby"))
        page = max(1, _int_param(params, "page", 1))
        last = max(1, -(-len(rows) // size))
        page_rows = rows[(page - 1) * size: page * size]
        link = None
        if last > 1:
            def ref(p: int, rel: str) -> str:
                return f'<{url}?{urlencode({**keep, "pageSize": size, "page": p})}>; rel="{rel}"'

            links = []
            if page > 1:
                links += [ref(1, "first"), ref(min(page - 1, last), "prev")]
            if page < last:
                links += [ref(page + 1, "next"), ref(last, "last")]
            link = ", ".join(links) or None
    if fields:
        page_rows = [project(model, r, fields) for r in page_rows]
    return page_rows, link


def count(model: type[BaseModel], records: list[dict[str, Any]], params: dict[str, str]) -> int:
    pred = make_filter(model, params.get("conditions"))
    return sum(1 for r in records if pred(r))
