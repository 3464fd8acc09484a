"""TVAE: tabular variational autoencoder on skorch."""

from synthohive.models.tvae._estimator import TVAE

__all__ = ["TVAE"]
