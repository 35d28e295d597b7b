"""The OData subset of the contract, turned into SQLAlchemy expressions.

The `odata-query` grammar parses; this module's own visitor decides what each node
means. Only whitelisted fields can be named and every literal is checked against
the field's kind and bound as a parameter, never pasted into SQL.
"""

import copy
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from odata_query import ast
from odata_query.exceptions import ODataException
from odata_query.grammar import ODataLexer, ODataParser
from sqlalchemy import Boolean, and_, false, func, literal, not_, or_
from sqlalchemy.sql.elements import ColumnElement

from custreg.errors import BadRequest
from custreg.limits import (
    MAX_FILTER_LENGTH,
    MAX_FILTER_TERMS,
    MAX_IN_VALUES,
    MAX_NOT_DEPTH,
    MAX_NUMBER_DIGITS,
    too_complex,
)

# A number's digits past what any numeric column holds (NUMERIC(18, 2), BIGINT) are refused
# (PostgreSQL fails to bind a literal wider than the column: a 500 before).
MAX_DECIMAL = Decimal(10) ** 20


@dataclass(frozen=True)
class FilterField:
    column: ColumnElement
    kind: str  # str | int | decimal | float | bool | date | datetime | uuid
    # A code stored in one form and written in many (idNumber): eq/ne/in match any of the
    # literal's stored forms.
    forms: Callable[[str], set[str]] | None = None


Fields = dict[str, FilterField]


def _bad(param: str, message: str) -> BadRequest:
    return BadRequest(f"{param}: {message}", [{"field": param, "message": message}])


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _Visitor:
    def __init__(self, fields: Fields) -> None:
        self.fields = fields
        self.terms = 0
        self.nots = 0

    def field(self, node: ast._Node) -> FilterField:
        if isinstance(node, ast.Identifier) and not node.namespace:
            f = self.fields.get(node.name)
            if f is None:
                raise _bad("$filter", f"unknown field '{node.name}'")
            return f
        raise _bad("$filter", "expected a field name")

    def expr(self, node: ast._Node) -> ColumnElement:
        self.terms += 1
        if self.terms > MAX_FILTER_TERMS:
            raise too_complex("$filter", MAX_FILTER_TERMS, "terms")
        if isinstance(node, ast.BoolOp):
            left, right = self.expr(node.left), self.expr(node.right)
            return and_(left, right) if isinstance(node.op, ast.And) else or_(left, right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self.nots += 1
            if self.nots > MAX_NOT_DEPTH:
                raise too_complex("$filter", MAX_NOT_DEPTH, "nested 'not'")
            # Two-valued logic: a comparison with NULL is false, so its negation is true.
            operand = self.expr(node.operand)
            self.nots -= 1
            return not_(func.coalesce(operand, false(), type_=Boolean))
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Identifier):
            f = self.field(node)
            if f.kind != "bool":
                raise _bad("$filter", f"'{node.name}' is not a boolean")
            return f.column.is_(True)
        if isinstance(node, ast.Boolean):
            return literal(node.val == "true")
        raise _bad("$filter", "unsupported expression")

    def operand(self, node: ast._Node) -> tuple[ColumnElement, FilterField]:
        """A field, or tolower/toupper of a string field."""
        if isinstance(node, ast.Call) and node.func.name in ("tolower", "toupper"):
            if len(node.args) != 1:
                raise _bad("$filter", f"{node.func.name} takes one argument")
            col, f = self.operand(node.args[0])
            if f.kind != "str":
                raise _bad("$filter", f"{node.func.name} needs a string field")
            fn = func.lower if node.func.name == "tolower" else func.upper
            return fn(col), f
        f = self.field(node)
        return f.column, f

    def compare(self, node: ast.Compare) -> ColumnElement:
        left, right, op = node.left, node.right, node.comparator
        if isinstance(left, ast._Literal) and not isinstance(right, ast._Literal):
            left, right = right, left
            op = {ast.Lt: ast.Gt(), ast.Gt: ast.Lt(), ast.LtE: ast.GtE(), ast.GtE: ast.LtE()}.get(type(op), op)
        col, f = self.operand(left)
        if isinstance(op, ast.In):
            if not isinstance(right, ast.List):
                raise _bad("$filter", "in needs a list")
            if len(right.val) > MAX_IN_VALUES:
                raise too_complex("$filter", MAX_IN_VALUES, "values in one 'in'")
            values = [self.value(v, f) for v in right.val]
            if f.forms is not None:
                values = sorted({form for v in values for form in f.forms(v)})
            return col.in_(values) if values else false()
        if isinstance(right, ast.Null):
            if isinstance(op, ast.Eq):
                return col.is_(None)
            if isinstance(op, ast.NotEq):
                return col.is_not(None)
            raise _bad("$filter", "null can only be compared with eq or ne")
        value = self.value(right, f)
        if isinstance(value, bool) and not isinstance(op, ast.Eq | ast.NotEq):
            raise _bad("$filter", "true and false can only be compared with eq or ne")
        if f.forms is not None and isinstance(op, ast.Eq | ast.NotEq) and col is f.column:
            forms = sorted(f.forms(value))
            return col.in_(forms) if isinstance(op, ast.Eq) else or_(col.not_in(forms), col.is_(None))
        match op:
            case ast.Eq():
                return col == value
            case ast.NotEq():
                return or_(col != value, col.is_(None))
            case ast.Lt():
                return col < value
            case ast.LtE():
                return col <= value
            case ast.Gt():
                return col > value
            case ast.GtE():
                return col >= value
        raise _bad("$filter", "unsupported comparison")

    def call(self, node: ast.Call) -> ColumnElement:
        name = node.func.name
        if name not in ("contains", "startswith", "endswith"):
            raise _bad("$filter", f"unsupported function '{name}'")
        if len(node.args) != 2:
            raise _bad("$filter", f"{name} takes two arguments")
        col, f = self.operand(node.args[0])
        if f.kind != "str" or not isinstance(node.args[1], ast.String):
            raise _bad("$filter", f"{name} needs a string field and a string")
        text = _escape_like(node.args[1].val.lower())
        pattern = {"contains": f"%{text}%", "startswith": f"{text}%", "endswith": f"%{text}"}[name]
        return func.lower(col).like(pattern, escape="\\")

    def value(self, node: ast._Node, f: FilterField):
        kind = f.kind
        try:
            if kind == "str" and isinstance(node, ast.String):
                return node.val
            if kind == "int" and isinstance(node, ast.Integer):
                number = int(node.val)
                if not -(2**63) <= number < 2**63:  # past BIGINT: no driver binds it
                    raise _bad("$filter", f"{node.val} is out of range")
                return number
            if kind in ("decimal", "float") and isinstance(node, ast.Integer | ast.Float):
                return _number(node.val, kind)
            if kind == "bool" and isinstance(node, ast.Boolean):
                return node.val == "true"
            if kind == "date" and isinstance(node, ast.Date):
                return dt.date.fromisoformat(node.val)
            if kind == "date" and isinstance(node, ast.DateTime):
                return utc(dt.datetime.fromisoformat(node.val.replace("Z", "+00:00"))).date()
            if kind == "datetime" and isinstance(node, ast.DateTime):
                return utc(dt.datetime.fromisoformat(node.val.replace("Z", "+00:00")))
            if kind == "datetime" and isinstance(node, ast.Date):
                return utc(dt.datetime.fromisoformat(node.val))
            if kind == "uuid" and isinstance(node, ast.GUID | ast.String):
                return uuid.UUID(node.val)
        except OutOfRange:
            raise _bad("$filter", f"{getattr(node, 'val', '')} is out of range") from None
        except (ValueError, InvalidOperation, OverflowError):
            pass
        raise _bad("$filter", f"a {kind} value is needed here")


class OutOfRange(ValueError):
    """A value no column can hold."""


def utc(value: dt.datetime) -> dt.datetime:
    """`value` in UTC (a naive one is UTC). A date-time whose UTC falls outside the years
    1-9999 (`0001-01-01T00:00+01:00`) cannot be compared with any column: OutOfRange."""
    try:
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    except OverflowError:
        raise OutOfRange("date-time out of range") from None


def _number(text: str, kind: str) -> Decimal | float:
    digits = sum(c.isdigit() for c in text.partition("e")[0].partition("E")[0])
    number = Decimal(text)
    if digits > MAX_NUMBER_DIGITS or not number.is_finite() or abs(number) >= MAX_DECIMAL:
        raise OutOfRange(text)
    return number if kind == "decimal" else float(number)


def _one_element_lists(tokens: Iterable[Any]) -> Iterator[Any]:
    """`x in ('a')` is OData, but the grammar reads `('a')` as a parenthesized literal:
    hand it `x in ('a', 'a')`, which means the same."""
    window: list[Any] = []  # the lexer's tokens
    for token in tokens:
        window.append(token)
        if (
            len(window) >= 4
            and window[-1].type == ")"
            and window[-3].type == "("
            and window[-4].type == "IN"
            and window[-2].type not in ("(", ")", ",")
        ):
            comma = copy.copy(window[-1])
            comma.type = comma.value = ","
            window[-1:-1] = [comma, window[-2]]
        if len(window) > 8:
            yield from window[:-6]
            del window[:-6]
    yield from window


def parse_filter(text: str, fields: Fields) -> ColumnElement:
    if len(text) > MAX_FILTER_LENGTH:
        raise too_complex("$filter", MAX_FILTER_LENGTH, "characters")
    try:
        tree = ODataParser().parse(_one_element_lists(ODataLexer().tokenize(text)))
    except (ODataException, RecursionError, ValueError, TypeError, AttributeError, IndexError):
        raise _bad("$filter", "not a valid filter expression") from None
    if tree is None:
        raise _bad("$filter", "empty filter")
    try:
        return _Visitor(fields).expr(tree)
    except RecursionError:
        raise _bad("$filter", "too deeply nested") from None


def parse_orderby(text: str, fields: Fields) -> list[ColumnElement]:
    order: list[ColumnElement] = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2:
            raise _bad("$orderby", f"cannot read '{part.strip()}'")
        f = fields.get(words[0])
        if f is None:
            raise _bad("$orderby", f"unknown field '{words[0]}'")
        direction = words[1].lower() if len(words) == 2 else "asc"
        if direction not in ("asc", "desc"):
            raise _bad("$orderby", f"direction must be asc or desc, not '{words[1]}'")
        # NULL sorts as the smallest value on both engines.
        order.append(f.column.asc().nulls_first() if direction == "asc" else f.column.desc().nulls_last())
    return order
