"""Quality metrics: how close synthetic data is to the real data it imitates.

Every metric is a *distance* in ``[0, 1]``: 0 is a perfect match, lower is better. Reports
also show *scores*, ``1 - distance`` (or means of them), where higher is better.

Column metrics
    :func:`ks_statistic` (numeric and datetime columns), :func:`tvd` (categorical, bool,
    text and low-cardinality integer columns; nulls left out), :func:`null_rate_difference`.
    :func:`column_metric` is the one rule choosing KS or TVD for a column;
    :func:`column_distances` applies it to every column of a table.
Pair metrics (QUAL-06)
    :func:`correlation_delta` (numeric pairs), :func:`contingency_tvd` (other pairs),
    :func:`normalized_mutual_information`; :func:`pair_distances` for every pair of a table.
Relational metrics (QUAL-07)
    :func:`orphan_rate`, :func:`missing_parent_rate`, :func:`children_per_parent`;
    :func:`relational_distances` per foreign key of a schema.
Reference without rows
    :class:`ReferenceProfile` (quantile sketches, capped category frequencies, null counts,
    correlations, binned joint frequencies) is built at ``fit`` and stored in model
    artifacts; :func:`assess` judges synthetic rows against it after ``load()``.
Privacy metrics
    :func:`exact_copy_share` (synthetic rows equal to a real row), :func:`dcr_share`
    (closer to a training than to a holdout row; 0.5 is ideal), :func:`nn_distance_ratio`
    (nearest / second-nearest real-row distance) and :func:`pii_reuse` (real personal values
    in the output).
Reports and gates
    :func:`evaluate` (real vs synthetic rows, one table or a dict of tables with a schema,
    optionally ``holdout=`` real rows) returns a :class:`QualityReport` (``score``,
    ``column_shapes_score``, ``column_pair_score``, ``details``, ``pairs``, ``relational``,
    ``privacy``, ``detection``, ``to_json``, ``to_html``). :func:`detection_score` is the
    cross-validated accuracy of a classifier telling synthetic rows from real ones (0.5
    ideal). :func:`check_quality` raises ``QualityGateError`` listing every column above its
    threshold (QUAL-01);
    :func:`check_constraints` raises ``ConstraintViolationError`` for declared
    min/max/allowed/not_null/unique/dtype constraints (QUAL-04).

For a relational synthesizer
    ``assess_tables(references, tables, threshold=None)`` takes ``{table: ReferenceProfile}``
    (the ``reference_`` of each fitted per-table model) and ``{table: synthetic DataFrame}``,
    logs one summary line per table on the ``synthohive`` logger, returns the combined
    :class:`QualityReport` and, when ``threshold`` is given (a float or a dict keyed by
    ``"table.column"``, ``"column"``, ``"table"`` or ``"*"``), raises ``QualityGateError``
    naming every failing ``table.column``. ``check_constraints(table_frame, schema[table])``
    checks one generated table against its declared constraints.
"""

from synthohive.metrics._column import (
    DISCRETE_INT_THRESHOLD,
    column_distances,
    column_metric,
    ks_statistic,
    null_rate_difference,
    tvd,
)
from synthohive.metrics._constraints import (
    CONSTRAINT_KEYS,
    check_constraints,
    check_training_constraints,
    constraint_violations,
)
from synthohive.metrics._detection import detection_score
from synthohive.metrics._evaluate import assess, assess_tables, evaluate, pair_distances
from synthohive.metrics._gate import check_quality, check_threshold
from synthohive.metrics._pairs import (
    contingency_tvd,
    correlation_delta,
    normalized_mutual_information,
)
from synthohive.metrics._privacy import dcr_share, exact_copy_share, nn_distance_ratio, pii_reuse
from synthohive.metrics._reference import ReferenceProfile
from synthohive.metrics._relational import (
    children_per_parent,
    missing_parent_rate,
    orphan_rate,
    relational_distances,
)
from synthohive.metrics._report import QualityReport

__all__ = [
    "CONSTRAINT_KEYS",
    "DISCRETE_INT_THRESHOLD",
    "QualityReport",
    "ReferenceProfile",
    "assess",
    "assess_tables",
    "check_constraints",
    "check_training_constraints",
    "constraint_violations",
    "check_quality",
    "check_threshold",
    "children_per_parent",
    "column_distances",
    "column_metric",
    "contingency_tvd",
    "correlation_delta",
    "dcr_share",
    "detection_score",
    "evaluate",
    "exact_copy_share",
    "ks_statistic",
    "missing_parent_rate",
    "nn_distance_ratio",
    "normalized_mutual_information",
    "null_rate_difference",
    "orphan_rate",
    "pair_distances",
    "pii_reuse",
    "relational_distances",
    "tvd",
]
