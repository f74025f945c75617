"""The vectorized resolver: many (sku, org, channel, at) requests at once, in Polars.

It applies exactly the rules of `engine.pricing.resolver` (same precedence, window, currency and
tie-break; a property test checks both forms agree on every input) but returns only the outcome,
not the explanation: call `resolve()` for the one request a user asks "why?" about.

Shapes (see docs/catalog.md, "Vectorized resolution"):

- queries: QUERY_SCHEMA columns (`sku_id`, `org_id`, `channel_id`, `at`, `currency`, `kind`);
  any other columns (e.g. a sale row id) pass through untouched, in input order.
- rules: RULE_SCHEMA columns, one row per price rule, `kind`/`currency` from its price book.
- result: the query frame plus RESULT_COLUMNS: `price` (Decimal(38,10), null = no price),
  `rule_id`, `price_book_id`, `level` (org_channel | channel | org | global, null = no price).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from engine.errors import ValidationFailed
from engine.pricing.model import Level, PriceQuery, PriceRule

MONEY = pl.Decimal(38, 10)
INSTANT = pl.Datetime("us", "UTC")

QUERY_SCHEMA: dict[str, pl.DataType] = {
    "sku_id": pl.String(),
    "org_id": pl.String(),
    "channel_id": pl.String(),
    "at": INSTANT,
    "currency": pl.String(),
    "kind": pl.String(),
}

RULE_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "sku_id": pl.String(),
    "org_id": pl.String(),
    "channel_id": pl.String(),
    "amount": MONEY,
    "currency": pl.String(),
    "kind": pl.String(),
    "effective_from": INSTANT,
    "effective_to": INSTANT,
    "priority": pl.Int64(),
    "price_book_id": pl.String(),
}

RESULT_COLUMNS = ("price", "rule_id", "price_book_id", "level")

_ROW = "__pricing_row"


def rules_frame(rules: Iterable[PriceRule]) -> pl.DataFrame:
    """Rules as a RULE_SCHEMA frame."""
    rows = list(rules)
    return pl.DataFrame(
        {
            "id": [r.id for r in rows],
            "sku_id": [r.sku_id for r in rows],
            "org_id": [r.org_id for r in rows],
            "channel_id": [r.channel_id for r in rows],
            "amount": pl.Series("amount", [r.amount for r in rows], dtype=MONEY),
            "currency": [r.currency for r in rows],
            "kind": [r.kind for r in rows],
            "effective_from": [r.effective_from for r in rows],
            "effective_to": [r.effective_to for r in rows],
            "priority": [r.priority for r in rows],
            "price_book_id": [r.price_book_id for r in rows],
        },
        schema=RULE_SCHEMA,
    )


def queries_frame(queries: Iterable[PriceQuery]) -> pl.DataFrame:
    """Requests as a QUERY_SCHEMA frame."""
    rows = list(queries)
    return pl.DataFrame(
        {
            "sku_id": [q.sku_id for q in rows],
            "org_id": [q.org_id for q in rows],
            "channel_id": [q.channel_id for q in rows],
            "at": [q.at for q in rows],
            "currency": [q.currency for q in rows],
            "kind": [q.kind for q in rows],
        },
        schema=QUERY_SCHEMA,
    )


def _conform(frame: pl.DataFrame, schema: dict[str, pl.DataType], name: str) -> pl.DataFrame:
    """Check columns exist and cast to the canonical types; refuse floats and naive instants."""
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise ValidationFailed(
            f"{name} frame lacks columns {', '.join(missing)}", fields={f"{name}.{c}": "missing" for c in missing}
        )
    casts = []
    for column, dtype in schema.items():
        actual = frame.schema[column]
        if actual == dtype:
            continue
        if dtype == MONEY and actual.is_float():
            raise ValidationFailed(
                f"{name}.{column} is a float column; money must be Decimal", fields={f"{name}.{column}": "float"}
            )
        naive = not isinstance(actual, pl.Datetime) or actual.time_zone is None
        if isinstance(dtype, pl.Datetime) and naive and actual != pl.Null:
            raise ValidationFailed(
                f"{name}.{column} must be a timezone-aware timestamp column",
                fields={f"{name}.{column}": "timezone required"},
            )
        casts.append(pl.col(column).cast(dtype))
    return frame.with_columns(casts) if casts else frame


STRATEGIES = ("auto", "direct", "segments")


def resolve_frame(queries: pl.DataFrame, rules: pl.DataFrame, *, strategy: str = "auto") -> pl.DataFrame:
    """Resolve every row of `queries` against `rules`; returns queries + RESULT_COLUMNS in input order.

    Two strategies give identical answers (a property test checks it):
    - "direct": join every query with the rules of its sku, kind and currency, keep the best.
    - "segments": a winner can only change where some candidate rule starts or ends, so each
      distinct (sku, kind, currency, org, channel) key is resolved once per such boundary and every
      query takes its segment with an as-of join. Millions of sale rows over few keys then cost one
      sort and one join instead of a rules × rows candidate join.
    "auto" picks segments when there are far fewer boundaries than queries.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}")
    queries = _conform(queries, QUERY_SCHEMA, "queries")
    rules = _conform(rules, RULE_SCHEMA, "rules")
    clash = [c for c in RESULT_COLUMNS if c in queries.columns]
    if clash:
        raise ValidationFailed(
            f"queries frame already has result columns {', '.join(clash)}",
            fields={f"queries.{c}": "reserved" for c in clash},
        )
    if strategy == "direct":
        return _resolve_direct(queries, rules)
    keys = queries.select(_KEY).unique()
    if strategy == "auto" and keys.height * 4 >= queries.height:  # few repeats: segments cannot pay off
        return _resolve_direct(queries, rules)
    starts = _segment_starts(keys, rules)
    if strategy == "auto" and starts.height * 4 >= queries.height:
        return _resolve_direct(queries, rules)
    segments = _resolve_direct(starts, rules).with_columns(_join_keys())
    # one integer per key: an as-of join "by" one integer is several times faster than by five strings
    key_ids = keys.with_columns(_join_keys()).select(*_JOIN_KEYS).with_row_index(_KEY_ID)
    picked = (
        queries.select("at", *_KEY)
        .with_row_index(_ROW)
        .with_columns(_join_keys())
        .join(key_ids, on=list(_JOIN_KEYS), how="left")
        .select(_ROW, "at", _KEY_ID)
        .sort("at")
        .join_asof(
            segments.join(key_ids, on=list(_JOIN_KEYS), how="inner").select("at", _KEY_ID, *RESULT_COLUMNS).sort("at"),
            on="at",
            by=_KEY_ID,
            strategy="backward",
            check_sortedness=False,  # sorted by "at" globally just above, hence within every group
        )
        .sort(_ROW)
        .select(RESULT_COLUMNS)
    )
    return queries.hstack(picked)


_KEY = ("sku_id", "kind", "currency", "org_id", "channel_id")
_NULLABLE = ("org_id", "channel_id")  # a null org/channel query is a real key; a null sku matches nothing
_JOIN_KEYS = tuple(f"__key_{k}" if k in _NULLABLE else k for k in _KEY)
_KEY_ID = "__pricing_key"
_NO_VALUE = "\x00"  # stands for a null key part in the as-of join (nulls never match there)


def _join_keys() -> list[pl.Expr]:
    return [pl.col(k).fill_null(_NO_VALUE).alias(f"__key_{k}") for k in _NULLABLE]


def _segment_starts(keys: pl.DataFrame, rules: pl.DataFrame) -> pl.DataFrame:
    """Every instant at which some candidate rule of a query key starts or stops being effective."""
    candidates = keys.join(
        rules.select(
            "sku_id",
            "kind",
            "currency",
            pl.col("org_id").alias("__r_org"),
            pl.col("channel_id").alias("__r_ch"),
            "effective_from",
            "effective_to",
        ),
        on=["sku_id", "kind", "currency"],
        how="inner",
    ).filter(
        (pl.col("__r_org").is_null() | (pl.col("__r_org") == pl.col("org_id")))
        & (pl.col("__r_ch").is_null() | (pl.col("__r_ch") == pl.col("channel_id")))
    )
    starts = pl.concat(
        [
            candidates.select(*_KEY, pl.col("effective_from").alias("at")),
            candidates.filter(pl.col("effective_to").is_not_null()).select(*_KEY, pl.col("effective_to").alias("at")),
        ]
    )
    return starts.unique(maintain_order=False).select(QUERY_SCHEMA.keys())


def _resolve_direct(queries: pl.DataFrame, rules: pl.DataFrame) -> pl.DataFrame:
    """The candidate join itself: every query against every rule of its sku, kind and currency."""
    numbered = queries.lazy().with_row_index(_ROW)
    keys = numbered.select(_ROW, "sku_id", "kind", "currency", "org_id", "channel_id", "at")
    rule_cols = rules.lazy().select(
        pl.col("id").alias("rule_id"),
        "sku_id",
        "kind",
        "currency",
        pl.col("org_id").alias("__rule_org"),
        pl.col("channel_id").alias("__rule_channel"),
        pl.col("amount").alias("price"),
        "effective_from",
        "effective_to",
        "priority",
        "price_book_id",
    )
    rule_org, rule_channel = pl.col("__rule_org"), pl.col("__rule_channel")
    candidates = (
        keys.join(rule_cols, on=["sku_id", "kind", "currency"], how="inner")
        .filter(
            (rule_org.is_null() | (rule_org == pl.col("org_id")))
            & (rule_channel.is_null() | (rule_channel == pl.col("channel_id")))
            & (pl.col("effective_from") <= pl.col("at"))
            & (pl.col("effective_to").is_null() | (pl.col("at") < pl.col("effective_to")))
        )
        .with_columns(
            pl.when(rule_org.is_not_null() & rule_channel.is_not_null())
            .then(pl.lit(int(Level.ORG_CHANNEL)))
            .when(rule_channel.is_not_null())
            .then(pl.lit(int(Level.CHANNEL)))
            .when(rule_org.is_not_null())
            .then(pl.lit(int(Level.ORG)))
            .otherwise(pl.lit(int(Level.GLOBAL)))
            .cast(pl.Int8)
            .alias("__level")
        )
    )
    best = (
        candidates.sort(
            [_ROW, "__level", "priority", "effective_from", "rule_id"],
            descending=[False, False, True, True, False],
        )
        .unique(subset=_ROW, keep="first", maintain_order=True)
        .select(
            _ROW,
            "price",
            "rule_id",
            "price_book_id",
            pl.col("__level")
            .replace_strict({int(level): level.label for level in Level}, return_dtype=pl.String)
            .alias("level"),
        )
    )
    return numbered.join(best, on=_ROW, how="left", maintain_order="left").sort(_ROW).drop(_ROW).collect()
