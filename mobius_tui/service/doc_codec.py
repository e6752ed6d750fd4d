"""Documents as JSON, so the run journal can hand them back to the package after a crash.

Finishing a run asks the package which of its unrecorded documents it holds (``existing``), and
that call takes the documents themselves. Only the dataclasses and enums of
:mod:`mobius_tui.documents.model` are rebuilt; anything else in the text is refused.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from mobius_tui.documents import model

_ALLOWED = {
    name: obj
    for name, obj in vars(model).items()
    if isinstance(obj, type) and obj.__module__ == model.__name__ and (dataclasses.is_dataclass(obj) or issubclass(obj, Enum))
}


def _encode(value: Any) -> Any:
    kind = _KINDS.get(type(value)) or _kind_of(type(value))
    if kind is _PLAIN:
        return value
    if kind is _LIST:
        return [_encode(v) for v in value]
    if kind is _DECIMAL:
        return {"$dec": str(value)}
    if kind is _ENUM:
        return {"$enum": type(value).__name__, "v": value.value}
    if kind is _DATE:
        return {"$date": value.isoformat()}
    if kind is _TUPLE:
        return {"$tuple": [_encode(v) for v in value]}
    if kind is _DICT:
        return {"$dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    out = {"$dc": type(value).__name__}
    for name in kind:
        out[name] = _encode(getattr(value, name))
    return out


# How each type is written, found once per type (a run encodes thousands of documents of a few
# types): a marker below, or for a dataclass its field names.
_PLAIN, _LIST, _DECIMAL, _ENUM, _DATE, _TUPLE, _DICT = ("plain",), ("list",), ("dec",), ("enum",), ("date",), ("tuple",), ("dict",)
_KINDS: dict[type, tuple[str, ...]] = {}


def _kind_of(cls: type) -> tuple[str, ...]:
    # The order of the tests matters: an enum may be a str, a bool is an int.
    if issubclass(cls, Enum):
        kind = _ENUM
    elif dataclasses.is_dataclass(cls):
        kind = tuple(f.name for f in dataclasses.fields(cls))
    elif issubclass(cls, Decimal):
        kind = _DECIMAL
    elif issubclass(cls, date):
        kind = _DATE
    elif issubclass(cls, tuple):
        kind = _TUPLE
    elif issubclass(cls, list):
        kind = _LIST
    elif issubclass(cls, dict):
        kind = _DICT
    elif cls is type(None) or issubclass(cls, (str, int, float, bool)):
        kind = _PLAIN
    else:
        raise TypeError(f"cannot keep a {cls.__name__} in the run journal")
    _KINDS[cls] = kind
    return kind


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$dec" in value:
        return Decimal(value["$dec"])
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$tuple" in value:
        return tuple(_decode(v) for v in value["$tuple"])
    if "$dict" in value:
        return {_decode(k): _decode(v) for k, v in value["$dict"]}
    if "$enum" in value:
        return _allowed(value["$enum"])(value["v"])
    if "$dc" in value:
        cls = _allowed(value["$dc"])
        kwargs = {k: _decode(v) for k, v in value.items() if k != "$dc"}
        return cls(**kwargs)
    raise ValueError("unknown object in the run journal")


def _allowed(name: str) -> type:
    try:
        return _ALLOWED[name]
    except KeyError:
        raise ValueError(f"the run journal names an unknown type {name!r}") from None


HOME = "home_currency"  # beside the document's fields: the books' own currency, for what has none of its own


def dumps(document: model.Document, home_currency: str = "") -> str:
    encoded = _encode(document)
    if home_currency and not document.currency:
        encoded[HOME] = home_currency
    return json.dumps(encoded, separators=(",", ":"))


def currency_of(text: str) -> str:
    """The currency of a stored document, the books' own where it has none of its own (as the run
    that stored it knew it); "" for an empty body or a currency never named."""
    if not text:
        return ""
    data = json.loads(text)
    found = data.get("currency") or data.get(HOME) or ""
    return found if isinstance(found, str) else ""


def loads(text: str) -> model.Document:
    data = json.loads(text)
    if isinstance(data, dict):
        data.pop(HOME, None)
    document = _decode(data)
    if not isinstance(document, model.Document):
        raise ValueError("the run journal holds something that is not a document")
    return document
