"""Benchmark: SynthoHive's CTGAN against the ``ctgan`` package (0.12.1) on a real table.

Run with the benchmark environment (it has ``ctgan``, ``sdmetrics``):

    python benchmarks/bench_ctgan.py            # quick: 5 epochs
    python benchmarks/bench_ctgan.py --epochs 20 --reference-epochs 50

Data. No single table of the shipped datasets reaches the 20k rows this benchmark needs (the
largest, sakila ``payment``/``rental``, have 16k), so the table is a *union of real sales
lines* of the three shops, with one common layout: sakila payments (joined with rental,
inventory, film category and the customer's country), chinook invoice lines (joined with
invoice and genre) and northwind order details (joined with orders and product category).
That is 20,439 real rows x 8 columns (shop, category, country, unit_price, quantity,
discount, amount, date): discrete columns of very different cardinalities, multi-modal
numbers and a datetime. Nothing is synthetic or duplicated.

What it prints (one run, same machine, same data):

1. Equal settings (``--epochs``, batch size 500, pac 10, 128/(256, 256)/(256, 256), the
   ``ctgan`` package's learning rates 2e-4 for both): fit
   wall time and training rows/s (rows x epochs / fit seconds, preprocessing included) of
   both, and the ratio; sampling rows/s of both (``len(table)`` rows) and the ratio, for the
   first call after ``fit`` and as the median of five more calls;
   SDMetrics single-table ``QualityReport`` score of both.
2. The ``ctgan`` package at ``--reference-epochs`` (default 50): wall time and quality, then
   our CTGAN with its *default* parameters: wall time and quality, and whether ours reaches
   the reference quality in at most a third of its wall time.

The ``ctgan`` package cannot model datetimes, so it gets the date as epoch seconds (a
number) and its output is converted back; our CTGAN takes the datetime column as is.
Both run on the same device (``--device``, CPU by default) and with the same torch threads.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

import synthohive as sh
from synthohive.datasets import dataset_path

DISCRETE = ["shop", "category", "country"]
REPEATS = 5
SETTINGS = {
    "batch_size": 500,
    "pac": 10,
    "embedding_dim": 128,
    "generator_dim": (256, 256),
    "discriminator_dim": (256, 256),
    "generator_lr": 2e-4,
    "discriminator_lr": 2e-4,
}


def _read(dataset: str, table: str) -> pd.DataFrame:
    return pd.read_csv(dataset_path(dataset) / f"{table}.csv")


def sales_lines() -> pd.DataFrame:
    """Build the 20,439-row union of real sales lines (see the module docstring)."""
    payment = _read("sakila", "payment").merge(
        _read("sakila", "rental")[["rental_id", "inventory_id"]], on="rental_id"
    )
    payment = payment.merge(_read("sakila", "inventory")[["inventory_id", "film_id"]],
                            on="inventory_id")
    payment = payment.merge(_read("sakila", "film_category")[["film_id", "category_id"]],
                            on="film_id")
    payment = payment.merge(_read("sakila", "category")[["category_id", "name"]],
                            on="category_id")
    geo = (_read("sakila", "customer")[["customer_id", "address_id"]]
           .merge(_read("sakila", "address")[["address_id", "city_id"]], on="address_id")
           .merge(_read("sakila", "city")[["city_id", "country_id"]], on="city_id")
           .merge(_read("sakila", "country")[["country_id", "country"]], on="country_id"))
    payment = payment.merge(geo[["customer_id", "country"]], on="customer_id")
    sakila = pd.DataFrame({
        "shop": "sakila", "category": payment["name"], "country": payment["country"],
        "unit_price": payment["amount"], "quantity": 1, "discount": 0.0,
        "amount": payment["amount"], "date": payment["payment_date"],
    })

    lines = (_read("chinook", "invoice_line")
             .merge(_read("chinook", "invoice")[["invoice_id", "invoice_date",
                                                 "billing_country"]], on="invoice_id")
             .merge(_read("chinook", "track")[["track_id", "genre_id"]], on="track_id")
             .merge(_read("chinook", "genre").rename(columns={"name": "genre"}),
                    on="genre_id"))
    chinook = pd.DataFrame({
        "shop": "chinook", "category": lines["genre"], "country": lines["billing_country"],
        "unit_price": lines["unit_price"], "quantity": lines["quantity"], "discount": 0.0,
        "amount": lines["unit_price"] * lines["quantity"], "date": lines["invoice_date"],
    })

    details = (_read("northwind", "order_details")
               .merge(_read("northwind", "orders")[["order_id", "order_date", "ship_country"]],
                      on="order_id")
               .merge(_read("northwind", "products")[["product_id", "category_id"]],
                      on="product_id")
               .merge(_read("northwind", "categories")[["category_id", "category_name"]],
                      on="category_id"))
    northwind = pd.DataFrame({
        "shop": "northwind", "category": details["category_name"],
        "country": details["ship_country"], "unit_price": details["unit_price"],
        "quantity": details["quantity"], "discount": details["discount"],
        "amount": (details["unit_price"] * details["quantity"] * (1 - details["discount"]))
        .round(2),
        "date": details["order_date"],
    })
    table = pd.concat([sakila, chinook, northwind], ignore_index=True)
    table["date"] = pd.to_datetime(table["date"], format="ISO8601")
    table["quantity"] = table["quantity"].astype("int64")
    return table


def metadata(table: pd.DataFrame) -> dict:
    columns = {c: {"sdtype": "categorical"} for c in DISCRETE}
    columns.update({c: {"sdtype": "numerical"} for c in
                    ["unit_price", "quantity", "discount", "amount"]})
    columns["date"] = {"sdtype": "datetime", "datetime_format": "%Y-%m-%d %H:%M:%S"}
    return {"columns": {c: columns[c] for c in table.columns}}


def quality(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    from sdmetrics.reports.single_table import QualityReport

    report = QualityReport()
    report.generate(real, synthetic[real.columns], metadata(real), verbose=False)
    return float(report.get_score())


class TheirCTGAN:
    """The ``ctgan`` package's CTGAN with the datetime passed as epoch seconds."""

    def __init__(self, epochs: int, device: str, seed: int) -> None:
        from ctgan import CTGAN as PackageCTGAN

        self.model = PackageCTGAN(epochs=epochs, cuda=device != "cpu", **SETTINGS)
        self.model.set_random_state(seed)

    def fit(self, table: pd.DataFrame) -> None:
        data = table.copy()
        data["date"] = data["date"].astype("int64") / 1e9
        self.model.fit(data, discrete_columns=DISCRETE)

    def sample(self, n: int) -> pd.DataFrame:
        out = self.model.sample(n)
        out["date"] = pd.to_datetime((out["date"] * 1e9).astype("int64"))
        return out


def timed(fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def repeated(fn: Callable[[int], Any], n: int) -> float:
    """Median seconds of ``REPEATS`` calls of ``fn(n)``: one timing on a shared CPU is noisy."""
    return float(np.median([timed(fn, n)[1] for _ in range(REPEATS)]))


def run(args: argparse.Namespace) -> dict:
    table = sales_lines()
    n = len(table)
    torch.set_num_threads(args.threads)
    print(f"table: {n} rows x {table.shape[1]} columns; torch threads "
          f"{torch.get_num_threads()}; device {args.device}")
    results: dict = {"rows": n, "epochs": args.epochs, "device": args.device}

    if args.epochs:
        equal_settings(table, args, results)
    if args.reference_epochs:
        defaults_vs_reference(table, args, results)
    return results


def equal_settings(table: pd.DataFrame, args: argparse.Namespace, results: dict) -> None:
    n = len(table)
    ours = sh.CTGAN(epochs=args.epochs, validation_fraction=0.0, device=args.device,
                    random_state=args.seed, **SETTINGS)
    _, fit_ours = timed(ours.fit, table)
    theirs = TheirCTGAN(args.epochs, args.device, args.seed)
    _, fit_theirs = timed(theirs.fit, table)
    sample_ours, s_ours = timed(ours.sample, n)
    sample_theirs, s_theirs = timed(theirs.sample, n)
    again_ours = repeated(ours.sample, n)
    again_theirs = repeated(theirs.sample, n)
    q_ours, q_theirs = quality(table, sample_ours), quality(table, sample_theirs)
    results["equal"] = {
        "fit_seconds": {"synthohive": fit_ours, "ctgan": fit_theirs},
        "train_rows_per_s": {"synthohive": n * args.epochs / fit_ours,
                             "ctgan": n * args.epochs / fit_theirs},
        "train_ratio": fit_theirs / fit_ours,
        "sample_rows_per_s": {"synthohive": n / s_ours, "ctgan": n / s_theirs},
        "sample_ratio": s_theirs / s_ours,
        "sample_repeated_seconds": {"synthohive": again_ours, "ctgan": again_theirs},
        "sample_repeated_ratio": again_theirs / again_ours,
        "quality": {"synthohive": q_ours, "ctgan": q_theirs},
    }
    eq = results["equal"]
    print(f"\n== equal settings: {args.epochs} epochs, batch 500, pac 10, 128/(256,256) ==")
    print(f"training rows/s  synthohive {eq['train_rows_per_s']['synthohive']:10.0f}   "
          f"ctgan {eq['train_rows_per_s']['ctgan']:10.0f}   ratio {eq['train_ratio']:.2f}x "
          f"(fit {fit_ours:.1f}s vs {fit_theirs:.1f}s)")
    print(f"sampling rows/s  synthohive {eq['sample_rows_per_s']['synthohive']:10.0f}   "
          f"ctgan {eq['sample_rows_per_s']['ctgan']:10.0f}   ratio {eq['sample_ratio']:.2f}x "
          f"({n} rows: {s_ours:.3f}s vs {s_theirs:.3f}s; first call after fit)")
    print(f"sampling, median of {REPEATS} more calls   synthohive {n / again_ours:10.0f}   "
          f"ctgan {n / again_theirs:10.0f}   ratio {eq['sample_repeated_ratio']:.2f}x "
          f"({again_ours:.3f}s vs {again_theirs:.3f}s)")
    print(f"quality (SDMetrics QualityReport)  synthohive {q_ours:.4f}   ctgan {q_theirs:.4f}")


def defaults_vs_reference(table: pd.DataFrame, args: argparse.Namespace, results: dict) -> None:
    n = len(table)
    reference = TheirCTGAN(args.reference_epochs, args.device, args.seed)
    _, t_ref = timed(reference.fit, table)
    q_ref = quality(table, reference.sample(n))
    defaults = sh.CTGAN(device=args.device, random_state=args.seed)
    _, t_def = timed(defaults.fit, table)
    q_def = quality(table, defaults.sample(n))
    results["defaults"] = {
        "ctgan_reference": {"epochs": args.reference_epochs, "seconds": t_ref,
                            "quality": q_ref},
        "synthohive_defaults": {"epochs_run": len(defaults.history_),
                                "best_epoch": defaults.best_epoch_, "seconds": t_def,
                                "quality": q_def},
        "time_fraction": t_def / t_ref,
        "reached": bool(q_def >= q_ref and t_def <= t_ref / 3),
    }
    print(f"\n== ctgan package {args.reference_epochs} epochs vs synthohive defaults ==")
    print(f"ctgan      {args.reference_epochs:4d} epochs  {t_ref:7.1f}s  quality {q_ref:.4f}")
    print(f"synthohive {len(defaults.history_):4d} epochs  {t_def:7.1f}s  quality "
          f"{q_def:.4f}  (best epoch {defaults.best_epoch_}; "
          f"{t_def / t_ref:.2f} of the reference time)")
    print(f"defaults reach the reference quality in <= 1/3 of its time: "
          f"{results['defaults']['reached']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5,
                        help="epochs of the equal-settings run (0 skips part 1)")
    parser.add_argument("--reference-epochs", type=int, default=50,
                        help="epochs of the ctgan reference run (0 skips part 2)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads for both models (1: the shared 2-core machine "
                             "is oversubscribed, more threads only add contention)")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.getLogger("synthohive").setLevel(logging.WARNING)
    results = run(args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
