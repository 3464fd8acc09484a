"""Realistic children-per-parent counts shared by the cardinality tests."""


import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

from synthohive.datasets import dataset_path


def overdispersed(n=3000, seed=0):
    """Counts depending on a parent segment and age, over-dispersed, with extra zeros."""
    rng = np.random.default_rng(seed)
    segment = rng.choice(["retail", "pro", "vip"], size=n, p=[0.6, 0.3, 0.1])
    age = rng.normal(45, 12, size=n)
    mean = np.select([segment == "pro", segment == "vip"], [5.0, 14.0], 0.8)
    mean = mean * np.exp((age - 45) / 40)
    counts = rng.negative_binomial(1.5, 1.5 / (1.5 + mean))
    counts[rng.random(n) < 0.15] = 0
    return counts, pd.DataFrame({"segment": segment, "age": age})


def sakila_rentals_per_customer():
    """Real rentals per customer of sakila (599 customers, 12 to 46 rentals each)."""
    customers = pd.read_csv(dataset_path("sakila") / "customer.csv", usecols=["customer_id"])
    rentals = pd.read_csv(dataset_path("sakila") / "rental.csv", usecols=["customer_id"])
    per_customer = rentals["customer_id"].value_counts()
    return per_customer.reindex(customers["customer_id"], fill_value=0).to_numpy()


def ks(real, synthetic):
    """Two-sample KS statistic between count distributions."""
    return float(ks_2samp(real, synthetic).statistic)
