"""Children-per-parent count models (REL-02).

:class:`CardinalityEstimator` is the public extension point; :class:`EmpiricalCardinality`
(the default of :class:`~synthohive.RelationalSynthesizer`) resamples observed counts,
:class:`NegativeBinomialCardinality` fits a (zero-inflated) negative binomial, optionally a
regression on parent columns.
"""

from synthohive.cardinality._empirical import EmpiricalCardinality
from synthohive.cardinality._negative_binomial import NegativeBinomialCardinality
from synthohive.cardinality.base import CardinalityEstimator

__all__ = ["CardinalityEstimator", "EmpiricalCardinality", "NegativeBinomialCardinality"]
