"""JSON bodies of the sandbox's responses: the API omits null and empty properties.

``dumps(content)`` is the reference encoding: ``to_wire`` values with empty lists and objects
pruned below the top level, compact, UTF-8 (not ASCII-escaped). ``wire_json(model)`` produces
the same bytes for a model through pydantic's Rust encoder, which is several times faster; it
falls back to ``dumps`` whenever the fast text could differ (an empty list or object to prune,
or a float the two encoders spell differently).

A :class:`WireRow` is a wire dict that carries its own encoding, so a page of cached rows is
sent by joining bytes instead of encoding thousands of dicts again. Rows are shared by every
request that lists them: never mutate one.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

from mobius_tui.manage import models as m

# Text the fast encoder may spell differently from ``dumps``: empty containers (pruned by
# ``dumps``) and floats below 1e-4, which Python writes "1e-05" and the Rust encoder "0.00001" or
# "1e-7" (both write exponents with a sign, and agree above 1e16). Money never gets there; a
# string value that merely looks like one costs the slow path, never a different answer.
_EXPONENT = re.compile(rb"e[-+]")  # a regex: its scan for "e" beats ``in`` on text full of e's


def _maybe_different(text: bytes) -> bool:
    return b"[]" in text or b"{}" in text or b".0000" in text or _EXPONENT.search(text) is not None


def prune(value: Any) -> Any:
    """Drop empty lists and objects below the top level: the API omits empty properties."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = prune(v)
            if v != [] and v != {}:
                out[k] = v
        return out
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def dumps(content: Any) -> bytes:
    """UTF-8 JSON of wire values (dicts, lists, models), pruned as the API does."""
    if isinstance(content, BaseModel):
        content = m.to_wire(content)
    elif isinstance(content, list):
        content = [m.to_wire(c) if isinstance(c, BaseModel) else c for c in content]
    return _dump_pruned(prune(content))


def _dump_pruned(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def wire_json(model: BaseModel) -> bytes:
    """``dumps(model)``, computed fast."""
    text = _fast_json(model)
    return dumps(model) if _maybe_different(text) else text


def _fast_json(model: BaseModel) -> bytes:
    return model.__pydantic_serializer__.to_json(model, by_alias=True, exclude_none=True)


class WireRow(dict):  # type: ignore[type-arg]
    """A pruned wire dict plus ``json``, its encoding."""

    __slots__ = ("json",)


def wire_row(model: BaseModel) -> WireRow:
    text = _fast_json(model)
    if _maybe_different(text):
        row = WireRow(prune(m.to_wire(model)))
        text = _dump_pruned(row)
    else:
        row = WireRow(m.to_wire(model))  # nothing empty to prune: the text said so
    row.json = text
    return row


def with_values(row: WireRow, **values: Any) -> WireRow:
    """A copy of ``row`` with some top-level values replaced (numbers or strings: nothing to prune),
    the keys in their order, encoded as ``dumps`` encodes it."""
    out = WireRow(row)
    out.update(values)
    out.json = _dump_pruned(out)
    return out


def join(items: list[bytes]) -> bytes:
    """A JSON array of encoded items."""
    return b"[" + b",".join(items) + b"]"


def encode(content: Any) -> bytes:
    """UTF-8 JSON of a response body: a model, a WireRow, a list of them, or plain wire values."""
    if isinstance(content, WireRow):
        return content.json
    if isinstance(content, BaseModel):
        return wire_json(content)
    if isinstance(content, list) and all(isinstance(r, WireRow) for r in content):
        return join([r.json for r in content])
    return dumps(content)
