"""Cross-check: our column-shape score against SDMetrics' Column Shapes on real tables.

Run with the benchmark environment (it has ``sdmetrics``):

    python benchmarks/bench_column_shapes.py
    python benchmarks/bench_column_shapes.py --datasets chinook

For every table of the chosen shipped datasets with at least one non-key column,
two "synthetic" copies are made from the real rows: a bootstrap resample (same size, with
replacement, fixed seed), and the same resample perturbed: numeric values multiplied by
``1 + N(0, 0.05)`` (integers rounded), datetimes moved by up to ±30 days, and 10% of the
discrete values replaced by another value of the column. Key columns (primary and foreign
keys) are left out, as SDMetrics does for ids.

Both scores are computed on the same frames: ours is ``evaluate(real, synthetic)
.column_shapes_score`` (KS or TVD per column by :func:`synthohive.metrics.column_metric`),
SDMetrics' is the "Column Shapes" property of its single-table ``QualityReport`` with each
column's sdtype given by the same rule (KS: numerical/datetime, TVD: categorical/boolean).
Both compare non-null values; they differ by design only when the synthetic column holds
values the real one lacks (SDMetrics ignores them, our TVD counts their share).
The script prints both scores per table and fails (exit 1) if any differ by more than 0.02.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from synthohive.datasets import dataset_path
from synthohive.metrics import column_metric, evaluate

with warnings.catch_warnings():  # the single-table report import warns of a future move
    warnings.simplefilter("ignore", FutureWarning)
    from sdmetrics.reports.single_table import QualityReport as SDMetricsQualityReport

TOLERANCE = 0.02


def load_table(dataset: Path, table: str, dtypes: dict[str, str]) -> pd.DataFrame:
    """Read one CSV with the dtypes of ``dtypes.json`` (text as strings, dates parsed)."""
    text = [c for c, t in dtypes.items() if t == "string"]
    frame = pd.read_csv(dataset / f"{table}.csv", dtype=dict.fromkeys(text, "string"))
    for column, kind in dtypes.items():
        if kind in ("date", "datetime"):
            frame[column] = pd.to_datetime(frame[column])
    return frame


def perturb(real: pd.DataFrame, seed: int, noise: bool) -> pd.DataFrame:
    """A resampled (and with ``noise``, perturbed) copy of ``real`` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    synthetic = real.sample(len(real), replace=True, random_state=seed).reset_index(drop=True)
    for column in synthetic.columns if noise else []:
        values = synthetic[column]
        if column_metric(real[column]) == "TVD":
            pool = real[column].dropna().unique()
            flip = (rng.random(len(values)) < 0.10) & values.notna().to_numpy()
            if len(pool) > 1 and flip.any():
                replaced = values.astype(object).to_numpy()
                replaced[flip] = rng.choice(pool, int(flip.sum()))
                synthetic[column] = pd.Series(replaced).astype(values.dtype)
        elif pd.api.types.is_datetime64_any_dtype(values):
            shift = pd.to_timedelta(rng.integers(-30, 31, len(values)), unit="D")
            synthetic[column] = values + shift
        else:
            noisy = values.astype(float) * (1 + rng.normal(0, 0.05, len(values)))
            if pd.api.types.is_integer_dtype(values):
                noisy = noisy.round()
            synthetic[column] = noisy.astype(values.dtype)
    return synthetic


def sdtype(series: pd.Series) -> str:
    """SDMetrics sdtype matching our KS/TVD rule."""
    if column_metric(series) == "KS":
        return "datetime" if pd.api.types.is_datetime64_any_dtype(series) else "numerical"
    return "boolean" if pd.api.types.is_bool_dtype(series) else "categorical"


def sdmetrics_column_shapes(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    metadata = {"columns": {c: {"sdtype": sdtype(real[c])} for c in real.columns}}
    report = SDMetricsQualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.generate(real, synthetic, metadata, verbose=False)
    properties = report.get_properties().set_index("Property")
    return float(properties.loc["Column Shapes", "Score"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["chinook", "sakila"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(
        f"{'table':<28} {'copy':<14} {'columns':>7} {'rows':>7} {'ours':>8} {'sdmetrics':>10} "
        f"{'diff':>8}"
    )
    worst = 0.0
    for name, noise in itertools.product(args.datasets, (False, True)):
        dataset = dataset_path(name)
        schema = json.loads((dataset / "schema.json").read_text())["tables"]
        dtypes = json.loads((dataset / "dtypes.json").read_text())
        for table, spec in schema.items():
            keys = {spec.get("primary_key")} | {fk["column"] for fk in spec.get("foreign_keys", [])}
            real = load_table(dataset, table, dtypes[table])
            real = real[[c for c in real.columns if c not in keys]]
            if real.shape[1] == 0:
                continue
            synthetic = perturb(real, args.seed, noise)
            ours = evaluate(real, synthetic).column_shapes_score
            theirs = sdmetrics_column_shapes(real, synthetic)
            worst = max(worst, abs(ours - theirs))
            print(
                f"{name + '.' + table:<28} {'resample+noise' if noise else 'resample':<14} "
                f"{real.shape[1]:>7} {len(real):>7} {ours:>8.4f} "
                f"{theirs:>10.4f} {ours - theirs:>+8.4f}"
            )
    verdict = "agree" if worst <= TOLERANCE else "DISAGREE"
    print(f"largest difference {worst:.4f}: scores {verdict} within {TOLERANCE}")
    return 0 if worst <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
