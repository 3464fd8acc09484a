"""SynthoHive's RelationalSynthesizer against SDV's HMASynthesizer on real multi-table data.

Run with the benchmark environment (SDV 2.0, SDMetrics)::

    python benchmarks/bench_relational.py                 # library defaults (model=None)
    python benchmarks/bench_relational.py --model ctgan   # CTGAN on every table
    python benchmarks/bench_relational.py --model ctgan --epochs 5 --skip-full   # quick look

Part 1 compares both libraries on subsets that SDV 2.0's open HMASynthesizer accepts (at
most 5 tables, depth at most 2): northwind customers/employees/shippers -> orders and
chinook album/genre/media_type -> track. Part 2 reports SynthoHive alone on the full
chinook, northwind and sakila schemas. Each line prints fit and sample seconds, the
SDMetrics multi-table QualityReport score with its four properties, and the number of
orphaned foreign key values. Both libraries are scored with the same SDV-detected metadata,
in which identifier-like and personal columns are not scored (see :func:`quality`).

``--model default`` measures what a user gets with ``model=None``: the per-table default of
``synthohive.models.default_model`` (a Gaussian copula below 20,000 rows, CTGAN above).
``--model ctgan`` and ``--model copula`` put one model on every table.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
import warnings
from pathlib import Path

import pandas as pd

from synthohive import CTGAN, GaussianCopula, RelationalSynthesizer
from synthohive.datasets import dataset_path
from synthohive.metrics._leakage import sensitive_columns
from synthohive.schema import Schema

HMA_SUBSETS = {
    "northwind": ["customers", "employees", "shippers", "orders"],
    "chinook": ["album", "genre", "media_type", "track"],
}
PROPERTIES = ["Column Shapes", "Column Pair Trends", "Cardinality", "Intertable Trends"]
SHORT = {"Column Shapes": "shapes", "Column Pair Trends": "pairs", "Cardinality": "card",
         "Intertable Trends": "inter"}


def read_dataset(name: str) -> tuple[Schema, dict[str, pd.DataFrame]]:
    """Read the shipped dataset ``<name>`` with the dtypes of its ``dtypes.json``."""
    folder = dataset_path(name)
    schema = Schema.from_json(folder / "schema.json")
    dtypes = json.loads((folder / "dtypes.json").read_text())
    tables = {}
    for table in schema.table_names:
        types = dtypes[table]
        frame = pd.read_csv(folder / f"{table}.csv",
                            dtype={c: str for c, t in types.items() if t == "string"})
        for column, kind in types.items():
            if kind in ("date", "datetime"):
                frame[column] = pd.to_datetime(frame[column])
            elif kind == "int" and frame[column].isna().any():
                frame[column] = frame[column].astype("Int64")
            elif kind in ("int", "float"):
                frame[column] = frame[column].astype("int64" if kind == "int" else "float64")
        tables[table] = frame
    return schema, tables


def restrict(schema: Schema, tables: dict[str, pd.DataFrame], names: list[str]
             ) -> tuple[Schema, dict[str, pd.DataFrame]]:
    """Keep ``names``; foreign keys to other tables are dropped with their columns."""
    spec = schema.to_dict()["tables"]
    out_spec, out_tables = {}, {}
    for name in names:
        body = dict(spec[name])
        kept = [fk for fk in body["foreign_keys"] if fk["references"].split(".")[0] in names]
        gone = [fk["column"] for fk in body["foreign_keys"] if fk not in kept]
        body["foreign_keys"] = kept
        out_spec[name] = body
        out_tables[name] = tables[name].drop(columns=gone)
    return Schema.from_dict({"tables": out_spec}), out_tables


def sdv_metadata(schema: Schema, tables: dict[str, pd.DataFrame]) -> object:
    """SDV metadata: detected column types, keys and relationships from the schema."""
    from sdv.metadata import Metadata

    metadata = Metadata.detect_from_dataframes(tables, infer_keys=None)
    for name, spec in schema.tables.items():
        metadata.update_column(spec.primary_key, table_name=name, sdtype="id")
        for fk in spec.foreign_keys:
            metadata.update_column(fk.column, table_name=name, sdtype="id")
        metadata.set_primary_key(spec.primary_key, table_name=name)
    for fk in schema.foreign_keys:
        metadata.add_relationship(fk.parent_table, fk.child_table, fk.parent_column, fk.column)
    metadata.validate()
    return metadata


def orphans(schema: Schema, synthetic: dict[str, pd.DataFrame]) -> int:
    """Number of non-null foreign key values missing from their parent."""
    total = 0
    for fk in schema.foreign_keys:
        values = synthetic[fk.child_table][fk.column].dropna()
        total += int((~values.isin(synthetic[fk.parent_table][fk.parent_column])).sum())
    return total


def quality(real: dict, synthetic: dict, metadata: object, schema: Schema) -> dict[str, float]:
    """SDMetrics multi-table QualityReport: the score on non-identifying columns and more.

    Identifier-like and personal columns (those ``sh.metrics.evaluate`` leaves out of
    fidelity: names, e-mails, addresses, unique titles; ``synthohive.metrics`` decides them
    from the real tables alone, for every library alike) are scored as SDV ``id`` columns,
    i.e. not at all: a model that does not republish real values scores about 0 on them
    whatever it learned, and one that copies them scores high for copying. ``score`` and
    the four properties are on the other columns; ``score_all`` scores every column as SDV
    detected it.
    """
    from sdmetrics.reports.multi_table import QualityReport

    detected = metadata.to_dict()
    scored = json.loads(json.dumps(detected))
    sensitive = sensitive_columns(real, schema)
    for name, spec in scored["tables"].items():
        for column in sensitive[name][1] & set(spec["columns"]):
            spec["columns"][column] = {"sdtype": "id"}
    out = {}
    for label, description in (("score", scored), ("score_all", detected)):
        report = QualityReport()
        report.generate(real, synthetic, description, verbose=False)
        out[label] = float(report.get_score())
        if label == "score":
            properties = report.get_properties().set_index("Property")["Score"]
            out.update({p: float(properties.get(p, float("nan"))) for p in PROPERTIES})
    return out


def run_ours(schema: Schema, tables: dict, args: argparse.Namespace) -> tuple[dict, float, float]:
    """Fit and sample SynthoHive; return the synthetic tables and the two timings."""
    synth = RelationalSynthesizer(schema, model=template(args), random_state=args.seed,
                                  inherit_threshold=args.inherit_threshold)
    started = time.perf_counter()
    synth.fit(tables)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    synthetic = synth.sample(random_state=args.seed)
    sample_seconds = time.perf_counter() - started
    used = {}
    for table, model in synth.models_.items():
        used.setdefault(type(model).__name__, []).append(table)
    print("  models: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in used.items()), flush=True)
    return synthetic, fit_seconds, sample_seconds


def template(args: argparse.Namespace) -> CTGAN | GaussianCopula | None:
    """The ``model`` argument for ``--model`` (None: the library's per-table default)."""
    if args.model == "copula":
        return GaussianCopula()
    options = {"epochs": args.epochs, "batch_size": args.batch_size}
    if args.model == "ctgan":
        return CTGAN(device="cpu", **{k: v for k, v in options.items() if v is not None})
    return None


def run_hma(metadata: object, tables: dict, main: str) -> tuple[dict, float, float]:
    """Fit and sample SDV's HMASynthesizer."""
    from sdv.multi_table import HMASynthesizer

    synth = HMASynthesizer(metadata, verbose=False)
    started = time.perf_counter()
    synth.fit(tables)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    synthetic = synth.sample(num_rows=len(tables[main]), main_table_name=main)
    return synthetic, fit_seconds, time.perf_counter() - started


def report(label: str, schema: Schema, real: dict, synthetic: dict, metadata: object,
           fit_seconds: float, sample_seconds: float) -> dict:
    """Print and return one result line."""
    scores = quality(real, synthetic, metadata, schema)
    row = {"run": label, "rows": sum(len(t) for t in real.values()), "fit_s": fit_seconds,
           "sample_s": sample_seconds, "orphans": orphans(schema, synthetic), **scores}
    print(f"{label:<28} rows={row['rows']:>6} fit={fit_seconds:8.1f}s "
          f"sample={sample_seconds:7.2f}s quality={scores['score']:.3f} "
          f"(all columns {scores['score_all']:.3f}) "
          + " ".join(f"{SHORT[p]}={scores[p]:.3f}" for p in PROPERTIES)
          + f" orphans={row['orphans']}", flush=True)
    return row


def _threshold(text: str) -> float | None:
    return None if text.lower() == "none" else float(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["default", "ctgan", "copula"], default="default",
                        help="per-table model: the library default, or one for every table")
    parser.add_argument("--epochs", type=int, help="CTGAN epochs per table (default: CTGAN's)")
    parser.add_argument("--batch-size", type=int, help="CTGAN batch size (default: CTGAN's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--inherit-threshold", type=_threshold, default=0.9,
                        help="RelationalSynthesizer's inherit_threshold; 'none' turns it off")
    parser.add_argument("--skip-hma", action="store_true", help="skip part 1")
    parser.add_argument("--skip-full", action="store_true", help="skip part 2")
    parser.add_argument("--datasets", nargs="*", default=["chinook", "northwind", "sakila"])
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.WARNING)
    if args.model != "ctgan" and (args.epochs or args.batch_size):
        parser.error("--epochs and --batch-size need --model ctgan")
    print(f"model={args.model}, CTGAN "
          f"{CTGAN().get_params()['epochs'] if args.epochs is None else args.epochs} "
          f"epochs, batch_size={args.batch_size or CTGAN().get_params()['batch_size']}, "
          f"seed={args.seed}, inherit_threshold={args.inherit_threshold}; "
          f"{os.cpu_count()} CPUs", flush=True)
    rows = []
    if not args.skip_hma:
        for name, names in HMA_SUBSETS.items():
            schema, tables = restrict(*read_dataset(name), names)
            metadata = sdv_metadata(schema, tables)
            hma = run_hma(metadata, tables, names[-1])
            rows.append(report(f"HMA   {name}-subset", schema, tables, hma[0], metadata,
                               *hma[1:]))
            ours = run_ours(schema, tables, args)
            rows.append(report(f"ours  {name}-subset", schema, tables, ours[0], metadata,
                               *ours[1:]))
            print(f"  -> quality gain {rows[-1]['score'] - rows[-2]['score']:+.3f}, sampling "
                  f"{rows[-2]['sample_s'] / max(rows[-1]['sample_s'], 1e-9):.1f}x faster",
                  flush=True)
    if not args.skip_full:
        for name in args.datasets:
            schema, tables = read_dataset(name)
            metadata = sdv_metadata(schema, tables)
            ours = run_ours(schema, tables, args)
            rows.append(report(f"ours  {name} (full, depth {schema.depth()})", schema, tables,
                               ours[0], metadata, *ours[1:]))
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
