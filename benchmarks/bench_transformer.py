"""Throughput of ``DataTransformer`` on a large mixed table (default 1M rows x 10 columns).

Run::

    python benchmarks/bench_transformer.py                 # 1M rows
    python benchmarks/bench_transformer.py --rows 200000   # quicker
    python benchmarks/bench_transformer.py --rows 100000 --compare-ctgan   # benchmark venv

Prints a table of seconds and rows/s for ``fit``, ``transform`` and ``inverse_transform``,
and checks that the round trip restores the dtypes. ``--compare-ctgan`` also times the
``ctgan`` package's ``DataTransformer`` on the same table (install ``.[bench]``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from synthohive import DataTransformer


def make_table(n_rows: int, seed: int = 0) -> pd.DataFrame:
    """Five continuous and five discrete columns, two of them with missing values."""
    rng = np.random.default_rng(seed)
    low = rng.random(n_rows) < 0.3
    bimodal = np.where(low, rng.normal(-5, 1, n_rows), rng.normal(3, 2, n_rows))
    amount = rng.lognormal(3, 1, n_rows)
    amount[rng.random(n_rows) < 0.05] = np.nan
    return pd.DataFrame({
        "bimodal": bimodal,
        "amount": amount,
        "bytes": rng.integers(10**5, 10**8, n_rows),
        "ratio": rng.beta(2, 5, n_rows).astype("float32"),
        "created": pd.Timestamp("2015-01-01")
        + pd.to_timedelta(rng.integers(0, 3 * 10**8, n_rows), unit="s"),
        "country": rng.choice(["FR", "DE", "US", "JP", "BR", "IN", "CN", "GB"], n_rows),
        "tier": pd.Categorical(rng.choice(["gold", "silver", "bronze"], n_rows, p=[0.1, 0.3, 0.6])),
        "active": rng.random(n_rows) < 0.7,
        "rating": rng.integers(1, 6, n_rows),
        "channel": pd.array(rng.choice(["web", "app", "shop", None], n_rows), dtype="string"),
    })


def timed(function: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def report(name: str, n_rows: int, seconds: dict[str, float]) -> None:
    for step, elapsed in seconds.items():
        print(f"{name:<22} {step:<18} {elapsed:>9.2f} {n_rows / elapsed:>14,.0f}")


def bench_synthohive(table: pd.DataFrame) -> None:
    transformer = DataTransformer(random_state=0)
    _, fit_s = timed(transformer.fit, table)
    encoded, transform_s = timed(transformer.transform, table)
    restored, inverse_s = timed(transformer.inverse_transform, encoded)
    report("synthohive", len(table), {
        "fit": fit_s, "transform": transform_s, "inverse_transform": inverse_s,
    })
    if list(restored.dtypes) != list(table.dtypes):
        raise SystemExit(f"dtypes not restored: {restored.dtypes.to_dict()}")
    print(f"  output_dim_={transformer.output_dim_}, "
          f"max_fit_rows={transformer.max_fit_rows}, dtypes restored")


def bench_ctgan(table: pd.DataFrame) -> None:
    from ctgan.data_transformer import DataTransformer as CTGANTransformer

    discrete = ["country", "tier", "active", "rating", "channel"]
    frame = table.astype({"channel": object, "tier": object}).fillna({"amount": 0.0})
    frame["created"] = frame["created"].astype("int64")
    transformer = CTGANTransformer()
    _, fit_s = timed(transformer.fit, frame, discrete)
    encoded, transform_s = timed(transformer.transform, frame)
    _, inverse_s = timed(transformer.inverse_transform, encoded)
    report("ctgan 0.12", len(frame), {
        "fit": fit_s, "transform": transform_s, "inverse_transform": inverse_s,
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--compare-ctgan", action="store_true")
    args = parser.parse_args()
    table = make_table(args.rows)
    print(f"{args.rows:,} rows x {table.shape[1]} columns")
    print(f"{'library':<22} {'step':<18} {'seconds':>9} {'rows/s':>14}")
    bench_synthohive(table)
    if args.compare_ctgan:
        bench_ctgan(table)


if __name__ == "__main__":
    main()
