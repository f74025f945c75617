"""Compensation runs end to end, against the spec's §16 SafeEval path over the same data.

    DATABASE_URL=… REDIS_URL=… python -m bench.comp_runs [--rows 10000 1000000] [--write-doc]

In a scratch database (created, migrated, demo-seeded, dropped; bench/scratch.py), for each size:
  file      an employee file of N analysts for the demo plan (2025 Analyst Bonus Plan v1: 10 inputs,
            13 steps, total() included), written as CSV
  import    uploaded (models.uploads OneShot), mapped and validated, imported into comp_employee_rows
            (the two import jobs run in process on the worker's code path: run_job_sync)
  run       POST /runs' action and its comp.run job: load (COPY), type, evaluate (vectorized, exact
            Decimal(38,10)), allocate the pool, persist one row per employee (COPY), totals, digests
  e2e       import + run: uploaded file → results persisted → totals
  safeeval  the same 13 steps row by row with the §16 SafeEval (Python ast, Decimal; trees parsed
            once; total() as a pre-pass), evaluation only — no reading, typing or writing
Peak RSS is the process's (ru_maxrss) after each size. Ratios are from the same run.
"""

from __future__ import annotations

import argparse
import ast
import io
import random
import resource
import time
from decimal import Decimal

import polars as pl

from bench.scratch import drop_scratch_db, scratch_services, write_section

HEADER = ["employee_ref", "employee_name", "team", "fund", "role", "salary", "perf_score", "tenure_years", "dept",
          "hire_date", "compliance_breach"]  # fmt: skip

# the demo plan's steps in Python syntax for SafeEval (pct(x) = x / 100; total() a pre-pass)
SAFEEVAL_STEPS = [
    ("target_bonus", "salary * target_pct / 100"),
    (
        "perf_multiplier",
        "1.5 if perf_score >= 4.5 else (1.2 if perf_score >= 3.5 else (1 if perf_score >= 2.5 else 0.5))",
    ),
    ("fund_factor", "clip(1 + max(fund_return - hurdle_rate, 0) * 2, 1, 1.5)"),
    ("tenure_uplift", "1.1 if tenure_years >= 5 else (1.05 if tenure_years >= 2 else 1)"),
    ("gross_bonus", "target_bonus * perf_multiplier * fund_factor * tenure_uplift"),
    ("compliance_factor", "1 - compliance_breach"),
    ("eligible", "(0 if dept == 'interns' else 1) if hire_date < '2025-10-01' else 0"),
    ("capped_bonus", "min(gross_bonus * compliance_factor * eligible, salary * 0.6)"),
    ("pool_scale", "pool_budget / team_total if team_total > pool_budget else 1"),
    (
        "deferred_portion",
        "round2((capped_bonus * pool_scale - 100000) * 0.4) if capped_bonus * pool_scale > 100000 else 0",
    ),
    ("cash_portion", "round2(capped_bonus * pool_scale) - deferred_portion"),
    ("final_bonus", "cash_portion + deferred_portion"),
]


def employees(n: int, seed: int = 2025) -> pl.DataFrame:
    rnd = random.Random(seed)
    r = rnd.random
    return pl.DataFrame(
        {
            "employee_ref": [f"AN-{i:07d}" for i in range(1, n + 1)],
            "employee_name": [f"Analyst {i}" for i in range(1, n + 1)],
            "team": [("Desk", "Research", "Risk")[int(r() * 3)] for _ in range(n)],
            "fund": [("Global Macro", "Asia Equity")[int(r() * 2)] for _ in range(n)],
            "role": [("Analyst", "Associate")[int(r() * 2)] for _ in range(n)],
            "salary": [f"{50_000 + int(r() * 200_000)}.{int(r() * 100):02d}" for _ in range(n)],
            "perf_score": [f"{(10 + int(r() * 41)) / 10:.1f}" for _ in range(n)],
            "tenure_years": [str(int(r() * 20)) for _ in range(n)],
            "dept": [("research", "trading", "risk", "interns")[min(3, int(r() * 3.15))] for _ in range(n)],
            "hire_date": [f"{2005 + int(r() * 21)}-{1 + int(r() * 12):02d}-01" for _ in range(n)],
            "compliance_breach": ["true" if r() < 0.02 else "false" for _ in range(n)],
        }
    )


def safeeval(frame: pl.DataFrame) -> float:
    from bench.formula import SafeEval, _safe_check

    trees = []
    for name, expr in SAFEEVAL_STEPS:
        tree = ast.parse(expr, mode="eval")
        _safe_check(tree)
        trees.append((name, tree))
    fixed = {"target_pct": Decimal("15"), "fund_return": Decimal("0.12"), "hurdle_rate": Decimal("0.08"),
             "pool_budget": Decimal("1500000")}  # fmt: skip
    started = time.perf_counter()
    envs = []
    for row in frame.iter_rows(named=True):
        env = dict(fixed)
        env.update(
            salary=Decimal(row["salary"]),
            perf_score=Decimal(row["perf_score"]),
            tenure_years=Decimal(row["tenure_years"]),
            compliance_breach=Decimal(1 if row["compliance_breach"] == "true" else 0),
            dept=row["dept"],
            hire_date=row["hire_date"],
        )
        for name, tree in trees[:8]:
            env[name] = SafeEval(env).visit(tree.body)
        envs.append(env)
    total = sum((e["capped_bonus"] for e in envs), Decimal(0))
    for env in envs:
        env["team_total"] = total
        for name, tree in trees[8:]:
            env[name] = SafeEval(env).visit(tree.body)
    return time.perf_counter() - started


def run(n: int, with_safeeval: bool, frame: pl.DataFrame | None = None) -> dict:
    """One size end to end (`frame`: the employees to use instead of `employees(n)`)."""
    import models.comp.kinds  # noqa: F401 - the comp.run kind
    from engine.context import TenantContext
    from engine.imports.machine import IMPORT_MACHINE  # noqa: F401 - the import kinds register with the actions
    from engine.rbac import Role
    from models.comp.runs import actions as run_actions
    from models.comp.runs import queries
    from models.comp.runs.actions import RunStart
    from models.imports import actions as import_actions
    from models.imports import queries as import_queries
    from models.jobs.runner import run_job_sync
    from models.uploads.actions import OneShot
    from seeds.comp import plan_id
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID
    from seeds.ids import demo_id

    ctx = TenantContext(DEMO_TENANT_ID, demo_id("user", "hr@demo.test"), Role.HR, tenant_slug=DEMO_SLUG)
    frame = employees(n) if frame is None else frame
    buf = io.BytesIO()
    frame.write_csv(buf)
    data = buf.getvalue()

    started = time.perf_counter()
    shot = OneShot(ctx)
    shot.check_target("comp.employees")
    for at in range(0, len(data), 1 << 20):
        shot.write(data[at : at + (1 << 20)])
    upload = shot.commit(target="comp.employees", filename=f"bench-{n}.csv", content_type="text/csv",
                         meta={"plan_id": str(plan_id(1))})  # fmt: skip
    mapped = import_actions.map_upload(ctx, upload.id, {h: h for h in HEADER})
    assert mapped.job_id is not None
    run_job_sync(ctx.tenant_id, mapped.job_id)
    checked = import_queries.import_status(ctx, upload.id)
    assert checked is not None and checked.status == "valid", (checked.status, checked.error, checked.counts)
    imported = import_actions.start_import(ctx, upload.id)
    assert imported.job_id is not None
    run_job_sync(ctx.tenant_id, imported.job_id)
    t_import = time.perf_counter() - started

    begun = time.perf_counter()
    view = run_actions.start_run(ctx, RunStart(plan_id=plan_id(1), upload_id=upload.id, scenario_name=f"bench {n}"))
    assert view.job_id is not None
    run_job_sync(ctx.tenant_id, view.job_id)
    t_run = time.perf_counter() - begun
    t_e2e = time.perf_counter() - started
    done = queries.run_detail(ctx, view.id)
    assert done.progress.phase == "computed", done
    assert done.employees == n, (done.employees, n)
    pool = done.totals["pool"]
    assert Decimal(pool["allocated"]) == Decimal(pool["amount"]), pool
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t_safe = safeeval(frame) if with_safeeval else None
    return {
        "rows": n,
        "file_mb": len(data) / 1e6,
        "import_s": t_import,
        "run_s": t_run,
        "e2e_s": t_e2e,
        "safeeval_s": t_safe,
        "rss_mb": rss_mb,
        "errors": done.errors,
        "payout_total": done.totals["payout_total"],
        "run_id": view.id,
    }


def render(results: list[dict]) -> str:
    head = (
        "## Compensation runs (end to end)\n\n"
        "`python -m bench.comp_runs` (bench/comp_runs.py): the demo plan (2025 Analyst Bonus Plan v1: 10 inputs, "
        "13 steps, `total()` included) over N generated analysts, in a scratch database on this machine (2 CPUs "
        "shared with other work). *import*: upload, map, validate, import into `comp_employee_rows` (the import "
        "jobs run in process); *run*: `POST /runs`' action and its `comp.run` job (load by COPY, type, evaluate "
        "with the vectorized engine at exact Decimal(38,10), allocate the pool by largest remainder, persist one "
        "result row per employee by COPY, totals, digests, snapshot hash); *e2e* = import + run. *SafeEval*: the "
        "spec's §16 evaluator over the same rows, evaluation only (no reading, typing or writing), so the ratio "
        "understates the gap. Peak RSS: the whole process after that size.\n\n"
        "| employees | file | import | run | end to end | SafeEval (evaluation only) | SafeEval ÷ end to end "
        "| peak RSS |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for r in results:
        safe = f"{r['safeeval_s']:.1f} s" if r["safeeval_s"] is not None else "not measured"
        ratio = f"{r['safeeval_s'] / r['e2e_s']:.1f}×" if r["safeeval_s"] is not None else "—"
        lines.append(
            f"| {r['rows']:,} | {r['file_mb']:.1f} MB | {r['import_s']:.2f} s | {r['run_s']:.2f} s "
            f"| {r['e2e_s']:.2f} s | {safe} | {ratio} | {r['rss_mb']:.0f} MB |"
        )
    return head + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 1_000_000])
    parser.add_argument("--no-safeeval-above", type=int, default=10**9, help="skip SafeEval above this many rows")
    parser.add_argument("--write-doc", action="store_true", help="replace the section in docs/benchmarks.md")
    args = parser.parse_args()
    db_url, _ = scratch_services()
    try:
        from models.core.bootstrap import migrate
        from seeds.demo import seed_demo

        migrate()
        seed_demo()
        results = []
        for n in args.rows:
            results.append(run(n, n <= args.no_safeeval_above))
            print(results[-1], flush=True)
        text = render(results)
        print(text)
        if args.write_doc:
            write_section(text, "## Compensation runs (end to end)")
    finally:
        from models.core.db import dispose_engines

        dispose_engines()
        drop_scratch_db(db_url)


if __name__ == "__main__":
    main()
