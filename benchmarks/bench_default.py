"""The default model per table by measurement: GaussianCopula against TreeSynthesizer, alone.

Run with the benchmark environment::

    python benchmarks/bench_default.py                       # chinook, northwind, sakila
    python benchmarks/bench_default.py --data-dir DIR        # datasets read from DIR/<name>/

For every table of at least ``--min-rows`` rows with a learned column (keys, declared and
detected identifier-like or personal columns left out, as ``sh.metrics.evaluate`` does), each
model is fitted on the table alone (no parent context) and samples as many rows; printed per
table and model, in order of table size:

* ``detection``: ``sh.metrics.detection_score`` of the sample against the table (0.5 ideal);
* ``dcr``: the DCR share of a model fitted on 70 % of the rows, against the other 30 %
  (0.5 ideal), mean of ``--splits`` splits;
* fit seconds.

``synthohive.models.default_model`` switches from the copula to the trees at 200 rows; this
table is what backs the switch (``doc/trees.md``).
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from bench_privacy import load

import synthohive as sh
from synthohive.metrics import dcr_share, detection_score
from synthohive.metrics._evaluate import _judged_columns
from synthohive.metrics._leakage import sensitive_columns

MODELS = {"copula": sh.GaussianCopula, "trees": sh.TreeSynthesizer}


def measure(frame: pd.DataFrame, kind: str, splits: int) -> dict[str, float]:
    """Detection on the whole table, mean DCR share over 70/30 splits, fit seconds."""
    started = time.perf_counter()
    model = MODELS[kind](random_state=0).fit(frame)
    fit_s = time.perf_counter() - started
    detection = detection_score(frame, model.sample(len(frame), random_state=1), random_state=0)
    shares = []
    for split in range(splits):
        held = np.random.default_rng(split).random(len(frame)) < 0.3
        train, holdout = frame[~held], frame[held]
        synthetic = MODELS[kind](random_state=split).fit(train).sample(len(train),
                                                                      random_state=split + 1)
        shares.append(dcr_share(train, holdout, synthetic, random_state=split))
    return {"detection": detection, "dcr": float(np.mean(shares)), "fit_s": fit_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["chinook", "northwind", "sakila"])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--min-rows", type=int, default=20)
    parser.add_argument("--splits", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    warnings.filterwarnings("ignore")
    rows = []
    for name in args.datasets:
        tables, schema = load(name, args.data_dir)
        sensitive = sensitive_columns(tables, schema)
        for table, frame in tables.items():
            columns = _judged_columns(frame, table, schema, sensitive[table][1])
            if len(frame) < args.min_rows or not columns:
                continue
            for kind in MODELS:
                rows.append({"dataset": name, "table": table, "rows": len(frame),
                             "columns": len(columns), "model": kind,
                             **measure(frame[columns], kind, args.splits)})
    results = pd.DataFrame(rows).pivot_table(
        index=["rows", "dataset", "table", "columns"], columns="model",
        values=["detection", "dcr", "fit_s"])
    print(results.to_string(float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
