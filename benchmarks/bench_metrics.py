"""Benchmark: the column + pair metric set on 1M rows x 20 columns.

Run with the system Python (no extra package needed):

    python benchmarks/bench_metrics.py                 # 1,000,000 rows
    python benchmarks/bench_metrics.py --rows 200000

The real and synthetic tables are generated (same layout, the synthetic one perturbed):
8 float columns (normal, gamma, correlated pairs, 5% nulls in one), 2 datetime columns,
3 low-cardinality integer columns, 1 high-cardinality integer column, 4 string columns
(3 to 5,000 categories, nulls in one), 1 bool and 1 pandas ``category`` column: 20 columns,
190 pairs. It prints the wall time of

- ``column_distances`` (exact KS/TVD/null rates from rows),
- ``pair_distances`` (correlation delta, contingency TVD and NMI for all 190 pairs),
- ``ReferenceProfile.fit`` (what a model does at ``fit``) and ``assess`` (what every
  ``sample`` does: columns, pairs and plot data against the stored reference),
- ``evaluate`` (the full report from rows: columns + pairs + plot data).

Wall and CPU seconds are both printed: on a shared machine the CPU time is the steadier
number.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from synthohive.metrics import (
    ReferenceProfile,
    assess,
    column_distances,
    evaluate,
    pair_distances,
)


def make_table(n: int, seed: int, shift: float) -> pd.DataFrame:
    """One table of the benchmark layout; ``shift`` perturbs the synthetic copy."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=n)
    frame = {
        "f0": rng.normal(shift, 1.0, n),
        "f1": rng.gamma(2.0, 3.0 + shift, n),
        "f2": base,
        "f3": base * (0.8 - shift) + rng.normal(size=n),
        "f4": rng.exponential(1.0, n),
        "f5": rng.uniform(0, 100, n),
        "f6": np.where(rng.random(n) < 0.05, np.nan, rng.normal(5, 2, n)),
        "f7": rng.lognormal(0, 1, n),
        "d0": pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 3 * 10**8, n), "s"),
        "d1": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 10**6, n), "s"),
        "i0": rng.integers(0, 5, n),
        "i1": rng.integers(1, 10, n),
        "i2": rng.poisson(2.0 + shift, n),
        "i3": rng.integers(0, 10**6, n),
        "s0": rng.choice(["open", "paid", "void"], n, p=[0.5, 0.4, 0.1]),
        "s1": np.char.add("city", rng.integers(0, 300, n).astype(str)),
        "s2": np.char.add("name", rng.zipf(1.5, n).clip(0, 5000).astype(str)),
        "s3": np.where(rng.random(n) < 0.1, None, rng.choice(["a", "b", "c", "d"], n)),
        "b0": rng.random(n) < 0.3 + shift / 10,
        "c0": pd.Categorical(rng.choice(["x", "y", "z"], n)),
    }
    return pd.DataFrame(frame)


def timed(label: str, function: Callable[..., Any], *args: Any) -> Any:
    start, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:<42} {wall:8.2f} s wall {cpu:8.2f} s CPU")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    real = make_table(args.rows, 0, 0.0)
    synthetic = make_table(args.rows, 1, 0.1)
    print(f"{args.rows:,} rows x {real.shape[1]} columns, {real.shape[1] * 19 // 2} pairs")
    columns = timed("column_distances (rows)", column_distances, real, synthetic)
    pairs = timed("pair_distances (rows)", pair_distances, real, synthetic)
    timed("column + pair set (rows)", lambda: (column_distances(real, synthetic),
                                               pair_distances(real, synthetic)))
    profile = timed("ReferenceProfile.fit (model fit)", ReferenceProfile.fit, real)
    timed("assess against reference (every sample)", assess, profile, synthetic)
    report = timed("evaluate (full report from rows)", evaluate, real, synthetic)
    print(f"column shapes score {report.column_shapes_score:.4f}, "
          f"column pair score {report.column_pair_score:.4f}, "
          f"worst column {columns.loc[columns.distance.idxmax(), 'column']}, "
          f"{len(pairs)} pairs")


if __name__ == "__main__":
    main()
