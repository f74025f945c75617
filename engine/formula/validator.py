"""Plan validation: whitelist, names, types, arity, limits, exponents and the step DAG.

Produces a CompiledPlan both engines run. Every problem found is reported (not only the first), with
the step, the field (expr or condition), line and column, so `pharos formula check` can list them all.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal

from engine.formula import decimals as dec
from engine.formula import limits
from engine.formula.catalog import FUNCTIONS, KEYWORDS
from engine.formula.errors import ExpressionError, Issue, PlanError, RowError
from engine.formula.graph import evaluation_order
from engine.formula.nodes import (
    BINARY_OPS,
    COMPARE_OPS,
    LOGIC_OPS,
    NODE_TYPES,
    UNARY_OPS,
    Binary,
    Call,
    Compare,
    DateLit,
    If,
    Logic,
    Name,
    Node,
    Num,
    Str,
    Unary,
    children,
    walk,
)
from engine.formula.parser import parse
from engine.formula.plan import Plan

STEP_NAME = re.compile(r"[a-z_][a-z0-9_]*")
INPUT_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RESERVED_COLUMNS = frozenset({"employee_ref", "error"})

NUM, TEXT, DATE = "number", "text", "date"
_DTYPE_TYPE = {"decimal": NUM, "int": NUM, "bool": NUM, "text": TEXT, "date": DATE}


@dataclass(frozen=True)
class CompiledStep:
    name: str
    order: int
    expr: Node
    condition: Node | None
    expr_text: str
    condition_text: str | None
    deps: frozenset[str]  # steps referenced


@dataclass(frozen=True)
class CompiledPlan:
    plan: Plan
    steps: tuple[CompiledStep, ...]  # evaluation order
    display: tuple[str, ...]  # step names by `order`
    input_types: dict[str, str]  # input key → number/text/date
    input_dtypes: dict[str, str]  # input key → declared dtype
    fund: dict[str, Decimal]  # scale-10 fund inputs


def validate(plan: Plan) -> CompiledPlan:
    """Check everything about a plan; raise PlanError listing every issue, or return a CompiledPlan."""
    issues: list[Issue] = []
    input_types, input_dtypes = _check_inputs(plan, issues)
    fund = _check_fund(plan, input_types, issues)
    step_names = _check_steps(plan, input_types, fund, issues)

    scope = {**input_types, **{k: NUM for k in fund}, **{s: NUM for s in step_names}}
    compiled: dict[str, CompiledStep] = {}
    for step in plan.steps:
        expr = _expression(step.expr, step.name, "expr", scope, issues)
        cond = _expression(step.condition, step.name, "condition", scope, issues) if step.condition else None
        if expr is None or (step.condition and cond is None):
            continue
        refs = _step_refs(expr, step_names) | (_step_refs(cond, step_names) if cond else set())
        if step.name in compiled:
            continue
        compiled[step.name] = CompiledStep(
            step.name, step.order, expr, cond, step.expr, step.condition, frozenset(refs)
        )

    deps = {name: set(s.deps) & set(compiled) for name, s in compiled.items()}
    order = {name: s.order for name, s in compiled.items()}
    evaluation, cycles = evaluation_order(deps, order)
    for cyc in cycles:
        issues.append(Issue(f"steps form a cycle: {' -> '.join(cyc)}", step=cyc[0]))
    if issues:
        raise PlanError(issues)
    display = tuple(s.name for s in sorted(compiled.values(), key=lambda s: (s.order, s.name)))
    return CompiledPlan(plan, tuple(compiled[n] for n in evaluation), display, input_types, input_dtypes, fund)


def _check_inputs(plan: Plan, issues: list[Issue]) -> tuple[dict[str, str], dict[str, str]]:
    types: dict[str, str] = {}
    dtypes: dict[str, str] = {}
    if len(plan.inputs) + len(plan.fund_inputs) > limits.MAX_INPUTS:
        issues.append(Issue(f"a plan may declare at most {limits.MAX_INPUTS} inputs"))
    for inp in plan.inputs:
        if not INPUT_KEY.fullmatch(inp.key):
            issues.append(Issue(f"input key '{inp.key}' must be letters, digits and _ (not starting with a digit)"))
        elif inp.key in KEYWORDS or inp.key in FUNCTIONS or inp.key in RESERVED_COLUMNS:
            issues.append(Issue(f"input key '{inp.key}' is a reserved word"))
        elif inp.key in types:
            issues.append(Issue(f"input key '{inp.key}' is declared twice"))
        else:
            types[inp.key] = _DTYPE_TYPE[inp.dtype]
            dtypes[inp.key] = inp.dtype
    return types, dtypes


def _check_fund(plan: Plan, input_types: dict[str, str], issues: list[Issue]) -> dict[str, Decimal]:
    fund: dict[str, Decimal] = {}
    for key, value in plan.fund_inputs.items():
        if not INPUT_KEY.fullmatch(key) or key in KEYWORDS or key in FUNCTIONS or key in RESERVED_COLUMNS:
            issues.append(Issue(f"fund input '{key}' is not a usable name"))
            continue
        if key in input_types:
            issues.append(Issue(f"fund input '{key}' has the same name as an input"))
            continue
        try:
            fund[key] = dec.fix(Decimal(value))
        except RowError:
            issues.append(Issue(f"fund input '{key}' has more than 28 digits before the point"))
    return fund


def _check_steps(plan: Plan, input_types: dict[str, str], fund: dict[str, Decimal], issues: list[Issue]) -> set[str]:
    if len(plan.steps) > limits.MAX_STEPS:
        issues.append(Issue(f"a plan may have at most {limits.MAX_STEPS} steps; this one has {len(plan.steps)}"))
    if not plan.steps:
        issues.append(Issue("a plan needs at least one step"))
    names: set[str] = set()
    orders: dict[int, str] = {}
    for step in plan.steps:
        if not STEP_NAME.fullmatch(step.name):
            issues.append(Issue("a step name must match [a-z_][a-z0-9_]* (lowercase, digits, _)", step=step.name))
        elif step.name in KEYWORDS or step.name in RESERVED_COLUMNS:
            issues.append(Issue(f"'{step.name}' is a reserved word", step=step.name))
        elif step.name in FUNCTIONS:
            issues.append(Issue(f"'{step.name}' is a function name; pick another step name", step=step.name))
        elif step.name in input_types or step.name in fund:
            issues.append(Issue(f"'{step.name}' is already an input; a step may not shadow it", step=step.name))
        elif step.name in names:
            issues.append(Issue(f"the step name '{step.name}' is used twice", step=step.name))
        names.add(step.name)
        if step.order in orders:
            issues.append(Issue(f"order {step.order} is also used by step '{orders[step.order]}'", step=step.name))
        orders.setdefault(step.order, step.name)
    return names


def _step_refs(node: Node, step_names: set[str]) -> set[str]:
    return {n.id for n in walk(node) if isinstance(n, Name) and n.id in step_names}


def _expression(text: str, step: str, field: str, scope: dict[str, str], issues: list[Issue]) -> Node | None:
    try:
        tree = parse(text)
    except ExpressionError as exc:
        issues.append(exc.issue(step, field))
        return None
    checker = _TypeChecker(scope)
    tree = checker.check_root(tree)
    for exc in checker.errors:
        issues.append(exc.issue(step, field))
    return None if checker.errors else tree


def check_expression(text: str, scope: dict[str, str]) -> Node:
    """Validate one expression against a scope of name → type (for builders and tests)."""
    tree = parse(text)
    checker = _TypeChecker(scope)
    tree = checker.check_root(tree)
    if checker.errors:
        raise checker.errors[0]
    return tree


class _TypeChecker:
    """Computes each node's type, folds exponents, and records errors with positions."""

    def __init__(self, scope: dict[str, str]):
        self.scope = scope
        self.errors: list[ExpressionError] = []
        self.in_total = False

    def fail(self, node: Node, message: str) -> None:
        self.errors.append(ExpressionError(message, node.pos.line, node.pos.column))

    def check_root(self, node: Node) -> Node:
        for n in walk(node):  # the whitelist: only our own node classes, whatever built the tree
            if not isinstance(n, NODE_TYPES):
                raise ExpressionError(f"disallowed node {type(n).__name__}")
        node, typ = self.check(node)
        if typ is not None and typ != NUM:
            self.fail(node, f"the expression gives a {typ}, but a step needs a number")
        return node

    def want_num(self, node: Node) -> Node:
        node, typ = self.check(node)
        if typ is not None and typ != NUM:
            self.fail(
                node,
                f"a {typ} can only be compared (==, !={', <, <=, >, >=' if typ == DATE else ''}), not used as a number",
            )
        return node

    def check(self, node: Node) -> tuple[Node, str | None]:
        if isinstance(node, Num):
            return node, NUM
        if isinstance(node, Str):
            return node, TEXT
        if isinstance(node, DateLit):
            return node, DATE
        if isinstance(node, Name):
            return node, self.name(node)
        if isinstance(node, Unary) and node.op in UNARY_OPS:
            return Unary(node.op, self.want_num(node.operand), node.pos), NUM
        if isinstance(node, Binary) and node.op in BINARY_OPS:
            if node.op == "^":
                return self.power(node), NUM
            return Binary(node.op, self.want_num(node.left), self.want_num(node.right), node.pos), NUM
        if isinstance(node, Logic) and node.op in LOGIC_OPS:
            return Logic(node.op, self.want_num(node.left), self.want_num(node.right), node.pos), NUM
        if isinstance(node, Compare) and node.op in COMPARE_OPS:
            return self.compare(node), NUM
        if isinstance(node, If):
            return If(self.want_num(node.cond), self.want_num(node.then), self.want_num(node.else_), node.pos), NUM
        if isinstance(node, Call):
            return self.call(node), NUM
        raise ExpressionError(f"disallowed node {type(node).__name__}")

    def name(self, node: Name) -> str | None:
        if node.id in self.scope:
            return self.scope[node.id]
        if node.id in FUNCTIONS:
            self.fail(node, f"'{node.id}' is a function; call it with parentheses, e.g. {FUNCTIONS[node.id].signature}")
            return None
        close = difflib.get_close_matches(node.id, list(self.scope), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        self.fail(node, f"unknown name '{node.id}'{hint}")
        return None

    def compare(self, node: Compare) -> Node:
        left, lt = self.check(node.left)
        right, rt = self.check(node.right)
        if lt is None or rt is None:
            return Compare(node.op, left, right, node.pos)
        if lt != rt:
            self.fail(node, f"cannot compare a {lt} with a {rt}")
        elif lt == TEXT and node.op not in ("==", "!="):
            self.fail(node, f"text can only be compared with == or !=, not {node.op}")
        return Compare(node.op, left, right, node.pos)

    def call(self, node: Call) -> Node:
        spec = FUNCTIONS.get(node.func)
        if spec is None:
            close = difflib.get_close_matches(node.func, list(FUNCTIONS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.fail(node, f"unknown function '{node.func}'{hint}; available: {', '.join(FUNCTIONS)}")
            return node
        n = len(node.args)
        if n < spec.min_args or (spec.max_args is not None and n > spec.max_args) or n > limits.MAX_FUNCTION_ARGS:
            if spec.max_args is None:
                want = f"{spec.min_args} to {limits.MAX_FUNCTION_ARGS} arguments"
            elif spec.min_args == spec.max_args:
                want = f"{spec.min_args} argument{'s' if spec.min_args != 1 else ''}"
            else:
                want = f"{spec.min_args} to {spec.max_args} arguments"
            self.fail(node, f"{spec.signature} takes {want}, got {n}")
            return node
        if node.func == "total":
            if self.in_total:
                self.fail(node, "total() cannot be nested inside another total()")
                return node
            self.in_total = True
            try:
                args = tuple(self.want_num(a) for a in node.args)
            finally:
                self.in_total = False
            return Call(node.func, args, node.pos)
        return Call(node.func, tuple(self.want_num(a) for a in node.args), node.pos)

    def power(self, node: Binary) -> Node:
        base = self.want_num(node.left)
        try:
            n = _fold_constant(node.right)
        except ExpressionError as exc:
            self.errors.append(exc)
            return Binary("^", base, node.right, node.pos)
        if n != n.to_integral_value():
            self.fail(node.right, f"the exponent must be a whole number, got {dec.to_text(n).rstrip('0').rstrip('.')}")
        elif abs(n) > limits.MAX_EXPONENT:
            self.fail(
                node.right,
                f"the exponent must be between -{limits.MAX_EXPONENT} and {limits.MAX_EXPONENT}, got {int(n)}",
            )
        else:
            k = int(n)
            return Binary("^", base, Num(dec.fix(Decimal(k)), str(k), node.right.pos), node.pos)
        return Binary("^", base, node.right, node.pos)


def _fold_constant(node: Node) -> Decimal:
    """Evaluate an exponent: numbers and operators only, with the usual semantics and limits."""
    for n in walk(node):
        if not isinstance(n, (Num, Unary, Binary)):
            raise ExpressionError(
                "the exponent must be a constant whole number made of numbers and operators (e.g. 2, -1, 3^2)",
                n.pos.line,
                n.pos.column,
            )
    return _fold(node)


def _fold(node: Node) -> Decimal:
    try:
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Unary):
            v = _fold(node.operand)
            return dec.neg(v) if node.op == "-" else v
        assert isinstance(node, Binary)
        a = _fold(node.left)
        if node.op == "^":
            n = _fold_constant(node.right)
            if n != n.to_integral_value() or abs(n) > limits.MAX_EXPONENT:
                raise ExpressionError(
                    f"the exponent must be a whole number between -{limits.MAX_EXPONENT} and {limits.MAX_EXPONENT}",
                    node.right.pos.line,
                    node.right.pos.column,
                )
            return dec.power(a, int(n))
        b = _fold(node.right)
        return {"+": dec.add, "-": dec.sub, "*": dec.mul, "/": dec.div, "%": dec.mod}[node.op](a, b)
    except RowError as exc:
        raise ExpressionError(
            f"the exponent cannot be computed: {exc.message}", node.pos.line, node.pos.column
        ) from None


__all__ = ["CompiledPlan", "CompiledStep", "validate", "check_expression", "children"]
