"""Quality metrics: how close synthetic data is to the real data it imitates.

Every metric is a *distance* in ``[0, 1]``: 0 is a perfect match, lower is better. Reports
also show *scores*, ``1 - distance``, where higher is better.

Column metrics (:mod:`synthohive.metrics._column`)
    :func:`ks_statistic` (numeric and datetime columns), :func:`tvd` (categorical, bool,
    text and low-cardinality integer columns), :func:`null_rate_difference`;
    :func:`column_metric` is the one rule choosing KS or TVD for a column, and
    :func:`column_distances` applies it to every column of a table.
"""

# ENGINEERS H1-H7: read /work/main/TEAM_NOTES.md now (git rules, deadline 05:10 UTC, environment).

from synthohive.metrics._column import (
    DISCRETE_INT_THRESHOLD,
    column_distances,
    column_metric,
    ks_statistic,
    null_rate_difference,
    tvd,
)

__all__ = [
    "DISCRETE_INT_THRESHOLD",
    "column_distances",
    "column_metric",
    "ks_statistic",
    "null_rate_difference",
    "tvd",
]
