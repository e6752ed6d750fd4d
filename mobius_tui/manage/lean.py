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

:class:`GLExportStream` gives the same records while the body is still arriving, a record at a
time: the way a run reads it (see there why).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

import msgspec
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from mobius_tui.manage.models import GLExport

__all__ = ["GLExportStream", "decode_glexport", "is_record", "lean_type"]


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


@dataclass(frozen=True)
class _Field:
    name: str
    wire: str
    value: msgspec.json.Decoder  # the whole value
    record: msgspec.json.Decoder | None  # one record of it, when it is a record list


@cache
def _fields(keep: frozenset[str] | None) -> dict[str, _Field]:
    """The GLExport's fields by wire name, with their decoders."""
    out = {}
    for info in msgspec.structs.fields(lean_type(GLExport, keep)):
        item = _record_list(info.type)
        out[info.encode_name] = _Field(info.name, info.encode_name, msgspec.json.Decoder(info.type, strict=False),
                                       msgspec.json.Decoder(item, strict=False) if item is not None else None)
    return out


_SCAN = msgspec.json.Decoder(msgspec.Raw)
_SPACE = re.compile(rb"[ \t\n\r]*")
_KEY = re.compile(rb'"(?:[^"\\]|\\.)*"')
_TRAILING = re.compile(r"trailing characters \(byte (\d+)\)")
_BYTE = re.compile(r"\(byte (\d+)\)")
_AT = re.compile(r" - at `\$")
_COMPACT = 1 << 18  # drop what was decoded once this much of the buffer is done with
_MORE = 4096  # bytes to wait for before scanning a cut-off record again
HEAD = 120


def _located(exc: msgspec.ValidationError, where: str) -> msgspec.ValidationError:
    """``exc`` of a part, its path told from the GLExport's root as the whole decode tells it."""
    message = str(exc)
    if _AT.search(message):
        return msgspec.ValidationError(_AT.sub(lambda _: f" - at `${where}", message, count=1))
    return msgspec.ValidationError(f"{message} - at `${where}`")


class GLExportStream:
    """A GLExport decoded from its bytes as they arrive: :meth:`feed` each piece of the body,
    :meth:`close` for the GLExport, the same records :func:`decode_glexport` gives (with the same
    error messages).

    One decode of a 56 MB body is one C call of 1-2 s holding the GIL (the screen's thread could
    not answer a key meanwhile), and needs the whole body in memory. Here each record of the
    GLExport's lists is decoded once its bytes are in, in a call of well under a millisecond, and
    only the bytes of records not yet complete are kept. A record's end is found by msgspec
    itself (a scan without building anything, told where the value ended by its "trailing
    characters" report); the record is then decoded from exactly those bytes, so a wrong end
    cannot pass unnoticed. A body that is not a JSON object is kept whole and decoded at the end.
    """

    def __init__(self, keep: frozenset[str] | None = None, watch: Callable[[str, Any], None] | None = None) -> None:
        """``watch(field, record)``: told of each record of the GLExport's lists as it is decoded
        (``field``: the GLExport's field holding it), for work that need not wait for the rest."""
        self._keep = keep
        self._watch = watch
        self._fields = _fields(keep)
        self._type = lean_type(GLExport, keep)
        self._buf = bytearray()
        self._pos = 0
        self._state = "start"  # start, first, key, colon, value, after, items, item, next, done, whole
        self._key = ""
        self._field: _Field | None = None  # the field whose list is being read (None: one not kept)
        self._values: dict[str, Any] = {}
        self._records: list[Any] = []
        self._ready = 0  # look again once the buffer is this long (a record cut off needs more)
        self.head = b""  # the body's first bytes, for messages

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < HEAD:
            self.head += chunk[:HEAD - len(self.head)]
        self._buf += chunk
        if len(self._buf) < self._ready:  # small pieces: not each one a scan of the unfinished record
            return
        self._advance(final=False)
        if self._state != "whole" and self._pos >= _COMPACT:
            self._ready -= self._pos
            del self._buf[:self._pos]
            self._pos = 0

    def close(self) -> GLExport:
        """The GLExport; raises ``msgspec.DecodeError`` (truncated or malformed) or ``msgspec.ValidationError``."""
        if self._state == "whole":
            return decode_glexport(bytes(self._buf), self._keep)
        self._advance(final=True)
        if self._state == "start":  # nothing but white space: no records
            return self._type()  # type: ignore[return-value]
        if self._state != "done":
            raise msgspec.DecodeError("Input data was truncated")
        return self._type(**self._values)  # type: ignore[return-value]

    def _space(self) -> int:
        self._pos = _SPACE.match(self._buf, self._pos).end()  # type: ignore[union-attr]
        return self._buf[self._pos] if self._pos < len(self._buf) else -1

    def _value_end(self, final: bool) -> int | None:
        """Where the JSON value at the current position ends (exclusive, white space after it
        included); None: not all of it is in yet."""
        with memoryview(self._buf) as view, view[self._pos:] as rest:
            try:
                _SCAN.decode(rest)
            except msgspec.DecodeError as exc:
                message = str(exc)
                trailing = _TRAILING.search(message)
                if trailing is not None:
                    return self._pos + int(trailing.group(1)) - 1
                # Cut off where the piece ends (a number cut after its "." is "invalid" there).
                at = _BYTE.search(message)
                if not final and ("truncated" in message or (at is not None and int(at.group(1)) >= len(rest))):
                    self._ready = len(self._buf) + _MORE
                    return None
                raise
        # The value runs to the end of what is in: complete only if nothing more comes (a number
        # could go on in the next piece).
        if final:
            return len(self._buf)
        self._ready = len(self._buf) + 1
        return None

    def _decode(self, decoder: msgspec.json.Decoder, end: int, where: str) -> Any:
        with memoryview(self._buf) as view, view[self._pos:end] as value:
            try:
                return decoder.decode(value)
            except msgspec.ValidationError as exc:
                raise _located(exc, where) from None

    def _advance(self, final: bool) -> None:
        while True:
            state = self._state
            if state in ("done", "whole"):
                if state == "done" and self._space() != -1:
                    raise msgspec.DecodeError("JSON is malformed: trailing characters after the GLExport")
                return
            char = self._space()
            if char == -1:
                return
            if state == "start":
                if char != ord("{"):
                    self._state = "whole"  # not an object: the whole decode says what is wrong
                    return
                self._pos += 1
                self._state = "first"
            elif state == "first" and char == ord("}"):  # {}
                self._pos += 1
                self._state = "done"
            elif state in ("first", "key"):
                key = _KEY.match(self._buf, self._pos)
                if key is None:
                    if char != ord('"') or final:
                        raise msgspec.DecodeError("JSON is malformed: expected a key in the GLExport object")
                    return
                self._key = msgspec.json.decode(key.group(0), type=str)
                self._pos = key.end()
                self._state = "colon"
            elif state == "colon":
                if char != ord(":"):
                    raise msgspec.DecodeError("JSON is malformed: expected ':' after a key of the GLExport")
                self._pos += 1
                self._state = "value"
            elif state == "value":
                field = self._fields.get(self._key)
                if char == ord("[") and (field is None or field.record is not None):
                    # a list of records, or a list not kept (read a record at a time all the same)
                    self._field = field
                    self._pos += 1
                    self._records = []
                    self._state = "items"
                    continue
                end = self._value_end(final)
                if end is None:
                    return
                if field is not None:
                    self._values[field.name] = self._decode(field.value, end, f".{field.wire}")
                self._pos = end
                self._state = "after"
            elif state == "after":
                if char not in (ord(","), ord("}")):
                    raise msgspec.DecodeError("JSON is malformed: expected ',' or '}' in the GLExport object")
                self._pos += 1
                self._state = "key" if char == ord(",") else "done"
            elif state in ("items", "next") and char == ord("]"):
                if self._field is not None:
                    self._values[self._field.name] = self._records
                self._records = []
                self._pos += 1
                self._state = "after"
            elif state == "next":
                if char != ord(","):
                    raise msgspec.DecodeError(f"JSON is malformed: expected ',' or ']' in the GLExport's {self._key}")
                self._pos += 1
                self._state = "item"
            else:  # items (the first) or item
                end = self._value_end(final)
                if end is None:
                    return
                field = self._field
                if field is not None and field.record is not None:
                    record = self._decode(field.record, end, f".{field.wire}[{len(self._records)}]")
                    self._records.append(record)
                    if self._watch is not None:
                        self._watch(field.name, record)
                self._pos = end
                self._state = "next"
