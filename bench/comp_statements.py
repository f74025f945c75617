"""10k individual statements (PDF) of one run, against the run's exports in the same run.

    DATABASE_URL=… REDIS_URL=… python -m bench.comp_statements [--rows 10000] [--unicode 100] [--cjk 20] [--write-doc]

In a scratch database (bench/scratch.py): N analysts for the demo plan imported and run end to end
(bench/comp_runs.py's path), then `statement_pdf` — what `POST /reports/individual-statement`
answers, audit row included — for every employee, one after the other in this process. Most names are
Latin-1 ("Analyst 17": the built-in font, nothing embedded); `--unicode` of them are Polish and
Cyrillic ("Zoë Łukasiewicz", "Дмитрий": DejaVu Sans embedded) and `--cjk` Japanese ("山田 太郎": DejaVu
and Droid Sans Fallback embedded). Baselines in the same run: the whole run exported as CSV, XLSX
and PDF (`export`). Each statement's text is checked to hold its payout.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import polars as pl

from bench.comp_runs import employees, run
from bench.scratch import drop_scratch_db, scratch_services, write_section

TITLE = "## Compensation statements (10k PDFs)"


def _names(n: int, unicode: int, cjk: int) -> list[str]:
    names = [f"Analyst {i}" for i in range(1, n + 1)]
    for i in range(unicode):
        names[n - cjk - unicode + i] = ("Zoë Łukasiewicz", "Дмитрий Иванов")[i % 2] + f" {i}"
    for i in range(cjk):
        names[n - cjk + i] = f"山田 太郎 {i}"
    return names


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _old_tape(ctx, run_id, ref: str):
    """The tape as it was computed before the run's sums were kept: every stored row read back, typed
    and evaluated with the reference engine to trace the one row."""
    from engine.comp.run_frame import ROW, typed_rows
    from engine.comp.runs import tape_for
    from engine.comp.validation import validate_plan
    from models.comp import plans
    from models.comp.runs import runs, store
    from models.core.db import tenant_session

    with tenant_session(ctx) as session:
        run = runs.get_run(session, ctx, run_id)
        spec = plans.spec_of(session, ctx, plans.get_plan(session, ctx, run.plan_id))
        compiled = validate_plan(spec).compiled
        assert compiled is not None
        raw = store.read_employee_rows(session, ctx, run.upload_id, [i.key for i in spec.inputs])
    return tape_for(compiled, typed_rows(spec.inputs, raw).frame.drop(ROW), ref)


def _tapes(ctx, run_id, refs: list[str]) -> dict[str, list[float]]:
    """The tape both ways on the same employees, in this run (the new one checked equal to the old)."""
    from models.comp.runs import aggregates, queries

    aggregates._cache.clear()
    t = time.perf_counter()
    queries.tape(ctx, run_id, refs[0])
    out: dict[str, list[float]] = {"first": [time.perf_counter() - t], "old": [], "new": []}
    for ref in refs:
        t = time.perf_counter()
        old = _old_tape(ctx, run_id, ref)
        out["old"].append(time.perf_counter() - t)
        t = time.perf_counter()
        new = queries.tape(ctx, run_id, ref)
        out["new"].append(time.perf_counter() - t)
        assert [(s.name, s.status, s.refs, s.branches, s.error) for s in new.steps] == [
            (s.name, s.status, s.refs, s.branches, s.error) for s in old.steps
        ], ref
    return out


def _bundle(ctx, run_id) -> tuple[float, int, int]:
    """All statements as one ZIP, the way the page asks for it: the `comp.statements` job, run here on
    the worker's code path. Seconds, statements in the ZIP, bytes."""
    import zipfile

    import models.comp.kinds  # noqa: F401 - the comp.statements kind
    from models.comp.runs import bundles
    from models.jobs.runner import run_job_sync
    from models.uploads.storage import get_storage

    t = time.perf_counter()
    job = bundles.request_bundle(ctx, run_id)
    run_job_sync(ctx.tenant_id, job.job_id)
    secs = time.perf_counter() - t
    done = bundles.bundle_status(ctx, run_id, job.job_id)
    assert done.ready and done.size is not None, done
    with get_storage().open_read(bundles.storage_key(ctx.tenant_id, job.job_id)) as handle:
        count = len(zipfile.ZipFile(handle).namelist())
    assert count == done.total, (count, done.total)
    return secs, count, done.size


def measure(n: int, unicode: int, cjk: int, latin: int | None) -> dict:
    from pypdf import PdfReader

    from engine.context import TenantContext
    from engine.rbac import Role
    from models.comp.runs import queries, reports
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID
    from seeds.ids import demo_id

    frame = employees(n).with_columns(pl.Series("employee_name", _names(n, unicode, cjk)))
    setup = run(n, False, frame)
    ctx = TenantContext(DEMO_TENANT_ID, demo_id("user", "finance@demo.test"), Role.FINANCE, tenant_slug=DEMO_SLUG)
    run_id = setup["run_id"]
    refs = frame["employee_ref"].to_list()
    kinds = ["latin"] * (n - unicode - cjk) + ["unicode"] * unicode + ["cjk"] * cjk
    times: dict[str, list[float]] = {"latin": [], "unicode": [], "cjk": []}
    sizes: dict[str, list[int]] = {"latin": [], "unicode": [], "cjk": []}
    checked = {"latin": refs[0], "unicode": refs[n - cjk - unicode], "cjk": refs[-1]}
    tapes = _tapes(ctx, run_id, refs[:: max(1, n // 20)][:20])
    todo = list(zip(refs, kinds, strict=True))
    if latin is not None:  # a sample of the Latin-1 statements (spread over the file), every other one
        plain = [t for t in todo if t[1] == "latin"]
        step = max(1, len(plain) // max(1, latin))
        todo = plain[::step][:latin] + [t for t in todo if t[1] != "latin"]
        checked["latin"] = todo[0][0]
    started = time.perf_counter()
    for ref, kind in todo:
        t = time.perf_counter()
        pdf = reports.statement_pdf(ctx, run_id, ref)
        times[kind].append(time.perf_counter() - t)
        sizes[kind].append(len(pdf))
        if checked.get(kind) == ref:
            tape = queries.tape(ctx, run_id, ref)
            text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
            assert f"Exact value: {tape.payout}" in text and (tape.employee_name or "") in text, (ref, kind)
    total = time.perf_counter() - started
    exports = {}
    for fmt in ("csv", "xlsx", "pdf"):
        t = time.perf_counter()
        content, _ = reports.export(ctx, run_id, fmt)
        exports[fmt] = (time.perf_counter() - t, len(content))
    bundle = _bundle(ctx, run_id)
    return {
        "bundle": bundle,
        "rows": n,
        "total_s": total,
        "times": times,
        "sizes": sizes,
        "exports": exports,
        "sampled": latin is not None,
        "tapes": tapes,
    }


def render(r: dict) -> str:
    latin = statistics.median(r["times"]["latin"])
    lines = [
        TITLE,
        "",
        "`python -m bench.comp_statements` (bench/comp_statements.py): one run of the demo plan over "
        f"{r['rows']:,} generated analysts (scratch database, this 2-CPU machine shared with other work), then "
        "`statement_pdf` — what `POST /reports/individual-statement` answers, its audit row included — for every "
        "employee, one after another in one process. Names: Latin-1 (built-in Helvetica, nothing embedded), "
        "Polish/Cyrillic (DejaVu Sans embedded) and Japanese (DejaVu + Droid Sans Fallback embedded). Baseline "
        "in the same run: the Latin-1 statement's median, and the whole run's exports.",
        "",
        "| statements | count | median | p95 | max | median ÷ Latin-1 median | median size |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, label in (("latin", "Latin-1 names"), ("unicode", "Polish / Cyrillic"), ("cjk", "Japanese (CJK)")):
        ts = r["times"][kind]
        if not ts:
            continue
        med = statistics.median(ts)
        lines.append(
            f"| {label} | {len(ts):,} | {med * 1000:.0f} ms | {_pct(ts, 0.95) * 1000:.0f} ms | {max(ts) * 1000:.0f} ms "
            f"| {med / latin:.1f}× | {statistics.median(r['sizes'][kind]) / 1024:.0f} KiB |"
        )
    count = sum(len(v) for v in r["times"].values())
    every = sum(statistics.mean(v) * (r["rows"] - sum(len(w) for k, w in r["times"].items() if k != "latin"))
                if k == "latin" else sum(v) for k, v in r["times"].items() if v)  # fmt: skip
    measured = f"{count:,} statements measured: **{r['total_s']:.1f} s** ({count / r['total_s']:.1f} a second)."
    if r["sampled"]:
        measured += f" All {r['rows']:,}, one by one at these means: about **{every / 60:.0f} min**."
    lines += [
        "",
        measured,
        "",
        "| whole-run export | time | size |",
        "|---|---:|---:|",
    ]
    for fmt, (secs, size) in r["exports"].items():
        lines.append(f"| {fmt.upper()} | {secs:.2f} s | {size / 1024:,.0f} KiB |")
    secs, count, size = r["bundle"]
    lines.append(
        f"| all statements, one ZIP of {count:,} PDFs (`comp.statements` job) | {secs:.1f} s | {size / 1024:,.0f} KiB |"
    )
    tapes = r["tapes"]
    old, new = statistics.median(tapes["old"]), statistics.median(tapes["new"])
    lines += [
        "",
        f"The tape alone, both ways on the same {len(tapes['old'])} employees in this run (each new tape checked "
        "equal to the old one): the whole run re-evaluated to trace one row (before) against the one row traced "
        "with the run's `total()` sums (models/comp/runs/aggregates.py; the first tape of a run computes them).",
        "",
        "| tape | median | ÷ before |",
        "|---|---:|---:|",
        f"| before: whole run re-evaluated | {old * 1000:.0f} ms | 1.0× |",
        f"| now: one row with the run's sums | {new * 1000:.1f} ms | {new / old:.3f}× |",
        f"| now, a run's first tape (computes the sums) | {tapes['first'][0] * 1000:.0f} ms | "
        f"{tapes['first'][0] / old:.2f}× |",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--unicode", type=int, default=100)
    parser.add_argument("--cjk", type=int, default=20)
    parser.add_argument("--latin", type=int, default=None, help="render only this many Latin-1 statements (a sample)")
    parser.add_argument("--write-doc", action="store_true", help="replace the section in docs/benchmarks.md")
    args = parser.parse_args()
    db_url, _ = scratch_services()
    try:
        from models.core.bootstrap import migrate
        from seeds.demo import seed_demo

        migrate()
        seed_demo()
        text = render(measure(args.rows, args.unicode, args.cjk, args.latin))
        print(text)
        if args.write_doc:
            write_section(text, TITLE)
    finally:
        from models.core.db import dispose_engines

        dispose_engines()
        drop_scratch_db(db_url)


if __name__ == "__main__":
    main()
