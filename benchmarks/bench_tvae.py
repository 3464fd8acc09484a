"""Benchmark: SynthoHive's TVAE against the ``ctgan`` package's TVAE (0.12.1), and vs CTGAN.

Run with the benchmark environment (it has ``ctgan``, ``sdmetrics``):

    python benchmarks/bench_tvae.py                 # all tables
    python benchmarks/bench_tvae.py --tables sales --epochs 50

Tables (real rows only; id, name and free-text columns dropped, since a single-table model
is not meant to learn them):

- ``sales``: the 20,439-row union of real sales lines of ``benchmarks/bench_ctgan.py``
  (shop, category, country, unit_price, quantity, discount, amount, date);
- ``track``: chinook ``track`` as shipped in the package (3,503 rows: media type, genre,
  milliseconds, bytes, unit price);
- ``orders``: northwind ``orders`` (830 rows: employee, shipper, freight, country, dates);
- ``film``: sakila ``film`` (1,000 rows: rental duration and rate, length, replacement
  cost, rating, special features).

Per table it prints:

1. Equal settings (``--epochs``, batch size 500, 128/(128, 128)/(128, 128), lr 1e-3, ours
   without validation hold-out or early stopping): fit seconds of both and the ratio,
   sampling seconds (``len(table)`` rows, median of five calls) and the ratio, the same for
   our generation alone (``sample`` also judges every output against the training
   statistics, see ``ConditionalGenerativeModel``), SDMetrics ``QualityReport`` score of both
   and the share of their synthetic rows equal to a training row (exact copies).
2. Checkpointing: the seconds spent writing checkpoints during our fit with
   ``checkpoint_dir`` at the default ``checkpoint_interval``, as a share of that fit's time.
3. Defaults: our TVAE, CTGAN and GaussianCopula with their default parameters: fit
   seconds and quality (where TVAE wins, for ``doc/tvae.md``).

The ``ctgan`` package cannot model datetimes, so it gets them as epoch seconds and its
output is converted back. Both run on the CPU with the same torch threads.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from bench_ctgan import REPEATS, repeated, sales_lines, timed

import synthohive as sh
from synthohive.datasets import dataset_path
from synthohive.metrics import exact_copy_share
from synthohive.models import _checkpoint

SETTINGS = {"batch_size": 500, "embedding_dim": 128, "compress_dims": (128, 128),
            "decompress_dims": (128, 128)}


def _csv(dataset: str, table: str, columns: list[str], dates: tuple[str, ...] = ()
         ) -> pd.DataFrame:
    frame = pd.read_csv(dataset_path(dataset) / f"{table}.csv", usecols=columns)
    for column in dates:
        frame[column] = pd.to_datetime(frame[column])
    return frame[columns]


def tables(names: list[str]) -> dict[str, pd.DataFrame]:
    """The benchmark tables named in ``names`` (see the module docstring)."""
    builders = {
        "sales": sales_lines,
        "track": lambda: sh.datasets.load("chinook")[0]["track"][
            ["media_type_id", "genre_id", "milliseconds", "bytes", "unit_price"]]
        .astype({"media_type_id": str, "genre_id": str}),
        "orders": lambda: _csv("northwind", "orders",
                               ["employee_id", "order_date", "required_date", "ship_via",
                                "freight", "ship_country"],
                               dates=("order_date", "required_date"))
        .astype({"employee_id": str, "ship_via": str}),
        "film": lambda: _csv("sakila", "film", ["rental_duration", "rental_rate", "length",
                                                "replacement_cost", "rating",
                                                "special_features"]),
    }
    return {name: builders[name]().reset_index(drop=True) for name in names}


def metadata(table: pd.DataFrame) -> dict:
    columns = {}
    for column, dtype in table.dtypes.items():
        if pd.api.types.is_datetime64_any_dtype(dtype):
            columns[column] = {"sdtype": "datetime", "datetime_format": "%Y-%m-%d %H:%M:%S"}
        elif pd.api.types.is_numeric_dtype(dtype):
            columns[column] = {"sdtype": "numerical"}
        else:
            columns[column] = {"sdtype": "categorical"}
    return {"columns": columns}


def quality(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    from sdmetrics.reports.single_table import QualityReport

    report = QualityReport()
    report.generate(real, synthetic[real.columns], metadata(real), verbose=False)
    return float(report.get_score())


class TheirTVAE:
    """The ``ctgan`` package's TVAE with datetimes passed as epoch seconds."""

    def __init__(self, epochs: int, seed: int) -> None:
        from ctgan import TVAE as PackageTVAE

        self.model = PackageTVAE(epochs=epochs, cuda=False, l2scale=1e-5, loss_factor=2,
                                 **SETTINGS)
        self.model.set_random_state(seed)

    def fit(self, table: pd.DataFrame) -> None:
        data = table.copy()
        self.dates = [c for c in data.columns
                      if pd.api.types.is_datetime64_any_dtype(data[c])]
        for column in self.dates:
            data[column] = data[column].astype("int64") / 1e9
        discrete = [c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])]
        self.model.fit(data, discrete_columns=discrete)

    def sample(self, n: int) -> pd.DataFrame:
        out = self.model.sample(n)
        for column in self.dates:
            out[column] = pd.to_datetime((out[column] * 1e9).astype("int64"))
        return out


def warm_up(table: pd.DataFrame, args: argparse.Namespace) -> None:
    """Fit both models once on a few rows: the first fit in a process pays one-time imports
    (torch's optimizer loads ``torch._dynamo``, about 10 s here) that neither should be
    charged for."""
    rows = table.head(100)
    sh.TVAE(epochs=1, validation_fraction=0.0, device="cpu", random_state=args.seed).fit(rows)
    TheirTVAE(1, args.seed).fit(rows)


def equal_settings(name: str, table: pd.DataFrame, args: argparse.Namespace) -> dict:
    n = len(table)
    ours = sh.TVAE(epochs=args.epochs, lr=1e-3, validation_fraction=0.0, patience=None,
                   device="cpu", random_state=args.seed, **SETTINGS)
    _, fit_ours = timed(ours.fit, table)
    theirs = TheirTVAE(args.epochs, args.seed)
    _, fit_theirs = timed(theirs.fit, table)
    s_ours, s_theirs = repeated(ours.sample, n), repeated(theirs.sample, n)
    # What generating costs without the quality report every ``sample`` call adds.
    s_bare = repeated(lambda rows: ours._sample(rows, None, args.seed), n)
    rows_ours, rows_theirs = ours.sample(n), theirs.sample(n)[table.columns]
    q_ours, q_theirs = quality(table, rows_ours), quality(table, rows_theirs)
    copies = {"synthohive": exact_copy_share(table, rows_ours),
              "ctgan": exact_copy_share(table, rows_theirs)}
    out = {"fit_seconds": {"synthohive": fit_ours, "ctgan": fit_theirs},
           "train_ratio": fit_theirs / fit_ours,
           "sample_seconds": {"synthohive": s_ours, "ctgan": s_theirs},
           "sample_ratio": s_theirs / s_ours,
           "generate_seconds": s_bare, "generate_ratio": s_theirs / s_bare,
           "quality": {"synthohive": q_ours, "ctgan": q_theirs}, "exact_copies": copies}
    print(f"\n== {name}: {n} rows x {table.shape[1]} columns; equal settings, "
          f"{args.epochs} epochs ==")
    print(f"fit       synthohive {fit_ours:7.2f}s   ctgan {fit_theirs:7.2f}s   "
          f"ratio {out['train_ratio']:.2f}x")
    print(f"sample    synthohive {s_ours:7.3f}s   ctgan {s_theirs:7.3f}s   "
          f"ratio {out['sample_ratio']:.2f}x ({n} rows, median of {REPEATS})")
    print(f"generate  synthohive {s_bare:7.3f}s   (no per-sample quality report)   "
          f"ratio {out['generate_ratio']:.2f}x")
    print(f"quality   synthohive {q_ours:.4f}   ctgan {q_theirs:.4f}")
    print(f"copies    synthohive {copies['synthohive']:.2%}   ctgan {copies['ctgan']:.2%}   "
          "(synthetic rows equal to a training row)")
    return out


def checkpoint_cost(table: pd.DataFrame, args: argparse.Namespace) -> dict:
    """Seconds spent in checkpoint writes, against the fit's seconds."""
    spent = []
    write = _checkpoint.TrainingRun.write

    def timed_write(self: Any, net: Any, finished: bool) -> None:
        start = time.perf_counter()
        write(self, net, finished)
        spent.append(time.perf_counter() - start)

    _checkpoint.TrainingRun.write = timed_write
    try:
        with tempfile.TemporaryDirectory() as directory:
            model = sh.TVAE(epochs=args.epochs, validation_fraction=0.0, patience=None,
                            device="cpu", random_state=args.seed, checkpoint_dir=directory,
                            **SETTINGS)
            _, seconds = timed(model.fit, table)
            size = (Path(directory) / _checkpoint.CHECKPOINT_FILE).stat().st_size
    finally:
        _checkpoint.TrainingRun.write = write
    share = sum(spent) / seconds
    print(f"checkpoints: {len(spent)} writes of {size / 1e6:.2f} MB, {sum(spent):.3f}s of a "
          f"{seconds:.1f}s fit = {100 * share:.2f}% (interval "
          f"{model.checkpoint_interval} epochs)")
    return {"writes": len(spent), "seconds": sum(spent), "fit_seconds": seconds,
            "share": share, "bytes": size}


def defaults(table: pd.DataFrame, args: argparse.Namespace) -> dict:
    out = {}
    for label, model in (("TVAE", sh.TVAE(device="cpu", random_state=args.seed)),
                         ("CTGAN", sh.CTGAN(device="cpu", random_state=args.seed)),
                         ("GaussianCopula", sh.GaussianCopula(random_state=args.seed))):
        _, seconds = timed(model.fit, table)
        score = quality(table, model.sample(len(table)))
        epochs = len(getattr(model, "history_", []))
        out[label] = {"seconds": seconds, "quality": score, "epochs_run": epochs}
        print(f"defaults  {label:15s} {seconds:7.1f}s  quality {score:.4f}"
              + (f"  ({epochs} epochs)" if epochs else ""))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=["sales", "track", "orders", "film"])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-defaults", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.getLogger("synthohive").setLevel(logging.WARNING)
    torch.set_num_threads(args.threads)
    results = {}
    data = tables(args.tables)
    warm_up(next(iter(data.values())), args)
    for name, table in data.items():
        results[name] = {"rows": len(table), "equal": equal_settings(name, table, args),
                         "checkpoint": checkpoint_cost(table, args)}
        if not args.skip_defaults:
            results[name]["defaults"] = defaults(table, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
