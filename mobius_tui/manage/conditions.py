"""A small builder for Manage ``conditions`` query expressions.

Values are always rendered by :func:`literal`, so text typed by a user can never change the
shape of an expression: strings are double-quoted with ``\\`` and ``"`` escaped by a backslash
(UNCONFIRMED: Manage's escaping rule is not documented; backslash escaping is the common
convention), datetimes become ``[YYYY-MM-DDTHH:MM:SSZ]`` in UTC, booleans ``true``/``false``,
``None`` ``null``. Field names are checked against ``name`` / ``a/b`` paths.

    >>> str(eq("locationId", 3) & le("invoiceDate", date(2025, 1, 31)))
    'locationId = 3 and invoiceDate <= [2025-01-31T00:00:00Z]'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import quote_plus

_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*$")

Value = str | int | Decimal | bool | date | datetime | None


class ConditionError(ValueError):
    """A field name or value cannot be put into a Manage condition."""


@dataclass(frozen=True)
class Condition:
    """A rendered, well-formed condition; combine with ``&`` (and) and ``|`` (or)."""

    text: str
    # True when the text is a single comparison or already parenthesised; used to avoid
    # redundant parentheses when combining.
    atomic: bool = True

    def __and__(self, other: Condition) -> Condition:
        return all_of(self, other)

    def __or__(self, other: Condition) -> Condition:
        return any_of(self, other)

    def __str__(self) -> str:
        return self.text


def literal(value: Value) -> str:
    """``value`` as a Manage condition literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ConditionError(f"{value} is not a number that can be used in a Manage condition.")
        return format(value, "f")
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return "[" + value.strftime("%Y-%m-%dT%H:%M:%SZ") + "]"
    if isinstance(value, date):
        return "[" + value.strftime("%Y-%m-%dT00:00:00Z") + "]"
    if isinstance(value, str):
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise ConditionError(f"The text {value!r} contains control characters and cannot be searched for in Manage.")
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise ConditionError(f"A value of type {type(value).__name__} cannot be used in a Manage condition.")


def _field(name: str) -> str:
    if not isinstance(name, str) or not _FIELD.match(name):
        raise ConditionError(f"{name!r} is not a Manage field name (letters, digits, '_' and '/' between parts).")
    return name


def _compare(name: str, op: str, value: Value) -> Condition:
    return Condition(f"{_field(name)} {op} {literal(value)}")


def eq(name: str, value: Value) -> Condition:
    return _compare(name, "=", value)


def ne(name: str, value: Value) -> Condition:
    return _compare(name, "!=", value)


def lt(name: str, value: Value) -> Condition:
    return _compare(name, "<", value)


def le(name: str, value: Value) -> Condition:
    return _compare(name, "<=", value)


def gt(name: str, value: Value) -> Condition:
    return _compare(name, ">", value)


def ge(name: str, value: Value) -> Condition:
    return _compare(name, ">=", value)


def contains(name: str, text: str) -> Condition:
    return _compare(name, "contains", text)


def like(name: str, pattern: str) -> Condition:
    """``*`` in ``pattern`` is Manage's wildcard."""
    return _compare(name, "like", pattern)


def in_(name: str, values: Iterable[Value]) -> Condition:
    items = list(values)
    if not items:
        raise ConditionError(f"An 'in' condition on {name} needs at least one value.")
    return Condition(f"{_field(name)} in ({','.join(literal(v) for v in items)})")


def not_in(name: str, values: Iterable[Value]) -> Condition:
    items = list(values)
    if not items:
        raise ConditionError(f"A 'not in' condition on {name} needs at least one value.")
    return Condition(f"{_field(name)} not in ({','.join(literal(v) for v in items)})")


def _join(word: str, conditions: Sequence[Condition | None]) -> Condition:
    present = [c for c in conditions if c is not None]
    if not present:
        raise ConditionError(f"Nothing to combine with '{word}'.")
    if len(present) == 1:
        return present[0]
    parts = [c.text if c.atomic else f"({c.text})" for c in present]
    return Condition(f" {word} ".join(parts), atomic=False)


def all_of(*conditions: Condition | None) -> Condition:
    """``a and b and ...``; ``None`` entries are skipped so optional filters compose easily."""
    return _join("and", conditions)


def any_of(*conditions: Condition | None) -> Condition:
    return _join("or", conditions)


def encoded_length(condition: Condition | str) -> int:
    """Length of the condition once form-encoded into a query string."""
    return len(quote_plus(str(condition), safe=""))


def in_chunks(
    name: str,
    values: Iterable[Value],
    *,
    max_encoded_length: int,
    also: Condition | None = None,
) -> list[Condition]:
    """Split ``name in (...)`` into conditions whose encoded text fits ``max_encoded_length``.

    ``also`` is and-ed onto each chunk (its length counts). Duplicate values are sent once.
    """
    _field(name)
    unique = list(dict.fromkeys(values))
    if not unique:
        return []
    prefix = f"{also.text if also.atomic else '(' + also.text + ')'} and " if also is not None else ""
    fixed = encoded_length(f"{prefix}{name} in ()")
    comma = encoded_length(",")
    chunks: list[Condition] = []
    current: list[str] = []
    size = fixed
    for value in unique:
        text = literal(value)
        cost = encoded_length(text) + (comma if current else 0)
        if current and size + cost > max_encoded_length:
            chunks.append(Condition(f"{prefix}{name} in ({','.join(current)})", atomic=also is None))
            current, size = [], fixed
            cost = encoded_length(text)
        if fixed + cost > max_encoded_length:
            raise ConditionError(f"The value {value!r} is too long to search for in Manage.")
        current.append(text)
        size += cost
    chunks.append(Condition(f"{prefix}{name} in ({','.join(current)})", atomic=also is None))
    return chunks
