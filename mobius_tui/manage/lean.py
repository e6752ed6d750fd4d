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

:func:`decode_glexport_in_pieces` gives the same records a few at a time: one decode of 56 MB is
one C call of 1-2 s that holds the GIL, and the screen's thread cannot answer a key meanwhile. It
first cuts the record lists into their records' raw JSON (a light pass that builds nothing: about a
fifth of the whole decode), then decodes record after record, awaiting ``pause`` every few ms.
"""

from __future__ import annotations

import asyncio
import re
import time
import types
import typing
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

import msgspec
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from mobius_tui.manage.models import GLExport

__all__ = ["decode_glexport", "decode_glexport_in_pieces", "is_record", "lean_type"]


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


def _record_list(annotation: Any) -> type | None:
    """X for a field typed ``list[X] | None`` with X a record type (the lists a GLExport is made of)."""
    for arm in typing.get_args(annotation) or (annotation,):
        if typing.get_origin(arm) is list:
            (item,) = typing.get_args(arm)
            if isinstance(item, type) and issubclass(item, msgspec.Struct):
                return item
    return None


@cache
def _pieces(keep: frozenset[str] | None) -> tuple[msgspec.json.Decoder, dict[str, msgspec.json.Decoder]]:
    """A decoder of the GLExport with each record list left as its records' raw JSON, and a decoder
    per record list for its records."""
    fields, records = [], {}
    for info in msgspec.structs.fields(lean_type(GLExport, keep)):
        item = _record_list(info.type)
        if item is not None:
            records[info.name] = msgspec.json.Decoder(item, strict=False)
        annotation = list[msgspec.Raw] | None if item is not None else info.type
        default = info.default if info.default is not msgspec.NODEFAULT else None
        fields.append((info.name, annotation, msgspec.field(default=default, name=info.encode_name)))
    cut = msgspec.defstruct("GLExportPieces", fields, kw_only=True, gc=False, module=__name__)
    return msgspec.json.Decoder(cut, strict=False), records


_AT = re.compile(r" - at `\$")


def _located(exc: msgspec.ValidationError, where: str) -> msgspec.ValidationError:
    """``exc`` of one record, its path told from the GLExport's root as the whole decode tells it."""
    message = str(exc)
    message = _AT.sub(lambda _: f" - at `${where}", message, count=1) if _AT.search(message) else f"{message} - at `${where}`"
    return msgspec.ValidationError(message)


async def _next_turn() -> None:
    await asyncio.sleep(0)


async def decode_glexport_in_pieces(content: bytes | bytearray, keep: frozenset[str] | None = None, *,
                                    pause: Callable[[], Awaitable[None]] = _next_turn,
                                    every: float = 0.005) -> GLExport:
    """What :func:`decode_glexport` gives, decoded a record at a time, awaiting ``pause`` after
    ``every`` seconds of work (by default the event loop's next turn). Raises what it raises, with
    the same messages."""
    if not content.strip():
        content = b"{}"
    cut, records = _pieces(keep)
    raw = cut.decode(content)
    values = {}
    turn = time.perf_counter()
    for field in msgspec.structs.fields(raw):
        name, value = field.name, getattr(raw, field.name)
        decoder = records.get(name)
        if decoder is not None and value is not None:
            wire, decoded = field.encode_name, []
            for index, piece in enumerate(value):
                try:
                    decoded.append(decoder.decode(piece))
                except msgspec.ValidationError as exc:
                    raise _located(exc, f".{wire}[{index}]") from None
                value[index] = None  # its raw JSON is done with
                if time.perf_counter() - turn >= every:
                    await pause()
                    turn = time.perf_counter()
            value = decoded
        values[name] = value
    return lean_type(GLExport, keep)(**values)  # type: ignore[return-value]
