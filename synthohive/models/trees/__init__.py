"""Sequential conditional decision trees with within-leaf densities (``TreeSynthesizer``)."""

from synthohive.models.trees._estimator import TreeSynthesizer

__all__ = ["TreeSynthesizer"]
