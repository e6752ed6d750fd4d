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
    if isinstance(value, Enum):
        return {"$enum": type(value).__name__, "v": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            "$dc": type(value).__name__,
            **{f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"$dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot keep a {type(value).__name__} in the run journal")


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
