"""The main job: learn the bundled Chinook database and write a synthetic copy of it.

Fits a :class:`synthohive.RelationalSynthesizer` (one model per table, one cardinality model per
foreign key) on the 11 tables of Chinook shipped with the package, streams the synthetic tables
to Parquet, and writes a quality report (HTML and JSON) comparing them with the real tables.
Privacy is on by default: customer and employee names, e-mails, phones, addresses and other
identifying text are replaced by fakes before any model sees them (``doc/privacy.md``), and the
report's privacy section checks that no real personal value reached the output.
Every Chinook table has fewer than 20,000 rows, so the default per-table model is a
:class:`synthohive.GaussianCopula`; ``SYNTHOHIVE_EXAMPLE_MODEL=ctgan`` puts a CTGAN on every
table instead.

Environment variables:

- ``SYNTHOHIVE_EXAMPLE_MODEL``: ``default`` (the library's choice per table) or ``ctgan``.
- ``SYNTHOHIVE_EXAMPLE_EPOCHS``: CTGAN epochs per table with ``ctgan`` (default 300: most
  Chinook tables have a few hundred rows, so an epoch is one or two steps; early stopping on
  the validation score ends training sooner where it stops improving; the tests use 1).
- ``SYNTHOHIVE_EXAMPLE_OUTPUT``: output folder (default ``synthohive_output``).
"""

import logging
import os
import shutil
import time
from pathlib import Path

import synthohive as sh
from synthohive.connectors import ParquetConnector

MODEL = os.environ.get("SYNTHOHIVE_EXAMPLE_MODEL", "default")
EPOCHS = int(os.environ.get("SYNTHOHIVE_EXAMPLE_EPOCHS", "300"))
OUTPUT = Path(os.environ.get("SYNTHOHIVE_EXAMPLE_OUTPUT", "synthohive_output"))


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    tables, schema = sh.datasets.load("chinook")
    print(f"Chinook: {len(tables)} tables, {sum(map(len, tables.values()))} rows, "
          f"foreign-key depth {schema.depth()}")

    synthesizer = sh.RelationalSynthesizer(
        schema,
        model=sh.CTGAN(epochs=EPOCHS, verbose=1) if MODEL == "ctgan" else None,
        random_state=0,
    )
    started = time.perf_counter()
    synthesizer.fit(tables)
    fit_seconds = time.perf_counter() - started

    tables_dir = OUTPUT / "synthetic"
    if tables_dir.exists():
        shutil.rmtree(tables_dir)
    started = time.perf_counter()
    synthesizer.sample(output_path=tables_dir, format="parquet")
    sample_seconds = time.perf_counter() - started

    synthetic = ParquetConnector(tables_dir).read_tables(schema.table_names)
    report = sh.metrics.evaluate(tables, synthetic, schema=schema)
    html = report.to_html(OUTPUT / "quality_report.html")
    json_path = OUTPUT / "quality_report.json"
    report.to_json(json_path)
    model_path = OUTPUT / "chinook.shm"
    synthesizer.save(model_path)

    orphans = report.relational["orphan_rate"].max() if len(report.relational) else 0.0
    print(f"Fitted in {fit_seconds:.1f}s, sampled in {sample_seconds:.1f}s "
          f"({sum(map(len, synthetic.values()))} synthetic rows).")
    print(f"Synthetic tables: {tables_dir.resolve()}")
    print(f"Quality report:   {Path(html).resolve()} and {json_path.resolve()}")
    print(f"Model artifact:   {model_path.resolve()}")
    print(f"Overall score {report.score:.3f} | column shapes {report.column_shapes_score:.3f} | "
          f"column pairs {report.column_pair_score:.3f} | worst orphan rate {orphans:.3f}")
    print(f"Privacy: {len(synthesizer.privacy_)} columns sanitised before training | real "
          f"personal values in the output: {int(report.privacy['pii_reuse'].sum())}")


if __name__ == "__main__":
    main()
