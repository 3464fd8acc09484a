"""Gaussian copula: a one-pass model with exact marginals, for small tables."""

from synthohive.models.copula._estimator import GaussianCopula

__all__ = ["GaussianCopula"]
