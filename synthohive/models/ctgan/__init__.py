"""CTGAN: conditional tabular GAN on skorch."""

from synthohive.models.ctgan._estimator import CTGAN

__all__ = ["CTGAN"]
