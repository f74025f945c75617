"""PharOS formula engine: a safe expression language for bonus plans, evaluated exactly.

Layers: parser (text → AST) → validator (names, types, DAG → CompiledPlan) → engines (reference:
row-by-row Decimal; vectorized: Polars Decimal(38,10)) → RunResult. Pure: no database, web or queue.
"""
