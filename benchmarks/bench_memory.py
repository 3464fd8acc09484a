"""Peak memory of streamed sampling: ``sample(scale=10, output_path=...)`` vs ``scale=1``.

Fits a RelationalSynthesizer once, saves it, then samples in fresh subprocesses (one per
scale) that load the artifact and stream every table to Parquet; each subprocess reports
its peak resident set size. The target is peak(scale=10) <= 1.5 x peak(scale=1)::

    python benchmarks/bench_memory.py --dataset sakila                 # default models
    python benchmarks/bench_memory.py --dataset sakila --model ctgan --epochs 1
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_relational import read_dataset, template

from synthohive import RelationalSynthesizer

_CHILD = """
import json, resource, sys, time
from synthohive import RelationalSynthesizer
synth = RelationalSynthesizer.load(sys.argv[1])
started = time.perf_counter()
paths = synth.sample(scale=float(sys.argv[2]), output_path=sys.argv[3], random_state=0)
seconds = time.perf_counter() - started
import pyarrow.parquet as pq
rows = sum(pq.ParquetFile(p).metadata.num_rows for p in paths.values())
print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rows": rows, "seconds": seconds}))
"""


def measure(artifact: Path, scale: float, folder: Path) -> dict:
    """Sample at ``scale`` in a fresh process; return its peak RSS, rows and time."""
    out = folder / f"scale_{scale:g}"
    done = subprocess.run([sys.executable, "-c", _CHILD, str(artifact), str(scale), str(out)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="sakila")
    parser.add_argument("--model", choices=["default", "ctgan", "copula"], default="default",
                        help="per-table model: the library default, or one for every table")
    parser.add_argument("--epochs", type=int, default=1, help="CTGAN epochs (--model ctgan)")
    parser.add_argument("--batch-size", type=int, help="CTGAN batch size (--model ctgan)")
    parser.add_argument("--scales", type=float, nargs="*", default=[1.0, 10.0])
    args = parser.parse_args()
    schema, tables = read_dataset(args.dataset)
    synth = RelationalSynthesizer(schema, model=template(args), random_state=0)
    started = time.perf_counter()
    synth.fit(tables)
    print(f"{args.dataset}: fitted in {time.perf_counter() - started:.1f}s "
          f"(model={args.model}); parent peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        artifact = Path(folder) / "synth.shm"
        synth.save(artifact)
        results = {scale: measure(artifact, scale, Path(folder)) for scale in args.scales}
    for scale, result in results.items():
        print(f"scale={scale:>5g}: rows={result['rows']:>8} sample={result['seconds']:7.1f}s "
              f"peak RSS={result['peak_rss_mb']:7.0f} MB", flush=True)
    low, high = results[min(results)], results[max(results)]
    ratio = high["peak_rss_mb"] / low["peak_rss_mb"]
    print(f"peak RSS ratio scale={max(results):g} / scale={min(results):g}: {ratio:.2f} "
          f"(target <= 1.5: {'PASS' if ratio <= 1.5 else 'FAIL'})")


if __name__ == "__main__":
    main()
