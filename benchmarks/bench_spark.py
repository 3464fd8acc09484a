"""Distributed sampling on local Spark against single-process streamed sampling.

Fits a two-table RelationalSynthesizer (customers -> orders, about ten orders per customer,
CTGAN) once and saves it. Then, for every ``--rows`` value (rows of the child table), it
samples in fresh subprocesses, each loading the artifact:

- ``single``: ``sample(scale, output_path=...)`` streaming Parquet in one process;
- ``spark/<format>``: :func:`sample_on_spark` on ``--master`` (default ``local[2]``),
  writing Parquet part files or a Delta table straight from the executors.

Each line prints rows, seconds, rows/s, the speed-up over ``single``, the CPU seconds of the
process tree (load-independent on a shared machine; includes loading the artifact and, for
Spark, starting the workers), the peak RSS of the Python driver and the peak RSS of the
Spark JVM (driver and, in local mode, executors), and the 1-minute load average before and
after the run (the machine may be shared). The driver RSS must stay flat from the smallest to
the largest ``--rows``.

Spark pays a fixed price per call (starting the Python workers, which import torch and load
the artifact, the JVM's first jobs and JIT compilation) that the single process does not pay
inside its timed region. The last lines therefore also fit ``seconds = fixed + rows / rate``
through the smallest and largest ``--rows`` of each mode and print the marginal rate (rows/s
once running) and the fixed seconds; the marginal ratio is what ``local[2]`` gains per row::

    python benchmarks/bench_spark.py --rows 1000000 3000000 10000000
    python benchmarks/bench_spark.py --rows 100000 1000000 --formats parquet   # quick look
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

from synthohive import RelationalSynthesizer
from synthohive.models.ctgan import CTGAN
from synthohive.schema import Schema

SCHEMA = {"tables": {
    "customers": {"primary_key": "customer_id"},
    "orders": {"primary_key": "order_id", "foreign_keys": [
        {"column": "customer_id", "references": "customers.customer_id"}]},
}}


def training_tables(n_customers: int = 1000, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Customers with a segment and an age; orders with an amount and a status."""
    rng = np.random.default_rng(seed)
    segment = rng.choice(["retail", "pro", "public"], size=n_customers, p=[0.6, 0.3, 0.1])
    customers = pd.DataFrame({"customer_id": np.arange(1, n_customers + 1), "segment": segment,
                              "age": rng.integers(18, 80, size=n_customers)})
    per_customer = rng.poisson(np.where(segment == "pro", 20.0, 6.0))
    n_orders = int(per_customer.sum())
    pro = np.repeat(segment == "pro", per_customer)
    orders = pd.DataFrame({
        "order_id": np.arange(1, n_orders + 1),
        "customer_id": np.repeat(customers["customer_id"].to_numpy(), per_customer),
        "amount": np.round(np.where(pro, 400.0, 40.0) * rng.lognormal(0, 0.3, n_orders), 2),
        "status": rng.choice(["open", "paid", "void"], size=n_orders, p=[0.2, 0.75, 0.05]),
    })
    return {"customers": customers, "orders": orders}


class PeakRSS:
    """Poll the resident set size of the Spark JVM (children of this process) in a thread."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            for child in psutil.Process().children(recursive=True):
                try:
                    if "java" in child.name():
                        self.peak_mb = max(self.peak_mb, child.memory_info().rss / 2**20)
                except psutil.Error:
                    continue


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its live children (JVM, workers)."""
    processes = [psutil.Process(), *psutil.Process().children(recursive=True)]
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def run_child(args: argparse.Namespace) -> None:
    """Sample once (in this fresh process) and print one JSON line of measurements."""
    synth = RelationalSynthesizer.load(args.artifact)
    jvm = 0.0
    if args.child == "single":
        started = time.perf_counter()
        synth.sample(scale=args.scale, output_path=args.out, random_state=0)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds()
    else:
        from pyspark.sql import SparkSession

        from synthohive.relational.spark import sample_on_spark

        spark = (SparkSession.builder.master(args.master).appName("bench_spark")
                 .config("spark.ui.enabled", "false")
                 .config("spark.sql.shuffle.partitions", "8")
                 .config("spark.driver.memory", "2g")
                 .config("spark.sql.warehouse.dir", str(Path(args.out) / "warehouse"))
                 .getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        with PeakRSS() as peak:
            started = time.perf_counter()
            sample_on_spark(synth, spark, scale=args.scale, output_path=args.out,
                            format=args.child.split("/")[1], random_state=0)
            seconds = time.perf_counter() - started
        jvm = peak.peak_mb
        cpu = cpu_seconds()
        spark.stop()
    print(json.dumps({"seconds": seconds, "jvm_mb": jvm, "cpu_seconds": cpu,
                      "driver_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def measure(mode: str, artifact: Path, scale: float, out: Path, master: str) -> dict:
    """Run one sampling in a fresh subprocess; return its measurements and the load."""
    env = dict(os.environ, OMP_NUM_THREADS="1", PYSPARK_PYTHON=sys.executable)
    load_before = os.getloadavg()[0]
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--artifact", str(artifact), "--scale",
         str(scale), "--out", str(out), "--master", master],
        check=True, capture_output=True, text=True, env=env)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {**result, "load": (load_before, os.getloadavg()[0])}


def marginal(results: dict, mode: str, low: int, high: int) -> tuple[float, float]:
    """Rows/s between the ``low`` and ``high`` runs, and the fixed seconds they imply."""
    extra = results[high, mode]["seconds"] - results[low, mode]["seconds"]
    rate = (high - low) / extra if extra > 0 else float("inf")
    return rate, results[low, mode]["seconds"] - low / rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[1_000_000, 10_000_000],
                        help="rows of the child table (orders) per run")
    parser.add_argument("--formats", nargs="*", default=["parquet", "delta"])
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--skip-single", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--artifact", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return
    tables = training_tables()
    synth = RelationalSynthesizer(Schema.from_dict(SCHEMA),
                                  model=CTGAN(epochs=args.epochs, device="cpu"), random_state=0)
    started = time.perf_counter()
    synth.fit(tables)
    n_train = len(tables["orders"])
    print(f"fitted on {len(tables['customers'])} customers / {n_train} orders in "
          f"{time.perf_counter() - started:.1f}s (CTGAN epochs={args.epochs}); "
          f"master={args.master}, {os.cpu_count()} CPUs", flush=True)
    modes = ([] if args.skip_single else ["single"]) + [f"spark/{f}" for f in args.formats]
    results: dict[tuple[int, str], dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        artifact = Path(folder) / "synth.shm"
        synth.save(artifact)
        for rows in args.rows:
            scale = rows / n_train
            for mode in modes:
                out = Path(folder) / f"{rows}_{mode.replace('/', '_')}"
                result = measure(mode, artifact, scale, out, args.master)
                results[rows, mode] = result
                base = results.get((rows, "single"))
                ratio = f"{base['seconds'] / result['seconds']:5.2f}x" if base else "   - "
                print(f"rows={rows:>9} {mode:<14} {result['seconds']:8.1f}s "
                      f"{rows / result['seconds']:>9.0f} rows/s  vs single {ratio}  "
                      f"CPU {result['cpu_seconds']:7.1f}s  "
                      f"driver RSS {result['driver_mb']:6.0f} MB  JVM RSS "
                      f"{result['jvm_mb']:6.0f} MB  load {result['load'][0]:.1f}->"
                      f"{result['load'][1]:.1f}", flush=True)
    low, high = min(args.rows), max(args.rows)
    if low == high:
        return
    for mode in modes:
        rate, fixed = marginal(results, mode, low, high)
        base = "" if args.skip_single else \
            f", {rate / marginal(results, 'single', low, high)[0]:.2f}x single's"
        print(f"{mode}: {rate:.0f} rows/s marginal ({low}->{high} rows){base}; "
              f"fixed {fixed:.1f}s")
        if mode != "single":
            growth = results[high, mode]["driver_mb"] / results[low, mode]["driver_mb"]
            print(f"{mode}: driver RSS {high} rows / {low} rows = {growth:.2f} "
                  f"(flat: {'PASS' if growth <= 1.2 else 'FAIL'})")


if __name__ == "__main__":
    main()
