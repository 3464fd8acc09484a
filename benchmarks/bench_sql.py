"""Read/write throughput of SQLConnector against pandas defaults on PostgreSQL.

Writes and reads the same DataFrame (int, nullable int, float, bool, string, timestamp
columns) with ``SQLConnector`` (COPY fast path, typed streamed reads) and with
``DataFrame.to_sql`` / ``pandas.read_sql`` at their defaults, one run each, in a scratch schema
that is dropped afterwards, and prints rows/s and the ratios (target: write >= 5x to_sql).

Usage::

    python benchmarks/bench_sql.py --rows 1000000 [--url postgresql+psycopg2://...]
"""

import argparse
import os
import time
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from synthohive.connectors import SQLConnector

DEFAULT_URL = os.environ.get(
    "SYNTHOHIVE_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)


def make_frame(n_rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    quantity = pd.array(rng.integers(0, 100, n_rows), dtype="Int64")
    quantity[rng.random(n_rows) < 0.1] = pd.NA
    return pd.DataFrame({
        "id": np.arange(n_rows, dtype="int64"),
        "customer_id": rng.integers(0, n_rows // 10 + 1, n_rows),
        "quantity": quantity,
        "amount": rng.gamma(2.0, 50.0, n_rows).round(2),
        "paid": rng.random(n_rows) < 0.7,
        "status": pd.array(rng.choice(["open", "paid", "shipped", "returned"], n_rows),
                           dtype="string"),
        "created": pd.Timestamp("2020-01-01")
        + pd.to_timedelta(rng.integers(0, 3 * 365 * 86400, n_rows), unit="s"),
    })


def timed(label: str, func: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - start
    print(f"  {label:<34s} {seconds:8.2f} s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to write and read")
    parser.add_argument("--url", default=DEFAULT_URL, help="PostgreSQL SQLAlchemy URL")
    args = parser.parse_args()

    engine = sa.create_engine(args.url)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    df = make_frame(args.rows)
    print(f"{args.rows:,} rows x {df.shape[1]} columns "
          f"({df.memory_usage(deep=True).sum() / 2**20:.0f} MiB in memory), "
          f"{engine.url.render_as_string(hide_password=True)}, schema {schema}")
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        connector = SQLConnector(engine, schema=schema)
        _, ours_write = timed("SQLConnector.write_table",
                              lambda: connector.write_table("ours", df))
        _, pandas_write = timed("DataFrame.to_sql (defaults)", lambda: df.to_sql(
            "theirs", engine, schema=schema, index=False))
        ours, ours_read = timed("SQLConnector.read_table", lambda: connector.read_table("ours"))
        theirs, pandas_read = timed("pandas.read_sql (defaults)", lambda: pd.read_sql(
            f'SELECT * FROM "{schema}"."theirs"', engine))
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        engine.dispose()

    print("\nthroughput (rows/s)            write        read")
    print(f"  SQLConnector          {args.rows / ours_write:12,.0f} {args.rows / ours_read:11,.0f}")
    print(f"  pandas defaults       {args.rows / pandas_write:12,.0f} "
          f"{args.rows / pandas_read:11,.0f}")
    print(f"  ratio (ours/pandas)   {pandas_write / ours_write:11.1f}x "
          f"{pandas_read / ours_read:10.1f}x   (write target >= 5x)")
    kept = (ours.dtypes.astype(str) == df.dtypes.astype(str)).all()
    print(f"\ndtypes kept by SQLConnector: {kept}; pandas.read_sql dtypes: "
          f"{dict(theirs.dtypes.astype(str))}")


if __name__ == "__main__":
    main()
