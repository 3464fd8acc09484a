"""Benchmark: quality per epoch of SynthoHive's CTGAN and the ``ctgan`` package, same settings.

Run with the benchmark environment (it has ``ctgan`` and ``sdmetrics``):

    python benchmarks/bench_ctgan_quality.py                 # all tables
    python benchmarks/bench_ctgan_quality.py --tables census --seeds 0 1 2

Both models get the same epochs, batch size (500) and pac (10); ours runs without a
validation hold-out (``validation_fraction=0``, the last epoch is kept, as the package does)
at its default learning rates, 2e-4 for both networks like the package's. Each (table, seed)
prints, for both: fit seconds, SDMetrics ``QualityReport`` score with its two properties
(column shapes, column pair trends) and the share of synthetic rows that copy a real row
exactly. The last lines give the mean over seeds per table. ``--details`` also prints, per
(table, seed), each column's shape score and each scored pair's trend score for both
libraries (SDMetrics 0.32 scores only the pairs whose real association passes its threshold:
on ``census`` that is one pair, work class x hours, which is then the whole *Column Pair
Trends* score).

Tables:

* every table of at least ``--min-rows`` rows of each dataset shipped in
  ``synthohive.datasets`` (and of each dataset folder passed with ``--dataset-dir``), made
  single-table: the non-key columns of its parents are joined in (named
  ``parent.column``), then primary and foreign keys, constant columns, free text (strings
  with more than ``MAX_CATEGORIES`` values) and personal columns (people's names, contact details,
  credentials) are dropped; ``--tables`` picks datasets or ``dataset.table`` names;
* ``census``: a generated 26,000-row x 9-column people table (ages, skewed incomes, hours
  with spikes at 0 and 40, children counts, a join date; hours and income are 0 exactly when
  the work class is "none"), seeded, so the run needs no download.

The ``ctgan`` package cannot model datetimes: it gets them as epoch seconds and its output is
converted back. Torch runs on one thread for both (the shared machine is oversubscribed).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

import synthohive as sh

BATCH_SIZE = 500
PAC = 10
MAX_CATEGORIES = 30
#: Personal columns (contact details, credentials) are left out of the benchmark tables.
PERSONAL = re.compile(r"first_name|last_name|address|postal|phone|fax|email|password|username")


def census(n_rows: int = 26_000, seed: int = 0) -> pd.DataFrame:
    """A generated people table with skewed numbers, spikes and a deterministic link."""
    rng = np.random.default_rng(seed)
    education = rng.choice(["hs", "college", "bachelor", "master", "phd"], n_rows,
                           p=[0.35, 0.25, 0.25, 0.11, 0.04])
    level = pd.Series(education).map(
        {"hs": 0, "college": 1, "bachelor": 2, "master": 3, "phd": 4}).to_numpy()
    sex = rng.choice(["f", "m"], n_rows)
    region = rng.choice(["north", "south", "east", "west", "center", "islands"], n_rows,
                        p=[0.2, 0.25, 0.2, 0.2, 0.1, 0.05])
    age = np.clip(rng.gamma(6, 7, n_rows) + 17, 17, 90).round().astype(np.int64)
    work = rng.choice(["private", "public", "self", "none"], n_rows, p=[0.6, 0.15, 0.12, 0.13])
    hours = np.where(work == "none", 0.0,
                     np.where(rng.random(n_rows) < 0.55, 40.0,
                              np.clip(rng.normal(38, 12, n_rows), 1, 99))).round()
    income = (np.exp(9.5 + 0.25 * level + 0.01 * (age - 40) + rng.normal(0, 0.6, n_rows))
              * (hours > 0) * (1 + 0.2 * (sex == "m"))).round(-2)
    children = np.minimum(rng.poisson(np.where(age > 30, 1.6, 0.4)), 8)
    start = pd.Timestamp("2020-01-01").value // 10**9
    seconds = (rng.beta(2, 5, n_rows) * 4 * 365 * 86_400).astype(np.int64)
    joined = pd.to_datetime(start + seconds, unit="s").floor("D")
    return pd.DataFrame({"age": age, "education": education, "sex": sex, "region": region,
                         "workclass": work, "hours": hours, "income": income,
                         "children": children, "joined": joined})


def single_tables(tables: dict[str, pd.DataFrame], schema: sh.Schema,
                  min_rows: int) -> dict[str, pd.DataFrame]:
    """Each table of ``min_rows`` rows or more, with its parents' columns, keys dropped."""
    keys = {spec.primary_key for spec in schema.tables.values()}
    keys |= {fk.column for fk in schema.foreign_keys} | {fk.parent_column
                                                        for fk in schema.foreign_keys}
    out = {}
    for name, table in tables.items():
        if len(table) < min_rows:
            continue
        flat = table
        for fk in schema.parents(name):
            parent = tables[fk.parent_table]
            extra = {c: f"{fk.parent_table}.{c}" for c in parent.columns if c not in keys}
            flat = flat.merge(parent[[fk.parent_column, *extra]].rename(columns=extra),
                              how="left", left_on=fk.column, right_on=fk.parent_column)
        kept = [c for c in flat.columns if c not in keys and _modelled(c, flat[c])]
        if len(kept) >= 3:
            out[name] = flat[kept].reset_index(drop=True)
    return out


def _modelled(name: str, column: pd.Series) -> bool:
    """Not constant, and not free text or a personal column."""
    if column.nunique() < 2:
        return False
    textual = not (pd.api.types.is_numeric_dtype(column)
                   or pd.api.types.is_datetime64_any_dtype(column))
    return not textual or (column.nunique() <= MAX_CATEGORIES and not PERSONAL.search(name))


def sdtypes(table: pd.DataFrame) -> dict[str, str]:
    """SDMetrics sdtype of every column (what both models and the report agree on)."""
    kinds = {}
    for name, column in table.items():
        if pd.api.types.is_datetime64_any_dtype(column):
            kinds[name] = "datetime"
        elif pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            kinds[name] = "numerical"
        else:
            kinds[name] = "categorical"
    return kinds


def quality(real: pd.DataFrame, synthetic: pd.DataFrame) -> dict[str, Any]:
    """SDMetrics QualityReport: overall score, column shapes, column pair trends.

    ``details`` holds the score of every column (``shape <column>``) and of every scored
    pair (``pair <column> x <column>``).
    """
    from sdmetrics.reports.single_table import QualityReport

    columns = {}
    for name, kind in sdtypes(real).items():
        columns[name] = {"sdtype": kind}
        if kind == "datetime":
            columns[name]["datetime_format"] = "%Y-%m-%d %H:%M:%S"
    report = QualityReport()
    report.generate(real, synthetic[real.columns], {"columns": columns}, verbose=False)
    scores = report.get_properties().set_index("Property")["Score"]
    shapes = report.get_details("Column Shapes")
    pairs = report.get_details("Column Pair Trends").dropna(subset=["Score"])
    details = {f"shape {c}": float(v) for c, v in zip(shapes["Column"], shapes["Score"],
                                                       strict=True)}
    details |= {f"pair {a} x {b}": float(v) for a, b, v in zip(
        pairs["Column 1"], pairs["Column 2"], pairs["Score"], strict=True)}
    return {"quality": float(report.get_score()),
            "shapes": float(scores["Column Shapes"]),
            "pairs": float(scores["Column Pair Trends"]),
            "details": details}


def copy_share(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    """Share of synthetic rows equal to some real row in every column."""
    seen = set(pd.util.hash_pandas_object(real, index=False).to_numpy())
    hashes = pd.util.hash_pandas_object(synthetic[real.columns], index=False).to_numpy()
    return float(np.mean([h in seen for h in hashes]))


def fit_ours(table: pd.DataFrame, epochs: int, seed: int) -> tuple[pd.DataFrame, float]:
    model = sh.CTGAN(epochs=epochs, batch_size=BATCH_SIZE, pac=PAC, validation_fraction=0.0,
                     device="cpu", random_state=seed)
    start = time.perf_counter()
    model.fit(table)
    seconds = time.perf_counter() - start
    return model.sample(len(table), random_state=seed), seconds


def fit_theirs(table: pd.DataFrame, epochs: int, seed: int) -> tuple[pd.DataFrame, float]:
    from ctgan import CTGAN as PackageCTGAN

    kinds = sdtypes(table)
    dates = [c for c, k in kinds.items() if k == "datetime"]
    data = table.copy()
    for column in dates:
        data[column] = data[column].astype("int64") / 1e9
    for column in (c for c, k in kinds.items() if k == "categorical"):
        data[column] = data[column].astype(object)
    model = PackageCTGAN(epochs=epochs, batch_size=BATCH_SIZE, pac=PAC)
    model.set_random_state(seed)
    start = time.perf_counter()
    model.fit(data, discrete_columns=[c for c, k in kinds.items() if k == "categorical"])
    seconds = time.perf_counter() - start
    out = model.sample(len(table))
    for column in dates:
        out[column] = pd.to_datetime((out[column] * 1e9).astype("int64"))
    return out, seconds


def load_tables(args: argparse.Namespace) -> dict[str, pd.DataFrame]:
    found: dict[str, pd.DataFrame] = {"census": census()}
    sources = [(name, lambda n=name: sh.datasets.load(n)) for name in sh.datasets.list_datasets()]
    sources += [(path.name, lambda p=path: sh.datasets.read_dataset_dir(p))
                for path in args.dataset_dir]
    for dataset, load in sources:
        tables, schema = load()
        for name, table in single_tables(tables, schema, args.min_rows).items():
            found[f"{dataset}.{name}"] = table
    if args.tables:
        found = {k: v for k, v in found.items() if k in args.tables or k.split(".")[0]
                 in args.tables}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--tables", nargs="*", help="table or dataset names (default: all)")
    parser.add_argument("--min-rows", type=int, default=2000)
    parser.add_argument("--dataset-dir", type=Path, nargs="*", default=[],
                        help="extra dataset folders (read with read_dataset_dir)")
    parser.add_argument("--details", action="store_true",
                        help="print per-column and per-pair scores of each run")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.getLogger("synthohive").setLevel(logging.WARNING)
    torch.set_num_threads(1)

    rows = []
    for name, table in load_tables(args).items():
        print(f"\n== {name}: {len(table)} rows x {table.shape[1]} columns, {args.epochs} "
              f"epochs, batch {BATCH_SIZE}, pac {PAC}", flush=True)
        for seed in args.seeds:
            details = {}
            for library, fit in (("synthohive", fit_ours), ("ctgan", fit_theirs)):
                synthetic, seconds = fit(table, args.epochs, seed)
                row = {"table": name, "seed": seed, "library": library, "fit_s": seconds,
                       **quality(table, synthetic), "copies": copy_share(table, synthetic)}
                rows.append(row)
                print(f"seed {seed}  {library:10s}  fit {seconds:7.1f}s  quality "
                      f"{row['quality']:.4f} (shapes {row['shapes']:.4f}, pairs "
                      f"{row['pairs']:.4f})  exact copies {row['copies']:.2%}", flush=True)
                details[library] = row["details"]
            if args.details:
                print(pd.DataFrame(details).round(3).to_string(), flush=True)
    frame = pd.DataFrame(rows)
    print("\n== mean over seeds")
    print(frame.groupby(["table", "library"])[["fit_s", "quality", "shapes", "pairs", "copies"]]
          .mean().round(4).to_string())
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
