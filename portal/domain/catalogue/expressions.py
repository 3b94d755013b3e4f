"""Conditions and computed values in service definitions, safely.

Definitions say things like `purpose == 'other'`, `len(owners) >= 1 and capital.amount > 0` or
`round(turnover * 0.1)`. They are parsed with Python's own parser into a syntax tree, every node
is checked against a short list of what is allowed, and the tree is walked by this module:
nothing is ever given to `eval` or `exec`, there are no attribute calls, no imports, no loops.

Names refer to answers by field id (`purpose`), to a field of a repeating group item inside
`count`/`sum` (`sum(owners, 'shares')`), and to a few facts the portal provides (`paid`,
`documents_checked`, `applicant.kind`), `today` among them. Date functions (`age`, `add_months`,
`add_working_days`, ...) are in `dates`. A definition is checked when it is loaded: syntax, the number of
arguments of a date function, and that every name it uses exists.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from portal.domain import definition_dates as dates


class ExpressionError(ValueError):
    """The text is not an expression we allow, or names something that does not exist."""


_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_MAX_LENGTH = 500


def _round(value, digits=0):
    quantum = Decimal(1).scaleb(-int(digits))
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def _len(value):
    return len(value) if value is not None else 0


def _sum(items, key=None):
    if items is None:
        return 0
    values = [item.get(key) if key else item for item in items]
    return sum((Decimal(str(v)) for v in values if v not in (None, "")), Decimal(0))


def _count(items, key=None, value=True):
    return sum(1 for item in items or [] if (item.get(key) == value if key else True))


FUNCTIONS = {"len": _len, "round": _round, "sum": _sum, "count": _count, "min": min, "max": max, "abs": abs,
             # run by `dates.call`, which gives them today's date and the working calendar
             **dict.fromkeys(dates.NAMES, dates.call)}


@dataclass(frozen=True)
class Expression:
    """A parsed, checked expression; `evaluate(values)` runs it on a mapping of names."""

    source: str
    tree: ast.Expression
    names: frozenset[str]  # first segment of every name used, e.g. "capital" for capital.amount

    def evaluate(self, values: dict[str, Any]) -> Any:
        try:
            return _evaluate(self.tree.body, values)
        except (TypeError, ZeroDivisionError, ArithmeticError, KeyError, ValueError):
            # Answers the applicant has not given yet (None) compare as "not true"; never an error page.
            return None

    def is_true(self, values: dict[str, Any]) -> bool:
        return bool(self.evaluate(values))

    def for_browser(self, on_page, values: dict[str, Any]) -> dict | None:
        """See `for_browser` below (a method, so that the fields need not import the catalogue)."""
        return for_browser(self, on_page, values)


def parse(source: str) -> Expression:
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("an expression must be a non-empty text")
    if len(source) > _MAX_LENGTH:
        raise ExpressionError(f"an expression may be at most {_MAX_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"not a valid expression ({error.msg})") from None
    names: set[str] = set()
    for node in ast.walk(tree):
        _check(node, names)
    return Expression(source=source.strip(), tree=tree, names=frozenset(names))


def _check(node: ast.AST, names: set[str]) -> None:
    allowed = (
        ast.Expression,
        ast.BoolOp,
        ast.And,
        ast.Or,
        ast.UnaryOp,
        ast.Not,
        ast.USub,
        ast.UAdd,
        ast.Compare,
        ast.BinOp,
        ast.Constant,
        ast.Name,
        ast.Load,
        ast.Attribute,
        ast.Call,
        ast.List,
        ast.Tuple,
        *_COMPARE,
        *_ARITHMETIC,
    )
    if not isinstance(node, allowed):
        raise ExpressionError(f"{type(node).__name__} is not allowed in an expression")
    if isinstance(node, ast.Constant) and not isinstance(node.value, (str, int, float, bool, type(None))):
        raise ExpressionError("only texts, numbers, true/false and null are allowed as values")
    if isinstance(node, ast.Call) and (
        not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords
    ):
        raise ExpressionError(f"only these functions may be called: {', '.join(sorted(FUNCTIONS))}")
    if isinstance(node, ast.Call) and node.func.id in dates.ARGUMENTS:
        fewest, most = dates.ARGUMENTS[node.func.id]
        if not fewest <= len(node.args) <= most:
            wanted = f"{fewest}" if fewest == most else f"{fewest} or {most}"
            raise ExpressionError(f"{node.func.id}() takes {wanted} arguments, not {len(node.args)}")
    if isinstance(node, ast.Attribute) and (
        node.attr.startswith("_") or not isinstance(node.value, (ast.Name, ast.Attribute))
    ):
        raise ExpressionError(f"{node.attr!r} cannot be used here")
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ExpressionError(f"{node.id!r} is not a valid name")
        if node.id not in FUNCTIONS and node.id not in ("true", "false", "null"):
            names.add(node.id)


_LITERAL_NAMES = {"true": True, "false": False, "null": None}


def _evaluate(node: ast.AST, values: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value)) if isinstance(node.value, float) else node.value
    if isinstance(node, ast.Name):
        if node.id in _LITERAL_NAMES:
            return _LITERAL_NAMES[node.id]
        return values.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _evaluate(node.value, values)
        return base.get(node.attr) if isinstance(base, dict) else None
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            result = True
            for value in node.values:
                result = _evaluate(value, values)
                if not result:
                    return result
            return result
        for value in node.values:
            result = _evaluate(value, values)
            if result:
                return result
        return result
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, values)
        if isinstance(node.op, ast.Not):
            return not operand
        return -_number(operand) if isinstance(node.op, ast.USub) else _number(operand)
    if isinstance(node, ast.BinOp):
        return _ARITHMETIC[type(node.op)](_number(_evaluate(node.left, values)), _number(_evaluate(node.right, values)))
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, values)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(right_node, values)
            if (
                left is None
                and not isinstance(op, (ast.Eq, ast.NotEq))
                or right is None
                and isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE))
            ):
                return False
            if isinstance(left, (int, float)) and not isinstance(left, bool):
                left = Decimal(str(left))
            if isinstance(right, (int, float)) and not isinstance(right, bool):
                right = Decimal(str(right))
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_evaluate(element, values) for element in node.elts]
    if isinstance(node, ast.Call):
        arguments = [_evaluate(argument, values) for argument in node.args]
        if node.func.id in dates.NAMES:
            return dates.call(node.func.id, arguments, values.get(dates.TODAY))
        return FUNCTIONS[node.func.id](*arguments)
    raise ExpressionError(f"{type(node).__name__} is not allowed")


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise TypeError("not a number")
    return value if isinstance(value, Decimal) else Decimal(str(value))


# --- the same condition, for the browser ---------------------------------------------------------

class NotForTheBrowser(Exception):
    """The expression needs more than the browser's small evaluator understands (static/js/conditions.js)."""


_BROWSER_OPERATORS = {ast.Eq: "==", ast.NotEq: "!=", ast.In: "in", ast.NotIn: "not in",
                      ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


def for_browser(expression: Expression, on_page: set[str] | frozenset[str], values: dict[str, Any]) -> dict | None:
    """`expression` as a small JSON tree that static/js/conditions.js evaluates while the person
    fills in the page: `{"field": id}` for an answer given on this page (`on_page`), `{"value": v}`
    for everything else, worked out here from `values` (answers of other steps, portal facts), and
    `and`/`or`/`not`/comparisons between them. None when the browser cannot follow it (arithmetic or
    a function on an answer of this page, or a date rule: the browser compares only numbers, and its day may
    not be Cambodia's): the page then shows or hides the field when it is sent."""
    try:
        return _for_browser(expression.tree.body, frozenset(on_page), values)
    except NotForTheBrowser:
        return None


def _for_browser(node: ast.AST, on_page: frozenset[str], values: dict[str, Any]) -> dict:
    if not _uses(node, on_page):
        return {"value": _jsonable(_evaluate_quietly(node, values))}
    if isinstance(node, ast.Name):
        return {"field": node.id}
    if isinstance(node, ast.BoolOp):
        joined = "and" if isinstance(node.op, ast.And) else "or"
        return {joined: [_for_browser(v, on_page, values) for v in node.values]}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return {"not": _for_browser(node.operand, on_page, values)}
    if isinstance(node, (ast.List, ast.Tuple)):
        return {"list": [_for_browser(e, on_page, values) for e in node.elts]}
    if isinstance(node, ast.Compare):
        if _uses(node, _DATE_NAMES):
            raise NotForTheBrowser("a date compared with an answer of this page")
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            parts.append({"compare": _BROWSER_OPERATORS[type(op)], "left": _for_browser(left, on_page, values),
                          "right": _for_browser(right, on_page, values)})
            left = right
        return parts[0] if len(parts) == 1 else {"and": parts}
    raise NotForTheBrowser(type(node).__name__)


_DATE_NAMES = frozenset({dates.TODAY, *dates.NAMES})


def _uses(node: ast.AST, names: frozenset[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _evaluate_quietly(node: ast.AST, values: dict[str, Any]) -> Any:
    try:
        return _evaluate(node, values)
    except (TypeError, ZeroDivisionError, ArithmeticError, KeyError, ValueError):
        return None


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (Decimal, float)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    raise NotForTheBrowser(type(value).__name__)
