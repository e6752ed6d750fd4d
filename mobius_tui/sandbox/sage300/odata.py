"""The OData query options the Sage 300 Web API understands: ``$filter``, ``$select``, ``$top``,
``$skip``, ``$count``.

``$filter`` covers what Sage documents (``eq ne gt ge lt le``, ``and``, ``or``, ``not``,
parentheses, ``substringof``, ``startswith``, ``endswith``, ``length``) plus the literal forms seen
in working clients: quoted strings with ``''`` escapes, plain and ``m``-suffixed decimals, unquoted
ISO dates (``2025-01-01T00:00:00Z``) and the older ``datetime'2025-01-01T00:00'``.
A property the entity does not have is refused the way the server refuses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from mobius_tui.sandbox.tokens import ScanError, scan


class QueryError(Exception):
    """A malformed query option (answered 400 InvalidParameters)."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<datetime>datetime'[^']*')
      | (?P<string>'(?:[^']|'')*')
      | (?P<date>\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?Z?)
      | (?P<number>-?\d+(?:\.\d+)?[mMdD]?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<punct>[(),])
    )""",
    re.VERBOSE,
)
_COMPARE = {"eq", "ne", "gt", "ge", "lt", "le"}
_FUNCTIONS = {"substringof", "startswith", "endswith", "length", "tolower", "toupper"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T|$)")

Predicate = Callable[[dict[str, Any]], bool]


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str


def _tokens(text: str) -> list[_Tok]:
    try:
        return [_Tok(kind, token) for kind, token, _ in scan(_TOKEN, text)]
    except ScanError as exc:
        raise QueryError(f"Syntax error at position {exc.pos} in $filter: {text[exc.pos:exc.pos + 20]!r}") from None


def as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO.match(value):
        text = value.rstrip("Z")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed
    return None


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        if op == "eq":
            return left is None and right is None
        if op == "ne":
            return not (left is None and right is None)
        return False
    ld, rd = as_datetime(left), as_datetime(right)
    if ld is not None and rd is not None:
        left, right = ld, rd
    elif isinstance(left, (int, float, Decimal)) and not isinstance(left, bool) or isinstance(right, Decimal):
        try:
            left, right = Decimal(str(left)), Decimal(str(right))
        except InvalidOperation:
            left, right = str(left), str(right)
    elif isinstance(left, bool) or isinstance(right, bool):
        left, right = str(left).lower(), str(right).lower()
    else:
        left, right = str(left), str(right)
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    try:
        return {"gt": left > right, "ge": left >= right, "lt": left < right, "le": left <= right}[op]
    except TypeError as exc:
        raise QueryError(f"Cannot compare {left!r} with {right!r}") from exc


class _Parser:
    def __init__(self, text: str, fields: frozenset[str], type_name: str) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.fields = fields
        self.type_name = type_name

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, text: str | None = None) -> _Tok:
        tok = self.peek()
        if tok is None or (text is not None and tok.text.lower() != text):
            raise QueryError(f"Syntax error in $filter: expected {text or 'more'} at token {self.i + 1}")
        self.i += 1
        return tok

    def parse(self) -> Predicate:
        pred = self.or_expr()
        if self.peek() is not None:
            raise QueryError(f"Syntax error in $filter near {self.peek().text!r}")  # type: ignore[union-attr]
        return pred

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while (tok := self.peek()) and tok.text.lower() == "or":
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda row: any(p(row) for p in parts))

    def and_expr(self) -> Predicate:
        parts = [self.unary()]
        while (tok := self.peek()) and tok.text.lower() == "and":
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda row: all(p(row) for p in parts))

    def unary(self) -> Predicate:
        tok = self.peek()
        if tok and tok.text.lower() == "not":
            self.take()
            inner = self.unary()
            return lambda row: not inner(row)
        if tok and tok.text == "(":
            self.take("(")
            inner = self.or_expr()
            self.take(")")
            return inner
        left = self.operand()
        op = self.peek()
        if op is None or op.text.lower() not in _COMPARE:
            return lambda row: bool(left(row))  # a boolean function such as startswith(...)
        self.take()
        right = self.operand()
        name = op.text.lower()
        return lambda row: _compare(name, left(row), right(row))

    def operand(self) -> Callable[[dict[str, Any]], Any]:
        tok = self.take()
        if tok.kind == "string":
            value = tok.text[1:-1].replace("''", "'")
            return lambda row: value
        if tok.kind == "datetime":
            value = as_datetime(tok.text[len("datetime'"):-1])
            return lambda row: value
        if tok.kind == "date":
            value = as_datetime(tok.text)
            return lambda row: value
        if tok.kind == "number":
            num = Decimal(tok.text.rstrip("mMdD"))
            return lambda row: num
        if tok.kind == "name":
            low = tok.text.lower()
            if low in ("true", "false"):
                flag = low == "true"
                return lambda row: flag
            if low == "null":
                return lambda row: None
            nxt = self.peek()
            if low in _FUNCTIONS and nxt is not None and nxt.text == "(":
                return self.function(low)
            if tok.text not in self.fields:
                raise QueryError(f"Could not find a property named '{tok.text}' on type '{self.type_name}'.")
            field_name = tok.text
            return lambda row: row.get(field_name)
        raise QueryError(f"Syntax error in $filter near {tok.text!r}")

    def function(self, name: str) -> Callable[[dict[str, Any]], Any]:
        self.take("(")
        args = [self.operand()]
        while (tok := self.peek()) and tok.text == ",":
            self.take(",")
            args.append(self.operand())
        self.take(")")
        want = 1 if name in ("length", "tolower", "toupper") else 2
        if len(args) != want:
            raise QueryError(f"{name} takes {want} argument(s)")

        def text(fn: Callable[[dict[str, Any]], Any], row: dict[str, Any]) -> str:
            value = fn(row)
            return "" if value is None else str(value)

        if name == "substringof":  # OData v3 order: substringof('needle', Property)
            return lambda row: text(args[0], row) in text(args[1], row)
        if name == "startswith":
            return lambda row: text(args[0], row).startswith(text(args[1], row))
        if name == "endswith":
            return lambda row: text(args[0], row).endswith(text(args[1], row))
        if name == "length":
            return lambda row: Decimal(len(text(args[0], row)))
        if name == "tolower":
            return lambda row: text(args[0], row).lower()
        return lambda row: text(args[0], row).upper()


def parse_filter(text: str, fields: Iterable[str], type_name: str) -> Predicate:
    return _Parser(text, frozenset(fields), type_name).parse()


@dataclass(frozen=True)
class Query:
    filter: Predicate | None
    select: tuple[str, ...] | None
    top: int | None
    skip: int
    count: bool


def parse_query(params: dict[str, str], fields: Iterable[str], type_name: str) -> Query:
    known = frozenset(fields)
    unknown = [k for k in params if k.startswith("$") and k not in ("$filter", "$select", "$top", "$skip", "$count")]
    if unknown:
        raise QueryError(f"The query option {unknown[0]} is not supported.")
    select = None
    if params.get("$select"):
        select = tuple(s.strip() for s in params["$select"].split(",") if s.strip())
        for name in select:
            if name not in known:
                raise QueryError(f"Could not find a property named '{name}' on type '{type_name}'.")

    def number(name: str) -> int | None:
        raw = params.get(name)
        if raw is None:
            return None
        if not raw.isdigit():
            raise QueryError(f"The value '{raw}' of {name} is not a non-negative integer.")
        return int(raw)

    count = params.get("$count", "false").lower()
    if count not in ("true", "false"):
        raise QueryError(f"The value '{params['$count']}' of $count must be true or false.")
    return Query(
        filter=parse_filter(params["$filter"], known, type_name) if params.get("$filter") else None,
        select=select,
        top=number("$top"),
        skip=number("$skip") or 0,
        count=count == "true",
    )
