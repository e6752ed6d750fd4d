"""Parser and evaluator for Manage's ``conditions`` query language (the subset the API documents).

    expr       := and_expr ("or" and_expr)*
    and_expr   := atom ("and" atom)*
    atom       := "(" expr ")" | path op value | path ["not"] ("in" | "contains" | "like") operand
    op         := = | != | <> | < | <= | > | >=
    value      := "str" | 'str' | number | [datetime] | true | false | null | bare-word
    list       := "(" value ("," value)* [","] ")"
    path       := name ("/" name)*          e.g. company/id, glBatch/name

Keywords are case-insensitive; string comparisons are case-insensitive (SQL Server's default
collation); ``like`` uses ``*`` as its wildcard. Values are compared with the record's type:
numbers as Decimal, ``[...]`` and ISO strings as datetimes. A missing (omitted) property equals
``null``. ``compile_conditions(text, resolve)`` returns a predicate over wire dicts and raises
``ConditionError`` (with the position and what was expected) for bad syntax or an unknown field;
``resolve`` maps a path as written to its wire spelling, or None when the field does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from mobius_tui.sandbox.tokens import ScanError, scan

Predicate = Callable[[dict[str, Any]], bool]
Resolver = Callable[[tuple[str, ...]], "tuple[str, ...] | None"]


class ConditionError(ValueError):
    pass


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<dt>\[[^\]]*\])
    | (?P<op><=|>=|!=|<>|=|<|>)
    | (?P<punct>[(),])
    | (?P<word>[A-Za-z0-9_./:@#+\-]+)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "contains", "like", "true", "false", "null"}


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    try:
        return scan(_TOKEN, text)
    except ScanError as exc:
        raise ConditionError(
            f"conditions: unexpected character {text[exc.pos:].strip()[0]!r} at position {exc.pos + 1}"
        ) from None


def _parse_datetime(raw: str) -> datetime:
    s = raw.strip()
    try:
        value = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConditionError(f"conditions: {raw!r} is not a date/time; use [2025-01-31T00:00:00Z]") from exc
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class _Value:
    """A literal from the condition text, kept with its kind for typed comparison."""

    def __init__(self, kind: str, raw: Any) -> None:
        self.kind = kind  # str | num | dt | bool | null | word
        self.raw = raw


def _coerce_pair(field: Any, lit: _Value) -> tuple[Any, Any] | None:
    """Bring a record value and a literal to comparable Python values, or None if they cannot be."""
    if lit.kind == "null" or field is None:
        return None
    if isinstance(field, bool) or lit.kind == "bool":
        if isinstance(field, bool) and lit.kind == "bool":
            return field, lit.raw
        return str(field).lower(), str(lit.raw).lower()
    if isinstance(field, (int, float, Decimal)):
        try:
            return Decimal(str(field)), Decimal(str(lit.raw))
        except InvalidOperation:
            return str(field).lower(), str(lit.raw).lower()
    if lit.kind == "dt" or (lit.kind == "str" and _looks_like_datetime(field) and _looks_like_datetime(lit.raw)):
        try:
            return _parse_datetime(str(field)), lit.raw if lit.kind == "dt" else _parse_datetime(lit.raw)
        except ConditionError:
            return None
    return str(field).lower(), str(lit.raw).lower()


_DT_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?(Z|[+-]\d{2}:?\d{2})?$")


def _looks_like_datetime(value: Any) -> bool:
    return isinstance(value, str) and bool(_DT_SHAPE.match(value))


def _lookup(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
        if value is None:
            return None
    return value


def _compare(op: str, field: Any, lit: _Value) -> bool:
    if lit.kind == "null":
        return (field is None) == (op == "=") if op in ("=", "!=", "<>") else False
    pair = _coerce_pair(field, lit)
    if pair is None:
        return op in ("!=", "<>")
    a, b = pair
    try:
        if op == "=":
            return a == b
        if op in ("!=", "<>"):
            return a != b
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        return a >= b
    except TypeError:
        return False


def _like(field: Any, lit: _Value) -> bool:
    if field is None:
        return False
    pattern = "^" + ".*".join(re.escape(p) for p in str(lit.raw).lower().split("*")) + "$"
    return re.match(pattern, str(field).lower(), re.DOTALL) is not None


def _in_list(path: tuple[str, ...], values: list[_Value]) -> Predicate:
    """``path in (values)`` as one hash lookup per record (as a server's index would answer it),
    where every value compares as text or number; dates, booleans and nulls take the general
    route. Same answers as comparing each value with ``=``."""
    if any(v.kind in ("dt", "bool", "null") or _looks_like_datetime(v.raw) for v in values):
        return lambda r: any(_compare("=", _lookup(r, path), v) for v in values)
    texts = {str(v.raw).lower() for v in values}
    numbers = {n for n in map(_number, (v.raw for v in values)) if n is not None}
    other_texts = {str(v.raw).lower() for v in values if _number(v.raw) is None}

    def pred(r: dict[str, Any]) -> bool:
        field = _lookup(r, path)
        if field is None:
            return False
        if isinstance(field, (int, float, Decimal)) and not isinstance(field, bool):
            number = _number(field)
            if number is not None:
                return number in numbers or str(field).lower() in other_texts
        return str(field).lower() in texts

    return pred


def _number(raw: Any) -> Decimal | None:
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class _Parser:
    def __init__(self, text: str, resolve: Resolver) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.resolve = resolve

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _is_kw(self, tok: tuple[str, str, int] | None, *words: str) -> bool:
        return tok is not None and tok[0] == "word" and tok[1].lower() in words

    def _fail(self, expected: str) -> ConditionError:
        tok = self._peek()
        where = f"at position {tok[2] + 1} ({tok[1]!r})" if tok else "at the end"
        return ConditionError(f"conditions: expected {expected} {where} in {self.text!r}")

    def parse(self) -> Predicate:
        if not self.tokens:
            return lambda r: True
        pred = self._expr()
        if self._peek() is not None:
            raise self._fail("'and', 'or' or the end of the conditions")
        return pred

    def _expr(self) -> Predicate:
        parts = [self._and()]
        while self._is_kw(self._peek(), "or"):
            self.i += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda r, ps=tuple(parts): any(p(r) for p in ps))

    def _and(self) -> Predicate:
        parts = [self._atom()]
        while self._is_kw(self._peek(), "and"):
            self.i += 1
            parts.append(self._atom())
        return parts[0] if len(parts) == 1 else (lambda r, ps=tuple(parts): all(p(r) for p in ps))

    def _atom(self) -> Predicate:
        tok = self._peek()
        if tok and tok[0] == "punct" and tok[1] == "(":
            self.i += 1
            pred = self._expr()
            if not (self._peek() and self._peek()[1] == ")"):  # type: ignore[index]
                raise self._fail("')'")
            self.i += 1
            return pred
        if not tok or tok[0] != "word" or tok[1].lower() in _KEYWORDS:
            raise self._fail("a field name")
        written = tuple(tok[1].split("/"))
        path = self.resolve(written) if all(written) else None
        if path is None:
            raise ConditionError(f"conditions: unknown field {tok[1]!r} at position {tok[2] + 1}")
        self.i += 1
        negate = False
        if self._is_kw(self._peek(), "not"):
            negate = True
            self.i += 1
        op_tok = self._peek()
        if op_tok and op_tok[0] == "op" and not negate:
            self.i += 1
            lit = self._value()
            op = op_tok[1]
            return lambda r: _compare(op, _lookup(r, path), lit)
        if self._is_kw(op_tok, "in"):
            self.i += 1
            pred = _in_list(path, self._list())
        elif self._is_kw(op_tok, "contains"):
            self.i += 1
            lit = self._value()
            needle = str(lit.raw).lower()
            pred = lambda r: (v := _lookup(r, path)) is not None and needle in str(v).lower()  # noqa: E731
        elif self._is_kw(op_tok, "like"):
            self.i += 1
            lit = self._value()
            pred = lambda r: _like(_lookup(r, path), lit)  # noqa: E731
        else:
            raise self._fail("an operator (=, !=, <, <=, >, >=, contains, like, in, not in)")
        return (lambda r: not pred(r)) if negate else pred

    def _value(self) -> _Value:
        tok = self._peek()
        if tok is None:
            raise self._fail("a value")
        kind, text, _ = tok
        self.i += 1
        if kind == "str":
            body = text[1:-1]
            return _Value("str", re.sub(r"\\(.)", r"\1", body))
        if kind == "dt":
            return _Value("dt", _parse_datetime(text[1:-1]))
        if kind == "word":
            low = text.lower()
            if low in ("true", "false"):
                return _Value("bool", low == "true")
            if low == "null":
                return _Value("null", None)
            if re.fullmatch(r"-?\d+(\.\d+)?", text):
                return _Value("num", Decimal(text))
            return _Value("word", text)
        self.i -= 1
        raise self._fail("a value")

    def _list(self) -> list[_Value]:
        tok = self._peek()
        if not tok or tok[1] != "(":
            raise self._fail("'(' starting a list")
        self.i += 1
        values: list[_Value] = []
        while True:
            tok = self._peek()
            if tok and tok[1] == ")":
                self.i += 1
                return values
            values.append(self._value())
            tok = self._peek()
            if tok and tok[1] == ",":
                self.i += 1
            elif not (tok and tok[1] == ")"):
                raise self._fail("',' or ')' in the list")


def compile_conditions(text: str, resolve: Resolver = lambda path: path) -> Predicate:
    return _Parser(text, resolve).parse()
