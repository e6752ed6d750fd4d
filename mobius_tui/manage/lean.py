"""A GLExport decoded straight from the response bytes into compact records, for planning a run.

Through JSON text → dicts → pydantic models, a 50,000-line GLExport (56 MB) needed the text, the
dicts (~220 MB) and the models (~630 MB: each keeps a dict of every field, a set of the fields it
was given and a dict of extras) alive at once. Here msgspec decodes the bytes in one pass into one
slotted struct per record: exact Decimals (from the number's digits, never through float),
unknown fields dropped, no cycle tracking, and nothing in between to free.

The record types are made from the wire models of :mod:`mobius_tui.manage.models` when first
used, so they carry the same field names and types and cannot drift from them: attribute reads in
the converter work unchanged (``is_record`` stands in for ``isinstance`` on a model class). Left
out: ``_info`` links, and any field not named in ``keep`` (a run keeps only what its converter
reads). Conversions are as lenient as pydantic's (``strict=False``: "5" reads as 5).

Measured on a sandbox GLExport of 11,000 invoices (56 MB): JSON + pydantic 11 s + 50 s on a loaded
machine and 690 MB live; msgspec 1.3 s and 150 MB all fields, 114 MB with the converter's fields.
"""

from __future__ import annotations

import types
import typing
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

import msgspec
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from mobius_tui.manage.models import GLExport

__all__ = ["decode_glexport", "is_record", "lean_type"]


def _lean_annotation(annotation: Any, keep: frozenset[str] | None) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _lean_annotation(typing.get_args(annotation)[0], keep)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_lean_annotation(a, keep) for a in typing.get_args(annotation))]  # noqa: UP007
    if origin is list:
        return list[_lean_annotation(typing.get_args(annotation)[0], keep)]  # type: ignore[misc]
    if origin is dict:
        key, value = typing.get_args(annotation)
        return dict[_lean_annotation(key, keep), _lean_annotation(value, keep)]  # type: ignore[misc]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return lean_type(annotation, keep)
    if annotation in (str, int, bool, float, Decimal, datetime, type(None)) or annotation is Any:
        return annotation
    return Any


@cache
def lean_type(model: type[BaseModel], keep: frozenset[str] | None = None) -> type[msgspec.Struct]:
    """The compact record type of a wire model: its fields (``keep``: only those named there, in
    this model and the ones inside it) under the same names."""
    hints = typing.get_type_hints(model, include_extras=True)  # forward references resolved
    fields = []
    for name, info in model.model_fields.items():
        wire = info.alias or name
        if wire.startswith("_") or (keep is not None and name not in keep):
            continue
        if info.default_factory is not None:
            default = msgspec.field(default_factory=info.default_factory, name=wire)  # type: ignore[arg-type]
        else:
            value = None if info.default is PydanticUndefined else info.default
            default = msgspec.field(default=value, name=wire)
        fields.append((name, _lean_annotation(hints.get(name, info.annotation), keep), default))
    record = msgspec.defstruct(f"Lean{model.__name__}", fields, kw_only=True, gc=False, module=__name__)
    _MODEL_OF[record] = model
    return record


_MODEL_OF: dict[type, type[BaseModel]] = {}


def is_record(value: Any, *models: type[BaseModel]) -> bool:
    """``isinstance(value, models)`` that also holds for the compact records of those models
    (pydantic's classes take no virtual subclasses)."""
    return isinstance(value, models) or _MODEL_OF.get(type(value)) in models


@cache
def _decoder(keep: frozenset[str] | None) -> msgspec.json.Decoder:
    return msgspec.json.Decoder(lean_type(GLExport, keep), strict=False)


def decode_glexport(content: bytes, keep: frozenset[str] | None = None) -> GLExport:
    """The GLExport in ``content`` as compact records (read them like the model; do not dump them);
    ``keep``: the field names to keep (the others are dropped while decoding), None for all.

    Raises ``msgspec.ValidationError`` (the message names the path) or ``msgspec.DecodeError``."""
    if not content.strip():
        content = b"{}"
    return _decoder(keep).decode(content)  # type: ignore[return-value]
