"""A tiny ConditionalGenerativeModel for the quality tests: independent column marginals."""

import numpy as np
import pandas as pd

from synthohive.models.base import ConditionalGenerativeModel
from synthohive.persistence import register_persistable


@register_persistable("tests.MarginalModel")
class MarginalModel(ConditionalGenerativeModel):
    """Draws each column independently: normal for floats, frequencies for the rest.

    ``shift`` moves every float column by that many standard deviations (a bad model).
    """

    def __init__(self, shift=0.0, random_state=None):
        self.shift = shift
        self.random_state = random_state

    def _fit(self, X, context):
        self.marginals_ = {}
        for column in X.columns:
            values = X[column]
            if values.dtype.kind == "f":
                self.marginals_[column] = {"mean": float(values.mean()), "std": float(values.std())}
            else:
                freq = values.value_counts(normalize=True)
                self.marginals_[column] = {
                    "values": [v.item() if hasattr(v, "item") else v for v in freq.index],
                    "p": freq.to_numpy().tolist(),
                }

    def _sample(self, n_samples, context, seed):
        rng = np.random.default_rng(seed)
        out = {}
        for column, m in self.marginals_.items():
            if "mean" in m:
                out[column] = rng.normal(m["mean"] + self.shift * m["std"], m["std"], n_samples)
            else:
                picks = rng.choice(len(m["values"]), size=n_samples, p=m["p"])
                out[column] = pd.Series(np.asarray(m["values"], dtype=object)[picks]).astype(
                    self.dtypes_[column]
                )
        return pd.DataFrame(out)

    def _to_state(self):
        return {"params": self.get_params(), "marginals": self.marginals_, **self._base_state()}

    @classmethod
    def _from_state(cls, state):
        model = cls(**state["params"])
        model._restore_base_state(state)
        model.marginals_ = state["marginals"]
        return model
