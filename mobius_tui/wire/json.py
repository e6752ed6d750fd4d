"""JSON for request and response bodies, with money exact.

``dumps`` writes a ``Decimal`` as the JSON number it holds, digit for digit and without an
exponent (``Decimal("1E+2")`` -> ``100``, ``Decimal("0.10")`` -> ``0.10``), never through
float, which keeps only about 16 significant digits. ``loads`` reads every non-integer number
back as a ``Decimal``.

Most bodies are written by msgspec's encoder (C; a tenth of the CPU of the Python encoder
below, which stays the definition). It writes a string, an integer and a decimal without an
exponent byte for byte as the Python encoder does (checked for every code point and by the
tests), but knows more types than JSON (a date, a set, a non-finite float) and writes a
``Decimal`` with its exponent (``1E+2``). So its text is used only when reading it back gives
exactly the value given (same types and numbers: a tuple, a date, a set, a NaN or an integer key
fail that) and it holds no number with an exponent; otherwise the Python encoder writes it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

import msgspec

Default = Callable[[Any], Any]


def _plain_number(text: str) -> Decimal:
    """A non-integer number msgspec wrote, read back; one with an exponent (a Decimal's "1E+2", a
    float's "1e16") is refused, so the Python encoder writes the value."""
    if "e" in text or "E" in text:
        raise ValueError(text)
    return Decimal(text)


_FAST = msgspec.json.Encoder(decimal_format="number")
_BACK = msgspec.json.Decoder(float_hook=_plain_number)


def dumps(obj: Any, *, default: Default | None = None) -> bytes:
    """Compact UTF-8 JSON of ``obj``. ``default`` turns any other type into one JSON can hold
    (as :func:`json.dumps` does); without it such a value raises ``TypeError``."""
    try:
        fast = _FAST.encode(obj)
        if _BACK.decode(fast) == obj:
            return fast
    except (TypeError, ValueError, msgspec.MsgspecError):
        pass  # a type msgspec does not know, or a non-finite Decimal: the Python encoder says which
    return python_dumps(obj, default)


def python_dumps(obj: Any, default: Default | None = None) -> bytes:
    """What :func:`dumps` writes, by the Python encoder alone."""
    parts: list[str] = []
    _encode(obj, parts, default)
    return "".join(parts).encode("utf-8")


def loads(content: bytes | str) -> Any:
    """The value of a JSON text, non-integer numbers as ``Decimal``; an empty body is ``None``."""
    if not content.strip():
        return None
    return json.loads(content, parse_float=Decimal, parse_constant=_no_constant)


def number_text(value: Decimal) -> str:
    """``value`` as a JSON number: plain digits, the scale kept, no exponent."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a number JSON can carry; only finite amounts can be sent.")
    return format(value, "f")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _encode(value: Any, parts: list[str], default: Default | None) -> None:
    # Order matters: bool before int (bool is an int), str before the containers.
    if isinstance(value, str):
        parts.append(encode_basestring(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, Decimal):
        parts.append(number_text(value))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a number JSON can carry.")
        parts.append(float.__repr__(value))
    elif isinstance(value, dict):
        parts.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                parts.append(",")
            parts.append(encode_basestring(_key(key)))
            parts.append(":")
            _encode(item, parts, default)
        parts.append("}")
    elif isinstance(value, (list, tuple)):
        parts.append("[")
        for i, item in enumerate(value):
            if i:
                parts.append(",")
            _encode(item, parts, default)
        parts.append("]")
    elif default is not None and type(converted := default(value)) is not type(value):
        _encode(converted, parts, default)
    else:
        raise TypeError(f"{type(value).__name__} cannot be written as JSON")


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool) or key is None:
        return json.dumps(key)
    if isinstance(key, int):
        return int.__repr__(key)
    if isinstance(key, Decimal):
        return number_text(key)
    raise TypeError(f"a {type(key).__name__} cannot be a JSON object key")
