"""Formula engine benchmark (run by hand): python bench/formula.py [--quick] [--sizes 10000,100000,1000000]

A realistic 12-step bonus plan over N employees, on five engines, each measured in its own subprocess
(wall time of the engine from typed input to results; peak RSS of that process):
  vectorized  engine.formula.vectorized (Polars Decimal(38,10), exact; the production path; median of 5)
  vectorized_guarded  the same, forced onto its overflow-safe path (optional: --engines …,vectorized_guarded)
  reference   engine.formula.reference (row-by-row Python Decimal, exact; the specification)
  safeeval    the spec's §16 SafeEval: Python ast whitelist, row by row, Decimal (trees parsed once)
  safeeval_spec  the same, with §16's evaluate() as written (ast.parse + whitelist walk on every call)
  float64     the same plan hand-written on Polars Float64 (the speed ceiling; not exact; median of 5)
  zen         GoRules ZEN (PyPI zen-engine) expressions compiled once, evaluated row by row
Slow engines run at 10k and 100k only; their 1M figure is extrapolated linearly and marked so.
Results of vectorized and reference are compared byte for byte (SHA-256 of OUT.csv) at every size run.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import operator as op
import resource
import statistics
import subprocess
import sys
import time
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PLAN = {
    "name": "bench-12-step",
    "version": "1",
    "inputs": [
        {"key": "salary", "dtype": "decimal"},
        {"key": "target_pct", "dtype": "decimal"},
        {"key": "perf_score", "dtype": "decimal"},
        {"key": "tenure_years", "dtype": "int"},
        {"key": "dept", "dtype": "text"},
        {"key": "hire_date", "dtype": "date"},
        {"key": "prev_bonus", "dtype": "decimal"},
        {"key": "eligible", "dtype": "bool"},
    ],
    "fund_inputs": {"fund_return": "0.12", "hurdle_rate": "0.08", "pool_size": "5000000"},
    "steps": [
        {"order": 10, "name": "target_bonus", "expr": "salary * target_pct"},
        {
            "order": 20,
            "name": "perf_mult",
            "expr": "if (perf_score >= 4.5) then 1.5 else if (perf_score >= 3.5) then 1.2 else if (perf_score >= "
            "2.5) then 1 else 0.5",
        },
        {"order": 30, "name": "fund_kicker", "expr": "hurdle(fund_return, hurdle_rate) * 2"},
        {"order": 40, "name": "tenure_adj", "expr": "clip(1 + tenure_years * 0.02, 1, 1.2)"},
        {"order": 50, "name": "raw_bonus", "expr": "target_bonus * perf_mult * (1 + fund_kicker) * tenure_adj"},
        {"order": 60, "name": "capped", "expr": "cap_floor(raw_bonus, salary * 0.5, 0)"},
        {"order": 70, "name": "dept_adj", "expr": 'if (dept == "sales") then capped * 1.1 else capped'},
        {
            "order": 80,
            "name": "new_hire",
            "expr": 'if (hire_date > date("2024-07-01")) then dept_adj * 0.5 else dept_adj',
        },
        {"order": 90, "name": "pool_share", "expr": "new_hire / total(new_hire) * pool_size"},
        {"order": 100, "name": "blended", "expr": "(new_hire + pool_share) / 2"},
        {"order": 110, "name": "growth", "expr": "pct_change(blended, prev_bonus)", "condition": "prev_bonus > 0"},
        {"order": 120, "name": "final_bonus", "expr": "round2(max(blended, 0))", "condition": "eligible"},
    ],
}

# The same plan for the row-by-row baselines. `total_new_hire` is a pre-pass (they have no aggregates).
PY_STEPS = [
    ("target_bonus", "salary * target_pct"),
    ("perf_mult", "1.5 if perf_score >= 4.5 else (1.2 if perf_score >= 3.5 else (1 if perf_score >= 2.5 else 0.5))"),
    ("fund_kicker", "hurdle(fund_return, hurdle_rate) * 2"),
    ("tenure_adj", "clip(1 + tenure_years * 0.02, 1, 1.2)"),
    ("raw_bonus", "target_bonus * perf_mult * (1 + fund_kicker) * tenure_adj"),
    ("capped", "cap_floor(raw_bonus, salary * 0.5, 0)"),
    ("dept_adj", "capped * 1.1 if dept == 'sales' else capped"),
    ("new_hire", "dept_adj * 0.5 if hire_date > '2024-07-01' else dept_adj"),
    ("pool_share", "new_hire / total_new_hire * pool_size"),
    ("blended", "(new_hire + pool_share) / 2"),
    ("growth", "pct_change(blended, prev_bonus) if prev_bonus > 0 else 0"),
    ("final_bonus", "round2(max(blended, 0)) if eligible else 0"),
]
ZEN_STEPS = [
    ("target_bonus", "salary * target_pct"),
    ("perf_mult", "perf_score >= 4.5 ? 1.5 : (perf_score >= 3.5 ? 1.2 : (perf_score >= 2.5 ? 1 : 0.5))"),
    ("fund_kicker", "(fund_return < hurdle_rate ? 0 : fund_return) * 2"),
    ("tenure_adj", "min([max([1 + tenure_years * 0.02, 1]), 1.2])"),
    ("raw_bonus", "target_bonus * perf_mult * (1 + fund_kicker) * tenure_adj"),
    ("capped", "min([max([raw_bonus, 0]), salary * 0.5])"),
    ("dept_adj", 'dept == "sales" ? capped * 1.1 : capped'),
    ("new_hire", 'date(hire_date) > date("2024-07-01") ? dept_adj * 0.5 : dept_adj'),
    ("pool_share", "new_hire / total_new_hire * pool_size"),
    ("blended", "(new_hire + pool_share) / 2"),
    ("growth", "prev_bonus > 0 ? (blended - prev_bonus) / prev_bonus : 0"),
    ("final_bonus", "eligible ? round(max([blended, 0]), 2) : 0"),
]
TOTAL_AFTER = 8  # steps before pool_share


def make_frame(n: int, seed: int = 7):
    """Deterministic typed input: exact decimals built from integers (never through float)."""
    import datetime
    import random

    import polars as pl

    from engine.formula import table
    from engine.formula.plan import from_dict
    from engine.formula.validator import validate

    compiled = validate(from_dict(PLAN))
    rng = random.Random(seed)
    dec = pl.Decimal(38, 10)

    def ints(lo: int, hi: int) -> pl.Series:
        return pl.Series([rng.randrange(lo, hi) for _ in range(n)], dtype=pl.Int64)

    def scaled(values: pl.Series, divisor: int) -> pl.Expr:
        return pl.lit(values).cast(dec) / pl.lit(Decimal(divisor), dtype=dec)

    depts = ["sales", "ops", "research", "trading"]
    frame = pl.select(
        pl.Series("employee_ref", [f"E{i:07d}" for i in range(n)]),
        scaled(ints(4_000_000, 40_000_000), 100).alias("salary"),
        scaled(ints(5, 51), 100).alias("target_pct"),
        scaled(ints(10, 51), 10).alias("perf_score"),
        pl.lit(ints(0, 31)).cast(dec).alias("tenure_years"),
        pl.Series("dept", [depts[rng.randrange(4)] for _ in range(n)]),
        (pl.lit(datetime.date(2015, 1, 1)) + pl.duration(days=pl.lit(ints(0, 3650)))).cast(pl.Date).alias("hire_date"),
        scaled(pl.Series([0 if rng.random() < 0.05 else rng.randrange(0, 10_000_000) for _ in range(n)]), 100).alias(
            "prev_bonus"
        ),
        pl.lit(pl.Series([1 if rng.random() < 0.9 else 0 for _ in range(n)])).cast(dec).alias("eligible"),
    )
    return compiled, frame.cast(table.input_schema(compiled))  # type: ignore[arg-type]


# ---- engines -----------------------------------------------------------------------------------


def run_vectorized(compiled, frame):
    from engine.formula import table, vectorized

    t = time.perf_counter()
    result = vectorized.run(compiled, frame)
    elapsed = time.perf_counter() - t
    return elapsed, hashlib.sha256(table.to_csv_bytes(result)).hexdigest(), {"guarded": result.guarded}


def run_vectorized_guarded(compiled, frame):
    """The overflow-safe slow path, forced (normally used only after Polars raised on overflow)."""
    from engine.formula import table, vectorized

    t = time.perf_counter()
    result = vectorized.run(compiled, frame, mode="guarded")
    elapsed = time.perf_counter() - t
    return elapsed, hashlib.sha256(table.to_csv_bytes(result)).hexdigest(), {"guarded": True}


def run_reference(compiled, frame):
    from engine.formula import reference, table

    t = time.perf_counter()
    result = reference.run(compiled, frame)
    elapsed = time.perf_counter() - t
    return elapsed, hashlib.sha256(table.to_csv_bytes(result)).hexdigest(), {}


def run_float64(compiled, frame):
    import polars as pl

    t = time.perf_counter()
    f = frame.lazy().with_columns(
        pl.col(c).cast(pl.Float64)
        for c in ("salary", "target_pct", "perf_score", "tenure_years", "prev_bonus", "eligible")
    )
    c = pl.col
    fund_return, hurdle_rate, pool_size = 0.12, 0.08, 5_000_000.0
    f = f.with_columns(
        (c("salary") * c("target_pct")).alias("target_bonus"),
        pl.when(c("perf_score") >= 4.5)
        .then(1.5)
        .when(c("perf_score") >= 3.5)
        .then(1.2)
        .when(c("perf_score") >= 2.5)
        .then(1.0)
        .otherwise(0.5)
        .alias("perf_mult"),
        pl.lit((0.0 if fund_return < hurdle_rate else fund_return) * 2).alias("fund_kicker"),
        (1 + c("tenure_years") * 0.02).clip(1.0, 1.2).alias("tenure_adj"),
    )
    f = f.with_columns(
        (c("target_bonus") * c("perf_mult") * (1 + c("fund_kicker")) * c("tenure_adj")).alias("raw_bonus")
    )
    f = f.with_columns(pl.min_horizontal(pl.max_horizontal(c("raw_bonus"), 0.0), c("salary") * 0.5).alias("capped"))
    f = f.with_columns(pl.when(c("dept") == "sales").then(c("capped") * 1.1).otherwise(c("capped")).alias("dept_adj"))
    import datetime

    f = f.with_columns(
        pl.when(c("hire_date") > datetime.date(2024, 7, 1))
        .then(c("dept_adj") * 0.5)
        .otherwise(c("dept_adj"))
        .alias("new_hire")
    )
    f = f.with_columns((c("new_hire") / c("new_hire").sum() * pool_size).alias("pool_share"))
    f = f.with_columns(((c("new_hire") + c("pool_share")) / 2).alias("blended"))
    f = f.with_columns(
        pl.when(c("prev_bonus") > 0)
        .then((c("blended") - c("prev_bonus")) / c("prev_bonus"))
        .otherwise(0.0)
        .alias("growth"),
        pl.when(c("eligible") != 0)
        .then(pl.max_horizontal(c("blended"), 0.0).round(2))
        .otherwise(0.0)
        .alias("final_bonus"),
    )
    out = f.select("employee_ref", *[s["name"] for s in PLAN["steps"]]).collect()
    elapsed = time.perf_counter() - t
    return elapsed, hashlib.sha256(out.write_csv().encode()).hexdigest(), {}


def _python_rows(frame):
    """Row dicts for the row-by-row baselines (their input conversion counts as their work)."""
    rows = frame.to_dicts()
    for r in rows:
        r["hire_date"] = r["hire_date"].isoformat()
    return rows


def run_safeeval(compiled, frame):
    import decimal

    decimal.getcontext().prec = 28
    t = time.perf_counter()
    rows = _python_rows(frame)
    fund = {k: Decimal(v) for k, v in PLAN["fund_inputs"].items()}
    trees = [(name, ast.parse(expr, mode="eval")) for name, expr in PY_STEPS]
    for _, tree in trees:
        _safe_check(tree)
    outs = []
    for r in rows:
        env = {**r, **fund}
        for name, tree in trees[:TOTAL_AFTER]:
            env[name] = _to_dec(SafeEval(env).visit(tree.body))
        outs.append(env)
    total = sum((e["new_hire"] for e in outs), Decimal(0))
    for env in outs:
        env["total_new_hire"] = total
        for name, tree in trees[TOTAL_AFTER:]:
            env[name] = _to_dec(SafeEval(env).visit(tree.body))
    elapsed = time.perf_counter() - t
    digest = hashlib.sha256("".join(str(e["final_bonus"]) for e in outs).encode()).hexdigest()
    return elapsed, digest, {}


def run_safeeval_spec(compiled, frame):
    """§16 exactly as written: evaluate(expr, env) parses and whitelists the expression on every call."""
    import decimal

    decimal.getcontext().prec = 28
    t = time.perf_counter()
    rows = _python_rows(frame)
    fund = {k: Decimal(v) for k, v in PLAN["fund_inputs"].items()}
    outs = []
    for r in rows:
        env = {**r, **fund}
        for name, expr in PY_STEPS[:TOTAL_AFTER]:
            env[name] = _spec_evaluate(expr, env)
        outs.append(env)
    total = sum((e["new_hire"] for e in outs), Decimal(0))
    for env in outs:
        env["total_new_hire"] = total
        for name, expr in PY_STEPS[TOTAL_AFTER:]:
            env[name] = _spec_evaluate(expr, env)
    elapsed = time.perf_counter() - t
    digest = hashlib.sha256("".join(str(e["final_bonus"]) for e in outs).encode()).hexdigest()
    return elapsed, digest, {}


def _spec_evaluate(expr, env):
    tree = ast.parse(expr, mode="eval")
    _safe_check(tree)
    return _to_dec(SafeEval(env).visit(tree.body))


def run_zen(compiled, frame):
    import zen

    t = time.perf_counter()
    rows = _python_rows(frame)
    fund = {k: float(v) for k, v in PLAN["fund_inputs"].items()}
    exprs = [(name, zen.compile_expression(e)) for name, e in ZEN_STEPS]
    outs = []
    for r in rows:
        ctx = {k: (float(v) if isinstance(v, Decimal) else v) for k, v in r.items()}
        ctx["eligible"] = bool(ctx["eligible"])
        ctx.update(fund)
        for name, e in exprs[:TOTAL_AFTER]:
            ctx[name] = e.evaluate(ctx)
        outs.append(ctx)
    total = sum(c["new_hire"] for c in outs)
    for ctx in outs:
        ctx["total_new_hire"] = total
        for name, e in exprs[TOTAL_AFTER:]:
            ctx[name] = e.evaluate(ctx)
    elapsed = time.perf_counter() - t
    digest = hashlib.sha256("".join(str(c["final_bonus"]) for c in outs).encode()).hexdigest()
    return elapsed, digest, {}


# ---- the spec §16 SafeEval, extended only as far as the plan needs (strings, more functions) ----


def _to_dec(x):
    return x if isinstance(x, (Decimal, str)) else Decimal(str(x))


_BINOPS = {ast.Add: op.add, ast.Sub: op.sub, ast.Mult: op.mul, ast.Div: op.truediv, ast.Mod: op.mod, ast.Pow: op.pow}
_CMPS = {ast.Eq: op.eq, ast.NotEq: op.ne, ast.Gt: op.gt, ast.GtE: op.ge, ast.Lt: op.lt, ast.LtE: op.le}
_UNARY = {ast.UAdd: lambda x: x, ast.USub: op.neg}
_FUNCS = {
    "min": lambda a, b: _to_dec(min(_to_dec(a), _to_dec(b))),
    "max": lambda a, b: _to_dec(max(_to_dec(a), _to_dec(b))),
    "round2": lambda x: _to_dec(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN),
    "clip": lambda x, lo, hi: _to_dec(min(max(_to_dec(x), _to_dec(lo)), _to_dec(hi))),
    "cap_floor": lambda x, cap, floor: _to_dec(min(max(_to_dec(x), _to_dec(floor)), _to_dec(cap))),
    "hurdle": lambda perf, rate: Decimal("0") if _to_dec(perf) < _to_dec(rate) else _to_dec(perf),
    "pct_change": lambda cur, prev: (_to_dec(cur) - _to_dec(prev)) / _to_dec(prev),
}


def _safe_check(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Attribute, ast.Subscript, ast.Lambda, ast.Dict, ast.List, ast.Set)):
            raise ValueError(f"Disallowed node: {type(node)}")


class SafeEval(ast.NodeVisitor):
    def __init__(self, env):
        self.env = env

    def visit(self, node):
        m = "visit_" + node.__class__.__name__
        if not hasattr(self, m):
            raise ValueError(f"Disallowed node: {node.__class__.__name__}")
        return getattr(self, m)(node)

    def visit_Constant(self, n):
        return n.value if isinstance(n.value, str) else _to_dec(n.value)

    def visit_Name(self, n):
        return self.env[n.id]

    def visit_BinOp(self, n):
        return _BINOPS[type(n.op)](_to_dec(self.visit(n.left)), _to_dec(self.visit(n.right)))

    def visit_UnaryOp(self, n):
        return _UNARY[type(n.op)](_to_dec(self.visit(n.operand)))

    def visit_Compare(self, n):
        f = _CMPS[type(n.ops[0])]
        return Decimal(1) if f(self.visit(n.left), self.visit(n.comparators[0])) else Decimal(0)

    def visit_IfExp(self, n):
        return self.visit(n.body) if self.visit(n.test) != 0 else self.visit(n.orelse)

    def visit_Call(self, n):
        return _FUNCS[n.func.id](*[self.visit(a) for a in n.args])


ENGINES = {
    "vectorized": run_vectorized,
    "vectorized_guarded": run_vectorized_guarded,
    "reference": run_reference,
    "safeeval": run_safeeval,
    "safeeval_spec": run_safeeval_spec,
    "float64": run_float64,
    "zen": run_zen,
}


def child(engine: str, rows: int, repeat: int) -> None:
    compiled, frame = make_frame(rows)
    times, digest, extra = [], "", {}
    for _ in range(repeat):
        elapsed, digest, extra = ENGINES[engine](compiled, frame)
        times.append(elapsed)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux → MiB
    print(
        json.dumps(
            {
                "engine": engine,
                "rows": rows,
                "seconds": statistics.median(times),
                "all": times,
                "rss_mb": rss,
                "digest": digest,
                **extra,
            }
        )
    )


def measure(engine: str, rows: int, repeat: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", engine, str(rows), str(repeat)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", nargs=3, metavar=("ENGINE", "ROWS", "REPEAT"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--slow-max", type=int, default=100_000, help="largest size for row-by-row engines")
    parser.add_argument("--engines", default="vectorized,float64,reference,safeeval,safeeval_spec,zen")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), int(args.child[2]))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = args.engines.split(",")
    results: dict[tuple[str, int], dict] = {}
    for rows in sizes:
        for engine in engines:
            slow = engine in ("reference", "safeeval", "safeeval_spec", "zen")
            if slow and rows > args.slow_max:
                continue
            r = measure(engine, rows, 1 if slow else 5)
            results[(engine, rows)] = r
            print(f"# {engine:10s} {rows:>9,d} rows  {r['seconds']:9.3f} s  {r['rss_mb']:7.0f} MiB", file=sys.stderr)
    # extrapolate slow engines linearly from their largest measured size
    for engine in engines:
        measured = [n for n in sizes if (engine, n) in results]
        for rows in sizes:
            if (engine, rows) not in results and measured:
                base = results[(engine, max(measured))]
                results[(engine, rows)] = {
                    **base,
                    "rows": rows,
                    "seconds": base["seconds"] * rows / base["rows"],
                    "extrapolated_from": base["rows"],
                    "rss_mb": None,
                }
    print(
        "| engine | rows | engine time (s) | rows/s | peak RSS (MiB) | vs SafeEval | vs SafeEval §16 as written "
        "| vs ZEN | vs Float64 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for rows in sizes:
        for engine in engines:
            r = results.get((engine, rows))
            if not r:
                continue
            secs = r["seconds"]
            mark = f" (extrapolated from {r['extrapolated_from']:,})" if "extrapolated_from" in r else ""

            def ratio(other, _rows=rows, _secs=secs):
                o = results.get((other, _rows))
                return f"{o['seconds'] / _secs:,.1f}×" if o else "–"

            rss = f"{r['rss_mb']:,.0f}" if r.get("rss_mb") else "–"
            print(
                f"| {engine}{mark} | {rows:,} | {secs:,.3f} | {rows / secs:,.0f} | {rss} | {ratio('safeeval')} | "
                f"{ratio('safeeval_spec')} | {ratio('zen')} | {ratio('float64')} |"
            )
    for rows in sizes:
        v, ref = results.get(("vectorized", rows)), results.get(("reference", rows))
        if v and ref and "extrapolated_from" not in ref:
            same = v["digest"] == ref["digest"]
            print(
                f"\nvectorized vs reference OUT.csv at {rows:,} rows: {'byte-identical' if same else 'DIFFERENT'}"
                f" (sha256 {v['digest'][:16]}…); vectorized fell back to guards: {v.get('guarded')}"
            )


if __name__ == "__main__":
    main()
