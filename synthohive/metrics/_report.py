"""The :class:`QualityReport`: scores, per-column, per-pair and per-foreign-key tables."""

from __future__ import annotations

import functools
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthohive.exceptions import DataValidationError
from synthohive.metrics._detection import DETECTION_COLUMNS
from synthohive.metrics._frames import rows_of
from synthohive.metrics._reference import PAIR_COLUMNS
from synthohive.metrics._relational import RELATIONAL_COLUMNS

__all__ = ["QualityReport"]

DETAIL_COLUMNS = ["table", "column", "metric", "distance", "score", "null_rate_difference"]
PRIVACY_COLUMNS = ["table", "exact_copy_share", "pii_reuse", "dcr_share", "nn_distance_ratio"]
_PAIR_REPORT_COLUMNS = ["table", *PAIR_COLUMNS[:4], "score", *PAIR_COLUMNS[4:]]


def _mean_score(frame: pd.DataFrame) -> float | None:
    """``1 - mean(distance)`` of a metrics table, or None when it has no row."""
    if frame.empty:
        return None
    return float(1.0 - frame["distance"].astype(float).mean())


def _with_table(
    fields: Mapping[str, Any], table: str | None, order: list[str]
) -> dict[str, np.ndarray] | None:
    """Add ``table`` and ``score`` to a table given as a frame or column arrays.

    Returns the report table's columns in ``order`` (None when it has no row), which
    :class:`_Table` turns into a DataFrame when the table is first read.
    """
    distance = np.asarray(fields["distance"], dtype=float)
    n = distance.shape[0]
    if not n:
        return None
    added = {"table": np.full(n, table, dtype=object), "score": 1.0 - distance}
    return {c: added[c] if c in added else np.asarray(fields[c]) for c in order}


@functools.lru_cache(maxsize=16)
def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    """Return an empty table with ``columns``, built once (a copy is 50x cheaper)."""
    return pd.DataFrame(columns=list(columns))


def _indexed(frame: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    """Return ``frame`` with a 0..n-1 index (an empty table with ``columns`` for None)."""
    if frame is None:
        return _empty(tuple(columns)).copy()
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return frame
    return frame.reset_index(drop=True)


class _Table:
    """A table attribute of :class:`QualityReport`, built into a DataFrame when first read.

    It takes a DataFrame (kept, with a 0..n-1 index), None (an empty table with the
    section's columns) or a dict of column arrays. Every ``sample()`` assembles a report
    whose tables are mostly never read: their numbers are all computed, and the pandas
    frames (a quarter of a millisecond each) are built only for the reader.
    """

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.slot = name, f"_{name}"

    def __get__(self, report: Any, owner: type | None = None) -> Any:
        if report is None:
            return self
        stored = report.__dict__
        # a report pickled before tables were built lazily holds the frame under its name
        value = stored[self.slot] if self.slot in stored else stored[self.name]
        if not isinstance(value, pd.DataFrame):
            value = _indexed(None if value is None else pd.DataFrame(value), self.columns)
            report.__dict__[self.slot] = value
        return value

    def __set__(self, report: Any, value: pd.DataFrame | Mapping[str, Any] | None) -> None:
        if isinstance(value, pd.DataFrame):
            value = _indexed(value, self.columns)
        report.__dict__[self.slot] = value


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """Concatenate report tables, skipping empty ones."""
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _plain(value: Any) -> Any:
    """Return one cell as a JSON value (NaN becomes null)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {key: _plain(value) for key, value in row.items()}
        for row in frame.to_dict(orient="records")
    ]


class QualityReport:
    """How close synthetic tables are to real ones.

    Every metric is a distance in ``[0, 1]`` (lower is better); every score is ``1 -
    distance`` or a mean of such, in ``[0, 1]`` (higher is better). Build one with
    :func:`synthohive.metrics.evaluate` (from rows) or :func:`synthohive.metrics.assess`
    (from a stored :class:`~synthohive.metrics.ReferenceProfile`); models keep the report of
    their last ``sample()`` as ``last_quality_``.

    Parameters
    ----------
    details : DataFrame
        Per-column rows: ``table``, ``column``, ``metric`` (KS/TVD), ``distance``,
        ``score``, ``null_rate_difference``. This and ``pairs`` may also be given as a
        dict of column arrays: the frame is then built when first read.
    pairs : DataFrame, optional
        Per-pair rows: ``table``, ``column_1``, ``column_2``, ``metric`` (correlation or
        contingency), ``distance``, ``score``, ``real_correlation``,
        ``synthetic_correlation``, ``real_nmi``, ``synthetic_nmi``, ``nmi_difference``.
    relational : DataFrame, optional
        Per-foreign-key rows (see :func:`synthohive.metrics.relational_distances`).
    distributions : list of dict, optional
        Plot data per column (``table``, ``column`` and histogram or bar values).
    privacy : DataFrame, optional
        Per-table leakage rows: ``table``, ``exact_copy_share`` (synthetic rows equal to a
        real row on all compared columns), ``pii_reuse`` (real personal values found in the
        output; must be 0) and, when :func:`~synthohive.metrics.evaluate` got ``holdout=``,
        ``dcr_share`` (0.5 is ideal) and ``nn_distance_ratio`` (see
        :mod:`synthohive.metrics._privacy`).
    detection : DataFrame, optional
        Per-table rows: ``table``, ``rows``, ``detection`` (cross-validated accuracy of a
        classifier telling synthetic rows from real ones, 0.5 ideal; see
        :func:`synthohive.metrics.detection_score`). Filled by ``evaluate`` (from rows).

    Attributes
    ----------
    details, pairs, relational, privacy, detection : DataFrame
        As given (empty when not given).
    distributions : list of dict
        As given.
    """

    details = _Table(DETAIL_COLUMNS)
    pairs = _Table(_PAIR_REPORT_COLUMNS)
    relational = _Table(RELATIONAL_COLUMNS)
    privacy = _Table(PRIVACY_COLUMNS)
    detection = _Table(DETECTION_COLUMNS)

    def __init__(
        self,
        details: pd.DataFrame | Mapping[str, Any] | None,
        pairs: pd.DataFrame | Mapping[str, Any] | None = None,
        relational: pd.DataFrame | None = None,
        distributions: list[dict[str, Any]] | None = None,
        privacy: pd.DataFrame | None = None,
        detection: pd.DataFrame | None = None,
    ) -> None:
        self.details = details
        self.pairs = pairs
        self.relational = relational
        self.distributions = list(distributions or [])
        self.privacy = privacy
        self.detection = detection

    @classmethod
    def from_parts(
        cls,
        table: str | None,
        columns: Mapping[str, Any],
        pairs: Mapping[str, Any],
        distributions: dict[str, dict[str, Any]],
    ) -> QualityReport:
        """Assemble the report of one table from column and pair distance tables.

        The tables may be DataFrames (:meth:`ReferenceProfile.compare`) or dicts of column
        arrays (:meth:`ReferenceProfile.measure`).
        """
        return cls(
            _with_table(columns, table, DETAIL_COLUMNS),
            _with_table(pairs, table, _PAIR_REPORT_COLUMNS),
            None,
            [{"table": table, "column": c, **plot} for c, plot in distributions.items()],
        )

    @classmethod
    def combine(
        cls, reports: list[QualityReport], relational: pd.DataFrame | None = None
    ) -> QualityReport:
        """Concatenate per-table reports, adding the relational section."""
        return cls(
            _concat([r.details for r in reports], DETAIL_COLUMNS),
            _concat([r.pairs for r in reports], _PAIR_REPORT_COLUMNS),
            relational,
            [plot for r in reports for plot in r.distributions],
            _concat([r.privacy for r in reports], PRIVACY_COLUMNS),
        )

    @property
    def column_shapes_score(self) -> float | None:
        """``1 - mean`` KS/TVD over every column (higher is better); None without columns."""
        return _mean_score(self.details)

    @property
    def column_pair_score(self) -> float | None:
        """``1 - mean`` pair distance over every pair; None without pairs."""
        return _mean_score(self.pairs)

    @property
    def relational_score(self) -> float | None:
        """Mean foreign-key score; None without a relational section."""
        if self.relational.empty:
            return None
        return float(self.relational["score"].astype(float).mean())

    @property
    def score(self) -> float | None:
        """Mean of the column-shape, column-pair and relational scores that exist."""
        parts = [
            s
            for s in (self.column_shapes_score, self.column_pair_score, self.relational_score)
            if s is not None
        ]
        return float(np.mean(parts)) if parts else None

    @property
    def tables(self) -> pd.DataFrame:
        """Per-table ``column_shapes_score`` and ``column_pair_score``."""
        names = list(dict.fromkeys(self.details["table"].tolist()))
        rows = []
        for name in names:
            shapes = _mean_score(rows_of(self.details, name))
            rows.append((name, shapes, _mean_score(rows_of(self.pairs, name))))
        return pd.DataFrame(rows, columns=["table", "column_shapes_score", "column_pair_score"])

    def pair_matrix(self, value: str = "score", table: str | None = None) -> pd.DataFrame:
        """Square matrix of one pair measure, columns by columns.

        Parameters
        ----------
        value : str, default="score"
            A numeric column of :attr:`pairs`: ``"score"``, ``"distance"``, ``"real_nmi"``,
            ``"synthetic_nmi"``, ``"nmi_difference"``, ``"real_correlation"`` …
        table : str, optional
            The table (None: the unnamed table of a single-table report, or the only table).

        Returns
        -------
        DataFrame
            Symmetric, indexed and labelled by column; the diagonal is 1 for scores and NMIs,
            0 for distances and differences, NaN for correlations left undefined.

        Raises
        ------
        DataValidationError
            If ``value`` is not a numeric pair column, or ``table`` is omitted for a report
            of several tables.
        """
        numeric = _PAIR_REPORT_COLUMNS[4:]
        if value not in numeric:
            raise DataValidationError(f"value must be one of {numeric}, got {value!r}.")
        pairs = self.pairs
        names = pairs["table"].drop_duplicates().tolist()
        if table is None and len(names) > 1:
            raise DataValidationError(f"The report has several tables {names}; pass table=.")
        if table is not None:
            pairs = rows_of(pairs, table)
        columns = list(dict.fromkeys(pairs["column_1"].tolist() + pairs["column_2"].tolist()))
        matrix = pd.DataFrame(np.nan, index=columns, columns=columns)
        for first, second, number in pairs[["column_1", "column_2", value]].itertuples(index=False):
            matrix.loc[first, second] = matrix.loc[second, first] = float(number)
        diagonal = 0.0 if value in ("distance", "nmi_difference") else 1.0
        for column in columns:
            matrix.loc[column, column] = diagonal
        return matrix

    def summary(self, table: str | None = None) -> str:
        """One line: the scores and the worst column (of ``table`` when given)."""
        report = self
        if table is not None:
            report = QualityReport(rows_of(self.details, table), rows_of(self.pairs, table))
        details = report.details
        text = (
            f"quality{'' if table is None else f' of table {table!r}'}: "
            f"score {_fmt(report.score)} (column shapes {_fmt(report.column_shapes_score)}, "
            f"column pairs {_fmt(report.column_pair_score)}"
        )
        if self.relational_score is not None and table is None:
            text += f", relational {_fmt(self.relational_score)}"
        text += ")"
        if not details.empty:
            worst = details.loc[details["distance"].astype(float).idxmax()]
            text += (
                f"; worst column {column_label(worst['table'], worst['column'])} "
                f"{worst['metric']} {worst['distance']:.3f}"
            )
        return text

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON values (NaN as null)."""
        return {
            "score": self.score,
            "column_shapes_score": self.column_shapes_score,
            "column_pair_score": self.column_pair_score,
            "relational_score": self.relational_score,
            "tables": _records(self.tables),
            "details": _records(self.details),
            "pairs": _records(self.pairs),
            "relational": _records(self.relational),
            "privacy": _records(self.privacy),
            "distributions": self.distributions,
            "detection": _records(self.detection),
        }

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """Write the report as JSON (and return the text).

        Parameters
        ----------
        path : str or path-like, optional
            File to write; only the text is returned when omitted.

        Returns
        -------
        str
            The JSON text; :meth:`from_json` reads it back.
        """
        text = json.dumps(self.to_dict(), indent=1)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, path_or_text: str | os.PathLike[str]) -> QualityReport:
        """Read a report written by :meth:`to_json`.

        Parameters
        ----------
        path_or_text : str or path-like
            A JSON file or the JSON text itself.

        Returns
        -------
        QualityReport
            The report.

        Raises
        ------
        DataValidationError
            If the text is not a report.
        """
        text = str(path_or_text)
        if not text.lstrip().startswith("{"):
            text = Path(path_or_text).read_text(encoding="utf-8")
        try:
            body = json.loads(text)
            details = pd.DataFrame(body["details"], columns=DETAIL_COLUMNS)
            pairs = pd.DataFrame(body["pairs"], columns=_PAIR_REPORT_COLUMNS)
            relational = pd.DataFrame(body["relational"], columns=RELATIONAL_COLUMNS)
            privacy = pd.DataFrame(body.get("privacy", []), columns=PRIVACY_COLUMNS)
            distributions = body["distributions"]
            detection = pd.DataFrame(body.get("detection", []), columns=DETECTION_COLUMNS)
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DataValidationError(
                f"Not a quality report written by QualityReport.to_json ({exc!r})."
            ) from exc
        numeric = _PAIR_REPORT_COLUMNS[4:]
        pairs[numeric] = pairs[numeric].astype(float)
        return cls(details, pairs, relational, distributions, privacy, detection)

    def to_html(self, path: str | os.PathLike[str]) -> Path:
        """Write a self-contained HTML page: scores, plots and tables.

        Per-column real-vs-synthetic distribution plots, pair-trend heatmaps and the
        referential-integrity table are embedded as base64 PNG (matplotlib, Agg backend).

        Parameters
        ----------
        path : str or path-like
            File to write.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        from synthohive.metrics._html import render

        target = Path(path)
        target.write_text(render(self), encoding="utf-8")
        return target

    def __repr__(self) -> str:
        return f"QualityReport({self.summary()})"


def column_label(table: Any, column: str) -> str:
    """``table.column``, or ``column`` for an unnamed table."""
    return (
        column
        if table is None or (isinstance(table, float) and math.isnan(table))
        else (f"{table}.{column}")
    )


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
