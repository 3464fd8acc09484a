"""Benchmark: SynthoHive's GaussianCopula against SDV's GaussianCopulaSynthesizer, by table size.

Run with the benchmark environment (it has SDV 2.0 and ``sdmetrics``)::

    python benchmarks/bench_copula.py
    python benchmarks/bench_copula.py --ctgan     # also CTGAN defaults

Data: the 20,439 real sales lines of ``bench_ctgan.py`` (sakila payments, chinook invoice
lines, northwind order details in one layout), and seeded random samples of 500 to 10,000 of
them, the sizes of the tables of a business database. For every size it prints fit and
sample seconds and the SDMetrics single-table ``QualityReport`` score of

* SynthoHive's ``GaussianCopula`` (the default model of ``RelationalSynthesizer`` for tables
  under 20,000 rows), with its default stratified draws and with ``stratified=False``
  (i.i.d. rows, like SDV's),
* SDV's ``GaussianCopulaSynthesizer`` with its defaults (the same model family; what SDV's
  HMA uses per table),
* with ``--ctgan``, SynthoHive's ``CTGAN`` with its defaults (what the default switches to
  from 20,000 rows),

on the same rows in the same run, and the quality difference and time ratio against SDV.
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings

import pandas as pd
from bench_ctgan import metadata, quality, sales_lines

import synthohive as sh

SIZES = [500, 1000, 2000, 5000, 10000]


def sdv_copula(table: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, float, float]:
    """Fit and sample SDV's GaussianCopulaSynthesizer; return rows, fit and sample seconds."""
    from sdv.metadata import Metadata
    from sdv.single_table import GaussianCopulaSynthesizer

    model = GaussianCopulaSynthesizer(
        Metadata.load_from_dict({"tables": {"lines": metadata(table)}}))
    started = time.perf_counter()
    model.fit({"lines": table})  # SDV 2.0 takes a one-table dict
    fit = time.perf_counter() - started
    model.reset_sampling()  # SDV has no user seed; this fixes its internal one
    started = time.perf_counter()
    rows = model.sample(len(table))
    seconds = time.perf_counter() - started
    return (rows["lines"] if isinstance(rows, dict) else rows), fit, seconds


def ours(model: sh.ConditionalGenerativeModel, table: pd.DataFrame, seed: int
         ) -> tuple[pd.DataFrame, float, float]:
    """Fit and sample one of our models; return rows, fit and sample seconds."""
    started = time.perf_counter()
    model.fit(table)
    fit = time.perf_counter() - started
    started = time.perf_counter()
    rows = model.sample(len(table), random_state=seed)
    return rows, fit, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ctgan", action="store_true", help="also run CTGAN with defaults")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.WARNING)
    full = sales_lines()
    print(f"sales lines: {len(full)} rows x {full.shape[1]} columns; seed {args.seed}")
    for size in [*SIZES, len(full)]:
        table = (full if size == len(full)
                 else full.sample(size, random_state=args.seed).reset_index(drop=True))
        runs = {"ours copula": ours(sh.GaussianCopula(random_state=args.seed), table, args.seed),
                "ours iid": ours(sh.GaussianCopula(stratified=False, random_state=args.seed),
                                 table, args.seed),
                "SDV copula": sdv_copula(table, args.seed)}
        if args.ctgan:
            runs["ours CTGAN"] = ours(sh.CTGAN(device="cpu", random_state=args.seed), table,
                                      args.seed)
        scores = {name: quality(table, rows) for name, (rows, _, _) in runs.items()}
        for name, (_, fit, sample) in runs.items():
            print(f"{size:>6} rows  {name:<12} fit={fit:7.2f}s sample={sample:6.2f}s "
                  f"quality={scores[name]:.3f}", flush=True)
        sdv_fit, sdv_sample = runs["SDV copula"][1:]
        our_fit, our_sample = runs["ours copula"][1:]
        print(f"{'':>6}       -> quality {scores['ours copula'] - scores['SDV copula']:+.3f} vs "
              f"SDV; fit {sdv_fit / max(our_fit, 1e-9):.1f}x, sample "
              f"{sdv_sample / max(our_sample, 1e-9):.1f}x faster", flush=True)


if __name__ == "__main__":
    main()
