"""Small models written for the tests: they prove any ConditionalGenerativeModel plugs in."""

from io import StringIO

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from synthohive.models.base import ConditionalGenerativeModel
from synthohive.persistence import register_persistable


@register_persistable("tests.NearestContextModel")
class NearestContextModel(ConditionalGenerativeModel):
    """Copies the training row whose context is nearest to each requested context row.

    Fast and exact enough to check what the meta-estimator does with context: the
    child-parent association of the training data is kept, as with a perfect model.
    """

    def __init__(self, n_neighbors=3, random_state=None):
        self.n_neighbors = n_neighbors
        self.random_state = random_state

    def _fit(self, X, context):
        self.rows_ = X
        if context is not None:
            self.encoding_ = _fit_encoding(context)
            self.train_context_ = _encode(context, self.encoding_)

    def _sample(self, n_samples, context, seed):
        rng = np.random.default_rng(seed)
        if context is None:
            picks = rng.integers(0, len(self.rows_), size=n_samples)
        else:
            query = _encode(context, self.encoding_)
            k = min(self.n_neighbors, len(self.train_context_))
            distances = (
                (query**2).sum(1)[:, None]
                - 2 * query @ self.train_context_.T
                + (self.train_context_**2).sum(1)[None, :]
            )
            distances += rng.random(distances.shape) * 1e-6
            nearest = np.argpartition(distances, k - 1, axis=1)[:, :k]
            picks = nearest[np.arange(n_samples), rng.integers(0, k, size=n_samples)]
        return self.rows_.iloc[picks].reset_index(drop=True)

    def _to_state(self):
        state = {
            **self._base_state(),
            "params": self.get_params(),
            "rows": self.rows_.to_json(orient="split", date_format="iso", date_unit="ns"),
        }
        if self.context_columns_ is not None:
            state["encoding"] = self.encoding_
            state["train_context"] = self.train_context_
        return state

    @classmethod
    def _from_state(cls, state):
        model = cls(**state["params"])
        model._restore_base_state(state)
        rows = pd.read_json(StringIO(state["rows"]), orient="split", convert_dates=False)
        model.rows_ = rows.astype(model.dtypes_)
        if model.context_columns_ is not None:
            model.encoding_ = state["encoding"]
            model.train_context_ = state["train_context"]
        return model


def _fit_encoding(context):
    encoding = {}
    for column in context.columns:
        values = context[column]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values) or \
                pd.api.types.is_datetime64_any_dtype(values):
            numbers = _numbers(values)
            std = float(np.nanstd(numbers)) or 1.0
            encoding[column] = {"mean": float(np.nanmean(numbers)), "std": std}
        else:
            encoding[column] = {"categories": sorted(values.dropna().astype(str).unique())}
    return encoding


def _numbers(values):
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.astype("int64").to_numpy(dtype=float)
    return values.astype(float).to_numpy()


def _encode(context, encoding):
    blocks = []
    for column in context.columns:  # the artifact's JSON sorts dict keys: use context order
        spec, values = encoding[column], context[column]
        if "mean" in spec:
            z = (_numbers(values) - spec["mean"]) / spec["std"]
            blocks.append(np.nan_to_num(z)[:, None])
        else:
            codes = pd.Categorical(values.astype(str), categories=spec["categories"]).codes
            onehot = np.zeros((len(values), len(spec["categories"]) + 1))
            onehot[np.arange(len(values)), codes] = 3.0
            blocks.append(onehot)
    return np.hstack(blocks) if blocks else np.zeros((len(context), 0))


@register_persistable("tests.ShuffleCounts")
class ShuffleCounts(BaseEstimator):
    """A minimal cardinality estimator: the observed counts, shuffled (tiled when n is larger)."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, counts, context=None):
        self.counts_ = np.asarray(counts, dtype=np.int64)
        return self

    def sample(self, context=None, n=None, random_state=None):
        rng = np.random.default_rng(random_state)
        repeats = -(-n // len(self.counts_))
        return np.concatenate([rng.permutation(self.counts_) for _ in range(repeats)])[:n]

    def _to_state(self):
        return {"random_state": self.random_state, "counts": self.counts_}

    @classmethod
    def _from_state(cls, state):
        estimator = cls(random_state=state["random_state"])
        estimator.counts_ = state["counts"]
        return estimator
