"""What privacy by default costs, and what it leaks, on the relational datasets.

Run with the benchmark environment (SDMetrics)::

    python benchmarks/bench_privacy.py                       # chinook, northwind, sakila
    python benchmarks/bench_privacy.py --data-dir DIR        # datasets read from DIR/<name>/
    python benchmarks/bench_privacy.py --datasets chinook    # a quick look

For each dataset it prints three things, with the library defaults (``model=None``):

1. **Time**: ``fit`` with the default privacy against ``fit`` with protection off
   (``PrivacyConfig(detect=False)``), and the sanitiser's own time, each the best of
   ``--repeats`` (target: at most 10 % of the fit time on sakila).
2. **Fidelity of the non-PII columns**: the mean over tables of SDMetrics' single-table
   ``QualityReport`` score on the columns that are neither keys nor sanitised, for both fits
   (target: the default loses at most 0.01).
3. **Leakage** with a train/holdout split: every table of at least 200 rows is split 70/30,
   the library's default model for its size is fitted on the 70 % (non-key columns, with
   the default privacy) and :func:`synthohive.metrics.evaluate` judges its sample against
   both parts: ``dcr_share`` (target: at most 0.55), ``pii_reuse`` (must be 0),
   ``exact_copy_share`` and ``nn_distance_ratio``; next to them ``real_dcr_share``, the
   DCR share of real unseen rows on the same split (the yardstick: on a 290-row table it
   ranges 0.37-0.57 between splits), and ``marginal_dcr_share``, that of rows whose every
   column is drawn on its own from the training values (no joint pattern is kept, so what
   it reads above 0.5 is the sample's own noise in each column's frequencies, which any
   model that learns them from the sample inherits). Printed for the first split, then the
   mean, least and largest value over ``--splits`` splits.

4. **Distinct identities**: for every id-like column of the relational sample (names,
   e-mails, phones: drawn from sanitised rows, see ``doc/relational.md``) whose real values
   are all distinct, how many distinct values the synthetic column holds (real: all).

Datasets that the installed package does not ship are read from ``--data-dir`` (a folder
holding ``<name>/schema.json``, ``dtypes.json`` and the CSV files).
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import synthohive as sh
from synthohive.datasets._read import read_dataset_dir
from synthohive.exceptions import SynthoHiveError
from synthohive.metrics._leakage import sensitive_columns
from synthohive.metrics._privacy import dcr_share
from synthohive.models import default_model
from synthohive.privacy import PIISanitizer, PrivacyConfig

OFF = PrivacyConfig(detect=False)
HOLDOUT_SHARE = 0.3
MIN_ROWS = 200


def load(name: str, data_dir: Path | None) -> tuple[dict[str, pd.DataFrame], sh.Schema]:
    """A shipped dataset, or ``data_dir/<name>`` when the package does not ship it."""
    try:
        tables, schema = sh.datasets.load(name)[:2]
    except (SynthoHiveError, FileNotFoundError, KeyError) as exc:
        if data_dir is None:
            raise SystemExit(f"{name} is not shipped here ({exc}); pass --data-dir") from exc
        tables, schema = read_dataset_dir(data_dir / name)
    return tables, schema


Tables = dict[str, pd.DataFrame]


def timed_fit(schema: sh.Schema, tables: Tables, privacy: PrivacyConfig | None,
              repeats: int) -> tuple[float, sh.RelationalSynthesizer]:
    best, synth = np.inf, None
    for _ in range(repeats):
        started = time.perf_counter()
        synth = sh.RelationalSynthesizer(schema, random_state=0, privacy=privacy).fit(tables)
        best = min(best, time.perf_counter() - started)
    return best, synth


def sdmetrics_score(real: pd.DataFrame, synthetic: pd.DataFrame, columns: list[str]) -> float:
    from sdmetrics.reports.single_table import QualityReport

    metadata = {"columns": {}}
    for column in columns:
        values = real[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            sdtype = "datetime"
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            sdtype = "numerical"
        else:
            sdtype = "categorical"
        metadata["columns"][column] = {"sdtype": sdtype}
    report = QualityReport()
    report.generate(real[columns], synthetic[columns], metadata, verbose=False)
    return float(report.get_score())


def fidelity(tables: Tables, synthetic: Tables, sensitive: dict) -> float:
    scores = []
    for name, frame in tables.items():
        columns = [c for c in frame.columns if c not in sensitive[name][1]
                   and c in synthetic[name].columns]
        if columns and len(frame) > 1:
            scores.append(sdmetrics_score(frame, synthetic[name], columns))
    return float(np.mean(scores))


def identities(synth: sh.RelationalSynthesizer, tables: Tables, synthetic: Tables) -> str:
    """Distinct values of each synthetic id-like column whose real values are distinct."""
    parts = []
    for name, plan in synth.plans_.items():
        for column in plan.id_like_columns:
            real, fake = tables[name][column].dropna(), synthetic[name][column].dropna()
            if len(real) > 1 and real.is_unique:
                parts.append(f"{name}.{column} {fake.nunique()}/{len(fake)}")
    return ", ".join(parts) or "none"


def leakage(schema: sh.Schema, tables: Tables, split: int = 0) -> pd.DataFrame:
    """Per table of at least 200 rows: fit the default model on 70 % of its rows, judge 30 %.

    ``split`` seeds the split and the model. ``real_dcr_share`` is the yardstick of the
    same split: the DCR share of *real* unseen rows (half of the holdout, judged against the
    training rows and the other half), what a model that learned the population and
    nothing of its sample would get at this size.
    """
    rng = np.random.default_rng(split)
    rows = []
    for name, frame in tables.items():
        columns = [c for c in frame.columns if c not in schema[name].key_columns]
        if len(frame) < MIN_ROWS or not columns:
            continue
        held = rng.random(len(frame)) < HOLDOUT_SHARE
        train, holdout = frame.loc[~held, columns], frame.loc[held, columns]
        model = default_model(len(train)).set_params(random_state=split)
        synthetic = model.fit(train).sample(len(train), random_state=split + 1)
        privacy = sh.metrics.evaluate(train, synthetic, holdout=holdout).privacy
        judged = [c for c in columns if c not in sensitive_columns(train, None)[None][1]]
        half = rng.random(len(holdout)) < 0.5
        real = (dcr_share(train[judged], holdout[judged][half], holdout[judged][~half],
                          random_state=split) if judged and half.any() and (~half).any()
                else float("nan"))
        draws = np.random.default_rng([split, len(rows)])  # the split's stream stays as it was
        marginal = pd.DataFrame({c: draws.choice(train[c].to_numpy(), len(train))
                                 for c in judged})
        floor = (dcr_share(train[judged], holdout[judged], marginal.astype(train[judged].dtypes),
                           random_state=split) if judged else float("nan"))
        rows.append(privacy.assign(table=name, split=split, real_dcr_share=real,
                                   marginal_dcr_share=floor))
    return pd.concat(rows, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["chinook", "northwind", "sakila"])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--splits", type=int, default=5,
                        help="train/holdout splits (seeds) of the leakage part")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    warnings.filterwarnings("ignore")
    for name in args.datasets:
        tables, schema = load(name, args.data_dir)
        sanitise = np.inf
        for _ in range(args.repeats):
            started = time.perf_counter()
            PIISanitizer(random_state=0).fit_transform(tables, schema=schema)
            sanitise = min(sanitise, time.perf_counter() - started)
        on_seconds, on = timed_fit(schema, tables, None, args.repeats)
        off_seconds, off = timed_fit(schema, tables, OFF, args.repeats)
        sensitive = sensitive_columns(tables, schema)
        sample_on = on.sample(random_state=1)
        score_on = fidelity(tables, sample_on, sensitive)
        score_off = fidelity(tables, off.sample(random_state=1), sensitive)
        print(f"{name}: {len(on.privacy_)} columns sanitised | fit {on_seconds:.2f}s with "
              f"privacy, {off_seconds:.2f}s without ({100 * (on_seconds / off_seconds - 1):+.1f}"
              f" %), sanitiser alone {sanitise:.2f}s ({100 * sanitise / off_seconds:.1f} % of "
              f"the fit) | SDMetrics quality of non-PII columns {score_on:.4f} with privacy, "
              f"{score_off:.4f} without (drop {score_off - score_on:+.4f})")
        print(f"{name}: distinct identities (synthetic distinct/rows; real: all distinct): "
              f"{identities(on, tables, sample_on)}")
        privacy = pd.concat([leakage(schema, tables, k) for k in range(args.splits)],
                            ignore_index=True)
        first = privacy[privacy["split"] == 0]
        print(f"{name}: leakage with a 70/30 split (seed 0) of each table, per table:")
        print(first.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        summary = privacy.groupby("table", sort=False)[
            ["dcr_share", "real_dcr_share", "marginal_dcr_share", "exact_copy_share"]].agg(
            ["mean", "min", "max"])
        print(f"{name}: over {args.splits} splits (mean, min, max):")
        print(summary.to_string(float_format=lambda v: f"{v:.3f}"))
        judged = privacy.dropna(subset=["dcr_share"])
        means = judged.groupby("table")["dcr_share"].mean()
        print(f"{name}: max dcr_share, split 0: {first['dcr_share'].max():.3f}; of the means "
              f"over {args.splits} splits: {means.max():.3f} ({means.idxmax()}) "
              f"| total pii_reuse {int(privacy['pii_reuse'].sum())}")


if __name__ == "__main__":
    main()
